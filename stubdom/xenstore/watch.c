/* Watches and their events (see watch.h). */
#include <minios/errno.h>
#include <minios/mm.h>
#include <minios/string.h>

#include "conn.h"
#include "quota.h"
#include "server.h"
#include "watch.h"

int watch_add(struct xsd_conn *conn, const char *path, size_t prefix_len, const char *token,
              struct xsd_watch **watch)
{
    struct list_head *pos;
    list_for_each(pos, &conn->watches)
    {
        struct xsd_watch *w = list_entry(pos, struct xsd_watch, link);
        if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0)
            return -EEXIST;
    }
    struct xsd_caller caller;
    conn_caller(conn, &caller);
    if (quota_exceeded(conn->srv, &caller, XSD_Q_WATCHES, (uint64_t)conn->nwatches + 1))
        return -E2BIG;
    size_t plen = strlen(path) + 1, tlen = strlen(token) + 1;
    struct xsd_watch *w = kmalloc(sizeof(*w) + plen + tlen);
    if (!w)
        return -ENOMEM;
    w->path = (char *)(w + 1);
    w->token = w->path + plen;
    memcpy(w->path, path, plen);
    memcpy(w->token, token, tlen);
    w->prefix_len = prefix_len;
    list_add_tail(&w->link, &conn->watches);
    conn->nwatches++;
    *watch = w;
    return 0;
}

static void watch_free(struct xsd_conn *conn, struct xsd_watch *w)
{
    list_del(&w->link);
    conn->nwatches--;
    kfree(w);
}

void watch_initial_event(struct xsd_conn *conn, const struct xsd_watch *watch)
{
    conn_queue_event(conn, watch->path + watch->prefix_len, watch->token);
}

int watch_remove(struct xsd_conn *conn, const char *path, const char *token)
{
    struct list_head *pos;
    list_for_each(pos, &conn->watches)
    {
        struct xsd_watch *w = list_entry(pos, struct xsd_watch, link);
        if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0) {
            watch_free(conn, w);
            return 0;
        }
    }
    return -ENOENT;
}

void watch_remove_all(struct xsd_conn *conn)
{
    while (!list_empty(&conn->watches))
        watch_free(conn, list_first_entry(&conn->watches, struct xsd_watch, link));
}

static bool may_read(const struct xsd_node *n, const struct xsd_caller *c)
{
    return n && (perms_access(n->perms, n->nperms, c) & XSD_PERM_READ);
}

/* May the watcher learn about this change? */
static bool event_permitted(struct xsd_server *srv, const struct xsd_caller *c, const char *path,
                            const struct xsd_node *old, const struct xsd_node *cur)
{
    if (c->privileged || may_read(old, c) || may_read(cur, c))
        return true;
    size_t len = strlen(path);
    if (len <= 1)
        return false;
    return may_read(map_find(&srv->tree, path, path_parent_len(path, len)), c);
}

void watch_fire(struct xsd_server *srv, const char *path, bool exact, const struct xsd_node *old,
                const struct xsd_node *cur)
{
    struct list_head *cpos;
    list_for_each(cpos, &srv->conns)
    {
        struct xsd_conn *conn = list_entry(cpos, struct xsd_conn, link);
        if (conn->error)
            continue;
        int permitted = -1; /* not asked yet */
        struct list_head *wpos;
        list_for_each(wpos, &conn->watches)
        {
            struct xsd_watch *w = list_entry(wpos, struct xsd_watch, link);
            bool match = exact ? strcmp(path, w->path) == 0 : path_is_child(path, w->path);
            if (!match)
                continue;
            if (permitted < 0) {
                struct xsd_caller caller;
                conn_caller(conn, &caller);
                permitted = event_permitted(srv, &caller, path, old, cur);
            }
            if (!permitted)
                break;
            conn_queue_event(conn, path + w->prefix_len, w->token);
        }
    }
}

void watch_fire_special(struct xsd_server *srv, int which)
{
    const struct xsd_node *special = srv->special[which];
    struct list_head *cpos;
    list_for_each(cpos, &srv->conns)
    {
        struct xsd_conn *conn = list_entry(cpos, struct xsd_conn, link);
        if (conn->error)
            continue;
        struct xsd_caller caller;
        conn_caller(conn, &caller);
        if (!caller.privileged && !may_read(special, &caller))
            continue;
        struct list_head *wpos;
        list_for_each(wpos, &conn->watches)
        {
            struct xsd_watch *w = list_entry(wpos, struct xsd_watch, link);
            if (strcmp(w->path, special->path) == 0)
                conn_queue_event(conn, special->path, w->token);
        }
    }
}
