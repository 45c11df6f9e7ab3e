/* A raw xenstore client for tests that must misbehave: it owns our
 * xenstore ring page (the kernel's xenbus client is kept off it) and
 * writes whatever bytes and indices the test asks for. Deadlines are
 * monotonic_ns() values. */
#ifndef RAWXS_H
#define RAWXS_H

#include <minios/types.h>
#include <xen/io/xs_wire.h>

/* A whole message as it came out of the reply ring. */
struct rawxs_msg {
    struct xsd_sockmsg hdr;
    char body[XENSTORE_PAYLOAD_MAX + 1]; /* NUL appended */
};

/* Take the ring away from the kernel's client. Must run in main() before
 * it first blocks (the client's start-up thread runs only then). 0, or
 * -ENODEV when the domain has no xenstore. */
int rawxs_open(void);

/* The shared page itself, for the tests that corrupt it. */
struct xenstore_domain_interface *rawxs_intf(void);

void rawxs_notify(void);

/* Copy len bytes into the request ring, waiting for space. 0, -ETIMEDOUT,
 * or -EPIPE once xenstored has flagged an error on the ring. */
int rawxs_put(const void *buf, uint32_t len, uint64_t deadline);

/* Bytes that fit into the request ring right now. */
uint32_t rawxs_space(void);

/* A request with any header and payload bytes. */
int rawxs_send(uint32_t type, uint32_t req_id, uint32_t tx_id, const void *payload,
               uint32_t len, uint64_t deadline);

/* The next message (reply or watch event). 0, -ETIMEDOUT, -EPIPE, or
 * -EBADMSG if xenstored sent a header with a bad length. */
int rawxs_get(struct rawxs_msg *m, uint64_t deadline);

/* Send a request with a fresh req_id and return its reply in *m, skipping
 * watch events. -EPROTO if a reply for another req_id came. */
int rawxs_call(uint32_t type, uint32_t tx_id, const void *payload, uint32_t len,
               struct rawxs_msg *m, uint64_t deadline);

/* Wait until xenstored writes the error field (or the deadline). Returns
 * the field's value, 0 if none came. */
uint32_t rawxs_wait_error(uint64_t deadline);

/* The ring reconnection protocol: ask xenstored to reset the connection
 * and the indices, wait for it. 0 or -ETIMEDOUT. */
int rawxs_reconnect(uint64_t deadline);

/* True if *m is the ERROR reply naming err ("EINVAL") or, with err NULL,
 * any ERROR reply. */
bool rawxs_is_error(const struct rawxs_msg *m, const char *err);

#endif
