/* The few string/memory routines the kernel needs. They stay local to the
 * kernel image (not exported), so an application's libc keeps its own. GCC
 * may also emit calls to memcpy/memset/memmove/memcmp for plain C. */
#ifndef MINIOS_STRING_H
#define MINIOS_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

#endif
