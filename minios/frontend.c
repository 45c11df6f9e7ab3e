/* The shared frontend handshake (see <minios/frontend.h>). */
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/format.h>
#include <minios/frontend.h>
#include <minios/mm.h>
#include <minios/string.h>
#include <minios/time.h>

#define CLOSE_TIMEOUT_NS (2 * NSEC_PER_SEC)

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    unsigned long v = 0;
    if (!*s)
        return -EINVAL;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (max - (unsigned long)(*s - '0')) / 10)
            return -EINVAL;
        v = v * 10 + (unsigned long)(*s - '0');
    }
    *out = v;
    return 0;
}

int frontend_list(const char *type, unsigned *ids, unsigned max)
{
    char path[FRONTEND_PATH_MAX];
    char **names;
    unsigned count, found = 0;
    ksnprintf(path, sizeof(path), "device/%s", type);
    if (xenbus_directory(XBT_NIL, path, &names, &count) < 0)
        return 0;
    for (unsigned i = 0; i < count && found < max; i++) {
        unsigned long id;
        if (parse_uint(names[i], 65535, &id) < 0)
            continue;
        /* insertion sort: a handful of devices at most */
        unsigned j = found++;
        for (; j > 0 && ids[j - 1] > id; j--)
            ids[j] = ids[j - 1];
        ids[j] = (unsigned)id;
    }
    kfree(names);
    return (int)found;
}

static int read_below(const char *dir, const char *key, char **value)
{
    char path[2 * FRONTEND_PATH_MAX];
    ksnprintf(path, sizeof(path), "%s/%s", dir, key);
    return xenbus_read(XBT_NIL, path, value);
}

int frontend_read(struct frontend *fe, const char *key, char **value)
{
    return read_below(fe->node, key, value);
}

int frontend_read_backend(struct frontend *fe, const char *key, char **value)
{
    return read_below(fe->backend, key, value);
}

int frontend_read_backend_int(struct frontend *fe, const char *key, long *value)
{
    char path[2 * FRONTEND_PATH_MAX];
    ksnprintf(path, sizeof(path), "%s/%s", fe->backend, key);
    return xenbus_read_int(XBT_NIL, path, value);
}

XenbusState frontend_backend_state(struct frontend *fe)
{
    long state;
    if (frontend_read_backend_int(fe, "state", &state) < 0 || state < 0 ||
        state > XenbusStateReconfigured)
        return XenbusStateUnknown;
    return (XenbusState)state;
}

int frontend_open(struct frontend *fe, const char *type, unsigned id)
{
    char *backend = NULL;
    long backend_id;
    memset(fe, 0, sizeof(*fe));
    xenbus_event_queue_init(&fe->events);
    ksnprintf(fe->node, sizeof(fe->node), "device/%s/%u", type, id);

    int rc = frontend_read(fe, "backend", &backend);
    if (rc < 0) {
        printk("%s: no backend node (%d)\n", fe->node, rc);
        return rc;
    }
    if (backend[0] != '/' || strlen(backend) >= sizeof(fe->backend)) {
        printk("%s: bad backend path \"%s\"\n", fe->node, backend);
        kfree(backend);
        return -EINVAL;
    }
    memcpy(fe->backend, backend, strlen(backend) + 1);
    kfree(backend);

    char path[FRONTEND_PATH_MAX + 16];
    ksnprintf(path, sizeof(path), "%s/backend-id", fe->node);
    rc = xenbus_read_int(XBT_NIL, path, &backend_id);
    if (rc < 0 || backend_id < 0 || backend_id >= DOMID_FIRST_RESERVED) {
        printk("%s: bad backend-id (%d)\n", fe->node, rc);
        return rc < 0 ? rc : -EINVAL;
    }
    fe->backend_id = (domid_t)backend_id;

    ksnprintf(fe->token, sizeof(fe->token), "fe:%s/%u", type, id);
    ksnprintf(path, sizeof(path), "%s/state", fe->backend);
    rc = xenbus_watch_add_queue(path, fe->token, &fe->events);
    if (rc < 0) {
        printk("%s: cannot watch %s (%d)\n", fe->node, path, rc);
        return rc;
    }
    fe->watching = true;
    return 0;
}

int frontend_wait_backend(struct frontend *fe, unsigned state_mask, uint64_t deadline_ns,
                          XenbusState *state)
{
    for (;;) {
        XenbusState s = frontend_backend_state(fe);
        if (state)
            *state = s;
        if (state_mask & (1u << s))
            return 0;
        struct xenbus_event *ev;
        int rc = xenbus_event_wait(&fe->events, deadline_ns, &ev);
        if (rc < 0)
            return rc;
        kfree(ev); /* only a reason to re-read the state */
    }
}

int frontend_set_state(struct frontend *fe, XenbusState state)
{
    char path[FRONTEND_PATH_MAX + 8];
    ksnprintf(path, sizeof(path), "%s/state", fe->node);
    return xenbus_printf(XBT_NIL, path, "%d", (int)state);
}

struct publish_call {
    struct frontend *fe;
    int (*publish)(struct frontend *fe, xenbus_transaction_t xbt, void *arg);
    void *arg;
    XenbusState state;
};

static int publish_in_transaction(xenbus_transaction_t xbt, void *arg)
{
    struct publish_call *call = arg;
    int rc = call->publish(call->fe, xbt, call->arg);
    if (rc < 0)
        return rc;
    char path[FRONTEND_PATH_MAX + 8];
    ksnprintf(path, sizeof(path), "%s/state", call->fe->node);
    return xenbus_printf(xbt, path, "%d", (int)call->state);
}

int frontend_publish(struct frontend *fe,
                     int (*publish)(struct frontend *fe, xenbus_transaction_t xbt, void *arg),
                     void *arg, XenbusState new_state)
{
    struct publish_call call = {fe, publish, arg, new_state};
    return xenbus_transaction_run(publish_in_transaction, &call);
}

void frontend_close(struct frontend *fe)
{
    if (!fe->node[0])
        return;
    if (fe->watching) {
        frontend_set_state(fe, XenbusStateClosing);
        frontend_wait_backend(fe, (1u << XenbusStateClosing) | (1u << XenbusStateClosed) |
                                      (1u << XenbusStateUnknown),
                              monotonic_ns() + CLOSE_TIMEOUT_NS, NULL);
        frontend_set_state(fe, XenbusStateClosed);
        char path[FRONTEND_PATH_MAX + 16];
        ksnprintf(path, sizeof(path), "%s/state", fe->backend);
        xenbus_watch_remove(path, fe->token);
        xenbus_event_queue_flush(&fe->events);
        fe->watching = false;
    }
}
