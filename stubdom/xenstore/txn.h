/* Transactions.
 *
 * Every change to the store runs in a transaction: an explicit one the
 * client opened with TRANSACTION_START, or an implicit one around a single
 * request. A transaction has an overlay map of private copies: the first
 * time it touches a path it copies the main record (or notes that the path
 * is absent) together with main's generation count for it (base_gen).
 * Reads and writes then use the copy, so a transaction sees its own writes
 * and keeps seeing what it first saw of every other node.
 *
 * Commit: if any touched path's generation in main differs from its
 * base_gen (someone changed, created or removed it since), the whole
 * transaction fails with EAGAIN. Otherwise every changed copy replaces its
 * main record -- pointer moves, no allocation, so a commit cannot fail
 * half-way -- and watches fire. A node's record also changes when a child
 * is added or removed, so a transaction that listed a directory conflicts
 * with a concurrent create in it. Touched-but-unchanged copies only serve
 * the conflict check.
 *
 * An implicit transaction cannot conflict (nothing runs between its start
 * and its commit) and is not limited by the transaction quotas. */
#ifndef XSD_TXN_H
#define XSD_TXN_H

#include <minios/list.h>
#include <minios/types.h>

#include "perms.h"
#include "tree.h"

struct xsd_server;
struct xsd_conn;

struct xsd_txn {
    struct list_head link; /* in conn->txns (explicit ones) */
    struct xsd_server *srv;
    struct xsd_conn *conn;
    struct xsd_caller caller;
    uint32_t id;
    bool implicit;
    bool doomed; /* saw an inconsistent view: must conflict */
    struct node_map overlay;
    struct xsd_node *first; /* every overlay record, first-touch order */
    struct xsd_node **tail;
    uint32_t nrecords;
    int32_t owned_delta; /* change of nodes owned by caller.domid */
    uint64_t bytes;      /* charged to conn->txn_bytes */
};

/* A transaction for conn (not yet in its list). NULL on ENOMEM. */
struct xsd_txn *txn_new(struct xsd_conn *conn, bool implicit);

/* Discard (abort) and free; unlinks it from its connection's list. */
void txn_free(struct xsd_txn *t);

/* Commit and free t. 0, -EAGAIN (conflict), -ENOSPC (the commit would
 * make the caller own more than its node quota). */
int txn_commit(struct xsd_txn *t);

/* The transaction with id on conn, or NULL. */
struct xsd_txn *txn_find(struct xsd_conn *conn, uint32_t id);

/* Look path up in t's view, copying it into the overlay on first touch.
 * t NULL: the main map, no copy. *node is NULL if the path is absent.
 * 0, -ENOMEM, or -ENOSPC (transaction quota). */
int txn_get(struct xsd_server *srv, struct xsd_txn *t, const char *path, size_t len,
            struct xsd_node **node);

/* Look path up without copying: t's record if it has one (NULL if it is
 * deleted there), else main's. *in_overlay says which. */
struct xsd_node *txn_peek(struct xsd_server *srv, struct xsd_txn *t, const char *path, size_t len,
                          bool *in_overlay);

/* Account for `records` more overlay records and `bytes` more memory:
 * -ENOSPC if that exceeds the caller's quotas, else 0 (and it is charged). */
int txn_charge(struct xsd_txn *t, uint32_t records, uint64_t bytes);

/* Add a new record (from txn_charge'd memory) to the overlay. */
void txn_add(struct xsd_txn *t, struct xsd_node *n);

/* Mark an overlay record changed: a fresh generation, DIRTY, plus extra
 * flags (NODE_FIRE). */
void txn_touch(struct xsd_txn *t, struct xsd_node *n, uint8_t flags);

/* The view is inconsistent (a copy taken before a concurrent change lists
 * a child that a later copy shows absent ...). That only happens when main
 * changed between two first touches, so the commit would conflict anyway:
 * mark t doomed (its commit fails with EAGAIN) and let the operation carry
 * on as best it can. In an implicit transaction it cannot happen at all:
 * counted as an internal error. */
void txn_inconsistent(struct xsd_txn *t, const char *what);

/* Memory a record accounts for. */
uint64_t txn_node_bytes(const struct xsd_node *n);

#endif
