/* Request decoding and dispatch: one reply per request.
 *
 * conn.c hands over a complete request: the header (len already checked
 * against XENSTORE_PAYLOAD_MAX) and the payload with a NUL appended at
 * payload[len], so string scans stop inside our buffer whatever the client
 * sent. Here every argument is checked before use:
 *   - unknown types (and WATCH_EVENT, ERROR sent by a client): ENOSYS
 *   - a request the caller may not make (INTRODUCE ... from a guest): EACCES
 *   - tx_id naming no transaction of this connection: ENOENT
 *   - arguments missing, not NUL-terminated, not numbers, bad paths: EINVAL
 * Requests with one argument (READ, RM ...) must be exactly one string;
 * those with several take the leading strings they need and ignore what
 * follows (the protocol's reserved fields), as C xenstored does. */
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/format.h>
#include <minios/mm.h>
#include <minios/string.h>

#include "conn.h"
#include "domain.h"
#include "quota.h"
#include "server.h"
#include "store.h"
#include "txn.h"
#include "watch.h"

struct request {
    struct xsd_conn *conn;
    struct xsd_server *srv;
    const struct xsd_sockmsg *hdr;
    char *payload; /* len bytes, then a NUL */
    uint32_t len;
    struct xsd_txn *txn; /* the transaction tx_id names (F_TXN types) */
    struct xsd_caller caller;
    bool replied;
};

#define F_TXN 1  /* tx_id names a transaction (else it is ignored) */
#define F_PRIV 2 /* privileged callers only */

/* ---------------------------------------------------------------- replies */

static int reply(struct request *r, const void *data, uint32_t len)
{
    int rc = conn_reply(r->conn, r->hdr, r->hdr->type, &data, &len, 1);
    if (rc == 0)
        r->replied = true;
    return rc;
}

static int reply_string(struct request *r, const char *s)
{
    return reply(r, s, (uint32_t)strlen(s) + 1);
}

static int prepare_ok(struct request *r, struct xsd_msg **msg)
{
    const void *ok = "OK";
    uint32_t len = 3;
    return conn_reply_new(r->hdr, r->hdr->type, &ok, &len, 1, msg);
}

/* Send a prepared reply if rc says the change happened, else drop it. */
static int finish(struct request *r, struct xsd_msg *msg, int rc)
{
    if (rc < 0) {
        conn_reply_discard(msg);
        return rc;
    }
    conn_reply_send(r->conn, msg);
    r->replied = true;
    return 0;
}

/* ---------------------------------------------------------------- arguments */

/* The payload if it is exactly one NUL-terminated string, else NULL. */
static const char *one_arg(const struct request *r)
{
    if (r->len == 0 || strlen(r->payload) != r->len - 1)
        return NULL;
    return r->payload;
}

/* Up to max leading NUL-terminated strings; returns how many there are.
 * *end (optional) gets the offset after the last one taken. */
static unsigned get_args(const struct request *r, const char **argv, unsigned max, uint32_t *end)
{
    unsigned n = 0;
    uint32_t off = 0;
    while (n < max && off < r->len) {
        size_t l = strnlen(r->payload + off, r->len - off);
        if (off + l == r->len)
            break; /* no NUL: an unterminated tail */
        argv[n++] = r->payload + off;
        off += (uint32_t)l + 1;
    }
    if (end)
        *end = off;
    return n;
}

/* Decimal digits only, at most max. */
static int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return -EINVAL;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -EINVAL;
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (max - d) / 10)
            return -EINVAL;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

static int parse_domid(const char *s, uint16_t *domid)
{
    uint64_t v;
    int rc = parse_uint(s, 0xffff, &v);
    if (rc == 0)
        *domid = (uint16_t)v;
    return rc;
}

/* Unprivileged callers: at most path-max bytes below /local/domain/<id>/
 * (or in all, for paths elsewhere). */
static bool local_length_ok(const struct request *r, const char *path, size_t len)
{
    static const char base[] = "/local/domain/";
    size_t off = 0;
    if (r->caller.privileged)
        return true;
    if (len > sizeof(base) - 1 && memcmp(path, base, sizeof(base) - 1) == 0) {
        size_t i = sizeof(base) - 1, digits = 0;
        while (i < len && path[i] >= '0' && path[i] <= '9' && digits < 6) {
            i++;
            digits++;
        }
        if (digits >= 1 && digits <= 5 && i < len && path[i] == '/')
            off = i + 1;
    }
    return !quota_exceeded(r->srv, &r->caller, XSD_Q_PATH, len - off);
}

/* The absolute node path for arg, kmalloc'd: a relative path is taken
 * below /local/domain/<caller's domid>/ (*prefix_len, optional, gets that
 * prefix's length, 0 for absolute paths). "@..." is no relative path (and
 * no node path either). EINVAL for bad syntax or length. */
static int canonical_path(const struct request *r, const char *arg, char **out, size_t *out_len,
                          size_t *prefix_len)
{
    char prefix[24];
    size_t plen = 0, alen = strlen(arg);
    if (arg[0] != '/' && arg[0] != '@') {
        int n = domain_path(r->conn->domid, prefix, sizeof(prefix) - 1);
        if (n < 0)
            return -EINVAL;
        prefix[n++] = '/';
        plen = (size_t)n;
    }
    size_t len = plen + alen;
    if (len > XENSTORE_ABS_PATH_MAX)
        return -EINVAL;
    char *p = kmalloc(len + 1);
    if (!p)
        return -ENOMEM;
    memcpy(p, prefix, plen);
    memcpy(p + plen, arg, alen + 1);
    if (!path_is_valid(p, len) || !local_length_ok(r, p, len)) {
        kfree(p);
        return -EINVAL;
    }
    *out = p;
    *out_len = len;
    if (prefix_len)
        *prefix_len = plen;
    return 0;
}

/* The special node named arg ("@introduceDomain" ...), or NULL. */
static struct xsd_node *special_node(const struct request *r, const char *arg)
{
    for (unsigned s = 0; s < XSD_SPECIAL_COUNT; s++) {
        if (strcmp(arg, r->srv->special[s]->path) == 0)
            return r->srv->special[s];
    }
    return NULL;
}

static struct store_ctx ctx_of(const struct request *r)
{
    return (struct store_ctx){.srv = r->srv, .txn = r->txn, .caller = &r->caller};
}

/* ---------------------------------------------------------------- reads */

/* One path argument, looked up with read access. *path is kmalloc'd. */
static int lookup_arg(struct request *r, const char *arg, char **path, struct xsd_node **node)
{
    size_t len;
    if (!arg)
        return -EINVAL;
    int rc = canonical_path(r, arg, path, &len, NULL);
    if (rc < 0)
        return rc;
    struct store_ctx ctx = ctx_of(r);
    rc = store_lookup(&ctx, *path, len, XSD_PERM_READ, node);
    if (rc < 0) {
        kfree(*path);
        *path = NULL;
    }
    return rc;
}

static int do_read(struct request *r)
{
    char *path;
    struct xsd_node *n;
    int rc = lookup_arg(r, one_arg(r), &path, &n);
    if (rc < 0)
        return rc;
    rc = reply(r, n->value, n->value_len);
    kfree(path);
    return rc;
}

static int do_directory(struct request *r)
{
    char *path;
    struct xsd_node *n;
    int rc = lookup_arg(r, one_arg(r), &path, &n);
    if (rc < 0)
        return rc;
    rc = reply(r, n->children, n->children_len);
    kfree(path);
    return rc;
}

/* "<path>\0<offset>\0" -> "<generation>\0" and the children list from byte
 * offset on, as many whole names as fit; an empty name ends the list. */
static int do_directory_part(struct request *r)
{
    const char *argv[2];
    uint64_t off;
    if (get_args(r, argv, 2, NULL) < 2 || parse_uint(argv[1], 0xffffffffu, &off) < 0)
        return -EINVAL;
    char *path;
    struct xsd_node *n;
    int rc = lookup_arg(r, argv[0], &path, &n);
    if (rc < 0)
        return rc;
    char gen[24];
    uint32_t gen_len = (uint32_t)ksnprintf(gen, sizeof(gen), "%lu", (unsigned long)n->gen) + 1;
    uint32_t max = XENSTORE_PAYLOAD_MAX - gen_len - 1, take = 0;
    if (off < n->children_len) {
        while (off + take < n->children_len) {
            const char *name = n->children + off + take;
            uint32_t l = (uint32_t)strnlen(name, n->children_len - off - take) + 1;
            if (take + l > max)
                break;
            take += l;
        }
    } else {
        off = n->children_len;
    }
    bool last = off + take == n->children_len;
    const void *parts[3] = {gen, n->children ? n->children + off : NULL, ""};
    uint32_t lens[3] = {gen_len, take, 1};
    rc = conn_reply(r->conn, r->hdr, XS_DIRECTORY_PART, parts, lens, last ? 3 : 2);
    r->replied = rc == 0;
    kfree(path);
    return rc;
}

static int reply_perms(struct request *r, const struct xsd_node *n)
{
    char *buf = kmalloc((size_t)n->nperms * XSD_PERM_TEXT_MAX + 1);
    if (!buf)
        return -ENOMEM;
    uint32_t len = 0;
    for (unsigned i = 0; i < n->nperms; i++) {
        int l = perm_format(&n->perms[i], buf + len, XSD_PERM_TEXT_MAX);
        if (l < 0) {
            kfree(buf);
            return -EIO;
        }
        len += (uint32_t)l + 1;
    }
    int rc = reply(r, buf, len);
    kfree(buf);
    return rc;
}

static int do_get_perms(struct request *r)
{
    const char *arg = one_arg(r);
    /* special nodes take SET_PERMS but, as in C xenstored, not GET_PERMS */
    if (arg && arg[0] == '@')
        return -EINVAL;
    char *path;
    struct xsd_node *n;
    int rc = lookup_arg(r, arg, &path, &n);
    if (rc < 0)
        return rc;
    rc = reply_perms(r, n);
    kfree(path);
    return rc;
}

/* ---------------------------------------------------------------- changes */

enum change_op { CH_WRITE, CH_MKDIR, CH_RM, CH_PERMS };

struct change {
    enum change_op op;
    const void *value;
    size_t value_len;
    const struct xsd_perm *perms;
    unsigned nperms;
};

static int apply_change(const struct store_ctx *ctx, const char *path, size_t len,
                        const struct change *ch)
{
    switch (ch->op) {
    case CH_WRITE:
        return store_write(ctx, path, len, ch->value, ch->value_len);
    case CH_MKDIR:
        return store_mkdir(ctx, path, len);
    case CH_RM:
        return store_rm(ctx, path, len);
    case CH_PERMS:
        return store_set_perms(ctx, path, len, ch->perms, ch->nperms);
    }
    return -EINVAL;
}

/* Run a change on arg's path: in the request's transaction, or in an
 * implicit one committed right away. */
static int run_change(struct request *r, const char *arg, const struct change *ch)
{
    char *path;
    size_t len;
    if (!arg)
        return -EINVAL;
    int rc = canonical_path(r, arg, &path, &len, NULL);
    if (rc < 0)
        return rc;
    struct xsd_msg *ok;
    rc = prepare_ok(r, &ok);
    if (rc < 0) {
        kfree(path);
        return rc;
    }
    struct xsd_txn *t = r->txn ? r->txn : txn_new(r->conn, true);
    if (!t) {
        rc = -ENOMEM;
    } else {
        struct store_ctx ctx = {.srv = r->srv, .txn = t, .caller = &r->caller};
        rc = apply_change(&ctx, path, len, ch);
        if (!r->txn) {
            if (rc == 0)
                rc = txn_commit(t);
            else
                txn_free(t);
        }
    }
    kfree(path);
    return finish(r, ok, rc);
}

static int do_write(struct request *r)
{
    size_t path_len = strnlen(r->payload, r->len);
    if (path_len == r->len)
        return -EINVAL; /* no NUL after the path */
    struct change ch = {
        .op = CH_WRITE, .value = r->payload + path_len + 1, .value_len = r->len - path_len - 1};
    return run_change(r, r->payload, &ch);
}

static int do_mkdir(struct request *r)
{
    struct change ch = {.op = CH_MKDIR};
    return run_change(r, one_arg(r), &ch);
}

static int do_rm(struct request *r)
{
    struct change ch = {.op = CH_RM};
    return run_change(r, one_arg(r), &ch);
}

static int set_special_perms(struct request *r, struct xsd_node *s, const struct xsd_perm *perms,
                             unsigned count)
{
    if (!(perms_access(s->perms, s->nperms, &r->caller) & XSD_PERM_OWNER))
        return -EACCES;
    if (!r->caller.privileged && perms[0].domid != node_owner(s))
        return -EPERM;
    if (quota_exceeded(r->srv, &r->caller, XSD_Q_PERMS, count))
        return -ENOSPC;
    struct xsd_msg *ok;
    int rc = prepare_ok(r, &ok);
    if (rc < 0)
        return rc;
    return finish(r, ok, node_set_perms(s, perms, count));
}

/* "<path>\0<perm>\0<perm>\0..." (an unterminated tail is ignored). */
static int do_set_perms(struct request *r)
{
    const char *path;
    uint32_t off;
    if (get_args(r, &path, 1, &off) < 1)
        return -EINVAL;
    unsigned count = 0;
    for (uint32_t o = off; o < r->len;) {
        size_t l = strnlen(r->payload + o, r->len - o);
        if (o + l == r->len)
            break;
        count++;
        o += (uint32_t)l + 1;
    }
    if (count == 0)
        return -EINVAL;
    struct xsd_perm *perms = kmalloc(count * sizeof(*perms));
    if (!perms)
        return -ENOMEM;
    int rc = 0;
    for (unsigned i = 0; i < count && rc == 0; i++) {
        size_t l = strlen(r->payload + off);
        rc = perm_parse(r->payload + off, l, &perms[i]);
        off += (uint32_t)l + 1;
    }
    if (rc == 0 && path[0] == '@') {
        struct xsd_node *s = special_node(r, path);
        rc = s ? set_special_perms(r, s, perms, count) : -EINVAL;
    } else if (rc == 0) {
        struct change ch = {.op = CH_PERMS, .perms = perms, .nperms = count};
        rc = run_change(r, path, &ch);
    }
    kfree(perms);
    return rc;
}

/* ---------------------------------------------------------------- watches */

/* A watch path: "@<anything>" is kept as it is, other paths are made
 * canonical (*prefix_len: the part to strip from events, relative ones). */
static int watch_path(const struct request *r, const char *arg, char **path, size_t *prefix_len)
{
    if (arg[0] != '@') {
        size_t len;
        return canonical_path(r, arg, path, &len, prefix_len);
    }
    size_t len = strlen(arg);
    if (len > XENSTORE_REL_PATH_MAX)
        return -EINVAL;
    *path = kmalloc(len + 1);
    if (!*path)
        return -ENOMEM;
    memcpy(*path, arg, len + 1);
    *prefix_len = 0;
    return 0;
}

static int do_watch(struct request *r)
{
    const char *argv[2];
    if (get_args(r, argv, 2, NULL) < 2)
        return -EINVAL;
    char *path;
    size_t prefix_len;
    int rc = watch_path(r, argv[0], &path, &prefix_len);
    if (rc < 0)
        return rc;
    struct xsd_msg *ok;
    rc = prepare_ok(r, &ok);
    if (rc == 0) {
        struct xsd_watch *w;
        rc = watch_add(r->conn, path, prefix_len, argv[1], &w);
        rc = finish(r, ok, rc);
        if (rc == 0)
            watch_initial_event(r->conn, w);
    }
    kfree(path);
    return rc;
}

static int do_unwatch(struct request *r)
{
    const char *argv[2];
    if (get_args(r, argv, 2, NULL) < 2)
        return -EINVAL;
    char *path;
    size_t prefix_len;
    int rc = watch_path(r, argv[0], &path, &prefix_len);
    if (rc < 0)
        return rc;
    struct xsd_msg *ok;
    rc = prepare_ok(r, &ok);
    if (rc == 0)
        rc = finish(r, ok, watch_remove(r->conn, path, argv[1]));
    kfree(path);
    return rc;
}

static void drop_transactions(struct xsd_conn *conn)
{
    while (!list_empty(&conn->txns))
        txn_free(list_first_entry(&conn->txns, struct xsd_txn, link));
}

static int do_reset_watches(struct request *r)
{
    struct xsd_msg *ok;
    int rc = prepare_ok(r, &ok);
    if (rc < 0)
        return rc;
    watch_remove_all(r->conn);
    drop_transactions(r->conn);
    return finish(r, ok, 0);
}

/* ---------------------------------------------------------------- transactions */

static int do_transaction_start(struct request *r)
{
    if (r->txn)
        return -EBUSY; /* tx_id must be 0 */
    if (quota_exceeded(r->srv, &r->caller, XSD_Q_TRANSACTIONS, (uint64_t)r->conn->ntxns + 1))
        return -ENOSPC;
    struct xsd_txn *t = txn_new(r->conn, false);
    if (!t)
        return -ENOMEM;
    char id[12];
    ksnprintf(id, sizeof(id), "%u", t->id);
    int rc = reply_string(r, id);
    if (rc < 0)
        txn_free(t);
    return rc;
}

static int do_transaction_end(struct request *r)
{
    const char *arg = one_arg(r);
    if (!arg || (strcmp(arg, "T") != 0 && strcmp(arg, "F") != 0))
        return -EINVAL;
    if (!r->txn)
        return -ENOENT;
    struct xsd_msg *ok;
    int rc = prepare_ok(r, &ok);
    if (rc < 0)
        return rc;
    if (arg[0] == 'T') {
        rc = txn_commit(r->txn);
    } else {
        txn_free(r->txn);
    }
    r->txn = NULL;
    return finish(r, ok, rc);
}

/* ---------------------------------------------------------------- domains */

static int one_domid(const struct request *r, uint16_t *domid)
{
    const char *arg = one_arg(r);
    return arg ? parse_domid(arg, domid) : -EINVAL;
}

static int do_introduce(struct request *r)
{
    const char *argv[3];
    uint16_t domid;
    uint64_t mfn, port;
    if (get_args(r, argv, 3, NULL) < 3 || parse_domid(argv[0], &domid) < 0 ||
        parse_uint(argv[1], UINT64_MAX, &mfn) < 0 || parse_uint(argv[2], 0xffffffffu, &port) < 0 ||
        port == 0)
        return -EINVAL;
    struct xsd_msg *ok;
    int rc = prepare_ok(r, &ok);
    if (rc < 0)
        return rc;
    return finish(r, ok, domain_introduce(r->srv, r->conn->domid, domid, mfn, (uint32_t)port));
}

static int do_release(struct request *r)
{
    uint16_t domid;
    int rc = one_domid(r, &domid);
    if (rc < 0)
        return rc;
    struct xsd_msg *ok;
    rc = prepare_ok(r, &ok);
    if (rc < 0)
        return rc;
    return finish(r, ok, domain_release(r->srv, r->conn->domid, domid));
}

static int do_resume(struct request *r)
{
    uint16_t domid;
    int rc = one_domid(r, &domid);
    if (rc < 0)
        return rc;
    struct xsd_msg *ok;
    rc = prepare_ok(r, &ok);
    if (rc < 0)
        return rc;
    return finish(r, ok, domain_resume(r->srv, domid));
}

static int do_set_target(struct request *r)
{
    const char *argv[2];
    uint16_t domid, target;
    if (get_args(r, argv, 2, NULL) < 2 || parse_domid(argv[0], &domid) < 0 ||
        parse_domid(argv[1], &target) < 0)
        return -EINVAL;
    struct xsd_msg *ok;
    int rc = prepare_ok(r, &ok);
    if (rc < 0)
        return rc;
    return finish(r, ok, domain_set_target(r->srv, domid, target));
}

static int do_get_domain_path(struct request *r)
{
    uint16_t domid;
    char path[24];
    int rc = one_domid(r, &domid);
    if (rc == 0)
        rc = domain_path(domid, path, sizeof(path));
    return rc < 0 ? rc : reply_string(r, path);
}

static int do_is_domain_introduced(struct request *r)
{
    uint16_t domid;
    int rc = one_domid(r, &domid);
    if (rc < 0)
        return rc;
    return reply_string(r, domain_is_introduced(r->srv, domid) ? "T" : "F");
}

/* ---------------------------------------------------------------- control */

#define CONTROL_ARGS_MAX 8

static int do_control(struct request *r)
{
    const char *argv[CONTROL_ARGS_MAX];
    unsigned argc = get_args(r, argv, CONTROL_ARGS_MAX, NULL);
    if (argc == 0)
        return -EINVAL;
    char *buf = kmalloc(XENSTORE_PAYLOAD_MAX);
    if (!buf)
        return -ENOMEM;
    int rc = control_command(r->srv, argv, argc, buf, XENSTORE_PAYLOAD_MAX);
    if (rc > 0)
        rc = reply(r, buf, (uint32_t)rc);
    kfree(buf);
    return rc;
}

/* ---------------------------------------------------------------- dispatch */

struct handler {
    const char *name;
    int (*fn)(struct request *r);
    unsigned flags;
};

static const struct handler handlers[XS_TYPE_COUNT] = {
    [XS_CONTROL] = {"CONTROL", do_control, F_PRIV},
    [XS_DIRECTORY] = {"DIRECTORY", do_directory, F_TXN},
    [XS_READ] = {"READ", do_read, F_TXN},
    [XS_GET_PERMS] = {"GET_PERMS", do_get_perms, F_TXN},
    [XS_WATCH] = {"WATCH", do_watch, 0},
    [XS_UNWATCH] = {"UNWATCH", do_unwatch, 0},
    [XS_TRANSACTION_START] = {"TRANSACTION_START", do_transaction_start, F_TXN},
    [XS_TRANSACTION_END] = {"TRANSACTION_END", do_transaction_end, F_TXN},
    [XS_INTRODUCE] = {"INTRODUCE", do_introduce, F_PRIV},
    [XS_RELEASE] = {"RELEASE", do_release, F_PRIV},
    [XS_GET_DOMAIN_PATH] = {"GET_DOMAIN_PATH", do_get_domain_path, 0},
    [XS_WRITE] = {"WRITE", do_write, F_TXN},
    [XS_MKDIR] = {"MKDIR", do_mkdir, F_TXN},
    [XS_RM] = {"RM", do_rm, F_TXN},
    [XS_SET_PERMS] = {"SET_PERMS", do_set_perms, F_TXN},
    [XS_WATCH_EVENT] = {"WATCH_EVENT", NULL, 0},
    [XS_ERROR] = {"ERROR", NULL, 0},
    [XS_IS_DOMAIN_INTRODUCED] = {"IS_DOMAIN_INTRODUCED", do_is_domain_introduced, 0},
    [XS_RESUME] = {"RESUME", do_resume, F_PRIV},
    [XS_SET_TARGET] = {"SET_TARGET", do_set_target, F_PRIV},
    [XS_RESET_WATCHES] = {"RESET_WATCHES", do_reset_watches, 0},
    [XS_DIRECTORY_PART] = {"DIRECTORY_PART", do_directory_part, F_TXN},
};

static void log_request(const struct request *r, const struct handler *h)
{
    char arg[64];
    size_t i = 0;
    for (; i < r->len && i + 1 < sizeof(arg); i++) {
        char c = r->payload[i];
        arg[i] = c == '\0' ? ' ' : (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    arg[i] = '\0';
    printk("xenstored: dom%u %s req %u tx %u \"%s\"\n", r->conn->domid,
           h && h->name ? h->name : "?", r->hdr->req_id, r->hdr->tx_id, arg);
}

void request_process(struct xsd_conn *conn, const struct xsd_sockmsg *hdr, char *payload)
{
    struct xsd_server *srv = conn->srv;
    struct request r = {.conn = conn, .srv = srv, .hdr = hdr, .payload = payload, .len = hdr->len};
    conn_caller(conn, &r.caller);
    const struct handler *h = hdr->type < XS_TYPE_COUNT ? &handlers[hdr->type] : NULL;
    srv->stats.requests++;
    if (srv->log_requests)
        log_request(&r, h);

    int rc;
    if (!h || !h->fn)
        rc = -ENOSYS;
    else if ((h->flags & F_PRIV) && !r.caller.privileged)
        rc = -EACCES;
    else if ((h->flags & F_TXN) && hdr->tx_id && !(r.txn = txn_find(conn, hdr->tx_id)))
        rc = -ENOENT;
    else
        rc = h->fn(&r);

    if (rc == 0 && !r.replied) {
        server_internal_error(srv, "request without a reply");
        rc = -EIO;
    }
    if (rc != 0) {
        if (r.replied) {
            server_internal_error(srv, "request with two replies");
            return;
        }
        srv->stats.error_replies++;
        conn_reply_error(conn, hdr, rc);
    }
}
