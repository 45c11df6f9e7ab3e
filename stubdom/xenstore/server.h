/* The server's state, shared by the core's files (not by the transport). */
#ifndef XSD_SERVER_H
#define XSD_SERVER_H

#include <minios/list.h>
#include <minios/types.h>

#include "quota.h"
#include "tree.h"
#include "xsd.h"

#define XSD_DOMAIN_BUCKETS 256

/* The special watch paths. Each has a node record outside the tree that
 * only holds its permissions (GET_PERMS / SET_PERMS work on it). */
enum xsd_special { XSD_SPECIAL_INTRODUCE, XSD_SPECIAL_RELEASE, XSD_SPECIAL_COUNT };
#define XSD_SPECIAL_INTRODUCE_PATH "@introduceDomain"
#define XSD_SPECIAL_RELEASE_PATH "@releaseDomain"

struct xsd_domain;

struct xsd_server {
    struct node_map tree; /* path -> node */
    uint64_t gen;         /* last generation handed out */
    struct xsd_node *special[XSD_SPECIAL_COUNT];
    struct list_head conns;
    struct xsd_domain *domains[XSD_DOMAIN_BUCKETS]; /* hash chains by domid */
    uint32_t ndomains;
    uint32_t nconns;
    uint32_t quota[XSD_Q_COUNT];
    uint16_t priv_domid;
    bool has_priv_domid;
    bool log_requests;
    struct xsd_transport transport;
    struct xsd_stats stats;
};

static inline uint64_t server_next_gen(struct xsd_server *srv)
{
    return ++srv->gen;
}

static inline bool server_is_privileged(const struct xsd_server *srv, uint16_t domid)
{
    return domid == 0 || (srv->has_priv_domid && domid == srv->priv_domid);
}

/* CONTROL <argv[0]> [<argv[1]> ...] (control.c): writes the NUL-terminated
 * reply text into buf and returns its length with the NUL, or a negative
 * errno (-EINVAL for an unknown command). */
int control_command(struct xsd_server *srv, const char *const *argv, unsigned argc, char *buf,
                    size_t size);

/* Count a "cannot happen" case (tests assert there are none). */
void server_internal_error(struct xsd_server *srv, const char *what);

#endif
