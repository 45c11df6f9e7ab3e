/* Node records, the hash map and the main tree's invariants (see tree.h). */
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/mm.h>
#include <minios/string.h>

#include "domain.h"
#include "server.h"
#include "tree.h"

/* ---------------------------------------------------------------- records */

struct xsd_node *node_new(const char *path, size_t len)
{
    struct xsd_node *n = kzalloc(sizeof(*n) + len + 1);
    if (!n)
        return NULL;
    memcpy(n->path, path, len);
    n->path[len] = '\0';
    n->path_len = (uint32_t)len;
    return n;
}

static void *dup_bytes(const void *src, size_t len)
{
    if (len == 0)
        return NULL;
    void *p = kmalloc(len);
    if (p)
        memcpy(p, src, len);
    return p;
}

struct xsd_node *node_clone(const struct xsd_node *src)
{
    struct xsd_node *n = node_new(src->path, src->path_len);
    if (!n)
        return NULL;
    n->gen = src->gen;
    n->value = dup_bytes(src->value, src->value_len);
    n->children = dup_bytes(src->children, src->children_len);
    n->perms = dup_bytes(src->perms, src->nperms * sizeof(struct xsd_perm));
    if ((src->value_len && !n->value) || (src->children_len && !n->children) ||
        (src->nperms && !n->perms)) {
        node_free(n);
        return NULL;
    }
    n->value_len = src->value_len;
    n->children_len = src->children_len;
    n->nperms = src->nperms;
    return n;
}

void node_strip(struct xsd_node *n)
{
    kfree(n->value);
    kfree(n->children);
    kfree(n->perms);
    n->value = n->children = NULL;
    n->perms = NULL;
    n->value_len = n->children_len = 0;
    n->nperms = 0;
}

void node_free(struct xsd_node *n)
{
    if (!n)
        return;
    node_strip(n);
    kfree(n);
}

int node_set_value(struct xsd_node *n, const void *value, size_t len)
{
    char *v = dup_bytes(value, len);
    if (len && !v)
        return -ENOMEM;
    kfree(n->value);
    n->value = v;
    n->value_len = (uint32_t)len;
    return 0;
}

int node_set_perms(struct xsd_node *n, const struct xsd_perm *p, unsigned count)
{
    struct xsd_perm *copy = dup_bytes(p, count * sizeof(*p));
    if (count && !copy)
        return -ENOMEM;
    kfree(n->perms);
    n->perms = copy;
    n->nperms = (uint16_t)count;
    return 0;
}

char *children_with(const struct xsd_node *n, const char *name, size_t len, uint32_t *out_len)
{
    uint32_t total = n->children_len + (uint32_t)len + 1;
    char *c = kmalloc(total);
    if (!c)
        return NULL;
    if (n->children_len)
        memcpy(c, n->children, n->children_len);
    memcpy(c + n->children_len, name, len);
    c[total - 1] = '\0';
    *out_len = total;
    return c;
}

void node_replace_children(struct xsd_node *n, char *children, uint32_t len)
{
    kfree(n->children);
    n->children = children;
    n->children_len = len;
}

/* Offset of name in n's children list, or -1. */
static int64_t children_find(const struct xsd_node *n, const char *name, size_t len)
{
    uint32_t off = 0;
    while (off < n->children_len) {
        size_t this_len = strnlen(n->children + off, n->children_len - off);
        if (this_len == len && memcmp(n->children + off, name, len) == 0)
            return off;
        off += (uint32_t)this_len + 1;
    }
    return -1;
}

bool children_contains(const struct xsd_node *n, const char *name, size_t len)
{
    return children_find(n, name, len) >= 0;
}

bool children_remove(struct xsd_node *n, const char *name, size_t len)
{
    int64_t found = children_find(n, name, len);
    if (found < 0)
        return false;
    uint32_t off = (uint32_t)found, end = off + (uint32_t)len + 1;
    memmove(n->children + off, n->children + end, n->children_len - end);
    n->children_len -= (uint32_t)len + 1;
    if (n->children_len == 0) {
        kfree(n->children);
        n->children = NULL;
    }
    return true;
}

/* ---------------------------------------------------------------- the map */

static uint32_t hash_path(const char *path, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)path[i];
        h *= 16777619u;
    }
    return h;
}

int map_init(struct node_map *m, uint32_t buckets)
{
    m->buckets = kzalloc(buckets * sizeof(*m->buckets));
    if (!m->buckets)
        return -ENOMEM;
    m->mask = buckets - 1;
    m->count = 0;
    return 0;
}

void map_destroy(struct node_map *m, bool free_nodes)
{
    if (!m->buckets)
        return;
    if (free_nodes) {
        for (uint32_t i = 0; i <= m->mask; i++) {
            struct xsd_node *n = m->buckets[i], *next;
            for (; n; n = next) {
                next = n->hnext;
                node_free(n);
            }
        }
    }
    kfree(m->buckets);
    m->buckets = NULL;
    m->count = 0;
}

struct xsd_node *map_find(const struct node_map *m, const char *path, size_t len)
{
    uint32_t h = hash_path(path, len);
    for (struct xsd_node *n = m->buckets[h & m->mask]; n; n = n->hnext) {
        if (n->hash == h && n->path_len == len && memcmp(n->path, path, len) == 0)
            return n;
    }
    return NULL;
}

/* Double the bucket array when the chains get long; if memory is short,
 * keep the old one (lookups just get slower). */
static void map_grow(struct node_map *m)
{
    uint32_t size = (m->mask + 1) * 2;
    if (size > (1u << 24))
        return;
    struct xsd_node **b = kzalloc(size * sizeof(*b));
    if (!b)
        return;
    for (uint32_t i = 0; i <= m->mask; i++) {
        struct xsd_node *n = m->buckets[i], *next;
        for (; n; n = next) {
            next = n->hnext;
            n->hnext = b[n->hash & (size - 1)];
            b[n->hash & (size - 1)] = n;
        }
    }
    kfree(m->buckets);
    m->buckets = b;
    m->mask = size - 1;
}

void map_insert(struct node_map *m, struct xsd_node *n)
{
    if (m->count >= 2 * (m->mask + 1))
        map_grow(m);
    n->hash = hash_path(n->path, n->path_len);
    n->hnext = m->buckets[n->hash & m->mask];
    m->buckets[n->hash & m->mask] = n;
    m->count++;
}

void map_remove(struct node_map *m, struct xsd_node *n)
{
    struct xsd_node **pp = &m->buckets[n->hash & m->mask];
    for (; *pp; pp = &(*pp)->hnext) {
        if (*pp == n) {
            *pp = n->hnext;
            n->hnext = NULL;
            m->count--;
            return;
        }
    }
}

/* ---------------------------------------------------------------- the main tree */

int tree_init(struct xsd_server *srv)
{
    static const struct xsd_perm root_perms = {.domid = 0, .access = XSD_PERM_NONE};
    struct xsd_node *root = node_new("/", 1);
    if (!root || node_set_perms(root, &root_perms, 1) < 0 || !domain_get(srv, 0)) {
        node_free(root);
        return -ENOMEM;
    }
    root->gen = server_next_gen(srv);
    map_insert(&srv->tree, root);
    domain_nodes_add(srv, 0, 1);
    return 0;
}

static int check_fail(const struct xsd_node *n, const char *what)
{
    printk("xenstored: store check: %s: %s\n", n ? n->path : "-", what);
    return -EIO;
}

/* Every name in n's children list is a valid, unique child with a record. */
static int check_children(struct xsd_server *srv, const struct xsd_node *n, char *buf,
                          uint32_t *listed)
{
    if (n->children_len && n->children[n->children_len - 1] != '\0')
        return check_fail(n, "children list not NUL-terminated");
    for (uint32_t off = 0; off < n->children_len;) {
        const char *name = n->children + off;
        size_t len = strlen(name);
        if (len == 0 || strchr(name, '/'))
            return check_fail(n, "bad child name");
        int plen = path_join(buf, XENSTORE_ABS_PATH_MAX + 1, n->path, n->path_len, name, len);
        if (plen < 0 || !map_find(&srv->tree, buf, (size_t)plen))
            return check_fail(n, "listed child has no record");
        for (uint32_t o2 = off + (uint32_t)len + 1; o2 < n->children_len;) {
            const char *other = n->children + o2;
            if (strcmp(other, name) == 0)
                return check_fail(n, "child listed twice");
            o2 += (uint32_t)strlen(other) + 1;
        }
        (*listed)++;
        off += (uint32_t)len + 1;
    }
    return 0;
}

static int check_node(struct xsd_server *srv, const struct xsd_node *n, char *buf, uint32_t *listed)
{
    if (n->flags)
        return check_fail(n, "transaction flags on a main record");
    if (!path_is_valid(n->path, n->path_len))
        return check_fail(n, "invalid path");
    if (n->nperms == 0 || !n->perms)
        return check_fail(n, "no permissions");
    if (n->gen == 0 || n->gen > srv->gen)
        return check_fail(n, "bad generation");
    if ((n->value_len && !n->value) || (n->children_len && !n->children))
        return check_fail(n, "missing buffer");
    struct xsd_domain *d = domain_find(srv, node_owner(n));
    if (!d)
        return check_fail(n, "owner has no domain record");
    d->check++;
    if (n->path_len > 1) {
        size_t name_len;
        const char *name = path_basename(n->path, n->path_len, &name_len);
        struct xsd_node *p = map_find(&srv->tree, n->path, path_parent_len(n->path, n->path_len));
        if (!p)
            return check_fail(n, "no parent");
        bool found = false;
        for (uint32_t off = 0; off < p->children_len && !found;) {
            size_t len = strnlen(p->children + off, p->children_len - off);
            found = len == name_len && memcmp(p->children + off, name, len) == 0;
            off += (uint32_t)len + 1;
        }
        if (!found)
            return check_fail(n, "not in its parent's children list");
    }
    return check_children(srv, n, buf, listed);
}

int tree_check(struct xsd_server *srv)
{
    char *buf = kmalloc(XENSTORE_ABS_PATH_MAX + 1);
    if (!buf)
        return -ENOMEM;
    for (unsigned b = 0; b < XSD_DOMAIN_BUCKETS; b++) {
        for (struct xsd_domain *d = srv->domains[b]; d; d = d->hnext)
            d->check = 0;
    }
    int rc = 0;
    uint32_t listed = 0, i;
    struct xsd_node *n;
    if (!map_find(&srv->tree, "/", 1))
        rc = check_fail(NULL, "no root");
    map_for_each(&srv->tree, i, n)
    {
        if (rc == 0)
            rc = check_node(srv, n, buf, &listed);
    }
    if (rc == 0 && listed + 1 != srv->tree.count)
        rc = check_fail(NULL, "records that no children list names");
    for (unsigned b = 0; b < XSD_DOMAIN_BUCKETS && rc == 0; b++) {
        for (struct xsd_domain *d = srv->domains[b]; d && rc == 0; d = d->hnext) {
            if (d->check != d->nodes) {
                printk("xenstored: store check: dom%u owns %u nodes, counted %u\n", d->domid,
                       d->check, d->nodes);
                rc = -EIO;
            }
        }
    }
    kfree(buf);
    return rc;
}
