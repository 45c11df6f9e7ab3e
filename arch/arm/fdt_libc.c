/* The three C library routines libfdt needs that the kernel lacks. The
 * libfdt objects reach them through include/arch/arm64/libfdt-shim/ under
 * these names, which cannot clash with an application's libc. */
#include <minios/types.h>
#include "arm64.h"

void *arm64_fdt_memchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    for (; n--; p++)
        if (*p == (unsigned char)c)
            return (void *)p;
    return NULL;
}

char *arm64_fdt_strrchr(const char *s, int c)
{
    const char *last = NULL;
    do {
        if (*s == (char)c)
            last = s;
    } while (*s++);
    return (char *)last;
}

/* Unsigned decimal/hex/octal (base 0, 8, 10 or 16), no sign, no overflow
 * detection: libfdt's overlay code parses small phandle fixup offsets. */
unsigned long arm64_fdt_strtoul(const char *s, char **end, int base)
{
    unsigned long v = 0;
    while (*s == ' ' || *s == '\t')
        s++;
    if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        base = 16;
    } else if (base == 0) {
        base = s[0] == '0' ? 8 : 10;
    }
    for (;; s++) {
        int d = *s >= '0' && *s <= '9'   ? *s - '0'
                : *s >= 'a' && *s <= 'z' ? *s - 'a' + 10
                : *s >= 'A' && *s <= 'Z' ? *s - 'A' + 10
                                         : 99;
        if (d >= base)
            break;
        v = v * (unsigned long)base + (unsigned long)d;
    }
    if (end)
        *end = (char *)s;
    return v;
}
