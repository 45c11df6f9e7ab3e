/* A connection: one client domain's byte stream and everything it owns.
 *
 * Input is framed here: a 16-byte struct xsd_sockmsg header, then len
 * payload bytes into a buffer allocated once per connection (so taking a
 * request never allocates). A header with len > XENSTORE_PAYLOAD_MAX kills
 * the connection (XENSTORE_ERROR_PROTO), as in C xenstored: after that the
 * stream has no framing left to trust. Everything else a client can send is
 * answered with exactly one reply carrying its req_id and tx_id.
 *
 * Output is a FIFO of whole messages (replies and watch events). A reply
 * that cannot be allocated is replaced by an "ENOMEM" error built in a
 * buffer the connection owns; while that buffer is queued, and while
 * "outstanding" replies are unread, no new request is processed, so every
 * request always gets its reply. Watch events are dropped, and counted,
 * when allocation fails or when an unprivileged connection already has
 * "event-bytes" of them queued.
 *
 * The transport (ring page, event channel) is not in here: see
 * transport.h. */
#ifndef XSD_CONN_H
#define XSD_CONN_H

#include <minios/list.h>
#include <minios/types.h>
#include <xen/io/xs_wire.h>

#include "perms.h"

struct xsd_server;
struct xsd_domain;

#define XSD_HEADER_SIZE ((uint32_t)sizeof(struct xsd_sockmsg))

struct xsd_msg {
    struct xsd_msg *next;
    char *data;    /* header + payload */
    uint32_t len;  /* header included */
    uint32_t sent; /* bytes the transport has taken */
    bool reply;    /* counts as an outstanding reply */
};

struct xsd_conn {
    struct list_head link; /* in srv->conns */
    struct xsd_server *srv;
    struct xsd_domain *domain;
    uint16_t domid;
    void *data; /* the transport's */
    int error;  /* XENSTORE_ERROR_*: dead when non-zero */

    /* input */
    struct xsd_sockmsg in_hdr;
    uint32_t in_have; /* header + payload bytes received so far */
    char *in_buf;     /* XENSTORE_PAYLOAD_MAX + 1 bytes */

    /* output */
    struct xsd_msg *out_head;
    struct xsd_msg **out_tail;
    uint32_t out_replies;     /* replies queued */
    uint32_t out_event_bytes; /* watch-event bytes queued */
    struct xsd_msg emergency; /* the ENOMEM reply of last resort */
    char emergency_buf[32];
    bool emergency_queued;

    /* state */
    struct list_head watches;
    uint32_t nwatches;
    struct list_head txns;
    uint32_t ntxns;
    uint32_t next_txid;
    uint64_t txn_bytes; /* memory held by its transactions */
    uint64_t events_dropped;
};

/* The permission identity of conn (domid, privilege, target). */
void conn_caller(const struct xsd_conn *conn, struct xsd_caller *caller);
bool conn_privileged(const struct xsd_conn *conn);

/* Queue a reply of `type` to request hdr with the payload pieces
 * parts[i] (len[i] bytes each). 0, -E2BIG if the payload would exceed
 * XENSTORE_PAYLOAD_MAX, -ENOMEM; nothing is queued on error. */
int conn_reply(struct xsd_conn *conn, const struct xsd_sockmsg *hdr, uint32_t type,
               const void *const *parts, const uint32_t *lens, unsigned nparts);

/* The same in two steps, for requests whose effect cannot be undone: build
 * the reply first, then make the change, then send it (or discard it if
 * the change failed). */
int conn_reply_new(const struct xsd_sockmsg *hdr, uint32_t type, const void *const *parts,
                   const uint32_t *lens, unsigned nparts, struct xsd_msg **msg);
void conn_reply_send(struct xsd_conn *conn, struct xsd_msg *msg);
void conn_reply_discard(struct xsd_msg *msg);

/* Queue an ERROR reply for errno err (positive or negative). Never fails. */
void conn_reply_error(struct xsd_conn *conn, const struct xsd_sockmsg *hdr, int err);

/* Queue WATCH_EVENT "<path>\0<token>\0". Dropped (and counted) on ENOMEM,
 * over quota, or when too long. */
void conn_queue_event(struct xsd_conn *conn, const char *path, const char *token);

/* Name of errno err for an ERROR reply ("ENOENT"); "EIO" if unknown. */
const char *xsd_errno_name(int err);

/* A new connection for domid, registered as its domain's (the domain
 * counts as introduced). -EEXIST if it has one, -ENOMEM. */
int conn_create(struct xsd_server *srv, uint16_t domid, void *data, struct xsd_conn **out);

/* Free everything the connection holds and the connection itself. */
void conn_destroy(struct xsd_conn *conn);

/* Process one complete request (request.c). */
void request_process(struct xsd_conn *conn, const struct xsd_sockmsg *hdr, char *payload);

#endif
