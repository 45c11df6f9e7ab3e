/* Connections: framing input, queueing output (see conn.h). */
#include <minios/errno.h> /* before xs_wire.h: it defines xsd_errors[] only if EINVAL is known */
#include <minios/console.h>
#include <minios/mm.h>
#include <minios/string.h>
#include <xen/io/xs_wire.h>

#include "conn.h"
#include "domain.h"
#include "quota.h"
#include "server.h"
#include "txn.h"
#include "watch.h"

/* ---------------------------------------------------------------- identity */

bool conn_privileged(const struct xsd_conn *conn)
{
    return server_is_privileged(conn->srv, conn->domid);
}

void conn_caller(const struct xsd_conn *conn, struct xsd_caller *caller)
{
    caller->domid = conn->domid;
    caller->privileged = conn_privileged(conn);
    caller->has_target = conn->domain && conn->domain->has_target;
    caller->target = caller->has_target ? conn->domain->target : 0;
}

uint16_t xsd_conn_domid(const struct xsd_conn *conn)
{
    return conn->domid;
}

void *xsd_conn_data(const struct xsd_conn *conn)
{
    return conn->data;
}

void xsd_conn_set_data(struct xsd_conn *conn, void *data)
{
    conn->data = data;
}

int xsd_conn_error(const struct xsd_conn *conn)
{
    return conn->error;
}

/* ---------------------------------------------------------------- life */

int conn_create(struct xsd_server *srv, uint16_t domid, void *data, struct xsd_conn **out)
{
    struct xsd_domain *d = domain_get(srv, domid);
    if (!d)
        return -ENOMEM;
    if (d->conn)
        return -EEXIST;
    struct xsd_conn *conn = kzalloc(sizeof(*conn));
    if (!conn)
        return -ENOMEM;
    conn->in_buf = kmalloc(XENSTORE_PAYLOAD_MAX + 1);
    if (!conn->in_buf) {
        kfree(conn);
        return -ENOMEM;
    }
    conn->srv = srv;
    conn->domid = domid;
    conn->data = data;
    conn->domain = d;
    conn->out_tail = &conn->out_head;
    conn->next_txid = 1;
    conn->emergency.data = conn->emergency_buf;
    list_init(&conn->watches);
    list_init(&conn->txns);
    list_add_tail(&conn->link, &srv->conns);
    srv->nconns++;
    d->conn = conn;
    d->watch_state = true;
    d->shutdown_reported = false;
    *out = conn;
    return 0;
}

static void free_msg(struct xsd_conn *conn, struct xsd_msg *m)
{
    if (m->reply)
        conn->out_replies--;
    else
        conn->out_event_bytes -= m->len;
    if (m == &conn->emergency)
        conn->emergency_queued = false;
    else
        kfree(m);
}

static void drop_output(struct xsd_conn *conn)
{
    while (conn->out_head) {
        struct xsd_msg *m = conn->out_head;
        conn->out_head = m->next;
        free_msg(conn, m);
    }
    conn->out_tail = &conn->out_head;
}

static void drop_state(struct xsd_conn *conn)
{
    watch_remove_all(conn);
    while (!list_empty(&conn->txns))
        txn_free(list_first_entry(&conn->txns, struct xsd_txn, link));
}

void conn_destroy(struct xsd_conn *conn)
{
    struct xsd_server *srv = conn->srv;
    drop_state(conn);
    drop_output(conn);
    domain_conn_gone(conn);
    list_del(&conn->link);
    srv->nconns--;
    kfree(conn->in_buf);
    kfree(conn);
}

int xsd_connect(struct xsd_server *srv, uint16_t domid, void *data, struct xsd_conn **conn)
{
    if (domid >= 0x7ff0) /* DOMID_FIRST_RESERVED */
        return -EINVAL;
    return conn_create(srv, domid, data, conn);
}

void xsd_conn_close(struct xsd_conn *conn)
{
    conn_destroy(conn);
}

void xsd_conn_reset(struct xsd_conn *conn)
{
    drop_state(conn);
    drop_output(conn);
    conn->in_have = 0;
    conn->error = XENSTORE_ERROR_NONE;
}

/* ---------------------------------------------------------------- output */

static void enqueue(struct xsd_conn *conn, struct xsd_msg *m)
{
    m->next = NULL;
    m->sent = 0;
    *conn->out_tail = m;
    conn->out_tail = &m->next;
    if (m->reply)
        conn->out_replies++;
    else
        conn->out_event_bytes += m->len;
    struct xsd_transport *t = &conn->srv->transport;
    if (t->kick)
        t->kick(t->ctx, conn);
}

static void put_header(char *buf, uint32_t type, uint32_t req_id, uint32_t tx_id, uint32_t len)
{
    struct xsd_sockmsg hdr = {.type = type, .req_id = req_id, .tx_id = tx_id, .len = len};
    memcpy(buf, &hdr, sizeof(hdr));
}

int conn_reply_new(const struct xsd_sockmsg *hdr, uint32_t type, const void *const *parts,
                   const uint32_t *lens, unsigned nparts, struct xsd_msg **out)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < nparts; i++)
        total += lens[i];
    if (total > XENSTORE_PAYLOAD_MAX)
        return -E2BIG;
    struct xsd_msg *m = kmalloc(sizeof(*m) + XSD_HEADER_SIZE + total);
    if (!m)
        return -ENOMEM;
    m->data = (char *)(m + 1);
    m->len = XSD_HEADER_SIZE + (uint32_t)total;
    m->reply = true;
    put_header(m->data, type, hdr->req_id, hdr->tx_id, (uint32_t)total);
    char *p = m->data + XSD_HEADER_SIZE;
    for (unsigned i = 0; i < nparts; i++) {
        if (lens[i])
            memcpy(p, parts[i], lens[i]);
        p += lens[i];
    }
    *out = m;
    return 0;
}

void conn_reply_send(struct xsd_conn *conn, struct xsd_msg *m)
{
    enqueue(conn, m);
}

void conn_reply_discard(struct xsd_msg *m)
{
    kfree(m);
}

int conn_reply(struct xsd_conn *conn, const struct xsd_sockmsg *hdr, uint32_t type,
               const void *const *parts, const uint32_t *lens, unsigned nparts)
{
    struct xsd_msg *m;
    int rc = conn_reply_new(hdr, type, parts, lens, nparts, &m);
    if (rc == 0)
        enqueue(conn, m);
    return rc;
}

const char *xsd_errno_name(int err)
{
    if (err < 0)
        err = -err;
    for (size_t i = 0; i < ARRAY_SIZE(xsd_errors); i++) {
        if (xsd_errors[i].errnum == err)
            return xsd_errors[i].errstring;
    }
    return "EIO";
}

void conn_reply_error(struct xsd_conn *conn, const struct xsd_sockmsg *hdr, int err)
{
    const char *name = xsd_errno_name(err);
    const void *part = name;
    uint32_t len = (uint32_t)strlen(name) + 1;
    if (conn_reply(conn, hdr, XS_ERROR, &part, &len, 1) == 0)
        return;
    /* No memory for even that: the connection's own buffer. Input stops
     * while it is queued, so it is always free here. */
    if (conn->emergency_queued || XSD_HEADER_SIZE + len > sizeof(conn->emergency_buf)) {
        server_internal_error(conn->srv, "emergency reply busy");
        return;
    }
    struct xsd_msg *m = &conn->emergency;
    put_header(m->data, XS_ERROR, hdr->req_id, hdr->tx_id, len);
    memcpy(m->data + XSD_HEADER_SIZE, name, len);
    m->len = XSD_HEADER_SIZE + len;
    m->reply = true;
    conn->emergency_queued = true;
    enqueue(conn, m);
}

static void event_dropped(struct xsd_conn *conn, const char *why)
{
    conn->events_dropped++;
    conn->srv->stats.events_dropped++;
    /* Say so now and then, not for every event. */
    if (IS_POW2(conn->events_dropped))
        printk("xenstored: dom%u: watch event dropped (%s), %lu so far\n", conn->domid, why,
               (unsigned long)conn->events_dropped);
}

void conn_queue_event(struct xsd_conn *conn, const char *path, const char *token)
{
    if (conn->error)
        return;
    uint32_t plen = (uint32_t)strlen(path) + 1, tlen = (uint32_t)strlen(token) + 1;
    uint32_t total = plen + tlen;
    if (total > XENSTORE_PAYLOAD_MAX) {
        event_dropped(conn, "too long");
        return;
    }
    struct xsd_caller caller;
    conn_caller(conn, &caller);
    if (quota_exceeded(conn->srv, &caller, XSD_Q_EVENT_BYTES,
                       (uint64_t)conn->out_event_bytes + XSD_HEADER_SIZE + total)) {
        event_dropped(conn, "quota event-bytes");
        return;
    }
    struct xsd_msg *m = kmalloc(sizeof(*m) + XSD_HEADER_SIZE + total);
    if (!m) {
        event_dropped(conn, "no memory");
        return;
    }
    m->data = (char *)(m + 1);
    m->len = XSD_HEADER_SIZE + total;
    m->reply = false;
    put_header(m->data, XS_WATCH_EVENT, 0, 0, total);
    memcpy(m->data + XSD_HEADER_SIZE, path, plen);
    memcpy(m->data + XSD_HEADER_SIZE + plen, token, tlen);
    conn->srv->stats.watch_events++;
    enqueue(conn, m);
}

size_t xsd_conn_output(struct xsd_conn *conn, const void **data)
{
    struct xsd_msg *m = conn->out_head;
    if (!m || conn->error)
        return 0;
    *data = m->data + m->sent;
    return m->len - m->sent;
}

void xsd_conn_output_done(struct xsd_conn *conn, size_t n)
{
    while (n && conn->out_head) {
        struct xsd_msg *m = conn->out_head;
        size_t take = MIN(n, (size_t)(m->len - m->sent));
        m->sent += (uint32_t)take;
        n -= take;
        if (m->sent == m->len) {
            conn->out_head = m->next;
            if (!conn->out_head)
                conn->out_tail = &conn->out_head;
            free_msg(conn, m);
        }
    }
    if (n)
        server_internal_error(conn->srv, "output_done beyond the queued output");
}

/* ---------------------------------------------------------------- input */

static bool throttled(const struct xsd_conn *conn)
{
    return conn->emergency_queued || conn->out_replies >= conn->srv->quota[XSD_Q_OUTSTANDING];
}

static void protocol_error(struct xsd_conn *conn, int error, const char *why)
{
    uint64_t n = ++conn->srv->stats.protocol_errors;
    /* A client that breaks and reconnects in a loop must not flood the log. */
    if (n <= 3 || IS_POW2(n))
        printk("xenstored: dom%u: %s: connection closed (%lu protocol errors so far)\n",
               conn->domid, why, (unsigned long)n);
    conn->error = error;
    drop_state(conn);
    drop_output(conn);
}

int xsd_conn_feed(struct xsd_conn *conn, const void *buf, size_t len)
{
    const char *in = buf;
    size_t used = 0;
    if (len > 0x7fffffff)
        len = 0x7fffffff;
    while (!conn->error) {
        if (conn->in_have < XSD_HEADER_SIZE) {
            if (used == len || (conn->in_have == 0 && throttled(conn)))
                break;
            size_t n = MIN(len - used, (size_t)(XSD_HEADER_SIZE - conn->in_have));
            memcpy((char *)&conn->in_hdr + conn->in_have, in + used, n);
            conn->in_have += (uint32_t)n;
            used += n;
            if (conn->in_have < XSD_HEADER_SIZE)
                break;
            if (conn->in_hdr.len > XENSTORE_PAYLOAD_MAX) {
                protocol_error(conn, XENSTORE_ERROR_PROTO, "request longer than the maximum");
                break;
            }
        }
        uint32_t want = XSD_HEADER_SIZE + conn->in_hdr.len - conn->in_have;
        if (want) {
            if (used == len)
                break;
            size_t n = MIN(len - used, (size_t)want);
            memcpy(conn->in_buf + (conn->in_have - XSD_HEADER_SIZE), in + used, n);
            conn->in_have += (uint32_t)n;
            used += n;
            if (n < want)
                break;
        }
        struct xsd_sockmsg hdr = conn->in_hdr;
        conn->in_have = 0;
        conn->in_buf[hdr.len] = '\0';
        request_process(conn, &hdr, conn->in_buf);
    }
    return conn->error ? -EPIPE : (int)used;
}
