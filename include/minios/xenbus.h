/* Xenstore client over the shared ring page (boot_info.xenstore_ring) and
 * its event channel.
 *
 * How it works: a caller encodes its request (<minios/xs_codec.h>), copies
 * it into the request ring under a writer lock, waiting for space when the
 * ring is full, and sleeps until its reply arrives. One reader thread
 * drains the reply ring and hands each reply to the waiting request with
 * the same req_id, so any number of threads may have requests in flight.
 * Watch events go to a watch thread that runs the watch callbacks, or to a
 * queue a thread waits on. The event-channel handler only wakes the reader
 * and the writers.
 *
 * Every call blocks, so it needs thread context (never upcall context).
 * Paths are absolute ("/local/domain/0/backend") or relative to our home,
 * /local/domain/<domid> ("device/vif/0/state"). Results are 0 or a
 * negative errno: xenstored's errors arrive as their errno ("ENOENT" ->
 * -ENOENT, "EQUOTA" -> -EDQUOT), a path or value over the protocol limits
 * is refused before sending (-E2BIG, or -EINVAL for a malformed path),
 * -EBADMSG means xenstored sent a malformed reply, -EIO that the
 * connection is broken (corrupt ring indices or framing) and -ENODEV that
 * the domain has no xenstore. */
#ifndef MINIOS_XENBUS_H
#define MINIOS_XENBUS_H

#include <minios/list.h>
#include <minios/sched.h>
#include <minios/types.h>
#include <minios/xs_codec.h>

/* A transaction id from xenstored; XBT_NIL means "outside any transaction". */
typedef uint32_t xenbus_transaction_t;
#define XBT_NIL ((xenbus_transaction_t)0)

/* Connect to xenstore: bind the event channel, start the reader and watch
 * threads. The kernel calls it before main(); a second call does nothing.
 * Needs thread context. -ENODEV when the domain has no xenstore page. */
int xenbus_init(void);

/* ---- nodes ---- */

/* *value gets a kmalloc'd copy of the node's value with a NUL appended
 * (the caller kfrees it). */
int xenbus_read(xenbus_transaction_t xbt, const char *path, char **value);

/* Read a node holding a decimal integer (optional '-', digits, nothing
 * else). -EINVAL if it holds something else, -ERANGE if it overflows. */
int xenbus_read_int(xenbus_transaction_t xbt, const char *path, long *value);

/* Create or overwrite the node; missing parents are created empty. */
int xenbus_write(xenbus_transaction_t xbt, const char *path, const char *value);

/* Write a printf-formatted value (see <minios/format.h>). */
int xenbus_printf(xenbus_transaction_t xbt, const char *path, const char *fmt, ...) __printf(3, 4);

/* Make sure the node exists (an existing value is kept). */
int xenbus_mkdir(xenbus_transaction_t xbt, const char *path);

/* Remove the node and everything below it. Removing a missing node whose
 * parent exists is not an error. */
int xenbus_rm(xenbus_transaction_t xbt, const char *path);

/* The names of path's children. *names is one kmalloc'd block: *count
 * pointers, then a NULL, then the strings; kfree(*names) frees it all. */
int xenbus_directory(xenbus_transaction_t xbt, const char *path, char ***names, unsigned *count);

/* A node's permission list (struct xs_perm in <minios/xs_codec.h>): entry
 * 0 is the owner and the access of everyone not listed. *perms is
 * kmalloc'd (the caller kfrees it). */
int xenbus_get_perms(xenbus_transaction_t xbt, const char *path, struct xs_perm **perms,
                     unsigned *count);
int xenbus_set_perms(xenbus_transaction_t xbt, const char *path, const struct xs_perm *perms,
                     unsigned count);

/* Our domain id (read once from "domid", then cached), or a negative errno. */
int xenbus_get_domid(void);

/* ---- transactions ---- */

/* Reads and writes with xbt see a private snapshot; xenbus_transaction_end
 * with abort == false commits it, or fails with -EAGAIN if another writer
 * changed a node the transaction used (then nothing was written). */
int xenbus_transaction_start(xenbus_transaction_t *xbt);
int xenbus_transaction_end(xenbus_transaction_t xbt, bool abort);

#define XENBUS_TRANSACTION_ATTEMPTS 16

typedef int (*xenbus_transaction_fn)(xenbus_transaction_t xbt, void *arg);

/* Run fn inside a transaction and commit; start over when the commit (or
 * fn) returns -EAGAIN, up to XENBUS_TRANSACTION_ATTEMPTS times. fn may run
 * several times, so it must only touch xenstore and its own arg. A
 * negative result from fn aborts the transaction and is returned. */
int xenbus_transaction_run(xenbus_transaction_fn fn, void *arg);

/* ---- watches ----
 * A watch on path fires for changes to path and to anything below it, and
 * once right after it is set up. Events carry the changed path and the
 * watch's token; tokens must be unique among our watches (-EEXIST).
 * Xenstored may send spurious events: re-read the state you care about. */

typedef void (*xenbus_watch_fn)(const char *path, const char *token, void *arg);

/* fn runs in the xenbus watch thread, one event at a time, so it may block
 * and call xenbus (a slow callback delays the other watches). */
int xenbus_watch_add(const char *path, const char *token, xenbus_watch_fn fn, void *arg);

/* For threads that prefer to wait for events themselves. */
struct xenbus_event {
    struct list_head link;
    const char *path; /* both point into the event's own memory */
    const char *token;
};

struct xenbus_event_queue {
    struct list_head events;
    struct waitq wait;
};

void xenbus_event_queue_init(struct xenbus_event_queue *q);
int xenbus_watch_add_queue(const char *path, const char *token, struct xenbus_event_queue *q);

/* Wait for the next event (deadline_ns 0 = forever). 0 with *event (kfree
 * it when done) or -ETIMEDOUT. */
int xenbus_event_wait(struct xenbus_event_queue *q, uint64_t deadline_ns,
                      struct xenbus_event **event);

/* Free every queued event. */
void xenbus_event_queue_flush(struct xenbus_event_queue *q);

/* Stop the watch: no event for it is delivered once this returns (queued
 * ones not yet run are dropped; events already in a queue stay there). A
 * callback may remove its own watch. -ENOENT if no watch has this path and
 * token. */
int xenbus_watch_remove(const char *path, const char *token);

/* ---- counters, for tests and debugging ---- */
struct xenbus_stats {
    uint64_t requests;     /* sent */
    uint64_t replies;      /* matched to a request (errors included) */
    uint64_t watch_events; /* delivered to a watch */
    uint64_t dropped;      /* malformed or unmatched messages thrown away */
    uint64_t transaction_retries;
    unsigned in_flight;       /* requests waiting for their reply now */
    unsigned max_in_flight;   /* the most ever waiting at once */
    uint32_t server_features; /* XENSTORE_SERVER_FEATURE_* xenstored offers */
};
void xenbus_get_stats(struct xenbus_stats *stats);

#endif
