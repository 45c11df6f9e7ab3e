/* The pthread types of stubos' libc (replaces newlib's <sys/_pthreadtypes.h>,
 * which <sys/types.h> includes).
 *
 * Why our own: newlib's version for targets without _POSIX_THREADS gives
 * 32-bit handle types (pthread_mutex_t is a __uint32_t id, RTEMS-style),
 * which cannot hold a mutex in place; backing them would need a handle table
 * allocated at first use, and PTHREAD_MUTEX_INITIALIZER could fail later for
 * lack of memory. Here the objects hold their state directly: the kernel's
 * mutex/condvar (owner + wait queue, <minios/sched.h>) in opaque storage,
 * set up on first use so that all-zero static initializers work.
 *
 * Everything here is opaque: use the functions in <pthread.h>. */
#ifndef STUBOS_SYS_PTHREADTYPES_H
#define STUBOS_SYS_PTHREADTYPES_H

#include <sys/sched.h>

/* A thread: points to the libc's per-thread record. */
typedef struct __pthread *pthread_t;

typedef struct {
    int __detachstate; /* PTHREAD_CREATE_JOINABLE / _DETACHED */
    int __inheritsched;
    int __schedpolicy;
    int __scope;
    struct sched_param __schedparam;
    void *__stackaddr;
    __SIZE_TYPE__ __stacksize; /* recorded, see pthread_attr_setstacksize */
    int __initialized;
} pthread_attr_t;

typedef struct {
    void *__kernel[3];    /* struct mutex: owner + wait queue */
    unsigned int __count; /* recursion depth of the owner */
    int __type;           /* PTHREAD_MUTEX_NORMAL (0) ... */
    int __ready;          /* 0 until the kernel mutex is set up */
} pthread_mutex_t;

typedef struct {
    int __type;
    int __pshared;
    int __initialized;
} pthread_mutexattr_t;

typedef struct {
    void *__kernel[2]; /* struct condvar: a wait queue */
    int __monotonic;   /* 0: deadlines are CLOCK_REALTIME */
    int __ready;
} pthread_cond_t;

typedef struct {
    int __monotonic;
    int __pshared;
    int __initialized;
} pthread_condattr_t;

typedef unsigned int pthread_key_t;

typedef struct {
    volatile int __state; /* 0 not run, 1 running, 2 done */
} pthread_once_t;

#endif
