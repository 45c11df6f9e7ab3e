/* POSIX threads for stubos applications: a small subset on kernel threads
 * (cooperative, one vCPU; see lib/libc/README.md for what is provided and
 * how it maps onto <minios/sched.h>). Replaces newlib's <pthread.h>, which
 * is empty for this target. Functions return 0 or an error number; they do
 * not set errno. */
#ifndef STUBOS_PTHREAD_H
#define STUBOS_PTHREAD_H

#include <sys/types.h>
#include <sched.h>
#include <signal.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PTHREAD_CREATE_JOINABLE 0
#define PTHREAD_CREATE_DETACHED 1

#define PTHREAD_INHERIT_SCHED 0
#define PTHREAD_EXPLICIT_SCHED 1
#define PTHREAD_SCOPE_SYSTEM 0
#define PTHREAD_SCOPE_PROCESS 1

#define PTHREAD_PROCESS_PRIVATE 0
#define PTHREAD_PROCESS_SHARED 1

#define PTHREAD_MUTEX_NORMAL 0
#define PTHREAD_MUTEX_RECURSIVE 1
#define PTHREAD_MUTEX_ERRORCHECK 2
#define PTHREAD_MUTEX_DEFAULT PTHREAD_MUTEX_NORMAL

/* Every thread has a fixed kernel stack (THREAD_STACK_SIZE, 32 KiB with a
 * guard page); smaller requests are refused, larger ones recorded only. */
#define PTHREAD_STACK_MIN 16384
#define PTHREAD_KEYS_MAX 64
#define PTHREAD_DESTRUCTOR_ITERATIONS 4

#define PTHREAD_MUTEX_INITIALIZER                                                                  \
    {                                                                                              \
        {0, 0, 0}, 0, PTHREAD_MUTEX_NORMAL, 0                                                      \
    }
#define PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP                                                     \
    {                                                                                              \
        {0, 0, 0}, 0, PTHREAD_MUTEX_RECURSIVE, 0                                                   \
    }
#define PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP                                                    \
    {                                                                                              \
        {0, 0, 0}, 0, PTHREAD_MUTEX_ERRORCHECK, 0                                                  \
    }
#define PTHREAD_COND_INITIALIZER                                                                   \
    {                                                                                              \
        {0, 0}, 0, 0                                                                               \
    }
#define PTHREAD_ONCE_INIT                                                                          \
    {                                                                                              \
        0                                                                                          \
    }

/* threads */
int pthread_create(pthread_t *__th, const pthread_attr_t *__attr, void *(*__start)(void *),
                   void *__arg);
int pthread_join(pthread_t __th, void **__retval);
int pthread_detach(pthread_t __th);
pthread_t pthread_self(void);
int pthread_equal(pthread_t __a, pthread_t __b);
void pthread_exit(void *__retval) __attribute__((__noreturn__));
int pthread_sigmask(int __how, const sigset_t *__set, sigset_t *__old);

/* thread attributes */
int pthread_attr_init(pthread_attr_t *__attr);
int pthread_attr_destroy(pthread_attr_t *__attr);
int pthread_attr_setdetachstate(pthread_attr_t *__attr, int __state);
int pthread_attr_getdetachstate(const pthread_attr_t *__attr, int *__state);
int pthread_attr_setstacksize(pthread_attr_t *__attr, size_t __size);
int pthread_attr_getstacksize(const pthread_attr_t *__attr, size_t *__size);
int pthread_attr_setinheritsched(pthread_attr_t *__attr, int __inherit);
int pthread_attr_getinheritsched(const pthread_attr_t *__attr, int *__inherit);
int pthread_attr_setschedpolicy(pthread_attr_t *__attr, int __policy);
int pthread_attr_getschedpolicy(const pthread_attr_t *__attr, int *__policy);
int pthread_attr_setschedparam(pthread_attr_t *__attr, const struct sched_param *__param);
int pthread_attr_getschedparam(const pthread_attr_t *__attr, struct sched_param *__param);
int pthread_attr_setscope(pthread_attr_t *__attr, int __scope);
int pthread_attr_getscope(const pthread_attr_t *__attr, int *__scope);

/* mutexes */
int pthread_mutex_init(pthread_mutex_t *__mutex, const pthread_mutexattr_t *__attr);
int pthread_mutex_destroy(pthread_mutex_t *__mutex);
int pthread_mutex_lock(pthread_mutex_t *__mutex);
int pthread_mutex_trylock(pthread_mutex_t *__mutex);
int pthread_mutex_timedlock(pthread_mutex_t *__mutex, const struct timespec *__abstime);
int pthread_mutex_unlock(pthread_mutex_t *__mutex);
int pthread_mutexattr_init(pthread_mutexattr_t *__attr);
int pthread_mutexattr_destroy(pthread_mutexattr_t *__attr);
int pthread_mutexattr_settype(pthread_mutexattr_t *__attr, int __type);
int pthread_mutexattr_gettype(const pthread_mutexattr_t *__attr, int *__type);
int pthread_mutexattr_setpshared(pthread_mutexattr_t *__attr, int __pshared);
int pthread_mutexattr_getpshared(const pthread_mutexattr_t *__attr, int *__pshared);

/* condition variables (deadlines: CLOCK_REALTIME unless the attribute
 * says CLOCK_MONOTONIC) */
int pthread_cond_init(pthread_cond_t *__cond, const pthread_condattr_t *__attr);
int pthread_cond_destroy(pthread_cond_t *__cond);
int pthread_cond_wait(pthread_cond_t *__cond, pthread_mutex_t *__mutex);
int pthread_cond_timedwait(pthread_cond_t *__cond, pthread_mutex_t *__mutex,
                           const struct timespec *__abstime);
int pthread_cond_signal(pthread_cond_t *__cond);
int pthread_cond_broadcast(pthread_cond_t *__cond);
int pthread_condattr_init(pthread_condattr_t *__attr);
int pthread_condattr_destroy(pthread_condattr_t *__attr);
int pthread_condattr_setclock(pthread_condattr_t *__attr, clockid_t __clock);
int pthread_condattr_getclock(const pthread_condattr_t *__attr, clockid_t *__clock);
int pthread_condattr_setpshared(pthread_condattr_t *__attr, int __pshared);
int pthread_condattr_getpshared(const pthread_condattr_t *__attr, int *__pshared);

/* one-time initialisation and thread-specific data */
int pthread_once(pthread_once_t *__once, void (*__init)(void));
int pthread_key_create(pthread_key_t *__key, void (*__destructor)(void *));
int pthread_key_delete(pthread_key_t __key);
void *pthread_getspecific(pthread_key_t __key);
int pthread_setspecific(pthread_key_t __key, const void *__value);

#ifdef __cplusplus
}
#endif

#endif
