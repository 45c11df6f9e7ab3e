/* Domain records: one per domain that is connected or owns nodes.
 *
 * A domain is "introduced" while it has a connection. Records are created
 * on demand (a node owner, a connection) and live as long as the server:
 * node accounting relies on that (a commit never allocates). */
#ifndef XSD_DOMAIN_H
#define XSD_DOMAIN_H

#include <minios/types.h>

struct xsd_server;
struct xsd_conn;

struct xsd_domain {
    struct xsd_domain *hnext;
    struct xsd_conn *conn; /* NULL: not introduced */
    uint64_t mfn;          /* from INTRODUCE */
    uint32_t port;
    uint32_t nodes; /* nodes owned (entry 0 of their permissions) */
    uint32_t check; /* scratch for tree_check */
    uint16_t domid;
    uint16_t target; /* SET_TARGET, valid if has_target */
    bool has_target;
    bool shutdown_reported; /* @releaseDomain fired for a shutdown */
    bool watch_state;       /* ask domain_state() in xsd_domains_check */
};

struct xsd_domain *domain_find(const struct xsd_server *srv, uint16_t domid);
/* Find or create; NULL on ENOMEM. */
struct xsd_domain *domain_get(struct xsd_server *srv, uint16_t domid);
void domains_free(struct xsd_server *srv);

/* Nodes owned by domid: count and change it (the record must exist). */
uint32_t domain_nodes(const struct xsd_server *srv, uint16_t domid);
void domain_nodes_add(struct xsd_server *srv, uint16_t domid, int32_t delta);

/* The protocol operations, for a privileged caller (request.c checks).
 * introduce: -EINVAL bad domid (0, reserved, the caller's own) or a second
 * INTRODUCE with another mfn, or the transport's error. release, resume:
 * -ENOENT if domid is not introduced. set_target: -ENOENT if either is
 * not introduced. */
int domain_introduce(struct xsd_server *srv, uint16_t caller, uint16_t domid, uint64_t mfn,
                     uint32_t port);
int domain_release(struct xsd_server *srv, uint16_t caller, uint16_t domid);
int domain_resume(struct xsd_server *srv, uint16_t domid);
int domain_set_target(struct xsd_server *srv, uint16_t domid, uint16_t target);
bool domain_is_introduced(const struct xsd_server *srv, uint16_t domid);

/* Whether Xen has domid (the transport's domain_state(); without one,
 * every domain exists). dom0 always does. */
bool domain_exists(const struct xsd_server *srv, uint16_t domid);

/* Drop conn's link to its domain (the connection is being freed). */
void domain_conn_gone(struct xsd_conn *conn);

/* "/local/domain/<domid>" into buf; returns the length or -ENOSPC. */
int domain_path(uint16_t domid, char *buf, size_t size);

#endif
