/* Per-domain limits. They bind unprivileged connections only (dom0 and
 * the priv domain are trusted) and follow C xenstored's names, defaults and
 * error numbers:
 *
 *   nodes               1000  nodes a domain may own          ENOSPC
 *   node-size           2048  value + children-list bytes     ENOSPC
 *   permissions            5  entries in one permission list  ENOSPC
 *   watches              128  watches per connection          E2BIG
 *   transactions          10  open transactions               ENOSPC
 *   transaction-nodes   1024  nodes one transaction touches   ENOSPC
 *   transaction-memory  1 MiB copies all transactions hold    ENOSPC
 *   path-max            2048  path bytes below /local/domain/<id>/   EINVAL
 *   outstanding           20  queued replies before input stops (flow control)
 *   event-bytes        64 KiB queued watch events; more are dropped
 *
 * EQUOTA (oxenstored) is not used: C clients do not know it. */
#ifndef XSD_QUOTA_H
#define XSD_QUOTA_H

#include <minios/types.h>

struct xsd_server;
struct xsd_caller;

enum xsd_quota {
    XSD_Q_NODES,
    XSD_Q_NODE_SIZE,
    XSD_Q_PERMS,
    XSD_Q_WATCHES,
    XSD_Q_TRANSACTIONS,
    XSD_Q_TXN_NODES,
    XSD_Q_TXN_MEMORY,
    XSD_Q_PATH,
    XSD_Q_OUTSTANDING,
    XSD_Q_EVENT_BYTES,
    XSD_Q_COUNT
};

struct xsd_quota_def {
    const char *name;
    uint32_t default_value;
    const char *what;
};

extern const struct xsd_quota_def xsd_quota_defs[XSD_Q_COUNT];

void quota_init(struct xsd_server *srv);

/* Index of the quota called name (len bytes), or -EINVAL. */
int quota_find(const char *name, size_t len);

/* True if an unprivileged caller would exceed quota q by having `amount`. */
bool quota_exceeded(const struct xsd_server *srv, const struct xsd_caller *c, enum xsd_quota q,
                    uint64_t amount);

/* CONTROL "quota": the limits (argc == 0), "set <name> <value>", or one
 * domain's usage "<domid>". Writes a NUL-terminated reply into buf and
 * returns its length with the NUL, or a negative errno. */
int quota_control(struct xsd_server *srv, const char *const *argv, unsigned argc, char *buf,
                  size_t size);

#endif
