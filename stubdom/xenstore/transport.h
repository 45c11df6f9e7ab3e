/* The transport interface: what the xenstore core needs from the code that
 * moves bytes between it and other domains (shared ring pages, event
 * channels, the hypervisor's domain list).
 *
 * The core never touches a ring, an event channel or a hypercall. The
 * guest side owns all of that and plugs in here:
 *
 *   - It creates one connection per domain with xsd_connect() (dom0 at
 *     start-up; the others arrive through INTRODUCE, below), copies request
 *     bytes from the domain's ring into xsd_conn_feed(), and copies reply
 *     bytes from xsd_conn_output() into the ring, calling
 *     xsd_conn_output_done() for what it wrote. After writing output it
 *     feeds again: a connection with too many unread replies accepts no
 *     input until they drain (flow control, quota "outstanding").
 *   - When xsd_conn_feed() returns a negative value the connection is
 *     dead (xsd_conn_error() says why, as a XENSTORE_ERROR_* value for the
 *     ring's error field); stop serving it and call xsd_conn_close().
 *   - It calls xsd_domains_check() when domains may have changed state
 *     (VIRQ_DOM_EXC); the core then asks domain_state() about each domain
 *     it knows and fires @releaseDomain / cleans up as needed.
 *
 * Callbacks run inside a core call (during request processing or
 * xsd_domains_check) and must not call back into the core, except the
 * xsd_conn_*data accessors. Every callback may be NULL: introduce() then
 * fails with -ENOSYS, domain_state() reports every domain as running. */
#ifndef XSD_TRANSPORT_H
#define XSD_TRANSPORT_H

#include <minios/types.h>

struct xsd_conn;

enum xsd_domain_state {
    XSD_DOMAIN_RUNNING,  /* exists and runs (or is paused) */
    XSD_DOMAIN_SHUTDOWN, /* shut down (crashed, powered off ...) but not yet destroyed */
    XSD_DOMAIN_GONE,     /* dying or destroyed */
};

struct xsd_transport {
    void *ctx; /* passed to every callback */

    /* INTRODUCE for a domain that has no connection: conn is the new,
     * empty connection (xsd_conn_domid(conn) names the domain). Map the
     * domain's xenstore page (grant ref GNTTAB_RESERVED_XENSTORE, or the
     * frame mfn), bind an event channel to its unbound port `port`, and
     * attach the state with xsd_conn_set_data(). Return 0, or a negative
     * errno: the core then frees conn and replies with that error. */
    int (*introduce)(void *ctx, struct xsd_conn *conn, uint64_t mfn, uint32_t port);

    /* INTRODUCE again, same mfn, for a connected domain (the toolstack
     * re-creating the event channel after a resume): rebind to port.
     * 0 or a negative errno. */
    int (*rebind)(void *ctx, struct xsd_conn *conn, uint32_t port);

    /* The core drops conn (RELEASE, domain destroyed): unmap the page,
     * close the event channel, forget conn. The core frees conn when this
     * returns. Not called for xsd_conn_close(), which the transport starts. */
    void (*release)(void *ctx, struct xsd_conn *conn);

    /* conn has new output (a reply or a watch event): write it to the ring
     * soon. Called often; just note it. */
    void (*kick)(void *ctx, struct xsd_conn *conn);

    /* The current state of domain domid (for xsd_domains_check). */
    enum xsd_domain_state (*domain_state)(void *ctx, uint16_t domid);
};

#endif
