/* Host test harness for the xenstore server core (stubdom/xenstore/).
 *
 * xenstored_host.c provides:
 *   - kmalloc & co. on top of malloc (so ASan sees every buffer), with
 *     allocation-failure injection;
 *   - a fake transport (INTRODUCE creates a test client, domain states
 *     come from a table the test sets);
 *   - "clients": a test's view of one connection. tc_req() encodes a
 *     request, feeds it, drains the output, and returns the reply; watch
 *     events are kept per client until popped. Every reply is checked for
 *     protocol conformance (one reply per request, echoed req_id/tx_id,
 *     the request's type or ERROR, well-formed payload); violations count
 *     in xt_protocol_violations. */
#ifndef XENSTORED_TEST_H
#define XENSTORED_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <minios/errno.h>

#include "unit_test.h"
#include "xsd.h"

/* ---- allocation ---- */
/* Fail the n-th allocation from now (0 = the next one), once. -1: off. */
void xt_fail_alloc_at(long n);
/* Fail each allocation with probability 1/n (0: off), seeded PRNG. */
void xt_fail_alloc_rate(unsigned n, unsigned long long seed);
/* Allocations made and live (for leak checks across a test). */
unsigned long xt_alloc_count(void);
long xt_alloc_live(void);

/* ---- the fake transport ---- */
struct xt_world {
    int introduce_error; /* returned by introduce() when non-zero */
    unsigned introduced, released, rebinds, kicks;
    uint64_t last_mfn;
    uint32_t last_port;
    enum xsd_domain_state state[0x8000]; /* domain_state(), RUNNING by default */
};
extern struct xt_world xt_world;

/* A server using the fake transport (world reset to defaults). */
struct xsd_server *xt_server(void);
void xt_server_free(struct xsd_server *srv);

/* ---- clients ---- */
struct xt_msg {
    uint32_t type, req_id, tx_id, len;
    char payload[XENSTORE_PAYLOAD_MAX + 1]; /* NUL appended */
};

struct xt_client;

/* Connect domid (xsd_connect). NULL on error. */
struct xt_client *xt_connect(struct xsd_server *srv, uint16_t domid);
/* The client of an introduced domain (created by the fake transport). */
struct xt_client *xt_client_of(uint16_t domid);
struct xsd_conn *xt_conn(struct xt_client *c);
/* xsd_conn_close() it (the transport giving up). */
void xt_close(struct xt_client *c);
bool xt_client_alive(const struct xt_client *c);

/* Stop (true) or resume draining c's output, like a guest that does not
 * read its ring. */
void xt_hold(struct xt_client *c, bool hold);

/* Drain every client's output. */
void xt_pump(void);

/* Send one request, return its reply in *rep (may be NULL). Returns 0 for
 * a normal reply, the negative errno for an ERROR reply, -EPIPE if the
 * connection died, -EPROTO if no (or a malformed) reply came. */
int xt_req(struct xt_client *c, uint32_t type, uint32_t tx_id, const void *payload, size_t len,
           struct xt_msg *rep);
/* Payload from NUL-separated strings: xt_reqs(c, XS_WRITE, 0, rep, "a", "b", NULL)
 * sends "a\0b\0". */
int xt_reqs(struct xt_client *c, uint32_t type, uint32_t tx_id, struct xt_msg *rep, ...);

/* Raw bytes into the connection (as many as it takes now): the feed's
 * return value. */
int xt_feed(struct xt_client *c, const void *buf, size_t len);

/* Convenience wrappers (tx 0 = none). Return 0 or a negative errno. */
int xt_read(struct xt_client *c, uint32_t tx, const char *path, char *value, size_t size);
int xt_write(struct xt_client *c, uint32_t tx, const char *path, const char *value);
int xt_mkdir(struct xt_client *c, uint32_t tx, const char *path);
int xt_rm(struct xt_client *c, uint32_t tx, const char *path);
/* Children as "a,b,c" (creation order). */
int xt_dir(struct xt_client *c, uint32_t tx, const char *path, char *out, size_t size);
/* Permissions as "b0,r5". */
int xt_get_perms(struct xt_client *c, uint32_t tx, const char *path, char *out, size_t size);
int xt_set_perms(struct xt_client *c, uint32_t tx, const char *path, const char *perms);
int xt_watch(struct xt_client *c, const char *path, const char *token);
int xt_unwatch(struct xt_client *c, const char *path, const char *token);
int xt_start(struct xt_client *c, uint32_t *tx);
int xt_end(struct xt_client *c, uint32_t tx, bool commit);

/* Watch events received, oldest first. */
unsigned xt_nevents(struct xt_client *c);
/* Pop the oldest as "path token"; false if none. */
bool xt_event(struct xt_client *c, char *out, size_t size);
void xt_clear_events(struct xt_client *c);
/* Is "path token" among the queued events? (does not pop) */
bool xt_has_event(struct xt_client *c, const char *path_token);

extern unsigned xt_protocol_violations;

/* The errno for an ERROR payload name, -EPROTO if unknown. */
int xt_errno_of(const char *name);

/* Check the store and that nothing went wrong inside: reports a test
 * named name. */
void xt_check(struct xsd_server *srv, const char *name);

#endif
