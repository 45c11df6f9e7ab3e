/* Xenstore client (design in <minios/xenbus.h>, wire format in
 * <minios/xs_codec.h>).
 *
 * The ring page holds two byte queues: req (we produce, xenstored consumes)
 * and rsp (the other way round). We own req_prod and rsp_cons and keep
 * private copies of them, so a peer scribbling on the page cannot make us
 * write outside the queue; the peer's indices are read once per use and
 * checked (a queue longer than the ring means the page is corrupt).
 *
 * Threads and what they touch:
 *  - callers: take writer_lock, register their request on pending_requests,
 *    copy the message into the ring (sleeping on ring_wait while it is
 *    full), drop the lock and sleep on their own request until it is done.
 *  - the reader thread: copies replies out of the ring into rx_buf, checks
 *    them, completes the matching request or queues a watch event.
 *  - the watch thread: runs watch callbacks, one event at a time.
 *  - the event-channel handler: only wakes ring_wait.
 * Threads are cooperative, so the lists need no lock: nothing else runs
 * between two blocking calls, and the handler never touches them. */
#include <minios/arch.h>
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/events.h>
#include <minios/format.h>
#include <minios/mm.h>
#include <minios/sched.h>
#include <minios/string.h>
#include <minios/time.h>
#include <minios/xenbus.h>

#define RECONNECT_WAIT_NS (5 * NSEC_PER_SEC)

struct request {
    struct list_head link; /* on pending_requests until answered */
    uint32_t req_id;
    uint32_t type;
    bool done;
    int error;
    char *reply; /* kmalloc'd payload plus a NUL */
    uint32_t reply_len;
    struct waitq wait;
};

struct watch {
    struct list_head link; /* on watches */
    char *path;
    char *token;
    xenbus_watch_fn fn; /* either a callback ... */
    void *arg;
    struct xenbus_event_queue *queue; /* ... or a queue */
    bool removed;                     /* removed by its own callback: freed once it returns */
};

static struct xenstore_domain_interface *ring;
static evtchn_port_t ring_port;
static bool connected;
static bool port_bound;
static bool broken; /* framing or indices lost: every request fails with -EIO */
static XENSTORE_RING_IDX req_prod, rsp_cons;

/* Statically initialised: xenbus_init may run more than once. */
static struct mutex writer_lock = {.owner = NULL, .waiters = WAITQ_INIT(writer_lock.waiters)};
static struct waitq ring_wait = WAITQ_INIT(ring_wait);
static struct list_head pending_requests = LIST_HEAD_INIT(pending_requests);
static uint32_t next_req_id = 1;

static char rx_buf[XS_MSG_MAX]; /* the reply being assembled */
static uint32_t rx_have;

static struct list_head watches = LIST_HEAD_INIT(watches);
static struct list_head callback_events = LIST_HEAD_INIT(callback_events);
static struct waitq callback_wait = WAITQ_INIT(callback_wait);
static struct waitq callback_done = WAITQ_INIT(callback_done);
static struct watch *running_watch;
static struct thread *reader_thread, *watch_thread;

static struct xenbus_stats stats;
static int cached_domid = -1;

static void ring_event(evtchn_port_t port, void *data)
{
    (void)port;
    (void)data;
    waitq_wake_all(&ring_wait);
}

static char *copy_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = kmalloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

/* ---------------------------------------------------------------- requests */

static struct request *find_request(uint32_t req_id)
{
    struct list_head *pos;
    list_for_each(pos, &pending_requests) {
        struct request *req = list_entry(pos, struct request, link);
        if (req->req_id == req_id)
            return req;
    }
    return NULL;
}

static uint32_t allocate_req_id(void)
{
    for (;;) {
        uint32_t id = next_req_id++;
        if (id != 0 && !find_request(id))
            return id;
    }
}

static void unlink_request(struct request *req)
{
    list_del(&req->link);
    stats.in_flight--;
}

static void finish_request(struct request *req, int error)
{
    req->error = error;
    req->done = true;
    waitq_wake_all(&req->wait);
}

/* The stream can no longer be trusted: fail everything, now and later. */
static void __printf(1, 2) connection_lost(const char *why_fmt, ...)
{
    if (broken)
        return;
    broken = true;
    va_list ap;
    va_start(ap, why_fmt);
    printk("xenbus: connection lost: ");
    vprintk(why_fmt, ap);
    printk("; every xenstore request now fails with -EIO\n");
    va_end(ap);
    while (!list_empty(&pending_requests)) {
        struct request *req = list_first_entry(&pending_requests, struct request, link);
        unlink_request(req);
        finish_request(req, -EIO);
    }
    waitq_wake_all(&ring_wait);
}

static bool request_space_or_broken(void)
{
    return broken || xs_ring_free(READ_ONCE(ring->req_cons), req_prod) != 0;
}

/* Copy a whole message into the request ring, waiting for space as
 * needed. The caller holds writer_lock, so messages never interleave. */
static int write_to_ring(const char *msg, uint32_t len)
{
    uint32_t sent = 0;
    while (sent < len) {
        wait_event(&ring_wait, request_space_or_broken());
        if (broken)
            return -EIO;
        XENSTORE_RING_IDX cons = READ_ONCE(ring->req_cons);
        xen_mb(); /* see the consumer's index before reusing the space it freed */
        int n = xs_ring_put(ring->req, cons, req_prod, msg + sent, len - sent);
        if (n < 0) {
            connection_lost("request ring indices are corrupt (cons %u, prod %u)", cons, req_prod);
            return -EIO;
        }
        xen_wmb(); /* the bytes before the index that publishes them */
        req_prod += (uint32_t)n;
        WRITE_ONCE(ring->req_prod, req_prod);
        evtchn_send(ring_port);
        sent += (uint32_t)n;
    }
    return 0;
}

/* Register req and send its message. */
static int send_request(struct request *req, uint32_t tx_id, const struct xs_part *parts,
                        unsigned nparts)
{
    int len = xs_encoded_len(parts, nparts);
    if (len < 0)
        return len;
    char *msg = kmalloc((size_t)len);
    if (!msg)
        return -ENOMEM;

    mutex_lock(&writer_lock);
    req->req_id = allocate_req_id();
    xs_encode(msg, (size_t)len, req->type, req->req_id, tx_id, parts, nparts);
    list_add_tail(&req->link, &pending_requests);
    stats.requests++;
    stats.in_flight++;
    stats.max_in_flight = MAX(stats.max_in_flight, stats.in_flight);
    int rc = write_to_ring(msg, (uint32_t)len);
    if (rc < 0 && !req->done)
        unlink_request(req);
    mutex_unlock(&writer_lock);
    kfree(msg);
    return rc;
}

/* Send one request and wait for its reply. On success *reply (if not NULL)
 * gets the kmalloc'd payload with a NUL appended, else it is freed. */
static int xs_request(uint32_t type, xenbus_transaction_t xbt, const struct xs_part *parts,
                      unsigned nparts, char **reply, uint32_t *reply_len)
{
    if (!connected) {
        /* The kernel connects in a thread of its own at boot; wait for it
         * (or connect now) instead of failing a caller that came first. */
        int rc = xenbus_init();
        if (rc < 0)
            return rc;
    }
    if (broken)
        return -EIO;
    struct request req = {.type = type};
    list_init(&req.link);
    waitq_init(&req.wait);

    int rc = send_request(&req, xbt, parts, nparts);
    if (rc < 0)
        return rc;
    wait_event(&req.wait, req.done);
    if (req.error)
        return req.error;
    if (reply) {
        *reply = req.reply;
        if (reply_len)
            *reply_len = req.reply_len;
    } else {
        kfree(req.reply);
    }
    return 0;
}

/* ---------------------------------------------------------------- receiving */

static void drop_message(const struct xsd_sockmsg *hdr, const char *why)
{
    stats.dropped++;
    printk("xenbus: dropped a %s message (type %u, req_id %u, %u bytes): %s\n",
           xs_type_name(hdr->type), hdr->type, hdr->req_id, hdr->len, why);
}

/* 0 if the reply answers req, else the error to give req. */
static int check_reply(const struct request *req, const struct xsd_sockmsg *hdr,
                       const char *payload)
{
    if (hdr->type == XS_ERROR) {
        if (xs_check_reply_payload(XS_ERROR, payload, hdr->len) < 0) {
            drop_message(hdr, "malformed error name");
            return -EBADMSG;
        }
        return xs_error_to_errno(payload, hdr->len);
    }
    if (hdr->type != req->type) {
        drop_message(hdr, "answers a request of another type");
        return -EBADMSG;
    }
    if (xs_check_reply_payload(hdr->type, payload, hdr->len) < 0) {
        drop_message(hdr, "payload breaks the rules of its type");
        return -EBADMSG;
    }
    return 0;
}

static void complete_request(struct request *req, const struct xsd_sockmsg *hdr,
                             const char *payload)
{
    int error = check_reply(req, hdr, payload);
    if (!error) {
        req->reply = kmalloc(hdr->len + 1);
        if (req->reply) {
            memcpy(req->reply, payload, hdr->len);
            req->reply[hdr->len] = '\0';
            req->reply_len = hdr->len;
        } else {
            error = -ENOMEM;
        }
    }
    finish_request(req, error);
}

static struct watch *find_watch(const char *token)
{
    struct list_head *pos;
    list_for_each(pos, &watches) {
        struct watch *w = list_entry(pos, struct watch, link);
        if (strcmp(w->token, token) == 0)
            return w;
    }
    return NULL;
}

static struct xenbus_event *make_event(const char *path, const char *token)
{
    size_t plen = strlen(path) + 1, tlen = strlen(token) + 1;
    struct xenbus_event *ev = kmalloc(sizeof(*ev) + plen + tlen);
    if (!ev)
        return NULL;
    char *text = (char *)(ev + 1);
    memcpy(text, path, plen);
    memcpy(text + plen, token, tlen);
    ev->path = text;
    ev->token = text + plen;
    list_init(&ev->link);
    return ev;
}

static void deliver_watch_event(const struct xsd_sockmsg *hdr, const char *payload)
{
    const char *path, *token;
    if (xs_parse_watch_event(payload, hdr->len, &path, &token) < 0) {
        drop_message(hdr, "not \"<path>\\0<token>\\0\"");
        return;
    }
    struct watch *w = find_watch(token);
    if (!w)
        return; /* a watch removed while its event was on the way */
    struct xenbus_event *ev = make_event(path, token);
    if (!ev) {
        printk("xenbus: out of memory: lost a watch event for %s\n", path);
        return;
    }
    stats.watch_events++;
    if (w->queue) {
        list_add_tail(&ev->link, &w->queue->events);
        waitq_wake_all(&w->queue->wait);
    } else {
        list_add_tail(&ev->link, &callback_events);
        waitq_wake_all(&callback_wait);
    }
}

static void deliver(const struct xsd_sockmsg *hdr, const char *payload)
{
    if (xs_check_reply_header(hdr) < 0) {
        drop_message(hdr, "unknown message type");
        return;
    }
    if (hdr->type == XS_WATCH_EVENT) {
        deliver_watch_event(hdr, payload);
        return;
    }
    struct request *req = find_request(hdr->req_id);
    if (!req) {
        drop_message(hdr, "no request has this req_id");
        return;
    }
    unlink_request(req);
    stats.replies++;
    complete_request(req, hdr, payload);
}

static struct xsd_sockmsg rx_header(void)
{
    struct xsd_sockmsg hdr;
    memcpy(&hdr, rx_buf, sizeof(hdr));
    return hdr;
}

/* Bytes still missing from the message in rx_buf. */
static uint32_t rx_missing(void)
{
    if (rx_have < XS_HEADER_SIZE)
        return XS_HEADER_SIZE - rx_have;
    return XS_HEADER_SIZE + rx_header().len - rx_have;
}

/* Check the header as soon as it is complete; hand over a complete
 * message. -EIO when the header's length makes the framing unknowable. */
static int rx_progress(void)
{
    if (rx_have < XS_HEADER_SIZE)
        return 0;
    struct xsd_sockmsg hdr = rx_header();
    if (rx_have == XS_HEADER_SIZE && xs_check_reply_header(&hdr) == -EBADMSG) {
        connection_lost("a reply header claims %u payload bytes (at most %u allowed)", hdr.len,
                        XENSTORE_PAYLOAD_MAX);
        return -EIO;
    }
    if (rx_missing() == 0) {
        deliver(&hdr, rx_buf + XS_HEADER_SIZE);
        rx_have = 0;
    }
    return 0;
}

/* Take everything the reply ring holds. */
static void receive_available(void)
{
    bool consumed = false;
    while (!broken) {
        XENSTORE_RING_IDX prod = READ_ONCE(ring->rsp_prod);
        xen_rmb(); /* the index before the bytes it covers */
        int n = xs_ring_get(ring->rsp, rsp_cons, prod, rx_buf + rx_have, rx_missing());
        if (n < 0) {
            connection_lost("reply ring indices are corrupt (cons %u, prod %u)", rsp_cons, prod);
            break;
        }
        if (n == 0)
            break;
        xen_mb(); /* finish copying before handing the space back */
        rsp_cons += (uint32_t)n;
        WRITE_ONCE(ring->rsp_cons, rsp_cons);
        consumed = true;
        rx_have += (uint32_t)n;
        rx_progress();
    }
    if (consumed)
        evtchn_send(ring_port); /* xenstored may be waiting for space */
}

static bool server_reported_error(void)
{
    return (READ_ONCE(ring->server_features) & XENSTORE_SERVER_FEATURE_ERROR) &&
           READ_ONCE(ring->error) != XENSTORE_ERROR_NONE;
}

static bool replies_or_trouble(void)
{
    return broken || READ_ONCE(ring->rsp_prod) != rsp_cons || server_reported_error();
}

static void reader_main(void *arg)
{
    (void)arg;
    while (!broken) {
        wait_event(&ring_wait, replies_or_trouble());
        if (server_reported_error())
            connection_lost("xenstored flagged error %u on the ring", READ_ONCE(ring->error));
        else
            receive_available();
    }
}

/* ---------------------------------------------------------------- watch thread */

static void free_watch(struct watch *w)
{
    kfree(w->path);
    kfree(w->token);
    kfree(w);
}

static void run_callback(struct watch *w, const struct xenbus_event *ev)
{
    running_watch = w;
    w->fn(ev->path, ev->token, w->arg);
    running_watch = NULL;
    if (w->removed)
        free_watch(w);
    waitq_wake_all(&callback_done);
}

static void watch_main(void *arg)
{
    (void)arg;
    for (;;) {
        wait_event(&callback_wait, !list_empty(&callback_events));
        struct xenbus_event *ev = list_first_entry(&callback_events, struct xenbus_event, link);
        list_del(&ev->link);
        /* Look again: the watch may have gone since the event was queued. */
        struct watch *w = find_watch(ev->token);
        if (w && w->fn)
            run_callback(w, ev);
        kfree(ev);
    }
}

/* ---------------------------------------------------------------- set-up */

static int wait_for_server_connection(void)
{
    if (!(READ_ONCE(ring->server_features) & XENSTORE_SERVER_FEATURE_RECONNECTION))
        return 0;
    int rc = wait_event_deadline(&ring_wait, READ_ONCE(ring->connection) == XENSTORE_CONNECTED,
                                 monotonic_ns() + RECONNECT_WAIT_NS);
    if (rc < 0)
        printk("xenbus: xenstored did not finish reconnecting the ring within 5 s\n");
    return rc < 0 ? -EIO : 0;
}

static bool ring_indices_sane(void)
{
    return xs_ring_queued(READ_ONCE(ring->req_cons), req_prod) >= 0 &&
           xs_ring_queued(rsp_cons, READ_ONCE(ring->rsp_prod)) >= 0;
}

static int start_threads(void)
{
    if (!watch_thread) {
        watch_thread = thread_create("xenbus-watch", watch_main, NULL);
        if (!watch_thread)
            return -ENOMEM;
        thread_detach(watch_thread);
    }
    if (!reader_thread) {
        reader_thread = thread_create("xenbus-reader", reader_main, NULL);
        if (!reader_thread)
            return -ENOMEM;
        thread_detach(reader_thread);
    }
    return 0;
}

static int connect(void)
{
    if (!boot_info.xenstore_ring)
        return -ENODEV;
    ring = boot_info.xenstore_ring;
    ring_port = boot_info.xenstore_evtchn;
    if (!port_bound) {
        int rc = evtchn_bind(ring_port, ring_event, NULL);
        if (rc < 0)
            return rc;
        port_bound = true;
    }
    int rc = wait_for_server_connection();
    if (rc < 0)
        return rc;
    req_prod = READ_ONCE(ring->req_prod);
    rsp_cons = READ_ONCE(ring->rsp_cons);
    if (!ring_indices_sane()) {
        printk("xenbus: the xenstore ring indices are corrupt at start-up\n");
        return -EIO;
    }
    rc = start_threads();
    if (rc < 0)
        return rc;
    connected = true;
    return 0;
}

int xenbus_init(void)
{
    static struct mutex init_lock = {.owner = NULL, .waiters = WAITQ_INIT(init_lock.waiters)};
    mutex_lock(&init_lock);
    int rc = connected ? 0 : connect();
    mutex_unlock(&init_lock);
    return rc;
}

/* ---------------------------------------------------------------- nodes */

static int path_request(uint32_t type, xenbus_transaction_t xbt, const char *path, char **reply,
                        uint32_t *reply_len)
{
    int rc = xs_check_path(path);
    if (rc < 0)
        return rc;
    struct xs_part parts[] = {xs_part_str(path)};
    return xs_request(type, xbt, parts, 1, reply, reply_len);
}

int xenbus_read(xenbus_transaction_t xbt, const char *path, char **value)
{
    return path_request(XS_READ, xbt, path, value, NULL);
}

int xenbus_mkdir(xenbus_transaction_t xbt, const char *path)
{
    return path_request(XS_MKDIR, xbt, path, NULL, NULL);
}

int xenbus_rm(xenbus_transaction_t xbt, const char *path)
{
    return path_request(XS_RM, xbt, path, NULL, NULL);
}

int xenbus_write(xenbus_transaction_t xbt, const char *path, const char *value)
{
    int rc = xs_check_path(path);
    if (rc < 0)
        return rc;
    if (!value)
        return -EINVAL;
    struct xs_part parts[] = {xs_part_str(path), xs_part_bytes(value, strlen(value))};
    return xs_request(XS_WRITE, xbt, parts, 2, NULL, NULL);
}

int xenbus_printf(xenbus_transaction_t xbt, const char *path, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int len = kvsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *value = len <= XENSTORE_PAYLOAD_MAX ? kmalloc((size_t)len + 1) : NULL;
    if (value)
        kvsnprintf(value, (size_t)len + 1, fmt, again);
    va_end(again);
    if (!value)
        return len > XENSTORE_PAYLOAD_MAX ? -E2BIG : -ENOMEM;
    int rc = xenbus_write(xbt, path, value);
    kfree(value);
    return rc;
}

/* Strict decimal: optional '-', then digits only. */
static int parse_long(const char *s, long *out)
{
    bool negative = *s == '-';
    if (negative)
        s++;
    if (!*s)
        return -EINVAL;
    unsigned long limit = negative ? (unsigned long)__LONG_MAX__ + 1 : __LONG_MAX__;
    unsigned long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -EINVAL;
        unsigned digit = (unsigned)(*s - '0');
        if (v > (limit - digit) / 10)
            return -ERANGE;
        v = v * 10 + digit;
    }
    *out = negative ? (long)(0UL - v) : (long)v;
    return 0;
}

int xenbus_read_int(xenbus_transaction_t xbt, const char *path, long *value)
{
    char *text;
    int rc = xenbus_read(xbt, path, &text);
    if (rc < 0)
        return rc;
    rc = parse_long(text, value);
    kfree(text);
    return rc;
}

int xenbus_directory(xenbus_transaction_t xbt, const char *path, char ***names, unsigned *count)
{
    char *reply;
    uint32_t len;
    int rc = path_request(XS_DIRECTORY, xbt, path, &reply, &len);
    if (rc < 0)
        return rc;
    int n = xs_split_strings(reply, len, NULL, 0); /* checked by the reader */
    size_t table = ((size_t)n + 1) * sizeof(char *);
    char **block = kmalloc(table + len);
    if (!block) {
        kfree(reply);
        return -ENOMEM;
    }
    char *text = (char *)block + table;
    memcpy(text, reply, len);
    kfree(reply);
    xs_split_strings(text, len, (const char **)block, (unsigned)n);
    block[n] = NULL;
    *names = block;
    *count = (unsigned)n;
    return 0;
}

int xenbus_get_perms(xenbus_transaction_t xbt, const char *path, struct xs_perm **perms,
                     unsigned *count)
{
    char *reply;
    uint32_t len;
    int rc = path_request(XS_GET_PERMS, xbt, path, &reply, &len);
    if (rc < 0)
        return rc;
    int n = xs_parse_perms(reply, len, NULL, 0); /* checked by the reader */
    struct xs_perm *out = kmalloc((size_t)n * sizeof(*out));
    if (out)
        xs_parse_perms(reply, len, out, (unsigned)n);
    kfree(reply);
    if (!out)
        return -ENOMEM;
    *perms = out;
    *count = (unsigned)n;
    return 0;
}

/* Each entry takes at least "r0\0" on the wire. */
#define MAX_PERMS (XENSTORE_PAYLOAD_MAX / 3)

int xenbus_set_perms(xenbus_transaction_t xbt, const char *path, const struct xs_perm *perms,
                     unsigned count)
{
    int rc = xs_check_path(path);
    if (rc < 0)
        return rc;
    if (!perms || count == 0)
        return -EINVAL;
    if (count > MAX_PERMS)
        return -E2BIG;
    char *text = kmalloc((size_t)count * XS_PERM_TEXT_MAX);
    struct xs_part *parts = kmalloc(((size_t)count + 1) * sizeof(*parts));
    rc = text && parts ? 0 : -ENOMEM;
    if (!rc)
        parts[0] = xs_part_str(path);
    for (unsigned i = 0; !rc && i < count; i++) {
        char *entry = text + i * XS_PERM_TEXT_MAX;
        int len = xs_perm_format(&perms[i], entry, XS_PERM_TEXT_MAX);
        if (len < 0)
            rc = len;
        else
            parts[i + 1] = (struct xs_part){.data = entry, .len = (size_t)len, .nul = true};
    }
    if (!rc)
        rc = xs_request(XS_SET_PERMS, xbt, parts, count + 1, NULL, NULL);
    kfree(parts);
    kfree(text);
    return rc;
}

int xenbus_get_domid(void)
{
    if (cached_domid >= 0)
        return cached_domid;
    long domid;
    int rc = xenbus_read_int(XBT_NIL, "domid", &domid);
    if (rc < 0)
        return rc;
    if (domid < 0 || domid >= DOMID_FIRST_RESERVED)
        return -ERANGE;
    cached_domid = (int)domid;
    return cached_domid;
}

/* ---------------------------------------------------------------- transactions */

int xenbus_transaction_start(xenbus_transaction_t *xbt)
{
    struct xs_part parts[] = {xs_part_str("")};
    char *reply;
    uint32_t len, id;
    int rc = xs_request(XS_TRANSACTION_START, XBT_NIL, parts, 1, &reply, &len);
    if (rc < 0)
        return rc;
    rc = xs_parse_transaction_id(reply, len, &id); /* checked by the reader */
    kfree(reply);
    if (rc == 0)
        *xbt = id;
    return rc;
}

int xenbus_transaction_end(xenbus_transaction_t xbt, bool abort)
{
    if (xbt == XBT_NIL)
        return -EINVAL;
    struct xs_part parts[] = {xs_part_str(abort ? "F" : "T")};
    return xs_request(XS_TRANSACTION_END, xbt, parts, 1, NULL, NULL);
}

int xenbus_transaction_run(xenbus_transaction_fn fn, void *arg)
{
    for (unsigned attempt = 1;; attempt++) {
        xenbus_transaction_t xbt;
        int rc = xenbus_transaction_start(&xbt);
        if (rc < 0)
            return rc;
        rc = fn(xbt, arg);
        if (rc < 0)
            xenbus_transaction_end(xbt, true);
        else
            rc = xenbus_transaction_end(xbt, false);
        if (rc != -EAGAIN || attempt == XENBUS_TRANSACTION_ATTEMPTS)
            return rc;
        stats.transaction_retries++;
        /* Back off a little more each time, so two domains fighting over
         * the same nodes stop colliding. */
        msleep(MIN(attempt, 10u));
    }
}

/* ---------------------------------------------------------------- watches */

static int add_watch(const char *path, const char *token, xenbus_watch_fn fn, void *arg,
                     struct xenbus_event_queue *queue)
{
    int rc = xs_check_path(path);
    if (rc < 0)
        return rc;
    if (!token || !token[0])
        return -EINVAL;
    if (find_watch(token))
        return -EEXIST;
    struct watch *w = kzalloc(sizeof(*w));
    if (w) {
        w->path = copy_string(path);
        w->token = copy_string(token);
    }
    if (!w || !w->path || !w->token) {
        if (w)
            free_watch(w);
        return -ENOMEM;
    }
    w->fn = fn;
    w->arg = arg;
    w->queue = queue;
    /* Listed before asking, so the first event (sent right after the
     * reply) finds it. */
    list_add_tail(&w->link, &watches);
    struct xs_part parts[] = {xs_part_str(path), xs_part_str(token)};
    rc = xs_request(XS_WATCH, XBT_NIL, parts, 2, NULL, NULL);
    if (rc < 0) {
        list_del(&w->link);
        free_watch(w);
    }
    return rc;
}

int xenbus_watch_add(const char *path, const char *token, xenbus_watch_fn fn, void *arg)
{
    if (!fn)
        return -EINVAL;
    return add_watch(path, token, fn, arg, NULL);
}

int xenbus_watch_add_queue(const char *path, const char *token, struct xenbus_event_queue *q)
{
    if (!q)
        return -EINVAL;
    return add_watch(path, token, NULL, NULL, q);
}

static void drop_callback_events(const char *token)
{
    struct list_head *pos, *tmp;
    list_for_each_safe(pos, tmp, &callback_events) {
        struct xenbus_event *ev = list_entry(pos, struct xenbus_event, link);
        if (strcmp(ev->token, token) == 0) {
            list_del(&ev->link);
            kfree(ev);
        }
    }
}

int xenbus_watch_remove(const char *path, const char *token)
{
    if (!path || !token)
        return -EINVAL;
    struct watch *w = find_watch(token);
    if (!w || strcmp(w->path, path) != 0)
        return -ENOENT;
    list_del(&w->link); /* from now on its events find no watch */
    drop_callback_events(token);
    struct xs_part parts[] = {xs_part_str(path), xs_part_str(token)};
    int rc = xs_request(XS_UNWATCH, XBT_NIL, parts, 2, NULL, NULL);
    if (running_watch == w) {
        if (thread_current() == watch_thread) {
            w->removed = true; /* our caller is its callback: freed on return */
            return rc;
        }
        wait_event(&callback_done, running_watch != w);
    }
    free_watch(w);
    return rc;
}

void xenbus_event_queue_init(struct xenbus_event_queue *q)
{
    list_init(&q->events);
    waitq_init(&q->wait);
}

int xenbus_event_wait(struct xenbus_event_queue *q, uint64_t deadline_ns,
                      struct xenbus_event **event)
{
    int rc = wait_event_deadline(&q->wait, !list_empty(&q->events), deadline_ns);
    if (rc < 0)
        return rc;
    struct xenbus_event *ev = list_first_entry(&q->events, struct xenbus_event, link);
    list_del(&ev->link);
    *event = ev;
    return 0;
}

void xenbus_event_queue_flush(struct xenbus_event_queue *q)
{
    while (!list_empty(&q->events)) {
        struct xenbus_event *ev = list_first_entry(&q->events, struct xenbus_event, link);
        list_del(&ev->link);
        kfree(ev);
    }
}

void xenbus_get_stats(struct xenbus_stats *out)
{
    *out = stats;
    out->server_features = ring ? READ_ONCE(ring->server_features) : 0;
}
