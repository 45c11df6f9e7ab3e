/* Node permissions.
 *
 * Every node carries a list of (domid, access) entries. Entry 0 is special:
 * its domid owns the node and its access applies to every domain that has
 * no entry of its own. The owner, privileged domains (dom0 and the optional
 * --priv-domid) and a domain whose target (SET_TARGET) owns the node have
 * full access, including the right to change the list. Everyone else gets
 * the access of the first later entry naming them (or their target), else
 * the owner entry's access. Access letters on the wire: n (none), r (read),
 * w (write), b (both). */
#ifndef XSD_PERMS_H
#define XSD_PERMS_H

#include <minios/types.h>

#define XSD_PERM_NONE 0u
#define XSD_PERM_READ 1u
#define XSD_PERM_WRITE 2u
#define XSD_PERM_OWNER 4u /* may change the permission list */
#define XSD_PERM_ALL (XSD_PERM_READ | XSD_PERM_WRITE | XSD_PERM_OWNER)

/* Longest text form of one entry: a letter, five digits, a NUL. */
#define XSD_PERM_TEXT_MAX 7

struct xsd_perm {
    uint16_t domid;
    uint8_t access; /* XSD_PERM_READ | XSD_PERM_WRITE */
};

/* Who is asking: a connection's identity as the permission check sees it. */
struct xsd_caller {
    uint16_t domid;
    uint16_t target; /* valid if has_target */
    bool has_target;
    bool privileged;
};

/* The XSD_PERM_* bits caller has on a node with perms p[0..n). n == 0
 * (never stored) grants unprivileged callers nothing. */
unsigned perms_access(const struct xsd_perm *p, unsigned n, const struct xsd_caller *c);

/* Parse one entry, "r5": an access letter and 1-5 decimal digits naming a
 * domid up to 65535; text is s[0..len), no NUL inside. 0 or -EINVAL. */
int perm_parse(const char *s, size_t len, struct xsd_perm *out);

/* Format one entry; returns the length without the NUL, or -ENOSPC. */
int perm_format(const struct xsd_perm *p, char *buf, size_t size);

#endif
