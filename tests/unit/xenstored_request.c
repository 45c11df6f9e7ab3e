/* xenstored core: request decoding. Malformed payloads of every type get
 * one ERROR reply (with the request's req_id and tx_id); an oversized
 * header kills only that connection; framing works however the bytes are
 * split; privileged-only requests are refused to guests; simple requests
 * (GET_DOMAIN_PATH, IS_DOMAIN_INTRODUCED, CONTROL) answer correctly; and
 * with no memory at all every request still gets its reply. */
#include <stdio.h>
#include <string.h>

#include "xenstored_test.h"

struct bad {
    const char *what;
    uint32_t type;
    const char *payload;
    size_t len;
    int want;
};

#define P(s) s, sizeof(s) - 1

static void test_malformed(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *d0 = xt_connect(srv, 0);
    xt_write(d0, 0, "/n", "v");
    static const struct bad cases[] = {
        {"read-empty", XS_READ, P(""), -EINVAL},
        {"read-no-nul", XS_READ, P("/n"), -EINVAL},
        {"read-two-strings", XS_READ, P("/n\0/n\0"), -EINVAL},
        {"read-trailing-junk", XS_READ, P("/n\0x"), -EINVAL},
        {"read-only-nul", XS_READ, P("\0"), -EINVAL},
        {"directory-no-nul", XS_DIRECTORY, P("/"), -EINVAL},
        {"getperms-no-nul", XS_GET_PERMS, P("/n"), -EINVAL},
        {"mkdir-no-nul", XS_MKDIR, P("/m"), -EINVAL},
        {"rm-no-nul", XS_RM, P("/n"), -EINVAL},
        {"write-no-nul", XS_WRITE, P("/n"), -EINVAL},
        {"write-empty", XS_WRITE, P(""), -EINVAL},
        {"write-bad-path", XS_WRITE, P("n//x\0v"), -EINVAL},
        {"setperms-no-perms", XS_SET_PERMS, P("/n\0"), -EINVAL},
        {"setperms-bad-perm", XS_SET_PERMS, P("/n\0r0\0q1\0"), -EINVAL},
        {"setperms-empty-perm", XS_SET_PERMS, P("/n\0\0"), -EINVAL},
        {"setperms-unterminated-only", XS_SET_PERMS, P("/n\0r0"), -EINVAL},
        {"watch-one-arg", XS_WATCH, P("/n\0"), -EINVAL},
        {"watch-token-unterminated", XS_WATCH, P("/n\0tok"), -EINVAL},
        {"watch-bad-path", XS_WATCH, P("/n/\0tok\0"), -EINVAL},
        {"unwatch-one-arg", XS_UNWATCH, P("/n\0"), -EINVAL},
        {"dirpart-one-arg", XS_DIRECTORY_PART, P("/n\0"), -EINVAL},
        {"dirpart-neg-offset", XS_DIRECTORY_PART, P("/n\0-1\0"), -EINVAL},
        {"dirpart-huge-offset", XS_DIRECTORY_PART,
         P("/n\0"
           "99999999999\0"),
         -EINVAL},
        {"txend-empty", XS_TRANSACTION_END, P(""), -EINVAL},
        {"introduce-two-args", XS_INTRODUCE,
         P("5\0"
           "1\0"),
         -EINVAL},
        {"introduce-bad-domid", XS_INTRODUCE,
         P("x\0"
           "1\0"
           "2\0"),
         -EINVAL},
        {"introduce-big-domid", XS_INTRODUCE,
         P("65536\0"
           "1\0"
           "2\0"),
         -EINVAL},
        {"introduce-dom0", XS_INTRODUCE,
         P("0\0"
           "1\0"
           "2\0"),
         -EINVAL},
        {"introduce-reserved", XS_INTRODUCE,
         P("32752\0"
           "1\0"
           "2\0"),
         -EINVAL},
        {"introduce-port0", XS_INTRODUCE,
         P("5\0"
           "1\0"
           "0\0"),
         -EINVAL},
        {"introduce-bad-mfn", XS_INTRODUCE,
         P("5\0"
           "1a\0"
           "2\0"),
         -EINVAL},
        {"introduce-mfn-overflow", XS_INTRODUCE,
         P("5\0"
           "18446744073709551616\0"
           "2\0"),
         -EINVAL},
        {"release-empty", XS_RELEASE, P(""), -EINVAL},
        {"release-not-introduced", XS_RELEASE, P("77\0"), -ENOENT},
        {"release-self", XS_RELEASE, P("0\0"), -EINVAL},
        {"resume-unknown", XS_RESUME, P("77\0"), -ENOENT},
        {"getdompath-junk", XS_GET_DOMAIN_PATH, P("1x\0"), -EINVAL},
        {"getdompath-sign", XS_GET_DOMAIN_PATH, P("+1\0"), -EINVAL},
        {"isintro-empty", XS_IS_DOMAIN_INTRODUCED, P(""), -EINVAL},
        {"settarget-one-arg", XS_SET_TARGET, P("5\0"), -EINVAL},
        {"control-empty", XS_CONTROL, P(""), -EINVAL},
        {"control-unknown", XS_CONTROL, P("frobnicate\0"), -EINVAL},
        {"control-print-no-text", XS_CONTROL, P("print\0"), -EINVAL},
        {"control-log-bad", XS_CONTROL, P("log\0maybe\0"), -EINVAL},
        {"type-watch-event", XS_WATCH_EVENT, P("/n\0t\0"), -ENOSYS},
        {"type-error", XS_ERROR, P("EINVAL\0"), -ENOSYS},
        {"type-restrict", XS_SET_TARGET + 1, P("1\0"), -ENOSYS},
        {"type-count", XS_TYPE_COUNT, P(""), -ENOSYS},
        {"type-invalid", XS_INVALID, P(""), -ENOSYS},
        {"type-huge", 0xffffffffu, P(""), -ENOSYS},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct xt_msg rep;
        int rc = xt_req(d0, cases[i].type, 0, cases[i].payload, cases[i].len, &rep);
        char name[80];
        snprintf(name, sizeof(name), "request-bad-%s", cases[i].what);
        unit_check(name, rc == cases[i].want && rep.type == XS_ERROR, "got %d, want %d", rc,
                   cases[i].want);
    }
    /* the store is untouched and the connection still works */
    char v[16];
    int rc = xt_read(d0, 0, "/n", v, sizeof(v));
    unit_check("request-bad-harmless", rc == 0 && strcmp(v, "v") == 0, "%d", rc);
    xt_check(srv, "request-bad-consistent");
    xt_server_free(srv);
}

static void test_guest_denied(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *d0 = xt_connect(srv, 0);
    struct xt_client *g = xt_connect(srv, 5);
    (void)d0;
    static const struct bad cases[] = {
        {"introduce", XS_INTRODUCE,
         P("6\0"
           "1\0"
           "2\0"),
         -EACCES},
        {"release", XS_RELEASE, P("0\0"), -EACCES},
        {"resume", XS_RESUME, P("5\0"), -EACCES},
        {"set-target", XS_SET_TARGET,
         P("5\0"
           "0\0"),
         -EACCES},
        {"control", XS_CONTROL, P("print\0hi\0"), -EACCES},
        {"write-root", XS_WRITE, P("/x\0v"), -EACCES},
        {"rm-local", XS_RM, P("/local\0"), -EACCES},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = xt_req(g, cases[i].type, 0, cases[i].payload, cases[i].len, NULL);
        char name[80];
        snprintf(name, sizeof(name), "request-guest-%s", cases[i].what);
        unit_check(name, rc == cases[i].want, "got %d, want %d", rc, cases[i].want);
    }
    xt_check(srv, "request-guest-consistent");
    xt_server_free(srv);
}

static void test_simple_replies(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *d0 = xt_connect(srv, 0);
    struct xt_client *g = xt_connect(srv, 5);
    struct xt_msg rep;
    int rc = xt_reqs(g, XS_GET_DOMAIN_PATH, 0, &rep, "17", NULL);
    unit_check("request-get-domain-path", rc == 0 && strcmp(rep.payload, "/local/domain/17") == 0,
               "%d '%s'", rc, rep.payload);
    rc = xt_reqs(g, XS_IS_DOMAIN_INTRODUCED, 0, &rep, "5", NULL);
    int rc2 = xt_reqs(g, XS_IS_DOMAIN_INTRODUCED, 0, &rep, "6", NULL);
    unit_check("request-is-introduced", rc == 0 && rc2 == 0 && strcmp(rep.payload, "F") == 0,
               "%d %d", rc, rc2);
    rc = xt_reqs(d0, XS_CONTROL, 0, &rep, "print", "hello \x01 console", NULL);
    unit_check("request-control-print", rc == 0 && strcmp(rep.payload, "OK") == 0, "%d", rc);
    rc = xt_reqs(d0, XS_CONTROL, 0, &rep, "check", NULL);
    unit_check("request-control-check", rc == 0 && strcmp(rep.payload, "OK") == 0, "%d", rc);
    rc = xt_reqs(d0, XS_CONTROL, 0, &rep, "help", NULL);
    unit_check("request-control-help", rc == 0 && strstr(rep.payload, "quota"), "%d", rc);
    rc = xt_reqs(d0, XS_CONTROL, 0, &rep, "log", "on", NULL);
    rc2 = xt_reqs(d0, XS_CONTROL, 0, &rep, "log", NULL);
    unit_check("request-control-log", rc == 0 && rc2 == 0 && strcmp(rep.payload, "on") == 0,
               "%d %d", rc, rc2);
    xt_read(g, 0, "/logged", NULL, 0);
    xt_reqs(d0, XS_CONTROL, 0, &rep, "log", "off", NULL);
    rc = xt_reqs(d0, XS_CONTROL, 0, &rep, "memreport", NULL);
    unit_check("request-control-memreport", rc == 0 && strstr(rep.payload, "nodes"), "%d", rc);
    xt_check(srv, "request-simple-consistent");
    xt_server_free(srv);
}

/* Several requests in one buffer, then the same stream a byte at a time:
 * the same replies. */
static void test_framing(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *d0 = xt_connect(srv, 0);
    char stream[512];
    size_t len = 0;
    static const struct {
        uint32_t type;
        const char *p;
        uint32_t len;
    } reqs[] = {
        {XS_WRITE, "/f\0val", 6}, {XS_READ, "/f", 3}, {XS_DIRECTORY, "/", 2},
        {XS_READ, "/nope", 6},    {XS_RM, "/f", 3},   {XS_READ, "/f", 3},
    };
    for (uint32_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
        struct xsd_sockmsg h = {.type = reqs[i].type, .req_id = 70 + i, .len = reqs[i].len};
        memcpy(stream + len, &h, sizeof(h));
        memcpy(stream + len + sizeof(h), reqs[i].p, reqs[i].len);
        len += sizeof(h) + reqs[i].len;
    }
    int took = xt_feed(d0, stream, len);
    unsigned before = xt_protocol_violations;
    for (size_t i = 0; i < len; i++)
        took += xt_feed(d0, stream + i, 1);
    xt_pump();
    unit_check("request-framing", took == (int)(2 * len) && xt_protocol_violations == before,
               "took %d of %zu", took, 2 * len);
    unit_check("request-zero-length-payload", xt_req(d0, XS_READ, 0, NULL, 0, NULL) == -EINVAL,
               "accepted");
    xt_server_free(srv);
}

/* A header claiming len > XENSTORE_PAYLOAD_MAX: that connection dies
 * (XENSTORE_ERROR_PROTO), the others carry on. */
static void test_oversized(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *d0 = xt_connect(srv, 0);
    struct xt_client *g = xt_connect(srv, 5);
    xt_watch(d0, "/", "w");
    uint32_t tx;
    xt_start(g, &tx);
    xt_watch(g, "/", "gw");
    struct xsd_sockmsg h = {.type = XS_READ, .req_id = 1, .len = XENSTORE_PAYLOAD_MAX + 1};
    int rc = xt_feed(g, &h, sizeof(h));
    unit_check("request-oversized-kills",
               rc == -EPIPE && xsd_conn_error(xt_conn(g)) == XENSTORE_ERROR_PROTO, "%d error %d",
               rc, xsd_conn_error(xt_conn(g)));
    rc = xt_feed(g, "x", 1);
    unit_check("request-dead-stays-dead", rc == -EPIPE, "%d", rc);
    xt_clear_events(d0);
    rc = xt_write(d0, 0, "/after", "x");
    unit_check("request-others-unaffected", rc == 0 && xt_nevents(d0) == 1, "%d", rc);
    struct xsd_stats s;
    xsd_get_stats(srv, &s);
    unit_check("request-oversized-counted", s.protocol_errors == 1, "%lu",
               (unsigned long)s.protocol_errors);
    /* the ring reconnection protocol revives it */
    xsd_conn_reset(xt_conn(g));
    rc = xt_read(g, 0, "/after", NULL, 0);
    unit_check("request-reset-revives", rc == -EACCES, "%d", rc);
    /* exactly XENSTORE_PAYLOAD_MAX is fine */
    static char big[XENSTORE_PAYLOAD_MAX];
    memset(big, 'a', sizeof(big));
    memcpy(big, "/big", 5);
    rc = xt_req(d0, XS_WRITE, 0, big, sizeof(big), NULL);
    unit_check("request-max-payload", rc == 0, "%d", rc);
    xt_close(g);
    xt_check(srv, "request-oversized-consistent");
    xt_server_free(srv);
}

/* No memory at all: every request still gets exactly one reply (ENOMEM
 * from the connection's reserve), the connection stays usable. */
static void test_no_memory(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *d0 = xt_connect(srv, 0);
    xt_write(d0, 0, "/m", "v");
    bool ok = true;
    for (int i = 0; i < 50 && ok; i++) {
        xt_fail_alloc_rate(1, 1);
        int rc = i % 3 == 0   ? xt_write(d0, 0, "/m/x", "y")
                 : i % 3 == 1 ? xt_read(d0, 0, "/m", NULL, 0)
                              : xt_watch(d0, "/m", "t");
        xt_fail_alloc_rate(0, 0);
        ok = rc == -ENOMEM;
    }
    xt_fail_alloc_rate(0, 0);
    unit_check("request-no-memory-replies", ok, "a request was not answered ENOMEM");
    /* random failures: every request answered, store consistent */
    unsigned before = xt_protocol_violations;
    xt_fail_alloc_rate(7, 42);
    for (int i = 0; i < 2000; i++) {
        char path[32];
        snprintf(path, sizeof(path), "/r/%d/%d", i % 13, i % 7);
        switch (i % 5) {
        case 0:
            xt_write(d0, 0, path, "x");
            break;
        case 1:
            xt_rm(d0, 0, path);
            break;
        case 2:
            xt_watch(d0, path, "t");
            break;
        case 3:
            xt_dir(d0, 0, "/r", NULL, 0);
            break;
        case 4:
            xt_reqs(d0, XS_CONTROL, 0, NULL, "quota", NULL);
            break;
        }
    }
    xt_fail_alloc_rate(0, 0);
    unit_check("request-random-enomem-answered", xt_protocol_violations == before, "%u",
               xt_protocol_violations - before);
    xt_check(srv, "request-no-memory-consistent");
    xt_server_free(srv);
}

int main(void)
{
    test_malformed();
    test_guest_denied();
    test_simple_replies();
    test_framing();
    test_oversized();
    test_no_memory();
    return unit_finish("xenstored_request");
}
