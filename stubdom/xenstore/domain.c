/* Domain records and the domain-management requests (see domain.h). */
#include <minios/errno.h>
#include <minios/format.h>
#include <minios/mm.h>

#include "conn.h"
#include "domain.h"
#include "server.h"
#include "watch.h"

#define DOMID_RESERVED 0x7ff0 /* DOMID_FIRST_RESERVED in xen.h */

static struct xsd_domain **bucket(const struct xsd_server *srv, uint16_t domid)
{
    return (struct xsd_domain **)&srv->domains[domid % XSD_DOMAIN_BUCKETS];
}

struct xsd_domain *domain_find(const struct xsd_server *srv, uint16_t domid)
{
    for (struct xsd_domain *d = *bucket(srv, domid); d; d = d->hnext) {
        if (d->domid == domid)
            return d;
    }
    return NULL;
}

struct xsd_domain *domain_get(struct xsd_server *srv, uint16_t domid)
{
    struct xsd_domain *d = domain_find(srv, domid);
    if (d)
        return d;
    d = kzalloc(sizeof(*d));
    if (!d)
        return NULL;
    d->domid = domid;
    d->hnext = *bucket(srv, domid);
    *bucket(srv, domid) = d;
    srv->ndomains++;
    return d;
}

void domains_free(struct xsd_server *srv)
{
    for (unsigned b = 0; b < XSD_DOMAIN_BUCKETS; b++) {
        struct xsd_domain *d = srv->domains[b], *next;
        for (; d; d = next) {
            next = d->hnext;
            kfree(d);
        }
        srv->domains[b] = NULL;
    }
    srv->ndomains = 0;
}

uint32_t domain_nodes(const struct xsd_server *srv, uint16_t domid)
{
    const struct xsd_domain *d = domain_find(srv, domid);
    return d ? d->nodes : 0;
}

void domain_nodes_add(struct xsd_server *srv, uint16_t domid, int32_t delta)
{
    struct xsd_domain *d = domain_get(srv, domid);
    if (!d) {
        server_internal_error(srv, "node owner has no domain record");
        return;
    }
    if (delta < 0 && d->nodes < (uint32_t)-delta) {
        server_internal_error(srv, "node count below zero");
        d->nodes = 0;
        return;
    }
    d->nodes += (uint32_t)delta;
}

bool domain_is_introduced(const struct xsd_server *srv, uint16_t domid)
{
    const struct xsd_domain *d = domain_find(srv, domid);
    return d && d->conn;
}

void domain_conn_gone(struct xsd_conn *conn)
{
    if (conn->domain && conn->domain->conn == conn)
        conn->domain->conn = NULL;
    conn->domain = NULL;
}

int domain_path(uint16_t domid, char *buf, size_t size)
{
    int n = ksnprintf(buf, size, "/local/domain/%u", (unsigned)domid);
    return (n < 0 || (size_t)n >= size) ? -ENOSPC : n;
}

/* A domid a privileged caller may introduce, release or resume: a real
 * domain other than dom0 and the caller. */
static bool is_guest_domid(uint16_t caller, uint16_t domid)
{
    return domid != 0 && domid < DOMID_RESERVED && domid != caller;
}

int domain_introduce(struct xsd_server *srv, uint16_t caller, uint16_t domid, uint64_t mfn,
                     uint32_t port)
{
    struct xsd_transport *t = &srv->transport;
    if (!is_guest_domid(caller, domid))
        return -EINVAL;
    struct xsd_domain *d = domain_find(srv, domid);
    if (d && d->conn) {
        /* Introduced already: the same page means "rebind the event
         * channel" (after a resume); anything else is a mistake. */
        if (d->mfn != mfn)
            return -EINVAL;
        int rc = t->rebind ? t->rebind(t->ctx, d->conn, port) : 0;
        if (rc > 0)
            rc = -EIO;
        if (rc == 0)
            d->port = port;
        return rc;
    }
    if (!t->introduce)
        return -ENOSYS;
    struct xsd_conn *conn;
    int rc = conn_create(srv, domid, NULL, &conn);
    if (rc < 0)
        return rc;
    rc = t->introduce(t->ctx, conn, mfn, port);
    if (rc != 0) {
        conn_destroy(conn);
        return rc > 0 ? -EIO : rc;
    }
    d = conn->domain;
    d->mfn = mfn;
    d->port = port;
    watch_fire_special(srv, XSD_SPECIAL_INTRODUCE);
    return 0;
}

static void drop_conn(struct xsd_server *srv, struct xsd_domain *d)
{
    struct xsd_conn *conn = d->conn;
    if (!conn)
        return;
    if (srv->transport.release)
        srv->transport.release(srv->transport.ctx, conn);
    conn_destroy(conn);
}

int domain_release(struct xsd_server *srv, uint16_t caller, uint16_t domid)
{
    if (!is_guest_domid(caller, domid))
        return -EINVAL;
    struct xsd_domain *d = domain_find(srv, domid);
    if (!d || !d->conn)
        return -ENOENT;
    drop_conn(srv, d);
    watch_fire_special(srv, XSD_SPECIAL_RELEASE);
    return 0;
}

int domain_resume(struct xsd_server *srv, uint16_t domid)
{
    struct xsd_domain *d = domain_find(srv, domid);
    if (domid >= DOMID_RESERVED)
        return -EINVAL;
    if (!d || !d->conn)
        return -ENOENT;
    d->shutdown_reported = false;
    return 0;
}

int domain_set_target(struct xsd_server *srv, uint16_t domid, uint16_t target)
{
    if (domid >= DOMID_RESERVED || target >= DOMID_RESERVED)
        return -EINVAL;
    struct xsd_domain *d = domain_find(srv, domid);
    if (!d || !d->conn || !domain_is_introduced(srv, target))
        return -ENOENT;
    d->has_target = true;
    d->target = target;
    return 0;
}

/* ---------------------------------------------------------------- domain death */

/* Drop every permission entry naming domid from p (entry 0 is handed to
 * dom0 instead). Returns true if anything changed. */
static bool forget_in_perms(struct xsd_node *n, uint16_t domid)
{
    bool changed = false;
    if (n->nperms && n->perms[0].domid == domid) {
        n->perms[0].domid = 0;
        changed = true;
    }
    uint16_t out = n->nperms ? 1 : 0;
    for (uint16_t i = 1; i < n->nperms; i++) {
        if (n->perms[i].domid == domid) {
            changed = true;
            continue;
        }
        n->perms[out++] = n->perms[i];
    }
    n->nperms = out;
    return changed;
}

/* A destroyed domain's id may come back as a new domain, which must not
 * inherit anything: dom0 takes over its nodes and its ACL entries go. The
 * changed records get a new generation so transactions that saw the old
 * permissions conflict. No watches fire (as in C xenstored). */
static void forget_domain(struct xsd_server *srv, struct xsd_domain *d)
{
    uint32_t i;
    struct xsd_node *n;
    map_for_each(&srv->tree, i, n)
    {
        if (forget_in_perms(n, d->domid))
            n->gen = server_next_gen(srv);
    }
    for (unsigned s = 0; s < XSD_SPECIAL_COUNT; s++)
        forget_in_perms(srv->special[s], d->domid);
    if (d->domid != 0 && d->nodes) {
        domain_nodes_add(srv, 0, (int32_t)d->nodes);
        d->nodes = 0;
    }
    for (unsigned b = 0; b < XSD_DOMAIN_BUCKETS; b++) {
        for (struct xsd_domain *o = srv->domains[b]; o; o = o->hnext) {
            if (o->has_target && o->target == d->domid)
                o->has_target = false;
        }
    }
    d->has_target = false;
}

bool domain_exists(const struct xsd_server *srv, uint16_t domid)
{
    const struct xsd_transport *t = &srv->transport;
    if (domid == 0 || !t->domain_state)
        return true;
    return t->domain_state(t->ctx, domid) != XSD_DOMAIN_GONE;
}

void xsd_domains_check(struct xsd_server *srv)
{
    struct xsd_transport *t = &srv->transport;
    if (!t->domain_state)
        return;
    for (unsigned b = 0; b < XSD_DOMAIN_BUCKETS; b++) {
        for (struct xsd_domain *d = srv->domains[b]; d; d = d->hnext) {
            if (!d->watch_state || d->domid == 0)
                continue;
            enum xsd_domain_state state = t->domain_state(t->ctx, d->domid);
            if (state == XSD_DOMAIN_SHUTDOWN && !d->shutdown_reported) {
                d->shutdown_reported = true;
                watch_fire_special(srv, XSD_SPECIAL_RELEASE);
            } else if (state == XSD_DOMAIN_GONE) {
                drop_conn(srv, d);
                d->watch_state = false;
                d->shutdown_reported = false;
                forget_domain(srv, d);
                watch_fire_special(srv, XSD_SPECIAL_RELEASE);
            }
        }
    }
}
