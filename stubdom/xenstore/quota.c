/* Quotas (see quota.h). */
#include <minios/errno.h>
#include <minios/format.h>
#include <minios/string.h>
#include <xen/io/xs_wire.h>

#include "conn.h"
#include "domain.h"
#include "quota.h"
#include "server.h"

const struct xsd_quota_def xsd_quota_defs[XSD_Q_COUNT] = {
    [XSD_Q_NODES] = {"nodes", 1000, "nodes a domain may own"},
    [XSD_Q_NODE_SIZE] = {"node-size", 2048, "bytes of value + children list of a node"},
    [XSD_Q_PERMS] = {"permissions", 5, "entries in a permission list"},
    [XSD_Q_WATCHES] = {"watches", 128, "watches of a domain"},
    [XSD_Q_TRANSACTIONS] = {"transactions", 10, "open transactions of a domain"},
    [XSD_Q_TXN_NODES] = {"transaction-nodes", 1024, "nodes one transaction may touch"},
    [XSD_Q_TXN_MEMORY] = {"transaction-memory", 1024 * 1024,
                          "bytes all transactions of a domain may hold"},
    [XSD_Q_PATH] = {"path-max", XENSTORE_REL_PATH_MAX, "path bytes below /local/domain/<id>/"},
    [XSD_Q_OUTSTANDING] = {"outstanding", 20, "queued replies before input stops"},
    [XSD_Q_EVENT_BYTES] = {"event-bytes", 64 * 1024, "queued watch event bytes of a domain"},
};

void quota_init(struct xsd_server *srv)
{
    for (unsigned q = 0; q < XSD_Q_COUNT; q++)
        srv->quota[q] = xsd_quota_defs[q].default_value;
}

int quota_find(const char *name, size_t len)
{
    for (unsigned q = 0; q < XSD_Q_COUNT; q++) {
        const char *n = xsd_quota_defs[q].name;
        if (strlen(n) == len && memcmp(n, name, len) == 0)
            return (int)q;
    }
    return -EINVAL;
}

bool quota_exceeded(const struct xsd_server *srv, const struct xsd_caller *c, enum xsd_quota q,
                    uint64_t amount)
{
    return !c->privileged && amount > srv->quota[q];
}

static int set_quota(struct xsd_server *srv, int q, uint32_t value)
{
    if (q < 0)
        return -EINVAL;
    if (q == XSD_Q_OUTSTANDING && value == 0)
        return -EINVAL; /* no request could ever be processed */
    srv->quota[q] = value;
    return 0;
}

int xsd_quota_set(struct xsd_server *srv, const char *name, uint32_t value)
{
    return set_quota(srv, quota_find(name, strlen(name)), value);
}

int xsd_quota_get(const struct xsd_server *srv, const char *name, uint32_t *value)
{
    int q = quota_find(name, strlen(name));
    if (q < 0)
        return q;
    *value = srv->quota[q];
    return 0;
}

/* ---------------------------------------------------------------- CONTROL quota */

struct out {
    char *buf;
    size_t size, len;
    bool overflow;
};

static void out_printf(struct out *o, const char *fmt, ...) __printf(2, 3);
static void out_printf(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= o->size - o->len)
        o->overflow = true;
    else
        o->len += (size_t)n;
}

static int out_finish(struct out *o)
{
    return o->overflow ? -E2BIG : (int)o->len + 1;
}

static int parse_u32(const char *s, uint32_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return -EINVAL;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -EINVAL;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > 0xffffffffu)
            return -EINVAL;
    }
    *out = (uint32_t)v;
    return 0;
}

static int show_domain(struct xsd_server *srv, uint32_t domid, struct out *o)
{
    const struct xsd_domain *d = domid <= 0xffff ? domain_find(srv, (uint16_t)domid) : NULL;
    if (!d)
        return -ENOENT;
    const struct xsd_conn *c = d->conn;
    out_printf(o, "domain %u: %s\n", (unsigned)domid, c ? "connected" : "not connected");
    out_printf(o, "nodes        %u\n", d->nodes);
    if (c) {
        out_printf(o, "watches      %u\n", c->nwatches);
        out_printf(o, "transactions %u\n", c->ntxns);
        out_printf(o, "outstanding  %u\n", c->out_replies);
        out_printf(o, "event-bytes  %u\n", c->out_event_bytes);
        out_printf(o, "txn-memory   %lu\n", (unsigned long)c->txn_bytes);
        out_printf(o, "dropped      %lu\n", (unsigned long)c->events_dropped);
    }
    return 0;
}

int quota_control(struct xsd_server *srv, const char *const *argv, unsigned argc, char *buf,
                  size_t size)
{
    struct out o = {.buf = buf, .size = size};
    if (size == 0)
        return -E2BIG;
    buf[0] = '\0';
    if (argc == 0) {
        for (unsigned q = 0; q < XSD_Q_COUNT; q++)
            out_printf(&o, "%-19s %10u  %s\n", xsd_quota_defs[q].name, srv->quota[q],
                       xsd_quota_defs[q].what);
        return out_finish(&o);
    }
    if (strcmp(argv[0], "set") == 0) {
        uint32_t value;
        if (argc != 3 || parse_u32(argv[2], &value) < 0)
            return -EINVAL;
        int rc = set_quota(srv, quota_find(argv[1], strlen(argv[1])), value);
        if (rc < 0)
            return rc;
        out_printf(&o, "OK");
        return out_finish(&o);
    }
    uint32_t domid;
    if (argc != 1 || parse_u32(argv[0], &domid) < 0)
        return -EINVAL;
    int rc = show_domain(srv, domid, &o);
    return rc < 0 ? rc : out_finish(&o);
}
