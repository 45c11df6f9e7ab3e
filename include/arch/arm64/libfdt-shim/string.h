/* <string.h> for libfdt inside the arm64 kernel: the kernel's own routines,
 * plus the three libfdt needs that the kernel does not have (arch/arm/fdt_libc.c,
 * renamed so they can never clash with a libc linked into an application). */
#ifndef ARM64_LIBFDT_SHIM_STRING_H
#define ARM64_LIBFDT_SHIM_STRING_H

#include <minios/string.h>

void *arm64_fdt_memchr(const void *s, int c, size_t n);
char *arm64_fdt_strrchr(const char *s, int c);
#define memchr arm64_fdt_memchr
#define strrchr arm64_fdt_strrchr

#endif
