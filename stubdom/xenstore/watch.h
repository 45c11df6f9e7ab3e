/* Watches.
 *
 * A watch is (path, token) on a connection. A change to a node fires every
 * watch whose path is the node or one of its parents ("/" covers every
 * node, but not the special "@..." events). Removing a subtree also fires,
 * with their own path, the watches set on nodes inside it. The event
 * reports the changed path -- relative to /local/domain/<domid> if the
 * watch was set with a relative path -- and the token. A watch fires once
 * right after it is set (the WATCH reply comes first).
 *
 * Special paths: @introduceDomain fires on INTRODUCE, @releaseDomain when
 * a domain shuts down or goes away and on RELEASE. Only privileged
 * connections and those SET_PERMS grants read access on the special node
 * get them.
 *
 * An event is delivered only if the watcher may read the node before or
 * after the change, or its parent (so removals stay visible). */
#ifndef XSD_WATCH_H
#define XSD_WATCH_H

#include <minios/list.h>
#include <minios/types.h>

struct xsd_server;
struct xsd_conn;
struct xsd_node;

struct xsd_watch {
    struct list_head link; /* in conn->watches */
    char *path;            /* canonical: absolute, or "@..." */
    char *token;
    size_t prefix_len; /* relative watch: bytes to strip from event paths */
};

/* Add a watch (path canonical; prefix_len as above, 0 if absolute) and
 * queue its reply and initial event to request hdr. -EEXIST for a
 * duplicate path+token, -E2BIG over the watch quota, -ENOMEM. */
int watch_add(struct xsd_conn *conn, const char *path, size_t prefix_len, const char *token,
              struct xsd_watch **watch);
void watch_initial_event(struct xsd_conn *conn, const struct xsd_watch *watch);
int watch_remove(struct xsd_conn *conn, const char *path, const char *token);
void watch_remove_all(struct xsd_conn *conn);

/* A node changed: fire the watches on path and its parents, or with exact
 * only those on path itself. old / cur: the node's record before / after
 * the change (NULL if absent then), for the permission check. */
void watch_fire(struct xsd_server *srv, const char *path, bool exact, const struct xsd_node *old,
                const struct xsd_node *cur);

/* Fire @introduceDomain / @releaseDomain (enum xsd_special). */
void watch_fire_special(struct xsd_server *srv, int which);

#endif
