/* xenstored core: the xenstore database, its request protocol, watches,
 * transactions, permissions and quotas, without any transport.
 *
 * One struct xsd_server is one xenstore (the tests make many). Every
 * client is a domain with one connection (struct xsd_conn); dom0, or the
 * domain named with xsd_set_priv_domid(), is privileged. Bytes go in with
 * xsd_conn_feed() and come out of xsd_conn_output(); transport.h explains
 * how a transport drives a connection. Nothing here blocks or sleeps; all
 * calls must come from one thread.
 *
 * Functions return 0 or a negative errno unless they say otherwise. */
#ifndef XSD_H
#define XSD_H

#include <minios/types.h>
#include <xen/io/xs_wire.h>

#include "transport.h"

struct xsd_server;
struct xsd_conn;

/* ---- the server ---- */

/* A store holding only "/" (owner dom0, no access for others) and the
 * special nodes @introduceDomain and @releaseDomain. transport may be NULL
 * (no INTRODUCE, every domain runs); it is copied. NULL on ENOMEM. */
struct xsd_server *xsd_server_new(const struct xsd_transport *transport);

/* Free everything, connections included (no transport callbacks). */
void xsd_server_free(struct xsd_server *srv);

/* Treat domid as privileged besides dom0 (C xenstored's --priv-domid). */
void xsd_set_priv_domid(struct xsd_server *srv, uint16_t domid);

/* Log every request with printk (CONTROL "log on" does the same). */
void xsd_set_logging(struct xsd_server *srv, bool on);

/* Quotas by name (see quota.h and README.md): -EINVAL for an unknown name. */
int xsd_quota_set(struct xsd_server *srv, const char *name, uint32_t value);
int xsd_quota_get(const struct xsd_server *srv, const char *name, uint32_t *value);

/* Check every invariant of the store: 0, or -EIO after printing the problem. */
int xsd_check(struct xsd_server *srv);

struct xsd_stats {
    uint64_t requests;        /* complete requests processed */
    uint64_t error_replies;   /* of them answered with ERROR */
    uint64_t watch_events;    /* WATCH_EVENT messages queued */
    uint64_t events_dropped;  /* events not queued: over quota, ENOMEM, too long */
    uint64_t commits;         /* transactions committed (explicit ones) */
    uint64_t conflicts;       /* TRANSACTION_END answered EAGAIN */
    uint64_t protocol_errors; /* connections killed for a malformed stream */
    uint64_t internal_errors; /* "cannot happen" cases seen; always 0 unless a bug */
    uint32_t nodes;           /* nodes in the store, "/" included */
    uint32_t connections;
    uint32_t domains; /* domain records (connected or owning nodes) */
};
void xsd_get_stats(const struct xsd_server *srv, struct xsd_stats *stats);

/* ---- connections ---- */

/* Connect domain domid (dom0 at start-up, or any domain the transport sets
 * up by other means): the domain counts as introduced from now on. data is
 * the transport's (xsd_conn_data). -EEXIST if domid is connected already,
 * -EINVAL for a domid >= DOMID_FIRST_RESERVED, -ENOMEM. */
int xsd_connect(struct xsd_server *srv, uint16_t domid, void *data, struct xsd_conn **conn);

uint16_t xsd_conn_domid(const struct xsd_conn *conn);
void *xsd_conn_data(const struct xsd_conn *conn);
void xsd_conn_set_data(struct xsd_conn *conn, void *data);

/* Take request bytes. Complete requests are processed at once; their
 * replies (and watch events for any connection) are queued. Returns how
 * many bytes were taken -- fewer than len while the connection has
 * "outstanding" unread replies queued: offer the rest again after draining
 * output -- or -EPIPE once the connection is dead (a protocol violation:
 * a header with len > XENSTORE_PAYLOAD_MAX). */
int xsd_conn_feed(struct xsd_conn *conn, const void *buf, size_t len);

/* The next queued output bytes: returns how many are contiguous at *data
 * (0 if none). Mark n of them written with xsd_conn_output_done. */
size_t xsd_conn_output(struct xsd_conn *conn, const void **data);
void xsd_conn_output_done(struct xsd_conn *conn, size_t n);

/* 0 while healthy, else the XENSTORE_ERROR_* value that killed it. */
int xsd_conn_error(const struct xsd_conn *conn);

/* Forget partial input and queued output, watches and transactions (the
 * ring reconnection protocol; also clears the error). The domain stays
 * connected. */
void xsd_conn_reset(struct xsd_conn *conn);

/* The transport gives up on conn: free it (no transport callback). The
 * domain counts as not introduced any more. */
void xsd_conn_close(struct xsd_conn *conn);

/* ---- domains ---- */

/* Ask the transport about every known domain; fire @releaseDomain for
 * domains newly shut down or gone; drop connections of gone domains and
 * give their nodes and permissions back to dom0. */
void xsd_domains_check(struct xsd_server *srv);

#endif
