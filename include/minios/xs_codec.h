/* The xenstore wire format and ring arithmetic, as pure functions.
 *
 * Every message, in either direction, is a struct xsd_sockmsg header
 * (type, req_id, tx_id, len) followed by len payload bytes, len at most
 * XENSTORE_PAYLOAD_MAX. Request arguments are strings, each followed by a
 * NUL, except a WRITE's value, which is raw bytes running to the end of the
 * payload. Replies echo the request's type and req_id, or carry type ERROR
 * and an errno name ("ENOENT\0"). WATCH_EVENT messages arrive unasked with
 * req_id 0 and the payload "<path>\0<token>\0".
 *
 * Nothing here touches the ring page, allocates or blocks, so the host
 * unit tests (tests/unit/test_xs_codec.c) can feed it every malformed
 * input we can think of. <minios/xenbus.h> is the client built on it.
 *
 * The peer is untrusted: a reply is copied out of the shared page first,
 * then checked here; the parsers never read outside [payload, payload+len). */
#ifndef MINIOS_XS_CODEC_H
#define MINIOS_XS_CODEC_H

#include <minios/types.h>
#include <xen/io/xs_wire.h>

#define XS_HEADER_SIZE ((uint32_t)sizeof(struct xsd_sockmsg))
#define XS_MSG_MAX (XS_HEADER_SIZE + XENSTORE_PAYLOAD_MAX)

/* ---------------------------------------------------------------- requests */

/* One piece of a request payload: len bytes of data, then a NUL if nul is
 * set (string arguments). A string part must not contain a NUL itself. */
struct xs_part {
    const void *data;
    size_t len;
    bool nul;
};

static inline struct xs_part xs_part_str(const char *s)
{
    return (struct xs_part){.data = s, .len = __builtin_strlen(s), .nul = true};
}

static inline struct xs_part xs_part_bytes(const void *data, size_t len)
{
    return (struct xs_part){.data = data, .len = len, .nul = false};
}

/* Length of the whole message (header included) the parts would make, or
 * the error xs_encode would return for them (-E2BIG, -EINVAL). */
int xs_encoded_len(const struct xs_part *parts, unsigned nparts);

/* Write header and payload into buf. Returns the message length (header
 * included), -E2BIG if the payload would exceed XENSTORE_PAYLOAD_MAX,
 * -ENOSPC if bufsize is too small, -EINVAL for a NULL part with a length
 * or a string part that holds a NUL. buf is unspecified on error. */
int xs_encode(void *buf, size_t bufsize, uint32_t type, uint32_t req_id, uint32_t tx_id,
              const struct xs_part *parts, unsigned nparts);

/* 0 if path may be sent as a node or watch path: not empty; only letters,
 * digits and "-/_@"; no "//"; no trailing '/' except the root "/"; at
 * most XENSTORE_ABS_PATH_MAX bytes if absolute, XENSTORE_REL_PATH_MAX if
 * relative (to /local/domain/<our domid>). -E2BIG when too long, -EINVAL
 * otherwise (NULL included). */
int xs_check_path(const char *path);

/* ---------------------------------------------------------------- replies */

/* Name of a message type for log lines ("READ", "WATCH_EVENT"), or "?". */
const char *xs_type_name(uint32_t type);

/* 0 if hdr may start a reply: a type xenstored sends and len within
 * XENSTORE_PAYLOAD_MAX. -EBADMSG for a bad length (the stream has lost
 * its framing), -EPROTO for an unknown type (len is still trustworthy, so
 * the message can be skipped). */
int xs_check_reply_header(const struct xsd_sockmsg *hdr);

/* 0 if the payload follows the rules of its type, else -EBADMSG:
 *   ERROR, GET_DOMAIN_PATH, CONTROL: one NUL-terminated string
 *   READ: any bytes
 *   DIRECTORY: zero or more NUL-terminated names
 *   DIRECTORY_PART: a generation count and zero or more names
 *   GET_PERMS: one or more well-formed permission strings
 *   WATCH_EVENT: path and token, each NUL-terminated
 *   TRANSACTION_START: a non-zero decimal transaction id
 *   IS_DOMAIN_INTRODUCED: "T" or "F"
 *   everything else (WRITE, MKDIR, RM, WATCH ...): "OK" */
int xs_check_reply_payload(uint32_t type, const char *payload, uint32_t len);

/* The negative errno for an ERROR payload ("ENOENT\0" -> -ENOENT); -EIO
 * for a name we do not know. EQUOTA (oxenstored) becomes -EDQUOT. */
int xs_error_to_errno(const char *payload, uint32_t len);

/* Split NUL-terminated strings: stores up to max pointers into payload in
 * out (out may be NULL to count). Returns the number of strings, -EBADMSG
 * if the last one lacks its NUL, -E2BIG if there are more than max (with
 * out != NULL). Empty payload: 0 strings. */
int xs_split_strings(const char *payload, uint32_t len, const char **out, unsigned max);

/* WATCH_EVENT payload -> pointers into it. 0 or -EBADMSG. */
int xs_parse_watch_event(const char *payload, uint32_t len, const char **path, const char **token);

/* TRANSACTION_START payload -> transaction id. 0 or -EBADMSG. */
int xs_parse_transaction_id(const char *payload, uint32_t len, uint32_t *tx_id);

/* Parse a decimal number of at most 10 digits without sign or blanks
 * (s[0..len)). 0, -EINVAL (not a number) or -ERANGE (above max). */
int xs_parse_decimal(const char *s, size_t len, uint32_t max, uint32_t *out);

/* ---------------------------------------------------------------- permissions */

/* Access a domain has to a node. The first entry of a node's list names
 * the owner (who may do anything) and the access of every domain not
 * listed; later entries grant access to one domain each. */
enum xs_access {
    XS_ACCESS_NONE = 'n',
    XS_ACCESS_READ = 'r',
    XS_ACCESS_WRITE = 'w',
    XS_ACCESS_BOTH = 'b',
};

struct xs_perm {
    uint16_t domid;
    enum xs_access access;
};

#define XS_PERM_TEXT_MAX 8 /* "b65535" + NUL, rounded up */

/* "r5" -> {5, XS_ACCESS_READ}; text must end at len (no NUL inside).
 * 0 or -EINVAL. */
int xs_perm_parse(const char *text, size_t len, struct xs_perm *perm);

/* {5, XS_ACCESS_READ} -> "r5". Returns the length without the NUL,
 * -EINVAL for an unknown access letter, -ENOSPC if size is too small. */
int xs_perm_format(const struct xs_perm *perm, char *buf, size_t size);

/* GET_PERMS payload -> up to max entries in out (NULL to count). Returns
 * the count, -EBADMSG for a malformed payload, -E2BIG for more than max. */
int xs_parse_perms(const char *payload, uint32_t len, struct xs_perm *out, unsigned max);

/* ---------------------------------------------------------------- ring indices */

/* The two rings in struct xenstore_domain_interface are XENSTORE_RING_SIZE
 * byte queues with free-running 32-bit indices: byte i of the stream sits
 * at ring[MASK_XENSTORE_IDX(i)], prod - cons (mod 2^32) bytes are queued,
 * and the indices wrap past UINT32_MAX. The peer writes one index of each
 * pair, so a queue longer than the ring means a corrupt or hostile peer:
 * every function below returns -EIO then instead of trusting the indices. */

/* Bytes queued between cons and prod, or -EIO. */
int xs_ring_queued(XENSTORE_RING_IDX cons, XENSTORE_RING_IDX prod);

/* Bytes a producer may still add, or -EIO. */
int xs_ring_free(XENSTORE_RING_IDX cons, XENSTORE_RING_IDX prod);

/* Bytes a producer may write at MASK(prod) in one piece, before the end
 * of the ring array, or -EIO. */
int xs_ring_write_contig(XENSTORE_RING_IDX cons, XENSTORE_RING_IDX prod);

/* Bytes a consumer may read at MASK(cons) in one piece, or -EIO. */
int xs_ring_read_contig(XENSTORE_RING_IDX cons, XENSTORE_RING_IDX prod);

/* Copy up to len bytes into the queue ring[XENSTORE_RING_SIZE] at prod,
 * wrapping as needed. Returns the count copied (limited by the free
 * space; the caller then advances prod by it) or -EIO. */
int xs_ring_put(char *ring, XENSTORE_RING_IDX cons, XENSTORE_RING_IDX prod, const void *src,
                uint32_t len);

/* Copy up to len queued bytes out of ring at cons. Returns the count (the
 * caller then advances cons by it) or -EIO. */
int xs_ring_get(const char *ring, XENSTORE_RING_IDX cons, XENSTORE_RING_IDX prod, void *dst,
                uint32_t len);

#endif
