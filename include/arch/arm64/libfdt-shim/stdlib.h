/* <stdlib.h> for libfdt inside the arm64 kernel (see string.h here). */
#ifndef ARM64_LIBFDT_SHIM_STDLIB_H
#define ARM64_LIBFDT_SHIM_STDLIB_H

#include <stddef.h>

unsigned long arm64_fdt_strtoul(const char *s, char **end, int base);
#define strtoul arm64_fdt_strtoul

#endif
