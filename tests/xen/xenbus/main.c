/* xenbus against the real C xenstored: node operations, permissions,
 * limits, watches (callback and queue), transactions (abort, and a commit
 * that conflicts with a dom0 write and is retried), and 32 threads with
 * requests in flight at once.
 *
 * hook.sh drives the dom0 side. We talk through data/test/phase (our
 * progress) and data/test/hook-done (the hook finished its checks):
 *   "watch-ready"  the hook checks what we wrote, then writes from-dom0
 *   "tx-open"      our transaction has read counter: the hook overwrites it
 *   "tx-done"      the hook checks the committed counter, writes hook-done */
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/format.h>
#include <minios/kernel.h>
#include <minios/mm.h>
#include <minios/sched.h>
#include <minios/time.h>
#include <minios/xenbus.h>
#include "../testlib.h"

#define BASE "data/test"
#define HOOK_WAIT_NS (30 * NSEC_PER_SEC)
#define THREADS 32
#define ROUNDS 25
/* Twice the ring, and within C xenstored's default 2048-byte quota per node
 * of an unprivileged domain (bigger values get ENOSPC). */
#define BIG_VALUE 2000

static int self;

/* ---- small helpers (no libc; volatile keeps gcc from calling one) ---- */

static bool same(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static size_t length(const volatile char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static void fill(volatile char *p, char c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = c;
    p[n] = '\0';
}

static void ignore_event(const char *path, const char *token, void *arg)
{
    (void)path, (void)token, (void)arg;
}

static uint64_t deadline(uint64_t ns)
{
    return monotonic_ns() + ns;
}

static void set_phase(const char *phase)
{
    int rc = xenbus_write(XBT_NIL, BASE "/phase", phase);
    if (rc < 0)
        printk("cannot write phase %s: %d\n", phase, rc);
}

/* True if the node holds want (false if missing or different). */
static bool node_is(xenbus_transaction_t xbt, const char *path, const char *want)
{
    char *value;
    if (xenbus_read(xbt, path, &value) < 0)
        return false;
    bool ok = same(value, want);
    kfree(value);
    return ok;
}

static bool has_name(char **names, unsigned count, const char *name)
{
    for (unsigned i = 0; i < count; i++)
        if (same(names[i], name))
            return true;
    return false;
}

/* ---- plain node operations ---- */

static void test_write_read(void)
{
    int rc = xenbus_write(XBT_NIL, BASE "/value", "hello-from-guest");
    char *value = NULL;
    int rd = rc ? rc : xenbus_read(XBT_NIL, BASE "/value", &value);
    TEST_CHECK("xenbus-write-read", rc == 0 && rd == 0 && same(value, "hello-from-guest"),
               "write %d, read %d \"%s\"", rc, rd, value ? value : "");
    kfree(value);

    char path[80];
    ksnprintf(path, sizeof(path), "/local/domain/%d/" BASE "/value", self);
    TEST_CHECK("xenbus-read-absolute", node_is(XBT_NIL, path, "hello-from-guest"),
               "%s does not hold our value", path);

    rc = xenbus_read(XBT_NIL, BASE "/missing", &value);
    TEST_CHECK("xenbus-read-missing", rc == -ENOENT, "got %d, want -ENOENT", rc);

    rc = xenbus_write(XBT_NIL, BASE "/from-guest", "G-ok");
    if (rc < 0)
        printk("cannot write from-guest: %d\n", rc);
}

static void test_directory(void)
{
    int rc1 = xenbus_mkdir(XBT_NIL, BASE "/dir");
    int rc2 = xenbus_mkdir(XBT_NIL, BASE "/dir"); /* exists: still fine */
    TEST_CHECK("xenbus-mkdir", rc1 == 0 && rc2 == 0, "mkdir %d, again %d", rc1, rc2);

    static const char *const children[] = {BASE "/dir/a", BASE "/dir/b", BASE "/dir/c"};
    int rc = 0;
    for (unsigned i = 0; i < 3 && rc == 0; i++)
        rc = xenbus_write(XBT_NIL, children[i], "x");
    char **names = NULL;
    unsigned count = 0;
    if (rc == 0)
        rc = xenbus_directory(XBT_NIL, BASE "/dir", &names, &count);
    TEST_CHECK("xenbus-directory",
               rc == 0 && count == 3 && has_name(names, count, "a") &&
                   has_name(names, count, "b") && has_name(names, count, "c") && names[3] == NULL,
               "rc %d, %u names", rc, count);
    kfree(names);

    rc1 = xenbus_rm(XBT_NIL, BASE "/dir/b");
    rc2 = xenbus_rm(XBT_NIL, BASE "/dir/b"); /* gone, parent exists: fine */
    names = NULL;
    rc = xenbus_directory(XBT_NIL, BASE "/dir", &names, &count);
    TEST_CHECK("xenbus-rm",
               rc1 == 0 && rc2 == 0 && rc == 0 && count == 2 && !has_name(names, count, "b"),
               "rm %d, again %d, directory %d with %u names", rc1, rc2, rc, count);
    kfree(names);

    rc1 = xenbus_rm(XBT_NIL, BASE "/no-parent/child");
    rc2 = xenbus_directory(XBT_NIL, BASE "/no-parent", &names, &count);
    TEST_CHECK("xenbus-missing-parent", rc1 == -ENOENT && rc2 == -ENOENT,
               "rm %d, directory %d (want -ENOENT twice)", rc1, rc2);
}

static void test_perms(void)
{
    struct xs_perm *perms = NULL;
    unsigned count = 0;
    int rc = xenbus_write(XBT_NIL, BASE "/perm", "p");
    if (rc == 0)
        rc = xenbus_get_perms(XBT_NIL, BASE "/perm", &perms, &count);
    TEST_CHECK("xenbus-perms-owner", rc == 0 && count >= 1 && perms[0].domid == self,
               "rc %d, %u entries, owner %d", rc, count, count ? perms[0].domid : -1);
    kfree(perms);

    const struct xs_perm want[] = {
        {.domid = (uint16_t)self, .access = XS_ACCESS_NONE},
        {.domid = 0, .access = XS_ACCESS_READ},
    };
    rc = xenbus_set_perms(XBT_NIL, BASE "/perm", want, 2);
    perms = NULL;
    int rd = rc ? rc : xenbus_get_perms(XBT_NIL, BASE "/perm", &perms, &count);
    TEST_CHECK("xenbus-set-perms",
               rc == 0 && rd == 0 && count == 2 && perms[0].domid == self &&
                   perms[0].access == XS_ACCESS_NONE && perms[1].domid == 0 &&
                   perms[1].access == XS_ACCESS_READ,
               "set %d, get %d, %u entries", rc, rd, count);
    kfree(perms);
}

/* Everything over a protocol limit is refused here, before xenstored. */
static void test_limits(void)
{
    static char big[XENSTORE_PAYLOAD_MAX + 8];
    struct xenbus_stats before, after;
    xenbus_get_stats(&before);

    int bad = 0;
    fill(big, 'a', XENSTORE_ABS_PATH_MAX + 10);
    big[0] = '/';
    bad += xenbus_write(XBT_NIL, big, "x") != -E2BIG;
    fill(big, 'a', XENSTORE_REL_PATH_MAX + 1);
    bad += xenbus_read(XBT_NIL, big, &(char *){NULL}) != -E2BIG;
    bad += xenbus_write(XBT_NIL, BASE "//x", "x") != -EINVAL;
    bad += xenbus_write(XBT_NIL, BASE "/a b", "x") != -EINVAL;
    bad += xenbus_write(XBT_NIL, BASE "/x/", "x") != -EINVAL;
    bad += xenbus_mkdir(XBT_NIL, "") != -EINVAL;
    fill(big, 'v', XENSTORE_PAYLOAD_MAX);
    bad += xenbus_write(XBT_NIL, BASE "/v", big) != -E2BIG;
    bad += xenbus_printf(XBT_NIL, BASE "/v", "%5000d", 1) != -E2BIG;
    bad += xenbus_watch_add(BASE "/v", "", ignore_event, NULL) != -EINVAL;
    bad += xenbus_transaction_end(XBT_NIL, false) != -EINVAL;

    xenbus_get_stats(&after);
    TEST_CHECK("xenbus-limits", bad == 0 && after.requests == before.requests,
               "%d calls not refused; %lu requests reached xenstored", bad,
               (unsigned long)(after.requests - before.requests));
}

static void test_numbers_and_big_values(void)
{
    long v = 0;
    int rc1 = xenbus_printf(XBT_NIL, BASE "/int", "%d", -12345);
    int rc2 = xenbus_read_int(XBT_NIL, BASE "/int", &v);
    xenbus_write(XBT_NIL, BASE "/notint", "12x");
    int rc3 = xenbus_read_int(XBT_NIL, BASE "/notint", &v);
    xenbus_write(XBT_NIL, BASE "/hugeint", "99999999999999999999");
    long untouched = 7;
    int rc4 = xenbus_read_int(XBT_NIL, BASE "/hugeint", &untouched);
    rc2 = rc2 ? rc2 : (int)v;
    TEST_CHECK("xenbus-read-int",
               rc1 == 0 && rc2 == -12345 && rc3 == -EINVAL && rc4 == -ERANGE && untouched == 7,
               "printf %d, value %d, \"12x\" %d, huge %d", rc1, rc2, rc3, rc4);

    /* Bigger than the ring both ways: the writer waits for xenstored to
     * make room, the reader assembles the reply from several pieces. */
    static char big[BIG_VALUE + 1];
    for (int i = 0; i < BIG_VALUE; i++)
        ((volatile char *)big)[i] = (char)('a' + i % 26);
    big[BIG_VALUE] = '\0';
    char *back = NULL;
    int rc = xenbus_write(XBT_NIL, BASE "/big", big);
    int rd = rc ? rc : xenbus_read(XBT_NIL, BASE "/big", &back);
    TEST_CHECK(
        "xenbus-big-value", rc == 0 && rd == 0 && length(back) == BIG_VALUE && same(back, big),
        "write %d, read %d, %lu bytes back", rc, rd, (unsigned long)(back ? length(back) : 0));
    kfree(back);
}

/* ---- transactions ---- */

static void test_transaction_abort(void)
{
    xenbus_transaction_t xbt = XBT_NIL;
    int rc = xenbus_transaction_start(&xbt);
    int wr = rc ? rc : xenbus_write(xbt, BASE "/txabort", "inside");
    bool seen_inside = node_is(xbt, BASE "/txabort", "inside");
    bool seen_outside = node_is(XBT_NIL, BASE "/txabort", "inside");
    int end = rc ? rc : xenbus_transaction_end(xbt, true);
    char *value;
    int after = xenbus_read(XBT_NIL, BASE "/txabort", &value);
    TEST_CHECK("xenbus-transaction-abort",
               rc == 0 && xbt != XBT_NIL && wr == 0 && seen_inside && !seen_outside && end == 0 &&
                   after == -ENOENT,
               "start %d, write %d, inside %d, outside %d, end %d, read after %d", rc, wr,
               seen_inside, seen_outside, end, after);
}

struct conflict {
    int attempts;
    struct xenbus_event_queue events; /* of the counter node */
};

static int bump_counter(xenbus_transaction_t xbt, void *arg)
{
    struct conflict *c = arg;
    long v;
    c->attempts++;
    int rc = xenbus_read_int(xbt, BASE "/counter", &v);
    if (rc < 0)
        return rc;
    if (c->attempts == 1) {
        /* Let dom0 change the node under our open transaction. */
        struct xenbus_event *ev;
        set_phase("tx-open");
        rc = xenbus_event_wait(&c->events, deadline(HOOK_WAIT_NS), &ev);
        if (rc < 0)
            return rc;
        kfree(ev);
    }
    return xenbus_printf(xbt, BASE "/counter", "%ld", v + 1);
}

static void test_transaction_conflict(void)
{
    static struct conflict c;
    struct xenbus_stats before, after;
    struct xenbus_event *ev;
    xenbus_event_queue_init(&c.events);
    xenbus_write(XBT_NIL, BASE "/counter", "1");
    int rc = xenbus_watch_add_queue(BASE "/counter", "counter", &c.events);
    if (rc == 0)
        rc = xenbus_event_wait(&c.events, deadline(HOOK_WAIT_NS), &ev); /* the first firing */
    if (rc == 0) {
        kfree(ev);
        xenbus_get_stats(&before);
        rc = xenbus_transaction_run(bump_counter, &c);
        xenbus_get_stats(&after);
    }
    long v = 0;
    int rd = xenbus_read_int(XBT_NIL, BASE "/counter", &v);
    TEST_CHECK("xenbus-transaction-retry",
               rc == 0 && c.attempts == 2 && rd == 0 && v == 101 &&
                   after.transaction_retries == before.transaction_retries + 1,
               "run %d after %d attempts, counter %ld (read %d), want 101 after 2", rc, c.attempts,
               v, rd);
    xenbus_watch_remove(BASE "/counter", "counter");
    xenbus_event_queue_flush(&c.events);
}

/* ---- watches ---- */

static struct semaphore fired;
static int fire_count;
static char fired_path[64];

static void count_firing(const char *path, const char *token, void *arg)
{
    (void)token;
    (void)arg;
    fire_count++;
    ksnprintf(fired_path, sizeof(fired_path), "%s", path);
    sem_up(&fired);
}

static void remove_myself(const char *path, const char *token, void *arg)
{
    (void)path;
    int *rc = arg;
    *rc = xenbus_watch_remove(BASE "/selfrm", token);
    sem_up(&fired);
}

static void test_callback_watches(void)
{
    sem_init(&fired, 0);
    int rc = xenbus_watch_add(BASE "/cb", "cb", count_firing, NULL);
    int first = rc ? rc : sem_down_deadline(&fired, deadline(HOOK_WAIT_NS));
    int dup = xenbus_watch_add(BASE "/cb", "cb", count_firing, NULL);
    xenbus_write(XBT_NIL, BASE "/cb/child", "1");
    int second = sem_down_deadline(&fired, deadline(HOOK_WAIT_NS));
    TEST_CHECK("xenbus-watch-callback",
               rc == 0 && first == 0 && dup == -EEXIST && second == 0 && fire_count == 2 &&
                   same(fired_path, BASE "/cb/child"),
               "add %d, first %d, duplicate %d, second %d, %d firings, last path %s", rc, first,
               dup, second, fire_count, fired_path);

    int removed = xenbus_watch_remove(BASE "/cb", "cb");
    xenbus_write(XBT_NIL, BASE "/cb", "2");
    printk("xenbus test: waiting 300 ms from %lu ms of uptime\n",
           (unsigned long)(monotonic_ns() / NSEC_PER_MSEC));
    int quiet = sem_down_deadline(&fired, deadline(300 * NSEC_PER_MSEC));
    int again = xenbus_watch_remove(BASE "/cb", "cb");
    TEST_CHECK("xenbus-watch-remove", removed == 0 && quiet == -ETIMEDOUT && again == -ENOENT,
               "remove %d, fired after removal %d, remove again %d", removed, quiet == 0, again);

    int self_rc = 1;
    rc = xenbus_watch_add(BASE "/selfrm", "selfrm", remove_myself, &self_rc);
    first = rc ? rc : sem_down_deadline(&fired, deadline(HOOK_WAIT_NS));
    xenbus_write(XBT_NIL, BASE "/selfrm", "1");
    quiet = sem_down_deadline(&fired, deadline(300 * NSEC_PER_MSEC));
    TEST_CHECK("xenbus-watch-self-remove",
               rc == 0 && first == 0 && self_rc == 0 && quiet == -ETIMEDOUT,
               "add %d, first %d, removal in the callback %d, fired again %d", rc, first, self_rc,
               quiet == 0);
}

/* dom0 writes a node we watch with a queue; we read what it wrote. */
static void test_watch_from_dom0(void)
{
    static struct xenbus_event_queue q;
    struct xenbus_event *ev = NULL;
    xenbus_event_queue_init(&q);
    int rc = xenbus_watch_add_queue(BASE "/from-dom0", "dom0", &q);
    int first = rc ? rc : xenbus_event_wait(&q, deadline(HOOK_WAIT_NS), &ev);
    kfree(ev);
    ev = NULL;
    set_phase("watch-ready");
    int event = first ? first : xenbus_event_wait(&q, deadline(HOOK_WAIT_NS), &ev);
    TEST_CHECK("xenbus-watch-dom0",
               rc == 0 && first == 0 && event == 0 && same(ev->path, BASE "/from-dom0") &&
                   same(ev->token, "dom0"),
               "add %d, first event %d, dom0 event %d (%s)", rc, first, event,
               ev ? ev->path : "none");
    kfree(ev);
    TEST_CHECK("xenbus-read-dom0-value", node_is(XBT_NIL, BASE "/from-dom0", "D-hello"),
               "from-dom0 does not hold \"D-hello\"");
    xenbus_watch_remove(BASE "/from-dom0", "dom0");
    xenbus_event_queue_flush(&q);
}

/* ---- many threads at once ---- */

static int thread_failures;

static void hammer(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg;
    char path[48], want[32];
    ksnprintf(path, sizeof(path), BASE "/threads/%u", id);
    for (unsigned round = 0; round < ROUNDS; round++) {
        ksnprintf(want, sizeof(want), "%u-%u", id, round);
        if (xenbus_write(XBT_NIL, path, want) < 0 || !node_is(XBT_NIL, path, want))
            thread_failures++;
    }
}

static void test_concurrency(void)
{
    static struct thread *threads[THREADS];
    int made = 0;
    uint64_t t0 = monotonic_ns();
    for (unsigned i = 0; i < THREADS; i++) {
        threads[i] = thread_create("hammer", hammer, (void *)(uintptr_t)i);
        made += threads[i] != NULL;
    }
    for (unsigned i = 0; i < THREADS; i++)
        if (threads[i])
            thread_join(threads[i]);
    uint64_t ms = (monotonic_ns() - t0) / NSEC_PER_MSEC;
    char **names = NULL;
    unsigned count = 0;
    int rc = xenbus_directory(XBT_NIL, BASE "/threads", &names, &count);
    kfree(names);
    struct xenbus_stats s;
    xenbus_get_stats(&s);
    printk("xenbus: %d threads x %d write+read in %lu ms; at most %u requests in flight\n", made,
           ROUNDS, (unsigned long)ms, s.max_in_flight);
    TEST_CHECK("xenbus-concurrent",
               made == THREADS && thread_failures == 0 && rc == 0 && count == THREADS,
               "%d threads, %d failed operations, %u nodes (directory %d)", made, thread_failures,
               count, rc);
    TEST_CHECK("xenbus-in-flight", s.max_in_flight >= THREADS / 2,
               "at most %u requests were in flight at once", s.max_in_flight);
}

static bool wait_for_hook(void)
{
    uint64_t end = deadline(HOOK_WAIT_NS);
    while (monotonic_ns() < end) {
        if (node_is(XBT_NIL, BASE "/hook-done", "1"))
            return true;
        msleep(20);
    }
    return false;
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    int rc = xenbus_init();
    TEST_CHECK("xenbus-init", rc == 0, "xenbus_init: %d", rc);
    if (rc < 0)
        return 1;
    self = xenbus_get_domid();
    TEST_CHECK("xenbus-domid", self > 0, "xenbus_get_domid: %d", self);

    xenbus_rm(XBT_NIL, BASE);
    test_write_read();
    test_directory();
    test_perms();
    test_limits();
    test_numbers_and_big_values();
    test_transaction_abort();
    test_callback_watches();
    test_watch_from_dom0();
    test_transaction_conflict();
    set_phase("tx-done");
    test_concurrency();
    TEST_CHECK("xenbus-hook-done", wait_for_hook(), "the dom0 hook never wrote hook-done");

    struct xenbus_stats s;
    xenbus_get_stats(&s);
    printk("xenbus: %lu requests, %lu replies, %lu watch events, %lu dropped, %lu tx retries; "
           "xenstored features 0x%x\n",
           (unsigned long)s.requests, (unsigned long)s.replies, (unsigned long)s.watch_events,
           (unsigned long)s.dropped, (unsigned long)s.transaction_retries, s.server_features);
    return test_exit_status();
}
