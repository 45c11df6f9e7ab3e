/* errno for system calls.
 *
 * newlib's errno is per thread: (*__errno()), the _errno field of the
 * current struct _reent (_impure_ptr, switched by threads.c). But its
 * reentrant wrappers (_read_r() ...) were written for a system layer that
 * sets a plain global int errno: they clear that global, call read(), and
 * copy the global into their reent if read() returned -1. So a failing
 * system call sets both; the copy then lands in the same place. */
#include <errno.h>

#include "internal.h"

#undef errno
extern int errno; /* newlib's global (libc.a, reent.o) */

int libc_fail(int err)
{
    errno = err;
    *__errno() = err;
    return -1;
}
