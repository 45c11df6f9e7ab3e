/* Transactions: overlay copies, the conflict check and the commit (see
 * txn.h). */
#include <minios/errno.h>
#include <minios/mm.h>

#include "conn.h"
#include "domain.h"
#include "quota.h"
#include "server.h"
#include "txn.h"
#include "watch.h"

#define TXN_BUCKETS 16

static uint32_t txn_pick_id(struct xsd_conn *conn)
{
    for (;;) {
        uint32_t id = conn->next_txid++;
        if (id != 0 && !txn_find(conn, id))
            return id;
    }
}

struct xsd_txn *txn_new(struct xsd_conn *conn, bool implicit)
{
    struct xsd_txn *t = kzalloc(sizeof(*t));
    if (!t)
        return NULL;
    if (map_init(&t->overlay, TXN_BUCKETS) < 0) {
        kfree(t);
        return NULL;
    }
    t->srv = conn->srv;
    t->conn = conn;
    conn_caller(conn, &t->caller);
    t->implicit = implicit;
    t->tail = &t->first;
    list_init(&t->link);
    if (!implicit) {
        t->id = txn_pick_id(conn);
        list_add_tail(&t->link, &conn->txns);
        conn->ntxns++;
    }
    return t;
}

void txn_free(struct xsd_txn *t)
{
    if (!t->implicit) {
        list_del(&t->link);
        t->conn->ntxns--;
        t->conn->txn_bytes -= t->bytes;
    }
    struct xsd_node *n = t->first, *next;
    for (; n; n = next) {
        next = n->tx_next;
        if (!(n->flags & NODE_MOVED))
            node_free(n);
    }
    map_destroy(&t->overlay, false);
    kfree(t);
}

struct xsd_txn *txn_find(struct xsd_conn *conn, uint32_t id)
{
    struct list_head *pos;
    list_for_each(pos, &conn->txns)
    {
        struct xsd_txn *t = list_entry(pos, struct xsd_txn, link);
        if (t->id == id)
            return t;
    }
    return NULL;
}

uint64_t txn_node_bytes(const struct xsd_node *n)
{
    return sizeof(*n) + n->path_len + 1 + n->value_len + n->children_len +
           n->nperms * sizeof(struct xsd_perm);
}

int txn_charge(struct xsd_txn *t, uint32_t records, uint64_t bytes)
{
    if (!t->implicit) {
        struct xsd_server *srv = t->srv;
        if (quota_exceeded(srv, &t->caller, XSD_Q_TXN_NODES, (uint64_t)t->nrecords + records))
            return -ENOSPC;
        if (quota_exceeded(srv, &t->caller, XSD_Q_TXN_MEMORY, t->conn->txn_bytes + bytes))
            return -ENOSPC;
        t->bytes += bytes;
        t->conn->txn_bytes += bytes;
    }
    t->nrecords += records;
    return 0;
}

void txn_add(struct xsd_txn *t, struct xsd_node *n)
{
    map_insert(&t->overlay, n);
    n->tx_next = NULL;
    *t->tail = n;
    t->tail = &n->tx_next;
}

void txn_inconsistent(struct xsd_txn *t, const char *what)
{
    if (t->implicit)
        server_internal_error(t->srv, what);
    else
        t->doomed = true;
}

void txn_touch(struct xsd_txn *t, struct xsd_node *n, uint8_t flags)
{
    n->flags |= NODE_DIRTY | flags;
    n->gen = server_next_gen(t->srv);
}

int txn_get(struct xsd_server *srv, struct xsd_txn *t, const char *path, size_t len,
            struct xsd_node **node)
{
    if (!t) {
        *node = map_find(&srv->tree, path, len);
        return 0;
    }
    struct xsd_node *n = map_find(&t->overlay, path, len);
    if (!n) {
        struct xsd_node *m = map_find(&srv->tree, path, len);
        int rc = txn_charge(t, 1, m ? txn_node_bytes(m) : sizeof(*n) + len + 1);
        if (rc < 0)
            return rc;
        n = m ? node_clone(m) : node_new(path, len);
        if (!n)
            return -ENOMEM;
        if (m) {
            n->base_gen = m->gen;
        } else {
            n->flags = NODE_DELETED; /* remembers that the path was absent */
        }
        txn_add(t, n);
    }
    *node = (n->flags & NODE_DELETED) ? NULL : n;
    return 0;
}

struct xsd_node *txn_peek(struct xsd_server *srv, struct xsd_txn *t, const char *path, size_t len,
                          bool *in_overlay)
{
    if (t) {
        struct xsd_node *n = map_find(&t->overlay, path, len);
        if (n) {
            *in_overlay = true;
            return (n->flags & NODE_DELETED) ? NULL : n;
        }
    }
    *in_overlay = false;
    return map_find(&srv->tree, path, len);
}

/* Has anything t touched changed in main since? Also computes how the
 * commit changes the number of nodes the caller owns. */
static bool txn_conflicts(struct xsd_txn *t, int64_t *owned_delta)
{
    struct xsd_server *srv = t->srv;
    uint16_t self = t->caller.domid;
    int64_t delta = 0;
    for (struct xsd_node *n = t->first; n; n = n->tx_next) {
        struct xsd_node *m = map_find(&srv->tree, n->path, n->path_len);
        if ((m ? m->gen : 0) != n->base_gen)
            return true;
        if (!(n->flags & NODE_DIRTY))
            continue;
        if (!(n->flags & NODE_DELETED) && node_owner(n) == self)
            delta++;
        if (m && node_owner(m) == self)
            delta--;
    }
    *owned_delta = delta;
    return false;
}

/* Swap every changed record into main. Replaced main records stay reachable
 * through ->old until the watches have fired. */
static void txn_apply(struct xsd_txn *t)
{
    struct xsd_server *srv = t->srv;
    for (struct xsd_node *n = t->first; n; n = n->tx_next) {
        if (!(n->flags & NODE_DIRTY))
            continue;
        struct xsd_node *m = map_find(&srv->tree, n->path, n->path_len);
        n->old = m;
        if (m) {
            map_remove(&srv->tree, m);
            domain_nodes_add(srv, node_owner(m), -1);
        }
        if (!(n->flags & NODE_DELETED)) {
            map_remove(&t->overlay, n);
            n->flags |= NODE_MOVED;
            n->gen = server_next_gen(srv);
            map_insert(&srv->tree, n);
            domain_nodes_add(srv, node_owner(n), 1);
        }
    }
}

/* Changed or created with NODE_FIRE: the watches on the path and above.
 * Removed: the root of a removal (NODE_FIRE) like a change, every other
 * removed node only the watches set exactly on it. */
static void txn_fire(struct xsd_txn *t)
{
    for (struct xsd_node *n = t->first; n; n = n->tx_next) {
        if (!(n->flags & NODE_DIRTY))
            continue;
        if (!(n->flags & NODE_DELETED)) {
            if (n->flags & NODE_FIRE)
                watch_fire(t->srv, n->path, false, n->old, n);
        } else if (n->old) {
            watch_fire(t->srv, n->path, !(n->flags & NODE_FIRE), n->old, NULL);
        }
    }
}

int txn_commit(struct xsd_txn *t)
{
    struct xsd_server *srv = t->srv;
    int64_t delta;
    if (t->doomed || txn_conflicts(t, &delta)) {
        if (t->implicit)
            server_internal_error(srv, "implicit transaction conflicts");
        else
            srv->stats.conflicts++;
        txn_free(t);
        return -EAGAIN;
    }
    if (!t->implicit && delta > 0 &&
        quota_exceeded(srv, &t->caller, XSD_Q_NODES, domain_nodes(srv, t->caller.domid) + delta)) {
        txn_free(t);
        return -ENOSPC;
    }
    txn_apply(t);
    txn_fire(t);
    struct xsd_node *n = t->first, *next;
    for (; n; n = next) {
        next = n->tx_next;
        node_free(n->old);
        n->old = NULL;
        if (n->flags & NODE_MOVED) {
            n->flags = 0;
            n->tx_next = NULL;
            n->base_gen = 0;
        } else {
            node_free(n);
        }
    }
    t->first = NULL;
    if (!t->implicit)
        srv->stats.commits++;
    txn_free(t);
    return 0;
}
