/* xs-hostile: a guest that attacks its xenstore server through its own
 * ring (rawxs.c, the kernel's xenbus client stays off): malformed
 * requests, forbidden requests, quota floods, a request flood that never
 * reads replies, then fatal faults -- an oversized length, garbage, and
 * corrupt ring indices -- each followed by the ring reconnection protocol.
 * The server must answer or refuse every request, disconnect us on fatal
 * faults, and keep serving dom0 (the hook checks that while our flood
 * holds the ring, and at the end) and later guests (the lab plan).
 *
 * Written for our stub domain (tests/lab/xenstore-stub.sh); the normal
 * lab run skips it ("arches xs-stub"). */
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/format.h>
#include <minios/gnttab.h>
#include <minios/mm.h>
#include <minios/sched.h>
#include <minios/string.h>
#include <minios/time.h>
#include <minios/xs_codec.h>

#include "../testlib.h"
#include "rawxs.h"

#define HOME "data/hostile"
#define STEP_NS (10 * NSEC_PER_SEC)
#define SIGNAL_WAIT_NS (60 * NSEC_PER_SEC)

static struct rawxs_msg msg;
static char domid_text[16];

static uint64_t deadline(void)
{
    return monotonic_ns() + STEP_NS;
}

/* A request with a string payload ("a\0b\0" style: len given). */
static int call(uint32_t type, uint32_t tx_id, const char *payload, uint32_t len)
{
    return rawxs_call(type, tx_id, payload, len, &msg, deadline());
}

static bool call_ok(uint32_t type, const char *payload, uint32_t len)
{
    return call(type, 0, payload, len) == 0 && msg.hdr.type == type;
}

/* Expect an ERROR reply; logs which one. */
static bool refused(const char *what, uint32_t type, uint32_t tx_id, const void *payload,
                    uint32_t len)
{
    int rc = call(type, tx_id, payload, len);
    if (rc) {
        printk("xs-hostile: %s: no reply (%d)\n", what, rc);
        return false;
    }
    if (!rawxs_is_error(&msg, NULL)) {
        printk("xs-hostile: %s: accepted (reply type %u)\n", what, msg.hdr.type);
        return false;
    }
    printk("xs-hostile: %s: %s\n", what, msg.body);
    return true;
}

static bool read_domid_works(void)
{
    return call(XS_READ, 0, "domid", 6) == 0 && msg.hdr.type == XS_READ &&
           !strcmp(msg.body, domid_text);
}

/* ---------------------------------------------------------------- malformed */

static void test_garbage_types(void)
{
    static const uint32_t types[] = {XS_TYPE_COUNT, 9999, XS_INVALID, 0xffffffff,
                                     XS_WATCH_EVENT, XS_ERROR};
    bool ok = true;
    for (unsigned i = 0; i < ARRAY_SIZE(types); i++)
        ok &= refused("garbage type", types[i], 0, "x\0y\0", 4);
    TEST_CHECK("xs-hostile-garbage-types", ok && read_domid_works(),
               "a garbage type was not refused, or the connection broke");
}

static void test_missing_nuls(void)
{
    bool ok = refused("READ without NUL", XS_READ, 0, "domid", 5);
    ok &= refused("MKDIR without NUL", XS_MKDIR, 0, HOME "/m", sizeof(HOME "/m") - 1);
    ok &= refused("WRITE path without NUL", XS_WRITE, 0, HOME "/w", sizeof(HOME "/w") - 1);
    ok &= refused("WATCH one string", XS_WATCH, 0, HOME "\0tok", sizeof(HOME "\0tok") - 1);
    ok &= refused("SET_PERMS no perms", XS_SET_PERMS, 0, HOME "\0", sizeof(HOME));
    ok &= refused("READ empty", XS_READ, 0, NULL, 0);
    ok &= refused("WRITE empty", XS_WRITE, 0, NULL, 0);
    ok &= refused("GET_DOMAIN_PATH not a number", XS_GET_DOMAIN_PATH, 0, "1x\0", 3);
    TEST_CHECK("xs-hostile-missing-nuls", ok && read_domid_works(),
               "a malformed request was not refused, or the connection broke");
}

static void test_bad_paths(void)
{
    static char long_path[3200];
    memset(long_path, 'a', sizeof(long_path) - 1);
    long_path[0] = '/';
    bool ok = refused("double slash", XS_READ, 0, "data//x\0", 8);
    ok &= refused("trailing slash", XS_READ, 0, "data/\0", 6);
    ok &= refused("bad character", XS_WRITE, 0, "data/a b\0v", 10);
    ok &= refused("NUL inside a path", XS_READ, 0, "da\0ta\0", 6);
    ok &= refused("3199-byte path", XS_READ, 0, long_path, sizeof(long_path));
    TEST_CHECK("xs-hostile-bad-paths", ok && read_domid_works(),
               "a bad path was not refused, or the connection broke");
}

static void test_bogus_transactions(void)
{
    bool ok = refused("READ in tx 0xdeadbeef", XS_READ, 0xdeadbeef, "domid", 6);
    ok &= refused("WRITE in tx 7", XS_WRITE, 7, HOME "/t\0v", sizeof(HOME "/t\0v") - 1);
    ok &= refused("TRANSACTION_END of tx 12345", XS_TRANSACTION_END, 12345, "T", 2);
    ok &= refused("TRANSACTION_END outside a tx", XS_TRANSACTION_END, 0, "T", 2);
    TEST_CHECK("xs-hostile-bogus-tx-ids", ok && read_domid_works(),
               "a bogus transaction id was not refused, or the connection broke");
}

static void test_privileged_refused(void)
{
    bool ok = refused("INTRODUCE", XS_INTRODUCE, 0, "5\0" "1234\0" "7", 9);
    ok &= refused("RELEASE dom0", XS_RELEASE, 0, "0", 2);
    ok &= refused("RELEASE ourselves", XS_RELEASE, 0, domid_text, strlen(domid_text) + 1);
    ok &= refused("SET_TARGET", XS_SET_TARGET, 0, "5\0" "0", 4);
    ok &= refused("CONTROL print", XS_CONTROL, 0, "print\0hi", 9);
    ok &= refused("RESUME dom0", XS_RESUME, 0, "0", 2);
    ok &= refused("WRITE into dom0's home", XS_WRITE, 0, "/local/domain/0/x\0v", 19);
    ok &= refused("RM /local", XS_RM, 0, "/local", 7);
    ok &= refused("SET_PERMS of /", XS_SET_PERMS, 0, "/\0b0", 5);
    TEST_CHECK("xs-hostile-privileged-refused", ok && read_domid_works(),
               "a request beyond our rights was not refused, or the connection broke");
}

/* ---------------------------------------------------------------- quotas */

static void test_quota_transactions(void)
{
    uint32_t ids[64];
    unsigned n = 0;
    while (n < ARRAY_SIZE(ids)) {
        if (call(XS_TRANSACTION_START, 0, "", 1) || msg.hdr.type != XS_TRANSACTION_START)
            break;
        uint32_t id;
        if (xs_parse_decimal(msg.body, msg.hdr.len - 1, 0xffffffff, &id))
            break;
        ids[n++] = id;
    }
    bool refused_start = rawxs_is_error(&msg, NULL);
    printk("xs-hostile: %u transactions opened, then %s\n", n, msg.body);
    bool ended = true;
    for (unsigned i = 0; i < n; i++)
        ended &= call(XS_TRANSACTION_END, ids[i], "F", 2) == 0 &&
                 msg.hdr.type == XS_TRANSACTION_END;
    TEST_CHECK("xs-hostile-quota-transactions",
               refused_start && n < ARRAY_SIZE(ids) && ended && read_domid_works(),
               "%u opened, refused %d, all ended %d", n, refused_start, ended);
}

static void test_quota_watches(void)
{
    char req[64];
    unsigned n = 0;
    for (; n < 2000; n++) {
        int len = ksnprintf(req, sizeof(req), HOME "/w%u%ctok%u", n, 0, n);
        if (call(XS_WATCH, 0, req, (uint32_t)len + 1) || msg.hdr.type != XS_WATCH)
            break;
    }
    bool refused_watch = rawxs_is_error(&msg, NULL);
    printk("xs-hostile: %u watches set, then %s\n", n, msg.body);
    bool reset = call_ok(XS_RESET_WATCHES, "", 1);
    TEST_CHECK("xs-hostile-quota-watches", refused_watch && n < 2000 && reset && read_domid_works(),
               "%u set, refused %d, reset %d", n, refused_watch, reset);
}

static void test_quota_nodes(void)
{
    char req[64];
    unsigned n = 0;
    for (; n < 5000; n++) {
        /* 100 per directory: a long children list would hit node-size first */
        int len = ksnprintf(req, sizeof(req), HOME "/nodes/d%u/n%u%cv", n / 100, n % 100, 0);
        if (call(XS_WRITE, 0, req, (uint32_t)len + 2) || msg.hdr.type != XS_WRITE)
            break;
    }
    bool refused_node = rawxs_is_error(&msg, NULL);
    printk("xs-hostile: %u nodes written, then %s\n", n, msg.body);
    bool removed = call_ok(XS_RM, HOME "/nodes", sizeof(HOME "/nodes"));
    bool again = call_ok(XS_WRITE, HOME "/after\0yes", sizeof(HOME "/after\0yes") - 1);
    TEST_CHECK("xs-hostile-quota-nodes", refused_node && n < 5000 && removed && again,
               "%u written, refused %d, removed %d, write after %d", n, refused_node, removed,
               again);

    static char big[sizeof(HOME "/big") + XENSTORE_PAYLOAD_MAX];
    memcpy(big, HOME "/big", sizeof(HOME "/big"));
    memset(big + sizeof(HOME "/big"), 'v', sizeof(big) - sizeof(HOME "/big"));
    uint32_t len = XENSTORE_PAYLOAD_MAX; /* the longest legal request */
    TEST_CHECK("xs-hostile-quota-node-size",
               refused("4 KiB request: node too big", XS_WRITE, 0, big, len) &&
                   read_domid_works(),
               "a node beyond the size quota was accepted");
}

/* ---------------------------------------------------------------- flood */

/* dom0's hook signals us through a page we grant it ("go", "bye"): our
 * xenstore ring is jammed or broken when it must. */
static volatile char *signal_page;

static bool signal_setup(void)
{
    void *page = pages_alloc(0);
    grant_ref_t ref;
    if (!page || gnttab_grant_page(0, page, false, &ref) < 0)
        return false;
    memset(page, 0, PAGE_SIZE);
    signal_page = page;
    char req[48];
    int len = ksnprintf(req, sizeof(req), HOME "/signal-ref%c%u", 0, ref);
    return call_ok(XS_WRITE, req, (uint32_t)len);
}

static bool signal_wait(const char *word)
{
    uint64_t until = monotonic_ns() + SIGNAL_WAIT_NS;
    while (strcmp((const char *)signal_page, word) && monotonic_ns() < until)
        msleep(20);
    return !strcmp((const char *)signal_page, word);
}

/* Requests without reading replies until the server stops taking them;
 * dom0's hook checks the server while it stays that way, then says "go". */
static void test_flood(void)
{
    if (!signal_page) {
        TEST_FAIL("xs-hostile-flood", "no page for dom0's signals");
        return;
    }

    uint32_t first_id = 100000, sent = 0;
    static const char body[] = "domid";
    uint32_t one = sizeof(struct xsd_sockmsg) + sizeof(body);
    uint64_t full_since = 0;
    for (;;) {
        if (rawxs_space() >= one) {
            if (rawxs_send(XS_READ, first_id + sent, 0, body, sizeof(body), deadline()))
                break;
            sent++;
            full_since = 0;
            continue;
        }
        uint64_t now = monotonic_ns();
        if (!full_since)
            full_since = now;
        else if (now - full_since > 500 * NSEC_PER_MSEC)
            break; /* the server has stopped taking requests */
        msleep(20);
    }
    printk("xs-hostile: flood holding: %u requests sent, request ring full\n", sent);
    bool signalled = signal_wait("go");
    printk("xs-hostile: flood released\n");

    uint32_t got = 0, in_order = 0;
    while (got < sent && rawxs_get(&msg, deadline()) == 0) {
        if (msg.hdr.type == XS_WATCH_EVENT)
            continue;
        if (msg.hdr.req_id == first_id + got && msg.hdr.type == XS_READ &&
            !strcmp(msg.body, domid_text))
            in_order++;
        got++;
    }
    TEST_CHECK("xs-hostile-flood-dom0-signal", signalled, "dom0 never wrote go");
    TEST_CHECK("xs-hostile-flood-replies", got == sent && in_order == sent && sent > 40,
               "%u requests, %u replies, %u right and in order", sent, got, in_order);
    TEST_CHECK("xs-hostile-flood-then-normal", read_domid_works(), "READ after the flood failed");
}

/* ---------------------------------------------------------------- fatal faults */

/* The server must flag the error and stop serving; reconnecting starts afresh. */
static void expect_disconnect(const char *name, uint32_t want_error)
{
    uint32_t error = rawxs_wait_error(deadline());
    bool reconnected = rawxs_reconnect(deadline()) == 0;
    bool cleared = reconnected && READ_ONCE(rawxs_intf()->error) == XENSTORE_ERROR_NONE;
    bool works = cleared && read_domid_works();
    TEST_CHECK(name, error == want_error && works,
               "error field %u (want %u), reconnected %d, cleared %d, READ works %d", error,
               want_error, reconnected, cleared, works);
}

static void test_oversized_length(void)
{
    struct xsd_sockmsg hdr = {.type = XS_READ, .req_id = 1, .len = XENSTORE_PAYLOAD_MAX + 1};
    rawxs_put(&hdr, sizeof(hdr), deadline());
    expect_disconnect("xs-hostile-oversized-length", XENSTORE_ERROR_PROTO);
}

static void test_garbage_stream(void)
{
    static char junk[XENSTORE_RING_SIZE / 2];
    memset(junk, 0xa5, sizeof(junk));
    rawxs_put(junk, sizeof(junk), deadline());
    expect_disconnect("xs-hostile-garbage-bytes", XENSTORE_ERROR_PROTO);
}

static void test_req_prod_corrupt(void)
{
    struct xenstore_domain_interface *intf = rawxs_intf();
    WRITE_ONCE(intf->req_prod, READ_ONCE(intf->req_cons) + 3 * XENSTORE_RING_SIZE);
    rawxs_notify();
    expect_disconnect("xs-hostile-req-prod-corrupt", XENSTORE_ERROR_RINGIDX);
}

static void test_rsp_cons_corrupt(void)
{
    struct xenstore_domain_interface *intf = rawxs_intf();
    /* consumer ahead of the producer: a queue of ~4 G bytes */
    WRITE_ONCE(intf->rsp_cons, READ_ONCE(intf->rsp_prod) + 100);
    rawxs_send(XS_READ, 2, 0, "domid", 6, deadline());
    expect_disconnect("xs-hostile-rsp-cons-corrupt", XENSTORE_ERROR_RINGIDX);
}

/* A half-sent request, then a reconnect: the server must not wait for the rest. */
static void test_partial_then_reconnect(void)
{
    struct xsd_sockmsg hdr = {.type = XS_READ, .req_id = 3, .len = 100};
    rawxs_put(&hdr, sizeof(hdr), deadline());
    rawxs_put("dom", 3, deadline());
    msleep(100);
    bool reconnected = rawxs_reconnect(deadline()) == 0;
    TEST_CHECK("xs-hostile-partial-then-reconnect", reconnected && read_domid_works(),
               "reconnected %d", reconnected);
}

/* Break the ring and reconnect, again and again. */
static void test_reconnect_storm(void)
{
    static const char junk[sizeof(struct xsd_sockmsg)] = {[12] = 0xff, [13] = 0xff};
    unsigned n = 0;
    for (; n < 100; n++) {
        if (rawxs_put(junk, sizeof(junk), deadline()) ||
            rawxs_wait_error(deadline()) != XENSTORE_ERROR_PROTO ||
            rawxs_reconnect(deadline()))
            break;
    }
    TEST_CHECK("xs-hostile-reconnect-storm", n == 100 && read_domid_works(),
               "cycle %u of 100 failed", n);
}

int main(void)
{
    int rc = rawxs_open();
    if (rc < 0) {
        TEST_FAIL("xs-hostile-setup", "no xenstore ring (%d)", rc);
        return 1;
    }
    if (call(XS_READ, 0, "domid", 6) || msg.hdr.type != XS_READ || !msg.hdr.len ||
        msg.hdr.len >= sizeof(domid_text)) {
        TEST_FAIL("xs-hostile-setup", "READ domid failed");
        return 1;
    }
    memcpy(domid_text, msg.body, msg.hdr.len + 1);
    TEST_PASS("xs-hostile-setup");
    if (!signal_setup())
        printk("xs-hostile: cannot offer dom0 a signal page\n");

    test_garbage_types();
    test_missing_nuls();
    test_bad_paths();
    test_bogus_transactions();
    test_privileged_refused();
    test_quota_transactions();
    test_quota_watches();
    test_quota_nodes();
    test_flood();
    test_oversized_length();
    test_garbage_stream();
    test_req_prod_corrupt();
    test_rsp_cons_corrupt();
    test_partial_then_reconnect();
    test_reconnect_storm();

    bool done = call_ok(XS_WRITE, HOME "/done\0yes", sizeof(HOME "/done\0yes") - 1);
    TEST_CHECK("xs-hostile-still-served", done, "the final WRITE failed");
    printk("xs-hostile: done\n");
    /* stay until dom0 has checked the server (our nodes go with us) */
    if (signal_page && !signal_wait("bye"))
        printk("xs-hostile: dom0 never said bye\n");
    return test_exit_status();
}
