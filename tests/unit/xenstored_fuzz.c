/* libFuzzer target for the xenstore core's request parser and dispatcher
 * (make fuzz-xenstored).
 *
 * The input is a little program over four connections (dom0, a privileged
 * driver domain, two guests) on a store with some nodes, permissions and a
 * watch already in place:
 *
 *   op & 7 == 0..2  raw bytes: feed the next n bytes to connection k as is
 *   op & 7 == 3     a well-formed request: type, req_id and tx_id bytes, then
 *                   the payload up to the next '\n' ('|' stands for NUL), so
 *                   the fuzzer gets past the framing quickly
 *   op & 7 == 4     drain (part of) connection k's output, checking framing
 *   op & 7 == 5     set a domain's state and run xsd_domains_check
 *   op & 7 == 6     allocation failures on/off
 *   op & 7 == 7     xsd_conn_reset or close+reconnect connection k
 *
 * After every step the store must pass its self-check and the core must
 * not have seen an internal error; every message it sends must be well
 * framed. Any violation aborts (a crash for libFuzzer); ASan/UBSan/LSan
 * catch the rest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored_test.h"

#define NCONN 4
static const uint16_t domids[NCONN] = {0, 3, 5, 7};

struct fuzz {
    const uint8_t *p;
    size_t left;
    struct xsd_server *srv;
    struct xsd_conn *conn[NCONN];
    enum xsd_domain_state state[16];
    int introduce_error;
    unsigned fail_rate; /* allocation failures while feeding: 1 in n, 0 off */
    /* output stream framing, per connection */
    uint8_t hdr[NCONN][16];
    uint32_t have[NCONN], want[NCONN];
};

static struct fuzz *cur;

static uint8_t take(struct fuzz *f)
{
    if (!f->left)
        return 0;
    f->left--;
    return *f->p++;
}

static int f_introduce(void *ctx, struct xsd_conn *conn, uint64_t mfn, uint32_t port)
{
    (void)ctx;
    (void)mfn;
    (void)port;
    (void)conn;
    return cur->introduce_error;
}

static void f_release(void *ctx, struct xsd_conn *conn)
{
    (void)ctx;
    for (int k = 0; k < NCONN; k++) {
        if (cur->conn[k] == conn)
            cur->conn[k] = NULL;
    }
}

static enum xsd_domain_state f_state(void *ctx, uint16_t domid)
{
    (void)ctx;
    return cur->state[domid % 16];
}

static void die(const char *why)
{
    fprintf(stderr, "xenstored fuzz: %s\n", why);
    abort();
}

static void check(struct fuzz *f)
{
    struct xsd_stats s;
    xsd_get_stats(f->srv, &s);
    if (s.internal_errors)
        die("internal error");
    if (xsd_check(f->srv) != 0)
        die("store check failed");
}

/* Take output bytes of connection k and check the framing of what
 * xenstored sends. */
static void drain(struct fuzz *f, int k, size_t max)
{
    struct xsd_conn *c = f->conn[k];
    const void *data;
    size_t n;
    while (c && max && (n = xsd_conn_output(c, &data)) > 0) {
        n = n < max ? n : max;
        const uint8_t *b = data;
        for (size_t i = 0; i < n; i++) {
            if (f->have[k] < 16) {
                f->hdr[k][f->have[k]++] = b[i];
                if (f->have[k] == 16) {
                    struct xsd_sockmsg h;
                    memcpy(&h, f->hdr[k], 16);
                    if (h.len > XENSTORE_PAYLOAD_MAX)
                        die("reply longer than the maximum");
                    if (h.type >= XS_TYPE_COUNT)
                        die("reply of unknown type");
                    if (h.type == XS_WATCH_EVENT && (h.req_id || h.tx_id))
                        die("watch event with ids");
                    f->want[k] = h.len;
                }
            } else {
                f->want[k]--;
            }
            if (f->have[k] == 16 && f->want[k] == 0)
                f->have[k] = 0;
        }
        xsd_conn_output_done(c, n);
        max -= n;
    }
}

static void connect(struct fuzz *f, int k)
{
    f->have[k] = f->want[k] = 0;
    if (xsd_connect(f->srv, domids[k], NULL, &f->conn[k]) < 0)
        f->conn[k] = NULL;
}

static void setup(struct fuzz *f)
{
    static const char *const init[][2] = {
        {"/local/domain/5/data/x", "1"},
        {"/local/domain/7/device/vif/0/state", "4"},
        {"/backend/vif/7/0/state", "2"},
        {"/tool/xenstored", ""},
    };
    static const struct {
        const char *path, *perms;
    } perms[] = {
        {"/local/domain/5", "n0,r5"},   {"/local/domain/5/data", "b5"},
        {"/local/domain/7", "n7"},      {"/backend", "r0"},
        {"/backend/vif/7", "n0,r7,b3"}, {"/local/domain/7/device", "b7,r0"},
    };
    char buf[128];
    struct xsd_sockmsg h = {.type = XS_WRITE};
    for (size_t i = 0; i < sizeof(init) / sizeof(init[0]); i++) {
        size_t pl = strlen(init[i][0]) + 1, vl = strlen(init[i][1]);
        h.len = (uint32_t)(pl + vl);
        memcpy(buf, &h, 16);
        memcpy(buf + 16, init[i][0], pl);
        memcpy(buf + 16 + pl, init[i][1], vl);
        xsd_conn_feed(f->conn[0], buf, 16 + h.len);
    }
    h.type = XS_SET_PERMS;
    for (size_t i = 0; i < sizeof(perms) / sizeof(perms[0]); i++) {
        size_t pl = strlen(perms[i].path) + 1, ql = strlen(perms[i].perms) + 1;
        h.len = (uint32_t)(pl + ql);
        memcpy(buf, &h, 16);
        memcpy(buf + 16, perms[i].path, pl);
        memcpy(buf + 16 + pl, perms[i].perms, ql);
        for (size_t j = 16 + pl; j < 16 + h.len; j++)
            buf[j] = buf[j] == ',' ? '\0' : buf[j];
        xsd_conn_feed(f->conn[0], buf, 16 + h.len);
    }
    static const char watch[] = "/\0root";
    h.type = XS_WATCH;
    h.len = sizeof(watch);
    memcpy(buf, &h, 16);
    memcpy(buf + 16, watch, sizeof(watch));
    xsd_conn_feed(f->conn[0], buf, 16 + h.len);
    drain(f, 0, SIZE_MAX);
    check(f);
}

/* A well-formed request whose payload comes from the input. */
static void structured(struct fuzz *f, int k)
{
    static uint8_t msg[16 + XENSTORE_PAYLOAD_MAX];
    struct xsd_sockmsg h = {0};
    h.type = take(f) % (XS_TYPE_COUNT + 1);
    h.req_id = take(f);
    uint8_t t = take(f);
    h.tx_id = t < 200 ? 0 : t - 199; /* small transaction ids, mostly none */
    /* the payload runs to the next '\n' (dropped), so words the fuzzer
     * inserts from the dictionary become whole requests */
    size_t len = 0;
    while (len < f->left && f->p[len] != '\n')
        len++;
    if (len > XENSTORE_PAYLOAD_MAX)
        len = XENSTORE_PAYLOAD_MAX;
    h.len = (uint32_t)len;
    memcpy(msg, &h, 16);
    memcpy(msg + 16, f->p, len);
    f->p += len;
    f->left -= len;
    if (f->left && *f->p == '\n') {
        f->p++;
        f->left--;
    }
    /* '|' stands for NUL, so dictionary-free inputs still make strings */
    for (size_t i = 16; i < 16 + len; i++)
        msg[i] = msg[i] == '|' ? 0 : msg[i];
    if (f->conn[k]) {
        size_t off = 0;
        int n;
        while (off < 16 + len && (n = xsd_conn_feed(f->conn[k], msg + off, 16 + len - off)) > 0) {
            off += (size_t)n;
            drain(f, k, SIZE_MAX);
        }
    }
}

/* ---------------------------------------------------------------- seeds */

/* Op bytes for a structured request on connection k. */
#define REQ(k) (char)(3 | ((k) << 3))
#define TX1 "\xc8" /* tx byte 200: tx_id 1 */

/* One well-formed request per type and a few sequences, written as files
 * into $XSD_FUZZ_SEEDS when that is set (the make target does), so the
 * fuzzer starts from inputs that reach deep into every handler. Format:
 * op, type, req_id, tx, payload, '\n' (see structured()). */
static const struct {
    const char *name;
    const char *bytes;
    size_t len;
} seeds[] = {
#define SEED(n, s)                                                                                 \
    {                                                                                              \
        n, s, sizeof(s) - 1                                                                        \
    }
    SEED("read", "\x03\x02\x01\x00/local/domain/5/data/x|\n"),
    SEED("write", "\x03\x0b\x01\x00/new/a|value\n"),
    SEED("rm", "\x03\x0d\x01\x00/backend/vif/7|\n"),
    SEED("guest-write", "\x13\x0b\x01\x00data/y|v\n"),
    SEED("guest-dir", "\x13\x01\x01\x00data|\n"),
    SEED("guest-watch", "\x1b\x04\x01\x00device|tok|\n\x04\xff"),
    SEED("txn", "\x03\x06\x01\x00|\n\x03\x0b\x02" TX1 "/local/domain/5/data/x|v2\n"
                "\x03\x07\x03" TX1 "T|\n"),
    SEED("txn-conflict", "\x1b\x06\x01\x00|\n\x1b\x0d\x02" TX1 "device|\n"
                         "\x03\x0b\x02\x00/local/domain/7/device/vif/0/state|5\n"
                         "\x1b\x07\x03" TX1 "T|\n"),
    SEED("setperms", "\x03\x0e\x01\x00/new|r5|b7|\n"),
    SEED("introduce", "\x03\x08\x01\x009|1|2|\n\x05\x29"),
    SEED("control", "\x03\x00\x01\x00quota|set|nodes|3|\n"),
    SEED("getperms", "\x13\x03\x01\x00data/x|\n"),
    SEED("dirpart", "\x03\x15\x01\x00/local/domain|0|\n"),
    SEED("release", "\x03\x09\x01\x005|\n\x05\x25"),
    SEED("domain-misc", "\x03\x0a\x01\x005|\n\x03\x11\x01\x007|\n"
                        "\x03\x13\x01\x007|5|\n\x03\x12\x01\x005|\n\x1b\x14\x01\x00|\n"),
    SEED("unwatch", "\x03\x05\x01\x00/|root|\n"),
    SEED("mkdir", "\x13\x0c\x01\x00data/m/n|\n"),
#undef SEED
};

static void write_seeds(const char *dir)
{
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/seed-%s", dir, seeds[i].name);
        FILE *f = fopen(path, "wb");
        if (!f)
            continue;
        fwrite(seeds[i].bytes, 1, seeds[i].len, f);
        fclose(f);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("XSD_FUZZ_SEEDS");
    if (dir)
        write_seeds(dir);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz f = {.p = data, .left = size};
    cur = &f;
    struct xsd_transport t = {
        .introduce = f_introduce, .release = f_release, .domain_state = f_state};
    f.srv = xsd_server_new(&t);
    if (!f.srv)
        die("no server");
    xsd_set_priv_domid(f.srv, 3);
    for (int k = 0; k < NCONN; k++)
        connect(&f, k);
    setup(&f);

    while (f.left) {
        uint8_t op = take(&f);
        int k = (op >> 3) % NCONN;
        xt_fail_alloc_rate(f.fail_rate, op + 1u);
        switch (op & 7) {
        case 0:
        case 1:
        case 2: {
            size_t n = (size_t)take(&f) + 1;
            n = n < f.left ? n : f.left;
            if (f.conn[k])
                (void)xsd_conn_feed(f.conn[k], f.p, n);
            f.p += n;
            f.left -= n;
            break;
        }
        case 3:
            structured(&f, k);
            break;
        case 4:
            drain(&f, k, (size_t)take(&f) * 64 + 1);
            break;
        case 5: {
            uint8_t d = take(&f);
            f.state[d % 16] = (enum xsd_domain_state)((d >> 4) % 3);
            xsd_domains_check(f.srv);
            break;
        }
        case 6: {
            uint8_t r = take(&f);
            f.fail_rate = r < 128 ? 0 : r - 120u;
            f.introduce_error = (r & 1) ? -22 : 0;
            break;
        }
        case 7:
            if (!f.conn[k] || (op & 0x80)) {
                if (f.conn[k])
                    xsd_conn_close(f.conn[k]);
                connect(&f, k);
            } else {
                xsd_conn_reset(f.conn[k]);
                f.have[k] = f.want[k] = 0;
            }
            break;
        }
        xt_fail_alloc_rate(0, 0);
        check(&f);
    }
    for (int k = 0; k < NCONN; k++)
        drain(&f, k, SIZE_MAX);
    check(&f);
    xsd_server_free(f.srv);
    return 0;
}
