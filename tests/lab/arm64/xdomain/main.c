/* Two dom0less domUs talking to each other without dom0 or xenstore: event
 * channels (a static one Xen binds at boot, and one set up at run time)
 * and a granted page.
 *
 * Both domains run this program; the command line says which side:
 *   role=offer  peer=<domid> static=<port>    (domain A)
 *   role=accept peer=<domid> static=<port>    (domain B)
 * The static channel (A:10 <-> B:20 in the plan) is the doorbell:
 *   A  grants B a page holding {magic, a port A allocated for B, text},
 *      rings the doorbell;
 *   B  finds the grant (it tries A's first refs: there is no xenstore to
 *      publish it), maps it, binds the run-time port, and plays ping-pong
 *      with A over it; then writes its answer into the page, unmaps it and
 *      rings the doorbell;
 *   A  checks the answer and revokes the grant (possible only once B
 *      has unmapped it).
 * Runtime inter-domain binding and grant mapping need Xen's XSM policy to
 * allow them (xsm=dummy; the default SILO policy forbids domU<->domU). */
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/events.h>
#include <minios/gnttab.h>
#include <minios/mm.h>
#include <minios/sched.h>
#include <minios/string.h>
#include <minios/time.h>
#include "testlib.h"

#define MAGIC 0x58444f4d /* "XDOM" */
#define PINGS 200
#define FIRST_REF 8 /* refs below are reserved for the toolstack */
#define REFS_TO_TRY 32

struct shared_page {
    uint32_t magic;
    uint32_t port;        /* A's run-time port for B */
    char offer[64];
    char answer[64];
};

static struct semaphore doorbell, runtime_events;
static int peer = -1, static_port = -1;
static const char *role = "";

static void on_doorbell(evtchn_port_t port, void *data)
{
    (void)port;
    (void)data;
    sem_up(&doorbell);
}

static void on_runtime(evtchn_port_t port, void *data)
{
    (void)port;
    (void)data;
    sem_up(&runtime_events);
}

static int number(const char *s)
{
    int v = 0;
    for (; *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (*s - '0');
    return *s ? -1 : v;
}

static void parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "role=", 5))
            role = argv[i] + 5;
        else if (!strncmp(argv[i], "peer=", 5))
            peer = number(argv[i] + 5);
        else if (!strncmp(argv[i], "static=", 7))
            static_port = number(argv[i] + 7);
    }
}

static bool wait_sem(struct semaphore *s, unsigned ms)
{
    return sem_down_deadline(s, monotonic_ns() + ms * NSEC_PER_MSEC) == 0;
}

static int offer(void)
{
    struct shared_page *page = pages_alloc(0);
    evtchn_port_t rt_port;
    grant_ref_t ref;
    memset(page, 0, PAGE_SIZE);

    int rc = evtchn_alloc_unbound((domid_t)peer, on_runtime, NULL, &rt_port);
    TEST_CHECK("xdom-alloc-unbound", rc == 0, "rc %d", rc);
    if (rc)
        return 1;
    page->port = rt_port;
    memcpy(page->offer, "hello from A", 13);
    page->magic = MAGIC;
    rc = gnttab_grant_page((domid_t)peer, page, false, &ref);
    TEST_CHECK("xdom-grant", rc == 0, "rc %d", rc);
    if (rc)
        return 1;
    printk("xdom: granted ref %u, run-time port %u\n", ref, rt_port);
    TEST_CHECK("xdom-doorbell-send", evtchn_send((evtchn_port_t)static_port) == 0, "send failed");

    int pongs = 0;
    while (pongs < PINGS && wait_sem(&runtime_events, 10000)) {
        evtchn_send(rt_port);
        pongs++;
    }
    TEST_CHECK("xdom-runtime-pingpong", pongs == PINGS, "answered %d of %d pings", pongs, PINGS);

    bool answered = false;
    for (int i = 0; i < 50 && !answered; i++) {
        wait_sem(&doorbell, 200);
        answered = !strcmp((const char *)page->answer, "hello from B");
    }
    TEST_CHECK("xdom-grant-answer", answered, "answer \"%.63s\"", page->answer);
    rc = -EBUSY;
    for (int i = 0; i < 100 && rc == -EBUSY; i++) {
        rc = gnttab_end_access(ref);
        if (rc == -EBUSY)
            msleep(20);
    }
    TEST_CHECK("xdom-grant-revoke", rc == 0, "end_access %d", rc);
    TEST_CHECK("xdom-runtime-close", evtchn_close(rt_port) == 0, "close failed");
    return test_exit_status();
}

/* Try A's refs until one maps and carries the magic. */
static struct shared_page *find_grant(void *va, grant_handle_t *handle)
{
    for (grant_ref_t ref = FIRST_REF; ref < FIRST_REF + REFS_TO_TRY; ref++) {
        if (gnttab_map_grant_ref((domid_t)peer, ref, false, va, handle) != 0)
            continue;
        struct shared_page *p = va;
        if (READ_ONCE(p->magic) == MAGIC) {
            printk("xdom: mapped A's ref %u\n", ref);
            return p;
        }
        gnttab_unmap_grant_ref(va, *handle);
    }
    return NULL;
}

static int accept(void)
{
    void *va = gnttab_map_area_alloc(1);
    grant_handle_t handle;
    struct shared_page *page = NULL;
    /* The first doorbell may be the spurious one Xen leaves pending when it
     * binds a static channel at boot: keep looking until the grant is there. */
    for (int i = 0; i < 100 && !page; i++) {
        wait_sem(&doorbell, 100);
        page = find_grant(va, &handle);
    }
    TEST_CHECK("xdom-grant-map", page != NULL, "no grant from domain %d", peer);
    if (!page)
        return 1;
    TEST_CHECK("xdom-grant-read", !strcmp((const char *)page->offer, "hello from A"),
               "offer \"%.63s\"", page->offer);

    evtchn_port_t rt_port;
    int rc = evtchn_bind_interdomain((domid_t)peer, page->port, on_runtime, NULL, &rt_port);
    TEST_CHECK("xdom-bind-interdomain", rc == 0, "rc %d", rc);
    if (rc)
        return 1;
    /* Xen marks a freshly bound interdomain port pending once; let that
     * notification arrive and drop it, so that it is not taken for a pong. */
    msleep(100);
    while (sem_trydown(&runtime_events))
        ;
    int pings = 0;
    uint64_t t0 = monotonic_ns();
    for (; pings < PINGS; pings++) {
        evtchn_send(rt_port);
        if (!wait_sem(&runtime_events, 10000))
            break;
    }
    uint64_t spent = monotonic_ns() - t0;
    TEST_CHECK("xdom-runtime-pingpong", pings == PINGS, "%d of %d pongs", pings, PINGS);
    if (pings)
        printk("BENCH xdom_evtchn_rtt_ns %lu\n", (unsigned long)(spent / (uint64_t)pings));

    memcpy(page->answer, "hello from B", 13);
    rc = gnttab_unmap_grant_ref(va, handle);
    TEST_CHECK("xdom-grant-unmap", rc == 0, "rc %d", rc);
    evtchn_send((evtchn_port_t)static_port);
    TEST_CHECK("xdom-runtime-close", evtchn_close(rt_port) == 0, "close failed");
    return test_exit_status();
}

int main(int argc, char **argv)
{
    sem_init(&doorbell, 0);
    sem_init(&runtime_events, 0);
    parse_args(argc, argv);
    if (peer <= 0 || static_port < 0 || (strcmp(role, "offer") && strcmp(role, "accept"))) {
        TEST_FAIL("xdom-args", "want role=offer|accept peer=<domid> static=<port>");
        return 1;
    }
    int rc = evtchn_bind((evtchn_port_t)static_port, on_doorbell, NULL);
    TEST_CHECK("xdom-static-bind", rc == 0, "rc %d", rc);
    return !strcmp(role, "offer") ? offer() : accept();
}
