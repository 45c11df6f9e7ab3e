/* Xenstore messages and ring indices (see <minios/xs_codec.h>). Pure code:
 * it only reads the buffers it is given and writes the ones it owns, so it
 * builds unchanged for the host unit tests. */
#include <minios/errno.h>
#include <minios/string.h>
#include <minios/xs_codec.h>

/* ---------------------------------------------------------------- requests */

static int measure_parts(const struct xs_part *parts, unsigned nparts, uint32_t *total)
{
    uint32_t sum = 0;
    for (unsigned i = 0; i < nparts; i++) {
        const struct xs_part *p = &parts[i];
        if (!p->data && p->len)
            return -EINVAL;
        if (p->nul && p->len && strnlen(p->data, p->len) != p->len)
            return -EINVAL; /* a NUL inside a string argument would split it */
        /* Compare before adding so that huge lengths cannot wrap the sum. */
        if (p->len > XENSTORE_PAYLOAD_MAX - sum)
            return -E2BIG;
        sum += (uint32_t)p->len;
        if (p->nul) {
            if (sum == XENSTORE_PAYLOAD_MAX)
                return -E2BIG;
            sum++;
        }
    }
    *total = sum;
    return 0;
}

int xs_encoded_len(const struct xs_part *parts, unsigned nparts)
{
    uint32_t payload_len;
    int rc = measure_parts(parts, nparts, &payload_len);
    return rc < 0 ? rc : (int)(XS_HEADER_SIZE + payload_len);
}

int xs_encode(void *buf, size_t bufsize, uint32_t type, uint32_t req_id, uint32_t tx_id,
              const struct xs_part *parts, unsigned nparts)
{
    uint32_t payload_len;
    int rc = measure_parts(parts, nparts, &payload_len);
    if (rc < 0)
        return rc;
    if (!buf || bufsize < XS_HEADER_SIZE + payload_len)
        return -ENOSPC;

    struct xsd_sockmsg hdr = {.type = type, .req_id = req_id, .tx_id = tx_id, .len = payload_len};
    char *out = buf;
    memcpy(out, &hdr, sizeof(hdr));
    out += sizeof(hdr);
    for (unsigned i = 0; i < nparts; i++) {
        if (parts[i].len)
            memcpy(out, parts[i].data, parts[i].len);
        out += parts[i].len;
        if (parts[i].nul)
            *out++ = '\0';
    }
    return (int)(XS_HEADER_SIZE + payload_len);
}

static bool is_path_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '/' || c == '_' || c == '@';
}

int xs_check_path(const char *path)
{
    if (!path || !path[0])
        return -EINVAL;
    size_t len = strnlen(path, XENSTORE_ABS_PATH_MAX + 1);
    size_t limit = path[0] == '/' ? XENSTORE_ABS_PATH_MAX : XENSTORE_REL_PATH_MAX;
    if (len > limit)
        return -E2BIG;
    for (size_t i = 0; i < len; i++) {
        if (!is_path_char(path[i]))
            return -EINVAL;
        if (path[i] == '/' && path[i + 1] == '/')
            return -EINVAL;
    }
    if (len > 1 && path[len - 1] == '/')
        return -EINVAL;
    return 0;
}

/* ---------------------------------------------------------------- replies */

static const char *const type_names[XS_TYPE_COUNT] = {
    [XS_CONTROL] = "CONTROL",
    [XS_DIRECTORY] = "DIRECTORY",
    [XS_READ] = "READ",
    [XS_GET_PERMS] = "GET_PERMS",
    [XS_WATCH] = "WATCH",
    [XS_UNWATCH] = "UNWATCH",
    [XS_TRANSACTION_START] = "TRANSACTION_START",
    [XS_TRANSACTION_END] = "TRANSACTION_END",
    [XS_INTRODUCE] = "INTRODUCE",
    [XS_RELEASE] = "RELEASE",
    [XS_GET_DOMAIN_PATH] = "GET_DOMAIN_PATH",
    [XS_WRITE] = "WRITE",
    [XS_MKDIR] = "MKDIR",
    [XS_RM] = "RM",
    [XS_SET_PERMS] = "SET_PERMS",
    [XS_WATCH_EVENT] = "WATCH_EVENT",
    [XS_ERROR] = "ERROR",
    [XS_IS_DOMAIN_INTRODUCED] = "IS_DOMAIN_INTRODUCED",
    [XS_RESUME] = "RESUME",
    [XS_SET_TARGET] = "SET_TARGET",
    /* XS_SET_TARGET + 1 was XS_RESTRICT, removed from the protocol */
    [XS_RESET_WATCHES] = "RESET_WATCHES",
    [XS_DIRECTORY_PART] = "DIRECTORY_PART",
};

const char *xs_type_name(uint32_t type)
{
    if (type < XS_TYPE_COUNT && type_names[type])
        return type_names[type];
    return "?";
}

int xs_check_reply_header(const struct xsd_sockmsg *hdr)
{
    if (hdr->len > XENSTORE_PAYLOAD_MAX)
        return -EBADMSG;
    if (hdr->type >= XS_TYPE_COUNT || !type_names[hdr->type])
        return -EPROTO;
    return 0;
}

/* Exactly one string: NUL at the end and nowhere else. */
static bool is_one_string(const char *payload, uint32_t len)
{
    return len >= 1 && strnlen(payload, len) == len - 1;
}

static bool is_exactly(const char *payload, uint32_t len, const char *want)
{
    uint32_t want_len = (uint32_t)strlen(want) + 1;
    return len == want_len && memcmp(payload, want, want_len) == 0;
}

static bool is_string_list(const char *payload, uint32_t len)
{
    return len == 0 || payload[len - 1] == '\0';
}

static bool is_decimal(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
    }
    return true;
}

static bool is_directory_part(const char *payload, uint32_t len)
{
    if (!is_string_list(payload, len) || len == 0)
        return false;
    return is_decimal(payload, strnlen(payload, len)); /* the generation count */
}

static bool is_valid_payload(uint32_t type, const char *payload, uint32_t len)
{
    const char *path, *token;
    uint32_t id;

    switch (type) {
    case XS_READ:
        return true;
    case XS_ERROR:
        return is_one_string(payload, len) && len > 1;
    case XS_GET_DOMAIN_PATH:
    case XS_CONTROL:
        return is_one_string(payload, len);
    case XS_DIRECTORY:
        return is_string_list(payload, len);
    case XS_DIRECTORY_PART:
        return is_directory_part(payload, len);
    case XS_GET_PERMS:
        return xs_parse_perms(payload, len, NULL, 0) > 0;
    case XS_WATCH_EVENT:
        return xs_parse_watch_event(payload, len, &path, &token) == 0;
    case XS_TRANSACTION_START:
        return xs_parse_transaction_id(payload, len, &id) == 0;
    case XS_IS_DOMAIN_INTRODUCED:
        return is_exactly(payload, len, "T") || is_exactly(payload, len, "F");
    default:
        return is_exactly(payload, len, "OK");
    }
}

int xs_check_reply_payload(uint32_t type, const char *payload, uint32_t len)
{
    if (len > XENSTORE_PAYLOAD_MAX || (!payload && len))
        return -EBADMSG;
    return is_valid_payload(type, payload, len) ? 0 : -EBADMSG;
}

static const struct {
    const char *name;
    int err;
} error_names[] = {
    {"EINVAL", EINVAL},       {"EACCES", EACCES},   {"EEXIST", EEXIST}, {"EISDIR", EISDIR},
    {"ENOENT", ENOENT},       {"ENOMEM", ENOMEM},   {"ENOSPC", ENOSPC}, {"EIO", EIO},
    {"ENOTEMPTY", ENOTEMPTY}, {"ENOSYS", ENOSYS},   {"EROFS", EROFS},   {"EBUSY", EBUSY},
    {"EAGAIN", EAGAIN},       {"EISCONN", EISCONN}, {"E2BIG", E2BIG},   {"EPERM", EPERM},
    {"EQUOTA", EDQUOT},
};

int xs_error_to_errno(const char *payload, uint32_t len)
{
    if (!payload || !is_one_string(payload, len))
        return -EIO;
    for (size_t i = 0; i < ARRAY_SIZE(error_names); i++) {
        if (strcmp(payload, error_names[i].name) == 0)
            return -error_names[i].err;
    }
    return -EIO;
}

int xs_split_strings(const char *payload, uint32_t len, const char **out, unsigned max)
{
    if (!is_string_list(payload, len))
        return -EBADMSG;
    unsigned count = 0;
    uint32_t pos = 0;
    while (pos < len) {
        if (out) {
            if (count == max)
                return -E2BIG;
            out[count] = payload + pos;
        }
        count++;
        pos += (uint32_t)strnlen(payload + pos, len - pos) + 1;
    }
    return (int)count;
}

int xs_parse_watch_event(const char *payload, uint32_t len, const char **path, const char **token)
{
    const char *strings[2];
    /* Exactly "<path>\0<token>\0"; anything else is not an event we set up. */
    if (xs_split_strings(payload, len, strings, 2) != 2 || !strings[0][0])
        return -EBADMSG;
    *path = strings[0];
    *token = strings[1];
    return 0;
}

int xs_parse_decimal(const char *s, size_t len, uint32_t max, uint32_t *out)
{
    if (!is_decimal(s, len))
        return -EINVAL;
    if (len > 10)
        return -ERANGE; /* leading zeros that long are not worth supporting */
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    if (v > max)
        return -ERANGE;
    *out = (uint32_t)v;
    return 0;
}

int xs_parse_transaction_id(const char *payload, uint32_t len, uint32_t *tx_id)
{
    uint32_t id;
    if (!is_one_string(payload, len) || xs_parse_decimal(payload, len - 1, UINT32_MAX, &id) < 0)
        return -EBADMSG;
    if (id == 0)
        return -EBADMSG; /* 0 means "no transaction" in the header */
    *tx_id = id;
    return 0;
}

/* ---------------------------------------------------------------- permissions */

static bool is_access_letter(char c)
{
    return c == XS_ACCESS_NONE || c == XS_ACCESS_READ || c == XS_ACCESS_WRITE ||
           c == XS_ACCESS_BOTH;
}

int xs_perm_parse(const char *text, size_t len, struct xs_perm *perm)
{
    uint32_t domid;
    if (len < 2 || !is_access_letter(text[0]))
        return -EINVAL;
    if (xs_parse_decimal(text + 1, len - 1, UINT16_MAX, &domid) < 0)
        return -EINVAL;
    perm->access = (enum xs_access)text[0];
    perm->domid = (uint16_t)domid;
    return 0;
}

int xs_perm_format(const struct xs_perm *perm, char *buf, size_t size)
{
    char digits[5];
    unsigned n = 0, domid = perm->domid;

    if (!is_access_letter((char)perm->access))
        return -EINVAL;
    do {
        digits[n++] = (char)('0' + domid % 10);
        domid /= 10;
    } while (domid);
    if (size < n + 2)
        return -ENOSPC;
    buf[0] = (char)perm->access;
    for (unsigned i = 0; i < n; i++)
        buf[1 + i] = digits[n - 1 - i];
    buf[n + 1] = '\0';
    return (int)(n + 1);
}

int xs_parse_perms(const char *payload, uint32_t len, struct xs_perm *out, unsigned max)
{
    if (!is_string_list(payload, len) || len == 0)
        return -EBADMSG;
    unsigned count = 0;
    uint32_t pos = 0;
    while (pos < len) {
        size_t n = strnlen(payload + pos, len - pos);
        struct xs_perm perm;
        if (xs_perm_parse(payload + pos, n, &perm) < 0)
            return -EBADMSG;
        if (out) {
            if (count == max)
                return -E2BIG;
            out[count] = perm;
        }
        count++;
        pos += (uint32_t)n + 1;
    }
    return (int)count;
}

/* ---------------------------------------------------------------- ring indices */

int xs_ring_queued(XENSTORE_RING_IDX cons, XENSTORE_RING_IDX prod)
{
    uint32_t queued = prod - cons; /* unsigned: right across the 2^32 wrap */
    return queued > XENSTORE_RING_SIZE ? -EIO : (int)queued;
}

int xs_ring_free(XENSTORE_RING_IDX cons, XENSTORE_RING_IDX prod)
{
    int queued = xs_ring_queued(cons, prod);
    return queued < 0 ? queued : XENSTORE_RING_SIZE - queued;
}

int xs_ring_write_contig(XENSTORE_RING_IDX cons, XENSTORE_RING_IDX prod)
{
    int space = xs_ring_free(cons, prod);
    if (space < 0)
        return space;
    return MIN(space, (int)(XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(prod)));
}

int xs_ring_read_contig(XENSTORE_RING_IDX cons, XENSTORE_RING_IDX prod)
{
    int queued = xs_ring_queued(cons, prod);
    if (queued < 0)
        return queued;
    return MIN(queued, (int)(XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(cons)));
}

int xs_ring_put(char *ring, XENSTORE_RING_IDX cons, XENSTORE_RING_IDX prod, const void *src,
                uint32_t len)
{
    const char *from = src;
    uint32_t done = 0;
    while (done < len) {
        int chunk = xs_ring_write_contig(cons, prod + done);
        if (chunk < 0)
            return chunk;
        if (chunk == 0)
            break;
        uint32_t n = MIN((uint32_t)chunk, len - done);
        memcpy(ring + MASK_XENSTORE_IDX(prod + done), from + done, n);
        done += n;
    }
    return (int)done;
}

int xs_ring_get(const char *ring, XENSTORE_RING_IDX cons, XENSTORE_RING_IDX prod, void *dst,
                uint32_t len)
{
    char *to = dst;
    uint32_t done = 0;
    while (done < len) {
        int chunk = xs_ring_read_contig(cons + done, prod);
        if (chunk < 0)
            return chunk;
        if (chunk == 0)
            break;
        uint32_t n = MIN((uint32_t)chunk, len - done);
        memcpy(to + done, ring + MASK_XENSTORE_IDX(cons + done), n);
        done += n;
    }
    return (int)done;
}
