/* Path syntax (see tree.h and docs/misc/xenstore.txt). */
#include <minios/errno.h>
#include <minios/string.h>

#include "tree.h"

static bool is_path_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '/' || c == '_' || c == '@';
}

bool path_is_valid(const char *path, size_t len)
{
    if (len == 0 || len > XENSTORE_ABS_PATH_MAX || path[0] != '/')
        return false;
    if (len > 1 && path[len - 1] == '/')
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!is_path_char(path[i]))
            return false;
        if (path[i] == '/' && i + 1 < len && path[i + 1] == '/')
            return false;
    }
    return true;
}

size_t path_parent_len(const char *path, size_t len)
{
    size_t i = len;
    while (i > 0 && path[i - 1] != '/')
        i--;
    /* i is just past the last '/'; the parent ends before it unless it is the root. */
    return i <= 1 ? 1 : i - 1;
}

const char *path_basename(const char *path, size_t len, size_t *name_len)
{
    size_t i = len;
    while (i > 0 && path[i - 1] != '/')
        i--;
    *name_len = len - i;
    return path + i;
}

bool path_is_child(const char *child, const char *parent)
{
    if (parent[0] == '/' && parent[1] == '\0')
        return child[0] == '/';
    size_t len = strlen(parent);
    return strncmp(child, parent, len) == 0 && (child[len] == '\0' || child[len] == '/');
}

int path_join(char *buf, size_t size, const char *parent, size_t parent_len, const char *name,
              size_t name_len)
{
    bool root = parent_len == 1 && parent[0] == '/';
    size_t len = (root ? 0 : parent_len) + 1 + name_len;
    if (len >= size)
        return -ENAMETOOLONG;
    size_t off = 0;
    if (!root) {
        memcpy(buf, parent, parent_len);
        off = parent_len;
    }
    buf[off++] = '/';
    memcpy(buf + off, name, name_len);
    buf[len] = '\0';
    return (int)len;
}
