/* Nodes, the map that holds them, and path helpers.
 *
 * The store is a hash map from full path ("/local/domain/3/name") to a node
 * record, like a key-value database: each record holds its value, its
 * permission list, the names of its children (each followed by a NUL, in
 * creation order) and a generation count. A record's path has a record for
 * every parent up to "/", and each child name listed has its record.
 *
 * Records in the main map are never edited in place by requests: a request
 * works on private copies inside a transaction (txn.h) and a commit swaps
 * whole records in. So a pointer into the main map stays valid only until
 * the next commit. Walks over the tree are iterative (a path may be 1500
 * levels deep; kernel threads have small stacks). */
#ifndef XSD_TREE_H
#define XSD_TREE_H

#include <minios/types.h>
#include <xen/io/xs_wire.h>

#include "perms.h"

struct xsd_server;

/* Record flags. */
#define NODE_DELETED 0x01 /* transaction: absent in the transaction's view */
#define NODE_DIRTY 0x02   /* transaction: changed, to be written at commit */
#define NODE_FIRE 0x04    /* transaction: fire watches for this path at commit */
#define NODE_MOVED 0x08   /* transaction: handed over to the main map at commit */

struct xsd_node {
    struct xsd_node *hnext;   /* hash chain */
    struct xsd_node *tx_next; /* transaction: records in first-touch order */
    struct xsd_node *old;     /* commit: the main record this one replaces */
    uint64_t gen;             /* generation of the last change */
    uint64_t base_gen;        /* transaction: main's gen at first touch, 0 = absent */
    uint32_t hash;
    uint32_t path_len;
    uint32_t value_len;
    uint32_t children_len;
    uint16_t nperms;
    uint8_t flags;
    char *value;            /* NULL when value_len == 0 */
    char *children;         /* "name\0name\0", NULL when children_len == 0 */
    struct xsd_perm *perms; /* nperms entries, at least one in a live node */
    char path[];            /* NUL-terminated */
};

/* Bytes a node counts against the node-size quota. */
static inline uint32_t node_size(const struct xsd_node *n)
{
    return n->value_len + n->children_len;
}

static inline uint16_t node_owner(const struct xsd_node *n)
{
    return n->nperms ? n->perms[0].domid : 0;
}

/* A record with this path and nothing else (no value, children, perms). */
struct xsd_node *node_new(const char *path, size_t len);
/* A deep copy (flags, tx links and base_gen cleared). NULL on ENOMEM. */
struct xsd_node *node_clone(const struct xsd_node *src);
void node_free(struct xsd_node *n);
/* Drop value, children and perms (a transaction's tombstone keeps only its
 * path). */
void node_strip(struct xsd_node *n);

/* Replace the value / the permission list with a copy of the given one.
 * 0 or -ENOMEM (the node is unchanged then). */
int node_set_value(struct xsd_node *n, const void *value, size_t len);
int node_set_perms(struct xsd_node *n, const struct xsd_perm *p, unsigned count);

/* A new children list: n's list plus name (len bytes, no NUL). Returns
 * the kmalloc'd list and its length in *out_len, NULL on ENOMEM. Install it
 * with node_replace_children (which frees the old one). */
char *children_with(const struct xsd_node *n, const char *name, size_t len, uint32_t *out_len);
void node_replace_children(struct xsd_node *n, char *children, uint32_t len);
/* Is name (len bytes) in n's children list? */
bool children_contains(const struct xsd_node *n, const char *name, size_t len);
/* Remove name from n's list in place; false if it was not there. */
bool children_remove(struct xsd_node *n, const char *name, size_t len);

/* ---- the map ---- */
struct node_map {
    struct xsd_node **buckets;
    uint32_t mask; /* bucket count - 1 (a power of two) */
    uint32_t count;
};

int map_init(struct node_map *m, uint32_t buckets);
/* Free the buckets, and every record too if free_nodes. */
void map_destroy(struct node_map *m, bool free_nodes);
struct xsd_node *map_find(const struct node_map *m, const char *path, size_t len);
/* Never fails: the map grows when it can and just gets slower when not. */
void map_insert(struct node_map *m, struct xsd_node *n);
void map_remove(struct node_map *m, struct xsd_node *n);

#define map_for_each(m, i, n)                                                                      \
    for ((i) = 0; (i) <= (m)->mask; (i)++)                                                         \
        for ((n) = (m)->buckets[i]; (n); (n) = (n)->hnext)

/* ---- paths ---- */

/* An absolute path the store accepts: starts with '/', only letters,
 * digits and "-/_@", no "//", no trailing '/' (except "/" itself), at most
 * XENSTORE_ABS_PATH_MAX bytes. */
bool path_is_valid(const char *path, size_t len);

/* The parent's length: "/a/b" -> 2 ("/a"), "/a" -> 1 ("/"). path != "/". */
size_t path_parent_len(const char *path, size_t len);

/* The last component: "/a/bc" -> "bc" (*name_len = 2). */
const char *path_basename(const char *path, size_t len, size_t *name_len);

/* True if child is parent or lies below it ("/" is above every path that
 * starts with '/', but not above the special "@..." names). */
bool path_is_child(const char *child, const char *parent);

/* Write parent + "/" + name into buf (size bytes); returns the length, or
 * -ENAMETOOLONG if it does not fit in size - 1 bytes. */
int path_join(char *buf, size_t size, const char *parent, size_t parent_len, const char *name,
              size_t name_len);

/* ---- the main tree ---- */

/* Create "/" (owned by dom0, no access for others). 0 or -ENOMEM. */
int tree_init(struct xsd_server *srv);

/* Check every invariant of the main map (parents, children lists, node
 * counts per owner). 0, or -EIO after printing the first problem. */
int tree_check(struct xsd_server *srv);

#endif
