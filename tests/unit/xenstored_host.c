/* Host harness for the xenstore core tests (see xenstored_test.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <minios/mm.h>

#include "xenstored_test.h"

const char *xsd_errno_name(int err); /* conn.c */

/* ---------------------------------------------------------------- kmalloc */

static long fail_at = -1;
static unsigned fail_rate;
static unsigned long long fail_rng = 1;
static unsigned long allocs;
static long live;

void xt_fail_alloc_at(long n)
{
    fail_at = n;
}

void xt_fail_alloc_rate(unsigned n, unsigned long long seed)
{
    fail_rate = n;
    fail_rng = seed ? seed : 1;
}

unsigned long xt_alloc_count(void)
{
    return allocs;
}

long xt_alloc_live(void)
{
    return live;
}

static bool should_fail(void)
{
    if (fail_at >= 0) {
        if (fail_at-- == 0)
            return true;
    }
    if (fail_rate) {
        fail_rng ^= fail_rng >> 12;
        fail_rng ^= fail_rng << 25;
        fail_rng ^= fail_rng >> 27;
        if ((fail_rng * 0x2545F4914F6CDD1DULL) % fail_rate == 0)
            return true;
    }
    return false;
}

void *kmalloc(size_t size)
{
    if (size == 0 || should_fail())
        return NULL;
    void *p = malloc(size);
    if (p) {
        allocs++;
        live++;
    }
    return p;
}

void *kzalloc(size_t size)
{
    void *p = kmalloc(size);
    if (p)
        memset(p, 0, size);
    return p;
}

void *krealloc(void *p, size_t size)
{
    if (!p)
        return kmalloc(size);
    if (size == 0 || should_fail())
        return NULL;
    return realloc(p, size);
}

void kfree(void *p)
{
    if (p)
        live--;
    free(p);
}

/* ---------------------------------------------------------------- transport */

struct xt_world xt_world;
unsigned xt_protocol_violations;

#define MAX_CLIENTS 64
#define MAX_EVENTS 4096

struct xt_client {
    struct xsd_conn *conn;
    struct xsd_server *srv;
    uint16_t domid;
    bool alive;
    bool held; /* xt_pump leaves its output alone */
    uint32_t next_req;
    /* bytes of the output stream not yet a whole message */
    char stream[2 * (XENSTORE_PAYLOAD_MAX + 16)];
    size_t stream_len;
    /* replies not yet claimed */
    struct xt_msg *replies[64];
    unsigned nreplies;
    /* events: "path token" strings */
    char *events[MAX_EVENTS];
    unsigned ev_head, ev_count;
};

static struct xt_client *clients[MAX_CLIENTS];

static struct xt_client *client_new(struct xsd_server *srv, struct xsd_conn *conn, uint16_t domid)
{
    for (unsigned i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i] && !clients[i]->alive) {
            /* reuse a dead slot */
            xt_clear_events(clients[i]);
            for (unsigned r = 0; r < clients[i]->nreplies; r++)
                free(clients[i]->replies[r]);
            free(clients[i]);
            clients[i] = NULL;
        }
        if (!clients[i]) {
            struct xt_client *c = calloc(1, sizeof(*c));
            c->conn = conn;
            c->srv = srv;
            c->domid = domid;
            c->alive = true;
            c->next_req = 1000;
            clients[i] = c;
            xsd_conn_set_data(conn, c);
            return c;
        }
    }
    abort();
}

static struct xsd_server *current_srv;

static int fake_introduce(void *ctx, struct xsd_conn *conn, uint64_t mfn, uint32_t port)
{
    struct xsd_server *srv = current_srv;
    (void)ctx;
    if (xt_world.introduce_error)
        return xt_world.introduce_error;
    xt_world.introduced++;
    xt_world.last_mfn = mfn;
    xt_world.last_port = port;
    client_new(srv, conn, xsd_conn_domid(conn));
    return 0;
}

static int fake_rebind(void *ctx, struct xsd_conn *conn, uint32_t port)
{
    (void)ctx;
    (void)conn;
    xt_world.rebinds++;
    xt_world.last_port = port;
    return 0;
}

static void client_gone(struct xsd_conn *conn)
{
    struct xt_client *c = xsd_conn_data(conn);
    if (c) {
        c->alive = false;
        c->conn = NULL;
    }
}

static void fake_release(void *ctx, struct xsd_conn *conn)
{
    (void)ctx;
    xt_world.released++;
    client_gone(conn);
}

static void fake_kick(void *ctx, struct xsd_conn *conn)
{
    (void)ctx;
    (void)conn;
    xt_world.kicks++;
}

static enum xsd_domain_state fake_state(void *ctx, uint16_t domid)
{
    (void)ctx;
    return domid < 0x8000 ? xt_world.state[domid] : XSD_DOMAIN_GONE;
}

struct xsd_server *xt_server(void)
{
    memset(&xt_world, 0, sizeof(xt_world));
    struct xsd_transport t = {
        .introduce = fake_introduce,
        .rebind = fake_rebind,
        .release = fake_release,
        .kick = fake_kick,
        .domain_state = fake_state,
    };
    struct xsd_server *srv = xsd_server_new(&t);
    current_srv = srv;
    return srv;
}

static void forget_clients(void)
{
    for (unsigned i = 0; i < MAX_CLIENTS; i++) {
        if (!clients[i])
            continue;
        xt_clear_events(clients[i]);
        for (unsigned r = 0; r < clients[i]->nreplies; r++)
            free(clients[i]->replies[r]);
        free(clients[i]);
        clients[i] = NULL;
    }
}

void xt_server_free(struct xsd_server *srv)
{
    xsd_server_free(srv);
    forget_clients();
}

struct xt_client *xt_connect(struct xsd_server *srv, uint16_t domid)
{
    struct xsd_conn *conn;
    if (xsd_connect(srv, domid, NULL, &conn) < 0)
        return NULL;
    return client_new(srv, conn, domid);
}

struct xt_client *xt_client_of(uint16_t domid)
{
    for (unsigned i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i] && clients[i]->alive && clients[i]->domid == domid)
            return clients[i];
    }
    return NULL;
}

void xt_close(struct xt_client *c)
{
    if (!c->alive)
        return;
    xsd_conn_close(c->conn);
    c->alive = false;
    c->conn = NULL;
}

struct xsd_conn *xt_conn(struct xt_client *c)
{
    return c->conn;
}

bool xt_client_alive(const struct xt_client *c)
{
    return c && c->alive;
}

/* ---------------------------------------------------------------- the stream */

static void violation(struct xt_client *c, const char *what)
{
    xt_protocol_violations++;
    printf("  protocol violation on dom%u: %s\n", c->domid, what);
}

static void take_message(struct xt_client *c, const struct xsd_sockmsg *hdr, const char *payload)
{
    if (hdr->type == XS_WATCH_EVENT) {
        const char *path = payload;
        size_t plen = strnlen(path, hdr->len);
        if (hdr->req_id || hdr->tx_id || plen == hdr->len ||
            strnlen(payload + plen + 1, hdr->len - plen - 1) != hdr->len - plen - 2) {
            violation(c, "malformed watch event");
            return;
        }
        if (c->ev_count == MAX_EVENTS) {
            violation(c, "test event queue full");
            return;
        }
        char *e = malloc(hdr->len + 1);
        snprintf(e, hdr->len + 1, "%s %s", path, payload + plen + 1);
        c->events[(c->ev_head + c->ev_count++) % MAX_EVENTS] = e;
        return;
    }
    if (c->nreplies == 64) {
        violation(c, "too many unclaimed replies");
        return;
    }
    struct xt_msg *m = malloc(sizeof(*m));
    m->type = hdr->type;
    m->req_id = hdr->req_id;
    m->tx_id = hdr->tx_id;
    m->len = hdr->len;
    memcpy(m->payload, payload, hdr->len);
    m->payload[hdr->len] = '\0';
    c->replies[c->nreplies++] = m;
}

void xt_hold(struct xt_client *c, bool hold)
{
    c->held = hold;
}

static void pump_client(struct xt_client *c)
{
    if (!c->alive || c->held)
        return;
    const void *data;
    size_t n;
    while ((n = xsd_conn_output(c->conn, &data)) > 0) {
        /* take it in odd-sized pieces, like a ring would */
        size_t take = n > 700 ? 700 : n;
        if (c->stream_len + take > sizeof(c->stream)) {
            violation(c, "stream overflow");
            return;
        }
        memcpy(c->stream + c->stream_len, data, take);
        c->stream_len += take;
        xsd_conn_output_done(c->conn, take);
        for (;;) {
            struct xsd_sockmsg hdr;
            if (c->stream_len < sizeof(hdr))
                break;
            memcpy(&hdr, c->stream, sizeof(hdr));
            if (hdr.len > XENSTORE_PAYLOAD_MAX) {
                violation(c, "reply longer than XENSTORE_PAYLOAD_MAX");
                c->stream_len = 0;
                return;
            }
            if (c->stream_len < sizeof(hdr) + hdr.len)
                break;
            take_message(c, &hdr, c->stream + sizeof(hdr));
            size_t used = sizeof(hdr) + hdr.len;
            memmove(c->stream, c->stream + used, c->stream_len - used);
            c->stream_len -= used;
        }
    }
}

void xt_pump(void)
{
    for (unsigned i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i])
            pump_client(clients[i]);
    }
}

int xt_feed(struct xt_client *c, const void *buf, size_t len)
{
    if (!c->alive)
        return -EPIPE;
    return xsd_conn_feed(c->conn, buf, len);
}

int xt_errno_of(const char *name)
{
    static const int known[] = {EINVAL,    EACCES, EEXIST, EISDIR, ENOENT, ENOMEM,  ENOSPC, EIO,
                                ENOTEMPTY, ENOSYS, EROFS,  EBUSY,  EAGAIN, EISCONN, E2BIG,  EPERM};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcmp(xsd_errno_name(known[i]), name) == 0)
            return -known[i];
    }
    return -EPROTO;
}

static bool well_formed_reply(uint32_t type, const struct xt_msg *m)
{
    switch (type) {
    case XS_READ:
        return true;
    case XS_DIRECTORY:
    case XS_GET_PERMS:
    case XS_DIRECTORY_PART:
        return m->len == 0 || m->payload[m->len - 1] == '\0';
    case XS_TRANSACTION_START:
    case XS_GET_DOMAIN_PATH:
    case XS_IS_DOMAIN_INTRODUCED:
    case XS_CONTROL:
        return m->len >= 1 && strlen(m->payload) == m->len - 1;
    default:
        return m->len == 3 && strcmp(m->payload, "OK") == 0;
    }
}

int xt_req(struct xt_client *c, uint32_t type, uint32_t tx_id, const void *payload, size_t len,
           struct xt_msg *rep)
{
    if (!c || !c->alive)
        return -EPIPE;
    uint32_t req_id = c->next_req++;
    size_t total = sizeof(struct xsd_sockmsg) + len;
    char *buf = malloc(total);
    struct xsd_sockmsg hdr = {.type = type, .req_id = req_id, .tx_id = tx_id, .len = (uint32_t)len};
    memcpy(buf, &hdr, sizeof(hdr));
    if (len)
        memcpy(buf + sizeof(hdr), payload, len);
    size_t off = 0;
    int stuck = 0;
    while (off < total) {
        int n = xsd_conn_feed(c->conn, buf + off, total - off);
        if (n < 0) {
            free(buf);
            return -EPIPE;
        }
        off += (size_t)n;
        xt_pump();
        if (n == 0 && ++stuck > 1000) {
            free(buf);
            violation(c, "connection takes no input");
            return -EPROTO;
        }
    }
    free(buf);
    xt_pump();
    if (!c->alive)
        return -EPIPE;
    /* exactly one reply with our req_id */
    struct xt_msg *found = NULL;
    unsigned count = 0;
    for (unsigned i = 0; i < c->nreplies;) {
        if (c->replies[i]->req_id == req_id) {
            count++;
            free(found);
            found = c->replies[i];
            c->replies[i] = c->replies[--c->nreplies];
        } else {
            i++;
        }
    }
    if (count != 1) {
        free(found);
        violation(c, count ? "two replies" : "no reply");
        return -EPROTO;
    }
    int rc = 0;
    if (found->tx_id != tx_id) {
        violation(c, "reply tx_id differs");
        rc = -EPROTO;
    } else if (found->type == XS_ERROR) {
        if (found->len < 2 || strlen(found->payload) != found->len - 1) {
            violation(c, "malformed ERROR payload");
            rc = -EPROTO;
        } else {
            rc = xt_errno_of(found->payload);
        }
    } else if (found->type != type) {
        violation(c, "reply type differs");
        rc = -EPROTO;
    } else if (!well_formed_reply(type, found)) {
        violation(c, "malformed reply payload");
        rc = -EPROTO;
    }
    if (rep)
        *rep = *found;
    free(found);
    return rc;
}

int xt_reqs(struct xt_client *c, uint32_t type, uint32_t tx_id, struct xt_msg *rep, ...)
{
    char buf[XENSTORE_PAYLOAD_MAX + 64];
    size_t len = 0;
    va_list ap;
    va_start(ap, rep);
    for (const char *s; (s = va_arg(ap, const char *));) {
        size_t l = strlen(s) + 1;
        if (len + l > sizeof(buf))
            abort();
        memcpy(buf + len, s, l);
        len += l;
    }
    va_end(ap);
    return xt_req(c, type, tx_id, buf, len, rep);
}

/* ---------------------------------------------------------------- wrappers */

static struct xt_msg scratch;

int xt_read(struct xt_client *c, uint32_t tx, const char *path, char *value, size_t size)
{
    int rc = xt_reqs(c, XS_READ, tx, &scratch, path, NULL);
    if (rc == 0 && value)
        snprintf(value, size, "%.*s", (int)scratch.len, scratch.payload);
    return rc;
}

int xt_write(struct xt_client *c, uint32_t tx, const char *path, const char *value)
{
    char buf[XENSTORE_PAYLOAD_MAX + 64];
    size_t pl = strlen(path) + 1, vl = strlen(value);
    if (pl + vl > sizeof(buf))
        abort();
    memcpy(buf, path, pl);
    memcpy(buf + pl, value, vl);
    return xt_req(c, XS_WRITE, tx, buf, pl + vl, NULL);
}

int xt_mkdir(struct xt_client *c, uint32_t tx, const char *path)
{
    return xt_reqs(c, XS_MKDIR, tx, NULL, path, NULL);
}

int xt_rm(struct xt_client *c, uint32_t tx, const char *path)
{
    return xt_reqs(c, XS_RM, tx, NULL, path, NULL);
}

/* "a\0b\0" -> "a,b" */
static void join_strings(const char *p, size_t len, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < size; i++)
        out[o++] = p[i] ? p[i] : ',';
    if (o && out[o - 1] == ',')
        o--;
    out[o] = '\0';
}

int xt_dir(struct xt_client *c, uint32_t tx, const char *path, char *out, size_t size)
{
    int rc = xt_reqs(c, XS_DIRECTORY, tx, &scratch, path, NULL);
    if (rc == 0 && out)
        join_strings(scratch.payload, scratch.len, out, size);
    return rc;
}

int xt_get_perms(struct xt_client *c, uint32_t tx, const char *path, char *out, size_t size)
{
    int rc = xt_reqs(c, XS_GET_PERMS, tx, &scratch, path, NULL);
    if (rc == 0 && out)
        join_strings(scratch.payload, scratch.len, out, size);
    return rc;
}

int xt_set_perms(struct xt_client *c, uint32_t tx, const char *path, const char *perms)
{
    char buf[XENSTORE_PAYLOAD_MAX + 64];
    size_t pl = strlen(path) + 1, ql = strlen(perms) + 1;
    if (pl + ql > sizeof(buf))
        abort();
    memcpy(buf, path, pl);
    memcpy(buf + pl, perms, ql);
    for (size_t i = pl; i < pl + ql; i++) {
        if (buf[i] == ',')
            buf[i] = '\0';
    }
    return xt_req(c, XS_SET_PERMS, tx, buf, pl + ql, NULL);
}

int xt_watch(struct xt_client *c, const char *path, const char *token)
{
    return xt_reqs(c, XS_WATCH, 0, NULL, path, token, NULL);
}

int xt_unwatch(struct xt_client *c, const char *path, const char *token)
{
    return xt_reqs(c, XS_UNWATCH, 0, NULL, path, token, NULL);
}

int xt_start(struct xt_client *c, uint32_t *tx)
{
    int rc = xt_reqs(c, XS_TRANSACTION_START, 0, &scratch, "", NULL);
    if (rc == 0)
        *tx = (uint32_t)strtoul(scratch.payload, NULL, 10);
    return rc;
}

int xt_end(struct xt_client *c, uint32_t tx, bool commit)
{
    return xt_reqs(c, XS_TRANSACTION_END, tx, NULL, commit ? "T" : "F", NULL);
}

/* ---------------------------------------------------------------- events */

unsigned xt_nevents(struct xt_client *c)
{
    xt_pump();
    return c->ev_count;
}

bool xt_event(struct xt_client *c, char *out, size_t size)
{
    xt_pump();
    if (!c->ev_count)
        return false;
    char *e = c->events[c->ev_head];
    c->ev_head = (c->ev_head + 1) % MAX_EVENTS;
    c->ev_count--;
    snprintf(out, size, "%s", e);
    free(e);
    return true;
}

void xt_clear_events(struct xt_client *c)
{
    while (c->ev_count) {
        free(c->events[c->ev_head]);
        c->ev_head = (c->ev_head + 1) % MAX_EVENTS;
        c->ev_count--;
    }
}

bool xt_has_event(struct xt_client *c, const char *path_token)
{
    xt_pump();
    for (unsigned i = 0; i < c->ev_count; i++) {
        if (strcmp(c->events[(c->ev_head + i) % MAX_EVENTS], path_token) == 0)
            return true;
    }
    return false;
}

void xt_check(struct xsd_server *srv, const char *name)
{
    struct xsd_stats s;
    xsd_get_stats(srv, &s);
    int rc = xsd_check(srv);
    unit_check(name, rc == 0 && s.internal_errors == 0 && xt_protocol_violations == 0,
               "check %d, internal errors %lu, protocol violations %u", rc,
               (unsigned long)s.internal_errors, xt_protocol_violations);
}
