/* <limits.h> for libfdt inside the arm64 kernel: GCC's own definitions,
 * without its hop to a hosted C library's <limits.h> (which GCC skips when
 * _LIBC_LIMITS_H_ says the C library's part is already there). */
#ifndef _LIBC_LIMITS_H_
#define _LIBC_LIMITS_H_
#endif
#include_next <limits.h>
