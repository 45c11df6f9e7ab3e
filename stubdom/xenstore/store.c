/* Store operations on a transaction's view (see store.h). Each one checks,
 * then allocates, then changes records, so failures leave no half-done
 * change behind. */
#include <minios/errno.h>
#include <minios/mm.h>
#include <minios/string.h>

#include "domain.h"
#include "quota.h"
#include "server.h"
#include "store.h"
#include "txn.h"

static unsigned access_of(const struct store_ctx *ctx, const struct xsd_node *n)
{
    return perms_access(n->perms, n->nperms, ctx->caller);
}

static bool unprivileged(const struct store_ctx *ctx)
{
    return !ctx->caller->privileged;
}

/* The nearest existing proper ancestor of path ("/" always exists). */
static int nearest_ancestor(const struct store_ctx *ctx, const char *path, size_t len,
                            struct xsd_node **anc, size_t *anc_len)
{
    size_t l = len;
    while (l > 1) {
        l = path_parent_len(path, l);
        struct xsd_node *n;
        int rc = txn_get(ctx->srv, ctx->txn, path, l, &n);
        if (rc < 0)
            return rc;
        if (n) {
            *anc = n;
            *anc_len = l;
            return 0;
        }
    }
    server_internal_error(ctx->srv, "the root is missing");
    return -EIO;
}

/* The error for an absent path: ENOENT if the caller may `need` at the
 * nearest existing ancestor (it may learn the path is absent), else EACCES. */
static int absent_error(const struct store_ctx *ctx, const char *path, size_t len, unsigned need)
{
    struct xsd_node *anc;
    size_t anc_len;
    int rc = nearest_ancestor(ctx, path, len, &anc, &anc_len);
    if (rc < 0)
        return rc;
    return (access_of(ctx, anc) & need) == need ? -ENOENT : -EACCES;
}

int store_lookup(const struct store_ctx *ctx, const char *path, size_t len, unsigned need,
                 struct xsd_node **node)
{
    struct xsd_node *n;
    int rc = txn_get(ctx->srv, ctx->txn, path, len, &n);
    if (rc < 0)
        return rc;
    if (!n)
        return absent_error(ctx, path, len, need);
    if ((access_of(ctx, n) & need) != need)
        return -EACCES;
    *node = n;
    return 0;
}

/* ---------------------------------------------------------------- create */

/* One missing level of a path being created, from the top down. */
struct new_level {
    struct xsd_node *rec; /* the transaction's "absent" record, made live below */
    size_t path_len;
    const char *name;
    size_t name_len;
    struct xsd_perm *perms;
    char *children; /* the next level's name */
    uint32_t children_len;
};

static void free_levels(struct new_level *lv, unsigned k)
{
    for (unsigned i = 0; i < k; i++) {
        kfree(lv[i].perms);
        kfree(lv[i].children);
    }
    kfree(lv);
}

/* Split path[anc_len..len) into the k missing levels below the ancestor. */
static int plan_levels(struct xsd_txn *t, const char *path, size_t len, size_t anc_len,
                       struct new_level *lv, unsigned k)
{
    size_t start = anc_len == 1 ? 1 : anc_len + 1;
    for (unsigned i = 0; i < k; i++) {
        size_t end = start;
        while (end < len && path[end] != '/')
            end++;
        lv[i].rec = map_find(&t->overlay, path, end);
        if (!lv[i].rec || !(lv[i].rec->flags & NODE_DELETED))
            return -EIO;
        lv[i].path_len = end;
        lv[i].name = path + start;
        lv[i].name_len = end - start;
        start = end + 1;
    }
    return start == len + 1 ? 0 : -EIO;
}

static int check_create_quota(const struct store_ctx *ctx, const struct xsd_node *anc,
                              const struct new_level *lv, unsigned k, size_t value_len)
{
    struct xsd_server *srv = ctx->srv;
    const struct xsd_caller *c = ctx->caller;
    uint64_t owned = (uint64_t)domain_nodes(srv, c->domid) + (uint64_t)ctx->txn->owned_delta;
    if (quota_exceeded(srv, c, XSD_Q_NODES, owned + k))
        return -ENOSPC;
    if (quota_exceeded(srv, c, XSD_Q_NODE_SIZE, (uint64_t)node_size(anc) + lv[0].name_len + 1))
        return -ENOSPC;
    for (unsigned i = 0; i + 1 < k; i++) {
        if (quota_exceeded(srv, c, XSD_Q_NODE_SIZE, lv[i + 1].name_len + 1))
            return -ENOSPC;
    }
    if (quota_exceeded(srv, c, XSD_Q_NODE_SIZE, value_len))
        return -ENOSPC;
    return 0;
}

/* Allocate each level's permissions (the ancestor's, owned by an
 * unprivileged creator) and children list. */
static int alloc_levels(const struct xsd_node *anc, uint16_t owner, struct new_level *lv,
                        unsigned k)
{
    for (unsigned i = 0; i < k; i++) {
        lv[i].perms = kmalloc(anc->nperms * sizeof(struct xsd_perm));
        if (!lv[i].perms)
            return -ENOMEM;
        memcpy(lv[i].perms, anc->perms, anc->nperms * sizeof(struct xsd_perm));
        lv[i].perms[0].domid = owner;
        if (i + 1 < k) {
            lv[i].children_len = (uint32_t)lv[i + 1].name_len + 1;
            lv[i].children = kmalloc(lv[i].children_len);
            if (!lv[i].children)
                return -ENOMEM;
            memcpy(lv[i].children, lv[i + 1].name, lv[i + 1].name_len);
            lv[i].children[lv[i].children_len - 1] = '\0';
        }
    }
    return 0;
}

/* Create path (absent in the view: the caller looked it up) and its missing
 * parents. The new leaf gets the value and fires watches. */
static int create_path(const struct store_ctx *ctx, const char *path, size_t len, const void *value,
                       size_t value_len)
{
    struct xsd_txn *t = ctx->txn;
    struct xsd_node *anc;
    size_t anc_len;
    int rc = nearest_ancestor(ctx, path, len, &anc, &anc_len);
    if (rc < 0)
        return rc;
    if (!(access_of(ctx, anc) & XSD_PERM_WRITE))
        return -EACCES;
    unsigned k = 0;
    for (size_t i = anc_len; i < len; i++)
        k += path[i] == '/';
    k += anc_len == 1; /* below "/" the first level has no '/' of its own left */

    struct new_level *lv = kzalloc(k * sizeof(*lv));
    if (!lv)
        return -ENOMEM;
    rc = plan_levels(t, path, len, anc_len, lv, k);
    if (rc < 0) {
        server_internal_error(ctx->srv, "create: inconsistent levels");
        goto out;
    }
    rc = check_create_quota(ctx, anc, lv, k, value_len);
    if (rc < 0)
        goto out;
    uint16_t owner = unprivileged(ctx) ? ctx->caller->domid : node_owner(anc);
    uint64_t bytes = value_len + anc->children_len + lv[0].name_len + 1;
    for (unsigned i = 0; i < k; i++)
        bytes += anc->nperms * sizeof(struct xsd_perm) + lv[i].name_len + 1;
    rc = -ENOMEM;
    if (!domain_get(ctx->srv, owner))
        goto out;
    rc = txn_charge(t, 0, bytes);
    if (rc < 0)
        goto out;
    rc = alloc_levels(anc, owner, lv, k);
    if (rc < 0)
        goto out;
    /* A stale copy of the ancestor may list the child already (doomed). */
    bool listed = children_contains(anc, lv[0].name, lv[0].name_len);
    if (listed)
        txn_inconsistent(t, "create: ancestor lists the absent child");
    uint32_t anc_children_len = 0;
    char *anc_children =
        listed ? NULL : children_with(anc, lv[0].name, lv[0].name_len, &anc_children_len);
    char *leaf_value = NULL;
    if (value_len) {
        leaf_value = kmalloc(value_len);
        if (leaf_value)
            memcpy(leaf_value, value, value_len);
    }
    if ((!listed && !anc_children) || (value_len && !leaf_value)) {
        kfree(anc_children);
        kfree(leaf_value);
        rc = -ENOMEM;
        goto out;
    }

    /* Nothing can fail from here on. */
    for (unsigned i = 0; i < k; i++) {
        struct xsd_node *n = lv[i].rec;
        n->perms = lv[i].perms;
        n->nperms = anc->nperms;
        n->children = lv[i].children;
        n->children_len = lv[i].children_len;
        lv[i].perms = NULL;
        lv[i].children = NULL;
        n->flags &= (uint8_t)~NODE_DELETED;
        txn_touch(t, n, i + 1 == k ? NODE_FIRE : 0);
    }
    lv[k - 1].rec->value = leaf_value;
    lv[k - 1].rec->value_len = (uint32_t)value_len;
    if (!listed) {
        node_replace_children(anc, anc_children, anc_children_len);
        txn_touch(t, anc, 0);
    }
    if (owner == ctx->caller->domid)
        t->owned_delta += (int32_t)k;
    rc = 0;
out:
    free_levels(lv, k);
    return rc;
}

/* ---------------------------------------------------------------- write, mkdir */

int store_write(const struct store_ctx *ctx, const char *path, size_t len, const void *value,
                size_t value_len)
{
    struct xsd_node *n;
    int rc = txn_get(ctx->srv, ctx->txn, path, len, &n);
    if (rc < 0)
        return rc;
    if (!n)
        return create_path(ctx, path, len, value, value_len);
    if (!(access_of(ctx, n) & XSD_PERM_WRITE))
        return -EACCES;
    if (quota_exceeded(ctx->srv, ctx->caller, XSD_Q_NODE_SIZE,
                       (uint64_t)value_len + n->children_len))
        return -ENOSPC;
    rc = txn_charge(ctx->txn, 0, value_len);
    if (rc == 0)
        rc = node_set_value(n, value, value_len);
    if (rc == 0)
        txn_touch(ctx->txn, n, NODE_FIRE);
    return rc;
}

int store_mkdir(const struct store_ctx *ctx, const char *path, size_t len)
{
    struct xsd_node *n;
    int rc = txn_get(ctx->srv, ctx->txn, path, len, &n);
    if (rc < 0)
        return rc;
    if (!n)
        return create_path(ctx, path, len, NULL, 0);
    return (access_of(ctx, n) & XSD_PERM_WRITE) ? 0 : -EACCES;
}

/* ---------------------------------------------------------------- rm */

/* A node to remove: the view's record, and a new tombstone when that
 * record is main's (the transaction has no copy yet). */
struct rm_item {
    struct xsd_node *rec;
    struct xsd_node *tomb;
};

struct rm_list {
    struct rm_item *items;
    uint32_t count, size;
    uint32_t new_records;
    uint64_t bytes;
};

static int rm_list_add(struct rm_list *l, struct xsd_node *rec, struct xsd_node *tomb)
{
    if (l->count == l->size) {
        uint32_t size = l->size ? l->size * 2 : 16;
        struct rm_item *items = krealloc(l->items, size * sizeof(*items));
        if (!items)
            return -ENOMEM;
        l->items = items;
        l->size = size;
    }
    l->items[l->count++] = (struct rm_item){rec, tomb};
    return 0;
}

static void rm_list_free(struct rm_list *l, bool free_tombs)
{
    for (uint32_t i = 0; free_tombs && i < l->count; i++)
        node_free(l->items[i].tomb);
    kfree(l->items);
}

/* Breadth-first: the list itself is the queue. */
static int rm_collect(const struct store_ctx *ctx, struct xsd_node *root, struct rm_list *l)
{
    char *buf = kmalloc(XENSTORE_ABS_PATH_MAX + 1);
    if (!buf)
        return -ENOMEM;
    int rc = rm_list_add(l, root, NULL);
    for (uint32_t i = 0; rc == 0 && i < l->count; i++) {
        const struct xsd_node *rec = l->items[i].rec;
        for (uint32_t off = 0; rc == 0 && off < rec->children_len;) {
            const char *name = rec->children + off;
            size_t name_len = strnlen(name, rec->children_len - off);
            off += (uint32_t)name_len + 1;
            int plen =
                path_join(buf, XENSTORE_ABS_PATH_MAX + 1, rec->path, rec->path_len, name, name_len);
            bool in_overlay;
            struct xsd_node *child =
                plen < 0 ? NULL : txn_peek(ctx->srv, ctx->txn, buf, (size_t)plen, &in_overlay);
            if (!child) {
                txn_inconsistent(ctx->txn, "rm: listed child is missing");
                continue;
            }
            struct xsd_node *tomb = NULL;
            if (!in_overlay) {
                tomb = node_new(buf, (size_t)plen);
                if (!tomb) {
                    rc = -ENOMEM;
                    break;
                }
                l->new_records++;
                l->bytes += sizeof(*tomb) + (size_t)plen + 1;
            }
            rc = rm_list_add(l, child, tomb);
            if (rc < 0)
                node_free(tomb);
        }
    }
    kfree(buf);
    return rc;
}

int store_rm(const struct store_ctx *ctx, const char *path, size_t len)
{
    struct xsd_txn *t = ctx->txn;
    if (len == 1)
        return -EINVAL; /* "/" */
    struct xsd_node *n;
    int rc = txn_get(ctx->srv, t, path, len, &n);
    if (rc < 0)
        return rc;
    size_t parent_len = path_parent_len(path, len);
    if (!n) {
        struct xsd_node *anc;
        size_t anc_len;
        rc = nearest_ancestor(ctx, path, len, &anc, &anc_len);
        if (rc < 0)
            return rc;
        if (!(access_of(ctx, anc) & XSD_PERM_WRITE))
            return -EACCES;
        return anc_len == parent_len ? 0 : -ENOENT;
    }
    if (!(access_of(ctx, n) & XSD_PERM_WRITE))
        return -EACCES;
    struct xsd_node *parent;
    rc = txn_get(ctx->srv, t, path, parent_len, &parent);
    if (rc < 0)
        return rc;
    if (!parent)
        txn_inconsistent(t, "rm: no parent");

    struct rm_list l = {0};
    rc = rm_collect(ctx, n, &l);
    if (rc == 0)
        rc = txn_charge(t, l.new_records, l.bytes);
    if (rc < 0) {
        rm_list_free(&l, true);
        return rc;
    }

    /* Nothing can fail from here on. */
    for (uint32_t i = 0; i < l.count; i++) {
        struct xsd_node *rec = l.items[i].rec, *tomb = l.items[i].tomb;
        if (node_owner(rec) == ctx->caller->domid)
            t->owned_delta--;
        if (tomb) {
            tomb->base_gen = rec->gen;
            tomb->flags = NODE_DELETED;
            txn_add(t, tomb);
            txn_touch(t, tomb, 0);
        } else {
            node_strip(rec);
            rec->flags |= NODE_DELETED;
            txn_touch(t, rec, 0);
        }
    }
    txn_touch(t, n, NODE_FIRE);
    size_t name_len;
    const char *name = path_basename(path, len, &name_len);
    if (parent && !children_remove(parent, name, name_len))
        txn_inconsistent(t, "rm: not in its parent's list");
    if (parent)
        txn_touch(t, parent, 0);
    rm_list_free(&l, false);
    return 0;
}

/* ---------------------------------------------------------------- set_perms */

int store_set_perms(const struct store_ctx *ctx, const char *path, size_t len,
                    const struct xsd_perm *perms, unsigned count)
{
    struct xsd_node *n;
    int rc = txn_get(ctx->srv, ctx->txn, path, len, &n);
    if (rc < 0)
        return rc;
    if (!n)
        return absent_error(ctx, path, len, XSD_PERM_WRITE);
    if (!(access_of(ctx, n) & XSD_PERM_OWNER))
        return -EACCES;
    uint16_t old_owner = node_owner(n), new_owner = perms[0].domid;
    if (unprivileged(ctx) && new_owner != old_owner)
        return -EPERM;
    /* as C xenstored: no node is given to a domain Xen does not have */
    if (!domain_exists(ctx->srv, new_owner))
        return -ENOENT;
    if (quota_exceeded(ctx->srv, ctx->caller, XSD_Q_PERMS, count))
        return -ENOSPC;
    if (!domain_get(ctx->srv, new_owner))
        return -ENOMEM;
    rc = txn_charge(ctx->txn, 0, count * sizeof(*perms));
    if (rc == 0)
        rc = node_set_perms(n, perms, count);
    if (rc < 0)
        return rc;
    if (old_owner == ctx->caller->domid)
        ctx->txn->owned_delta--;
    if (new_owner == ctx->caller->domid)
        ctx->txn->owned_delta++;
    txn_touch(ctx->txn, n, NODE_FIRE);
    return 0;
}
