/* Shutdown requests from the toolstack (protocol in <minios/shutdown.h>). */
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/format.h>
#include <minios/kernel.h>
#include <minios/mm.h>
#include <minios/sched.h>
#include <minios/shutdown.h>
#include <minios/string.h>
#include <minios/time.h>
#include <minios/xen.h>
#include <minios/xenbus.h>

#define SHUTDOWN_NODE "control/shutdown"
#define SHUTDOWN_TOKEN "stubos-control-shutdown"

enum request_action {
    REQUEST_NONE,     /* node missing or empty: nothing asked (or already answered) */
    REQUEST_SHUTDOWN, /* acknowledged: shut down with .reason */
    REQUEST_SUSPEND,  /* refused, left in place */
    REQUEST_UNKNOWN,  /* left in place */
};

struct shutdown_request {
    enum request_action action;
    unsigned reason;
    char text[24]; /* what was asked, for the log */
};

static const struct {
    const char *name;
    unsigned reason;
} known_requests[] = {
    {"poweroff", SHUTDOWN_poweroff},
    {"halt", SHUTDOWN_poweroff},
    {"reboot", SHUTDOWN_reboot},
    {"crash", SHUTDOWN_crash},
};

static shutdown_hook_t app_hook;
static bool watching;

void shutdown_set_hook(shutdown_hook_t hook)
{
    app_hook = hook;
}

static void classify(const char *value, struct shutdown_request *req)
{
    ksnprintf(req->text, sizeof(req->text), "%s", value);
    if (!value[0]) {
        req->action = REQUEST_NONE;
        return;
    }
    if (strcmp(value, "suspend") == 0) {
        req->action = REQUEST_SUSPEND;
        return;
    }
    req->action = REQUEST_UNKNOWN;
    for (size_t i = 0; i < ARRAY_SIZE(known_requests); i++) {
        if (strcmp(value, known_requests[i].name) == 0) {
            req->action = REQUEST_SHUTDOWN;
            req->reason = known_requests[i].reason;
        }
    }
}

/* Read the request and, if we will act on it, clear the node in the same
 * transaction: the "" is the acknowledgement the toolstack waits for, and
 * a new request written meanwhile makes the commit fail and start over. */
static int take_request(xenbus_transaction_t xbt, void *arg)
{
    struct shutdown_request *req = arg;
    char *value;
    req->action = REQUEST_NONE;
    int rc = xenbus_read(xbt, SHUTDOWN_NODE, &value);
    if (rc == -ENOENT)
        return 0;
    if (rc < 0)
        return rc;
    classify(value, req);
    kfree(value);
    if (req->action == REQUEST_SHUTDOWN)
        return xenbus_write(xbt, SHUTDOWN_NODE, "");
    return 0;
}

static const char *reason_name(unsigned reason)
{
    switch (reason) {
    case SHUTDOWN_poweroff:
        return "poweroff";
    case SHUTDOWN_reboot:
        return "reboot";
    default:
        return "crash";
    }
}

/* Most firings (the first one, our own acknowledgement) find the node
 * empty: check that with one read before opening a transaction. A failed
 * read counts as pending, so that the full path reports the error. */
static bool request_pending(void)
{
    char *value;
    int rc = xenbus_read(XBT_NIL, SHUTDOWN_NODE, &value);
    if (rc < 0)
        return rc != -ENOENT;
    bool pending = value[0] != '\0';
    kfree(value);
    return pending;
}

/* Runs in the xenbus watch thread. */
static void shutdown_requested(const char *path, const char *token, void *arg)
{
    (void)path;
    (void)token;
    (void)arg;
    uint64_t seen_ns = monotonic_ns();
    if (!request_pending())
        return;
    struct shutdown_request req;
    int rc = xenbus_transaction_run(take_request, &req);
    if (rc < 0) {
        printk("shutdown: cannot read %s (error %d); request ignored\n", SHUTDOWN_NODE, rc);
        return;
    }
    switch (req.action) {
    case REQUEST_NONE:
        return;
    case REQUEST_SUSPEND:
        printk("shutdown: refusing \"suspend\": stubos cannot save and restore a domain "
               "(no feature-suspend); the request is left unanswered\n");
        return;
    case REQUEST_UNKNOWN:
        printk("shutdown: ignoring unknown request \"%s\" in %s\n", req.text, SHUTDOWN_NODE);
        return;
    case REQUEST_SHUTDOWN:
        break;
    }
    printk("shutdown: the toolstack asked for \"%s\"\n", req.text);
    if (app_hook)
        app_hook(req.reason);
    uint64_t us = (monotonic_ns() - seen_ns) / NSEC_PER_USEC;
    printk("shutdown: %s now, %lu us after the request arrived\n", reason_name(req.reason),
           (unsigned long)us);
    domain_shutdown(req.reason);
}

static int start_watching(void)
{
    int rc = xenbus_init();
    if (rc < 0)
        return rc;
    /* Watch first, then advertise: once the toolstack sees the features,
     * a request cannot be missed. */
    rc = xenbus_watch_add(SHUTDOWN_NODE, SHUTDOWN_TOKEN, shutdown_requested, NULL);
    if (rc < 0)
        return rc;
    watching = true;
    rc = xenbus_write(XBT_NIL, "control/feature-poweroff", "1");
    if (rc == 0)
        rc = xenbus_write(XBT_NIL, "control/feature-reboot", "1");
    if (rc < 0)
        printk("shutdown: cannot advertise control/feature-poweroff/reboot (error %d)\n", rc);
    return rc;
}

/* The kernel calls this in a thread of its own while main() may call it
 * too: the lock makes the second caller wait for the first. */
int shutdown_init(void)
{
    static struct mutex init_lock = {.owner = NULL, .waiters = WAITQ_INIT(init_lock.waiters)};
    mutex_lock(&init_lock);
    int rc = watching ? 0 : start_watching();
    mutex_unlock(&init_lock);
    return rc;
}
