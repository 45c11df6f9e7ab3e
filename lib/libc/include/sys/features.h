/* newlib's <sys/features.h>, plus the POSIX options stubos implements.
 *
 * newlib's configure has no case for *-xen-elf, so its feature list leaves
 * these undefined, and <time.h>, <sched.h> ... then hide the declarations
 * (clock_gettime, CLOCK_MONOTONIC, nanosleep, sched_yield) that lib/libc
 * provides. Defining them here, right after newlib's list, makes every
 * newlib header see them, whatever the include order. Only declarations
 * change: libc.a was built without them and uses none of these interfaces. */
#include_next <sys/features.h>

#ifndef STUBOS_LIBC_FEATURES_H
#define STUBOS_LIBC_FEATURES_H

/* clock_gettime/settime/getres, nanosleep (lib/libc/time.c). timer_*() are
 * declared too but not provided: using them fails at link time. */
#ifndef _POSIX_TIMERS
#define _POSIX_TIMERS 200809L
#endif
#ifndef _POSIX_MONOTONIC_CLOCK
#define _POSIX_MONOTONIC_CLOCK 200809L
#endif
/* clock_nanosleep */
#ifndef _POSIX_CLOCK_SELECTION
#define _POSIX_CLOCK_SELECTION 200809L
#endif
/* CLOCK_PROCESS_CPUTIME_ID / CLOCK_THREAD_CPUTIME_ID: the vCPU's running time */
#ifndef _POSIX_CPUTIME
#define _POSIX_CPUTIME 200809L
#endif
#ifndef _POSIX_THREAD_CPUTIME
#define _POSIX_THREAD_CPUTIME 200809L
#endif
/* The pthread subset in lib/libc/include/pthread.h (see lib/libc/README.md). */
#ifndef _POSIX_THREADS
#define _POSIX_THREADS 200809L
#endif

#endif
