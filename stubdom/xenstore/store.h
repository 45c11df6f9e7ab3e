/* The store operations behind READ, WRITE, MKDIR, RM, DIRECTORY, GET_PERMS
 * and SET_PERMS, on canonical absolute paths (request.c resolves relative
 * ones and checks syntax and length).
 *
 * Reads take a transaction or NULL (the main map). Changes need one (an
 * implicit transaction for a request outside any). Each operation checks
 * everything, then allocates everything, then changes the transaction's
 * records, so a failed operation leaves the view as it was (it may have
 * copied more nodes into the transaction, which only widens its conflict
 * check).
 *
 * Errors follow C xenstored. For an absent path the answer depends on the
 * nearest existing ancestor: ENOENT if the caller has the access it asked
 * for there (and a WRITE or MKDIR then creates the path, its missing
 * parents inheriting that ancestor's permissions, owned by the caller
 * when unprivileged), EACCES if not. */
#ifndef XSD_STORE_H
#define XSD_STORE_H

#include <minios/types.h>

#include "perms.h"
#include "tree.h"

struct xsd_server;
struct xsd_txn;

struct store_ctx {
    struct xsd_server *srv;
    struct xsd_txn *txn; /* NULL: read the main map */
    const struct xsd_caller *caller;
};

/* The node at path if the caller has all of `need` (XSD_PERM_*) on it. */
int store_lookup(const struct store_ctx *ctx, const char *path, size_t len, unsigned need,
                 struct xsd_node **node);

int store_write(const struct store_ctx *ctx, const char *path, size_t len, const void *value,
                size_t value_len);
int store_mkdir(const struct store_ctx *ctx, const char *path, size_t len);
/* Removing an absent path whose parent exists succeeds; "/": -EINVAL. */
int store_rm(const struct store_ctx *ctx, const char *path, size_t len);
/* Owner access needed; an unprivileged caller may not change the owner
 * (-EPERM). */
int store_set_perms(const struct store_ctx *ctx, const char *path, size_t len,
                    const struct xsd_perm *perms, unsigned count);

#endif
