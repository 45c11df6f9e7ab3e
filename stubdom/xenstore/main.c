/* xenstored stub domain: the guest side of the xenstore server.
 *
 * init-xenstore-domain builds this domain with the command line
 * "--event <port> --internal-db [extra]". Before that, dom0's kernel
 * (IOCTL_XENBUS_BACKEND_SETUP) allocated <port> as an unbound port for us
 * and granted its xenstore page to us under GNTTAB_RESERVED_XENSTORE. We
 * map that page, bind the port and serve dom0 as the first connection.
 * Other domains arrive through INTRODUCE (dom0's toolstack): their page is
 * mapped by the same reserved grant ref (libxl grants it to the xenstore
 * domain), their store port is bound interdomain. VIRQ_DOM_EXC (directed
 * to us by init-xenstore-domain) makes us ask Xen about every known domain
 * (XEN_DOMCTL_getdomaininfo, which Xen allows the xenstore domain).
 *
 * Everything runs in one service thread: event handlers only note work and
 * wake it; it feeds ring bytes to the core and drains replies back. The
 * core (xsd.h) must only be called from that thread.
 *
 * Files other than this one build for the host unit tests too, so the
 * whole transport lives here. */
/* <xen/domctl.h> is a tools interface (the xenstore domain may use
 * getdomaininfo); with __XEN_TOOLS__ Xen's headers pick their latest
 * interface version themselves. */
#define __XEN_TOOLS__ 1
#undef __XEN_INTERFACE_VERSION__

#include <minios/arch.h>
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/events.h>
#include <minios/format.h>
#include <minios/gnttab.h>
#include <minios/hypercall.h>
#include <minios/kernel.h>
#include <minios/mm.h>
#include <minios/sched.h>
#include <minios/string.h>
#include <minios/xs_codec.h>
#include <xen/domctl.h>
#include <xen/io/xs_wire.h>

#include "xsd.h"

/* What every ring's client may rely on: the reconnection protocol and the
 * error field (written before the client is unpaused or told the port). */
#define SERVER_FEATURES (XENSTORE_SERVER_FEATURE_RECONNECTION | XENSTORE_SERVER_FEATURE_ERROR)

/* One domain's ring: its mapped page, our end of its event channel. */
struct ring {
    struct ring *next;
    struct xsd_conn *conn; /* NULL once released (freed after the pass) */
    struct xenstore_domain_interface *intf;
    grant_handle_t handle;
    evtchn_port_t port;
    uint16_t domid;
    bool dead; /* protocol error or corrupt indices: no longer served */
    unsigned long breaks; /* how often it was found dead (for the log) */
    enum xsd_domain_state state; /* as Xen last told us (for the log) */
};

static struct xsd_server *srv;
static struct ring *rings;
static struct waitq service_wq = WAITQ_INIT(service_wq);
static volatile bool work_pending; /* set by handlers and kick */
static volatile bool domains_changed;
static bool verbose;

/* Our log: the console, and under PVH also Xen's debug port (lines
 * "(dN) ..." on Xen's console), since the console is only read once
 * xenconsoled runs, which needs a working xenstore first. */
static bool debug_port;

static void __printf(1, 2) xlog(const char *fmt, ...)
{
    char line[160];
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(line))
        n = sizeof(line) - 1;
    console_write(line, (size_t)n);
#if defined(__x86_64__)
    if (debug_port)
        for (int i = 0; i < n; i++)
            __asm__ __volatile__("outb %0, %1" : : "a"((uint8_t)line[i]), "Nd"((uint16_t)0xe9));
#endif
}

static void note_work(void)
{
    work_pending = true;
}

static void ring_event(evtchn_port_t port, void *data)
{
    (void)port;
    (void)data;
    note_work();
    waitq_wake_one(&service_wq);
}

static void dom_exc_event(evtchn_port_t port, void *data)
{
    (void)port;
    (void)data;
    domains_changed = true;
    note_work();
    waitq_wake_one(&service_wq);
}

/* ---------------------------------------------------------------- rings */

static int ring_map(struct ring *r, uint16_t domid)
{
    void *va = gnttab_map_area_alloc(1);
    if (!va)
        return -ENOMEM;
    int rc = gnttab_map_grant_ref(domid, GNTTAB_RESERVED_XENSTORE, false, va, &r->handle);
    if (rc < 0) {
        gnttab_map_area_free(va, 1);
        return rc;
    }
    r->intf = va;
    r->domid = domid;
    return 0;
}

static void ring_unmap(struct ring *r)
{
    if (!r->intf)
        return;
    int rc = gnttab_unmap_grant_ref(r->intf, r->handle);
    if (rc == 0)
        gnttab_map_area_free(r->intf, 1);
    else
        xlog("xenstored: unmapping dom%u's ring failed (%d)\n", r->domid, rc);
    r->intf = NULL;
}

static void ring_teardown(struct ring *r)
{
    if (r->port) {
        evtchn_close(r->port);
        r->port = 0;
    }
    ring_unmap(r);
}

/* The ring protocol's reconnection: the client asked for a fresh start. */
static void ring_check_reconnect(struct ring *r)
{
    struct xenstore_domain_interface *intf = r->intf;
    if (READ_ONCE(intf->connection) != XENSTORE_RECONNECT)
        return;
    mb();
    xsd_conn_reset(r->conn);
    r->dead = false;
    WRITE_ONCE(intf->req_cons, 0);
    WRITE_ONCE(intf->req_prod, 0);
    WRITE_ONCE(intf->rsp_cons, 0);
    WRITE_ONCE(intf->rsp_prod, 0);
    WRITE_ONCE(intf->error, 0);
    wmb();
    WRITE_ONCE(intf->connection, XENSTORE_CONNECTED);
    mb();
    evtchn_send(r->port);
    if (verbose)
        xlog("xenstored: dom%u reconnected its ring\n", r->domid);
}

/* Kill the connection: the client learns why from the error field. The
 * ring stays mapped and bound until RELEASE or the domain's death, so the
 * toolstack's release is seen as usual, and the client may start afresh
 * with the reconnection protocol (which resets everything it had). Until
 * then its watches, transactions and queued output are gone. */
static void ring_fail(struct ring *r, int error)
{
    /* A client breaking and reconnecting in a loop must not flood our log. */
    r->breaks++;
    if (r->breaks <= 3 || IS_POW2(r->breaks))
        xlog("xenstored: dom%u's ring is broken (error %d): no longer served (%lu times)\n",
             r->domid, error, r->breaks);
    xsd_conn_reset(r->conn);
    WRITE_ONCE(r->intf->error, (uint32_t)error);
    mb();
    evtchn_send(r->port);
    r->dead = true;
}

#define MAX_ROUNDS_PER_PASS 8

/* Move replies out and requests in until neither side makes progress. */
static void ring_service(struct ring *r)
{
    static char buf[XENSTORE_RING_SIZE];
    struct xenstore_domain_interface *intf = r->intf;
    bool notify = false;

    if (!r->conn || !intf)
        return;
    ring_check_reconnect(r);
    if (r->dead)
        return;
    /* A client that refills its ring as fast as we drain it must not keep
     * the others waiting: a bounded number of rounds, then the next ring. */
    for (int round = 0;; round++) {
        if (round == MAX_ROUNDS_PER_PASS) {
            note_work();
            break;
        }
        bool progress = false;
        /* replies and watch events */
        for (;;) {
            const void *data;
            size_t n = xsd_conn_output(r->conn, &data);
            if (!n)
                break;
            XENSTORE_RING_IDX cons = READ_ONCE(intf->rsp_cons);
            XENSTORE_RING_IDX prod = READ_ONCE(intf->rsp_prod);
            mb(); /* read the consumer index before overwriting the ring */
            int put = xs_ring_put(intf->rsp, cons, prod, data,
                                  n > XENSTORE_RING_SIZE ? XENSTORE_RING_SIZE : (uint32_t)n);
            if (put < 0) {
                ring_fail(r, XENSTORE_ERROR_RINGIDX);
                return;
            }
            if (put == 0)
                break;
            wmb(); /* data before the index */
            WRITE_ONCE(intf->rsp_prod, prod + (uint32_t)put);
            xsd_conn_output_done(r->conn, (size_t)put);
            notify = progress = true;
        }
        /* requests */
        XENSTORE_RING_IDX cons = READ_ONCE(intf->req_cons);
        XENSTORE_RING_IDX prod = READ_ONCE(intf->req_prod);
        rmb(); /* the index before the data */
        int got = xs_ring_get(intf->req, cons, prod, buf, sizeof(buf));
        if (got < 0) {
            ring_fail(r, XENSTORE_ERROR_RINGIDX);
            return;
        }
        if (got > 0) {
            int took = xsd_conn_feed(r->conn, buf, (size_t)got);
            if (took < 0) {
                int err = xsd_conn_error(r->conn);
                ring_fail(r, err ? err : XENSTORE_ERROR_COMM);
                return;
            }
            if (took > 0) {
                mb(); /* done reading before handing the space back */
                WRITE_ONCE(intf->req_cons, cons + (uint32_t)took);
                /* req_cons out before req_prod is read again: a client
                 * that skips its notification while it sees us behind
                 * (Linux does) must then find us reading its new data. */
                mb();
                notify = progress = true;
            }
        }
        if (!progress)
            break;
    }
    if (notify) {
        mb();
        evtchn_send(r->port);
    }
}

/* ---------------------------------------------------------------- transport */

static int tp_introduce(void *ctx, struct xsd_conn *conn, uint64_t mfn, uint32_t port)
{
    (void)ctx;
    uint16_t domid = xsd_conn_domid(conn);
    struct ring *r = kzalloc(sizeof(*r));
    if (!r)
        return -ENOMEM;
    int rc = ring_map(r, domid);
    if (rc < 0) {
        /* No foreign mapping of the frame here: the grant is the only way. */
        xlog("xenstored: INTRODUCE dom%u: cannot map its ring by grant (%d), mfn %#lx\n",
               domid, rc, (unsigned long)mfn);
        kfree(r);
        return rc;
    }
    rc = evtchn_bind_interdomain(domid, port, ring_event, r, &r->port);
    if (rc < 0) {
        xlog("xenstored: INTRODUCE dom%u: cannot bind port %u (%d)\n", domid, port, rc);
        ring_unmap(r);
        kfree(r);
        return rc;
    }
    WRITE_ONCE(r->intf->server_features, SERVER_FEATURES);
    r->conn = conn;
    xsd_conn_set_data(conn, r);
    r->next = rings;
    rings = r;
    note_work();
    xlog("xenstored: introduced dom%u (port %u -> %u)\n", domid, port, r->port);
    return 0;
}

static int tp_rebind(void *ctx, struct xsd_conn *conn, uint32_t port)
{
    (void)ctx;
    struct ring *r = xsd_conn_data(conn);
    if (!r)
        return -EINVAL;
    evtchn_port_t local;
    int rc = evtchn_bind_interdomain(r->domid, port, ring_event, r, &local);
    if (rc < 0)
        return rc;
    if (r->port)
        evtchn_close(r->port);
    r->port = local;
    note_work();
    return 0;
}

static void tp_release(void *ctx, struct xsd_conn *conn)
{
    (void)ctx;
    struct ring *r = xsd_conn_data(conn);
    if (!r)
        return;
    xlog("xenstored: released dom%u\n", r->domid);
    ring_teardown(r);
    r->conn = NULL; /* unlinked and freed after the current pass */
    note_work();
}

static void tp_kick(void *ctx, struct xsd_conn *conn)
{
    (void)ctx;
    (void)conn;
    note_work();
}

static enum xsd_domain_state query_domain_state(uint16_t domid)
{
    static bool warned;
    struct xen_domctl op;
    memset(&op, 0, sizeof(op));
    op.cmd = XEN_DOMCTL_getdomaininfo;
    op.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    op.domain = domid;
    long rc = HC(__HYPERVISOR_domctl, &op, 0, 0);
    if (rc == -ESRCH)
        return XSD_DOMAIN_GONE;
    if (rc < 0) {
        if (!warned)
            xlog("xenstored: XEN_DOMCTL_getdomaininfo failed (%ld): domain death unseen\n",
                   rc);
        warned = true;
        return XSD_DOMAIN_RUNNING;
    }
    /* Older Xen answers with the next existing domain. */
    if (op.u.getdomaininfo.domain != domid)
        return XSD_DOMAIN_GONE;
    uint32_t flags = op.u.getdomaininfo.flags;
    if (flags & XEN_DOMINF_dying)
        return XSD_DOMAIN_GONE;
    if (flags & XEN_DOMINF_shutdown)
        return XSD_DOMAIN_SHUTDOWN;
    return XSD_DOMAIN_RUNNING;
}

static enum xsd_domain_state tp_domain_state(void *ctx, uint16_t domid)
{
    (void)ctx;
    enum xsd_domain_state state = query_domain_state(domid);
    for (struct ring *r = rings; r; r = r->next) {
        if (r->conn && r->domid == domid && r->state != state) {
            static const char *const names[] = {"running", "shut down", "gone"};
            xlog("xenstored: dom%u %s\n", domid, names[state]);
            r->state = state;
        }
    }
    return state;
}

/* ---------------------------------------------------------------- service */

static void sweep_released(void)
{
    struct ring **pp = &rings;
    while (*pp) {
        struct ring *r = *pp;
        if (!r->conn) {
            *pp = r->next;
            kfree(r);
        } else {
            pp = &r->next;
        }
    }
}

static void service_loop(void)
{
    for (;;) {
        wait_event(&service_wq, work_pending);
        unsigned long flags = arch_irq_save();
        work_pending = false;
        bool check = domains_changed;
        domains_changed = false;
        arch_irq_restore(flags);

        if (check)
            xsd_domains_check(srv);
        for (struct ring *r = rings; r; r = r->next)
            ring_service(r);
        sweep_released();
    }
}

/* ---------------------------------------------------------------- start-up */

static int parse_port(const char *s, uint32_t *port)
{
    if (!s)
        return -EINVAL;
    return xs_parse_decimal(s, strlen(s), 0xfffffffe, port);
}

static int connect_dom0(uint32_t remote_port)
{
    struct ring *r = kzalloc(sizeof(*r));
    if (!r)
        return -ENOMEM;
    int rc = ring_map(r, 0);
    if (rc < 0) {
        xlog("xenstored: cannot map dom0's xenstore page (grant ref %u): %d\n",
               GNTTAB_RESERVED_XENSTORE, rc);
        kfree(r);
        return rc;
    }
    /* Advertise what we support before dom0 can see us use the ring. */
    WRITE_ONCE(r->intf->server_features, SERVER_FEATURES);
    wmb();
    rc = xsd_connect(srv, 0, r, &r->conn);
    if (rc < 0) {
        ring_unmap(r);
        kfree(r);
        return rc;
    }
    rc = evtchn_bind_interdomain(0, remote_port, ring_event, r, &r->port);
    if (rc < 0) {
        xlog("xenstored: cannot bind dom0's port %u: %d\n", remote_port, rc);
        return rc;
    }
    r->next = rings;
    rings = r;
    note_work();
    xlog("xenstored: serving dom0 (port %u -> %u)\n", remote_port, r->port);
    return 0;
}

int main(int argc, char **argv)
{
    /* We are the xenstore: the kernel's client must not wait on the store
     * page the domain builder gave us (no server behind it). It starts in
     * its own thread, which runs only once we block. */
    boot_info.xenstore_ring = NULL;
    debug_port = !strcmp(boot_info.boot_mode, "pvh");

    uint32_t port = 0;
    bool have_port = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--event") && i + 1 < argc) {
            if (parse_port(argv[++i], &port) < 0) {
                xlog("xenstored: bad --event \"%s\"\n", argv[i]);
                return 2;
            }
            have_port = true;
        } else if (!strcmp(argv[i], "--internal-db")) {
            /* always: there is no file system */
        } else if (!strcmp(argv[i], "--verbose") || !strcmp(argv[i], "-V")) {
            verbose = true;
        } else {
            xlog("xenstored: ignoring argument \"%s\"\n", argv[i]);
        }
    }
    if (!have_port) {
        xlog("xenstored: no --event <port>: start me with init-xenstore-domain\n");
        return 2;
    }

    static const struct xsd_transport transport = {
        .introduce = tp_introduce,
        .rebind = tp_rebind,
        .release = tp_release,
        .kick = tp_kick,
        .domain_state = tp_domain_state,
    };
    srv = xsd_server_new(&transport);
    if (!srv) {
        xlog("xenstored: out of memory\n");
        return 1;
    }
    if (verbose)
        xsd_set_logging(srv, true);
    int rc = xsd_check(srv);
    if (rc < 0)
        return 1;

    evtchn_port_t virq_port;
    rc = evtchn_bind_virq(VIRQ_DOM_EXC, dom_exc_event, NULL, &virq_port);
    if (rc < 0)
        xlog("xenstored: cannot bind VIRQ_DOM_EXC (%d): domain death unseen\n", rc);

    rc = connect_dom0(port);
    if (rc < 0)
        return 1;
    service_loop();
    return 0;
}
