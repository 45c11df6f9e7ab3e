/* Permission semantics (see perms.h). */
#include <minios/errno.h>
#include <minios/format.h>

#include "perms.h"

static bool names_caller(uint16_t domid, const struct xsd_caller *c)
{
    return domid == c->domid || (c->has_target && domid == c->target);
}

unsigned perms_access(const struct xsd_perm *p, unsigned n, const struct xsd_caller *c)
{
    if (c->privileged)
        return XSD_PERM_ALL;
    if (n == 0)
        return XSD_PERM_NONE;
    if (names_caller(p[0].domid, c))
        return XSD_PERM_ALL;
    for (unsigned i = 1; i < n; i++) {
        if (names_caller(p[i].domid, c))
            return p[i].access;
    }
    return p[0].access;
}

static int access_of_letter(char c)
{
    switch (c) {
    case 'n':
        return XSD_PERM_NONE;
    case 'r':
        return XSD_PERM_READ;
    case 'w':
        return XSD_PERM_WRITE;
    case 'b':
        return XSD_PERM_READ | XSD_PERM_WRITE;
    default:
        return -EINVAL;
    }
}

int perm_parse(const char *s, size_t len, struct xsd_perm *out)
{
    if (len < 2 || len > 6)
        return -EINVAL;
    int access = access_of_letter(s[0]);
    if (access < 0)
        return -EINVAL;
    uint32_t domid = 0;
    for (size_t i = 1; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -EINVAL;
        domid = domid * 10 + (uint32_t)(s[i] - '0');
    }
    if (domid > 0xffff)
        return -EINVAL;
    out->domid = (uint16_t)domid;
    out->access = (uint8_t)access;
    return 0;
}

int perm_format(const struct xsd_perm *p, char *buf, size_t size)
{
    static const char letters[] = "nrwb";
    int n = ksnprintf(buf, size, "%c%u", letters[p->access & 3], (unsigned)p->domid);
    return (n < 0 || (size_t)n >= size) ? -ENOSPC : n;
}
