/* pthread mutexes and condition variables on the kernel's (struct mutex,
 * struct condvar in <minios/sched.h>), which live inside the pthread
 * objects and are set up on first use, so all-zero static initializers
 * work without any allocation.
 *
 * The kernel mutex knows its owner thread; the recursion count and the
 * type are ours. Relocking a NORMAL mutex would hang the thread forever
 * (the kernel mutex panics instead): both are worse than the EDEADLK that
 * POSIX allows for it, which is what all types return here. */
#include <errno.h>
#include <time.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>

#include <minios/sched.h>

#include "internal.h"

_Static_assert(sizeof(struct mutex) <= sizeof(((pthread_mutex_t *)0)->__kernel),
               "pthread_mutex_t too small for struct mutex");
_Static_assert(sizeof(struct condvar) <= sizeof(((pthread_cond_t *)0)->__kernel),
               "pthread_cond_t too small for struct condvar");

static struct mutex *kmutex(pthread_mutex_t *m)
{
    struct mutex *k = (struct mutex *)(void *)m->__kernel;
    if (!m->__ready) {
        mutex_init(k);
        m->__ready = 1;
    }
    return k;
}

static bool type_valid(int type)
{
    return type == PTHREAD_MUTEX_NORMAL || type == PTHREAD_MUTEX_RECURSIVE ||
           type == PTHREAD_MUTEX_ERRORCHECK;
}

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
    int type = attr ? attr->__type : PTHREAD_MUTEX_DEFAULT;
    if (!type_valid(type))
        return EINVAL;
    memset(m, 0, sizeof(*m));
    m->__type = type;
    kmutex(m);
    return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
    if (m->__ready && kmutex(m)->owner)
        return EBUSY;
    m->__ready = 0;
    return 0;
}

/* The caller already owns m: what a second lock means for its type. */
static int relock(pthread_mutex_t *m)
{
    if (m->__type != PTHREAD_MUTEX_RECURSIVE)
        return EDEADLK;
    if (m->__count == UINT_MAX)
        return EAGAIN;
    m->__count++;
    return 0;
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
    struct mutex *k = kmutex(m);
    if (k->owner == thread_current())
        return relock(m);
    mutex_lock(k);
    m->__count = 1;
    return 0;
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
    struct mutex *k = kmutex(m);
    if (k->owner == thread_current())
        return m->__type == PTHREAD_MUTEX_RECURSIVE ? relock(m) : EBUSY;
    if (!mutex_trylock(k))
        return EBUSY;
    m->__count = 1;
    return 0;
}

int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
    struct mutex *k = kmutex(m);
    if (k->owner == thread_current())
        return relock(m);
    if (mutex_trylock(k)) {
        m->__count = 1;
        return 0;
    }
    uint64_t deadline;
    int rc = libc_deadline(CLOCK_REALTIME, abstime, &deadline);
    if (rc)
        return rc;
    /* What mutex_lock() does, with a deadline. */
    if (wait_event_deadline(&k->waiters, k->owner == NULL, deadline))
        return ETIMEDOUT;
    k->owner = thread_current();
    m->__count = 1;
    return 0;
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
    struct mutex *k = kmutex(m);
    if (k->owner != thread_current())
        return EPERM;
    if (--m->__count > 0)
        return 0;
    mutex_unlock(k);
    return 0;
}

int pthread_mutexattr_init(pthread_mutexattr_t *attr)
{
    memset(attr, 0, sizeof(*attr));
    attr->__type = PTHREAD_MUTEX_DEFAULT;
    attr->__pshared = PTHREAD_PROCESS_PRIVATE;
    attr->__initialized = 1;
    return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *attr)
{
    attr->__initialized = 0;
    return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type)
{
    if (!type_valid(type))
        return EINVAL;
    attr->__type = type;
    return 0;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t *attr, int *type)
{
    *type = attr->__type;
    return 0;
}

/* One process: "shared" changes nothing, so both values are accepted. */
int pthread_mutexattr_setpshared(pthread_mutexattr_t *attr, int pshared)
{
    if (pshared != PTHREAD_PROCESS_PRIVATE && pshared != PTHREAD_PROCESS_SHARED)
        return EINVAL;
    attr->__pshared = pshared;
    return 0;
}

int pthread_mutexattr_getpshared(const pthread_mutexattr_t *attr, int *pshared)
{
    *pshared = attr->__pshared;
    return 0;
}

/* ---- condition variables ---- */

static struct condvar *kcond(pthread_cond_t *c)
{
    struct condvar *k = (struct condvar *)(void *)c->__kernel;
    if (!c->__ready) {
        cond_init(k);
        c->__ready = 1;
    }
    return k;
}

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
    memset(c, 0, sizeof(*c));
    c->__monotonic = attr ? attr->__monotonic : 0;
    kcond(c);
    return 0;
}

int pthread_cond_destroy(pthread_cond_t *c)
{
    if (c->__ready && !list_empty(&kcond(c)->waiters.waiters))
        return EBUSY;
    c->__ready = 0;
    return 0;
}

/* Release m (whatever its recursion depth), sleep on c until signalled or
 * the deadline (0: none), take m back. */
static int cond_wait_until(pthread_cond_t *c, pthread_mutex_t *m, uint64_t deadline)
{
    struct mutex *km = kmutex(m);
    if (km->owner != thread_current())
        return EPERM;
    unsigned depth = m->__count;
    int rc = cond_wait_deadline(kcond(c), km, deadline);
    m->__count = depth;
    return rc == -ETIMEDOUT ? ETIMEDOUT : 0;
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    return cond_wait_until(c, m, 0);
}

static bool clock_reached(clockid_t clk, const struct timespec *abstime)
{
    struct timespec now;
    clock_gettime(clk, &now);
    return now.tv_sec > abstime->tv_sec ||
           (now.tv_sec == abstime->tv_sec && now.tv_nsec >= abstime->tv_nsec);
}

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
    clockid_t clk = c->__monotonic ? CLOCK_MONOTONIC : CLOCK_REALTIME;
    for (;;) {
        uint64_t deadline;
        int rc = libc_deadline(clk, abstime, &deadline);
        if (rc)
            return rc;
        rc = cond_wait_until(c, m, deadline);
        /* The kernel waits on the monotonic clock; the wall clock can be
         * stepped meanwhile (dom0 sets Xen's). ETIMEDOUT must mean the
         * caller's clock reached abstime, so wait out any remainder. */
        if (rc != ETIMEDOUT || clock_reached(clk, abstime))
            return rc;
    }
}

int pthread_cond_signal(pthread_cond_t *c)
{
    cond_signal(kcond(c));
    return 0;
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
    cond_broadcast(kcond(c));
    return 0;
}

int pthread_condattr_init(pthread_condattr_t *attr)
{
    memset(attr, 0, sizeof(*attr));
    attr->__initialized = 1;
    return 0;
}

int pthread_condattr_destroy(pthread_condattr_t *attr)
{
    attr->__initialized = 0;
    return 0;
}

int pthread_condattr_setclock(pthread_condattr_t *attr, clockid_t clk)
{
    if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC)
        return EINVAL;
    attr->__monotonic = clk == CLOCK_MONOTONIC;
    return 0;
}

int pthread_condattr_getclock(const pthread_condattr_t *attr, clockid_t *clk)
{
    *clk = attr->__monotonic ? CLOCK_MONOTONIC : CLOCK_REALTIME;
    return 0;
}

int pthread_condattr_setpshared(pthread_condattr_t *attr, int pshared)
{
    if (pshared != PTHREAD_PROCESS_PRIVATE && pshared != PTHREAD_PROCESS_SHARED)
        return EINVAL;
    attr->__pshared = pshared;
    return 0;
}

int pthread_condattr_getpshared(const pthread_condattr_t *attr, int *pshared)
{
    *pshared = attr->__pshared;
    return 0;
}
