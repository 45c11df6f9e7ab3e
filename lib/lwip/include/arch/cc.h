/* lwIP's compiler and platform header for stubos: newlib for the C types,
 * the kernel for output, assertions and randomness. */
#ifndef STUBOS_LWIP_ARCH_CC_H
#define STUBOS_LWIP_ARCH_CC_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <sys/types.h>
#include <sys/time.h> /* struct timeval (LWIP_TIMEVAL_PRIVATE is 0) */
#include <machine/endian.h>
#include <poll.h> /* the POSIX layer's struct pollfd and POLL* values (lib/libc) */

/* newlib has ssize_t but no SSIZE_MAX; without it lwip/arch.h would
 * typedef its own, conflicting ssize_t. */
#ifndef SSIZE_MAX
#define SSIZE_MAX LONG_MAX
#endif

/* The kernel's console and panic (<minios/console.h>, <minios/panic.h>),
 * declared here so lwIP does not see the kernel's other headers. */
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
uint32_t stubos_lwip_random(void);

#define LWIP_PLATFORM_DIAG(x)                                                                      \
    do {                                                                                           \
        printk x;                                                                                  \
    } while (0)
#define LWIP_PLATFORM_ASSERT(msg)                                                                  \
    panic("lwIP assertion \"%s\" failed at %s:%d", (msg), __FILE__, __LINE__)
#define LWIP_RAND() stubos_lwip_random()

/* Byte order: one instruction instead of lwIP's generic functions. */
#if BYTE_ORDER == LITTLE_ENDIAN
#define lwip_htons(x) ((u16_t)__builtin_bswap16((u16_t)(x)))
#define lwip_htonl(x) ((u32_t)__builtin_bswap32((u32_t)(x)))
#endif

#define PACK_STRUCT_FIELD(x) x
#define PACK_STRUCT_STRUCT __attribute__((packed))
#define PACK_STRUCT_BEGIN
#define PACK_STRUCT_END

#endif
