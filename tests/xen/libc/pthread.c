/* Threads: 16 workers contending for a mutex, a condition-variable
 * barrier, per-thread errno, keys with destructors, once, recursive and
 * trylock semantics, timed waits with CLOCK_REALTIME deadlines. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define WORKERS 16
#define ROUNDS 200

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static long counter;
static int arrived;
static bool go;
static int errno_mismatch;
static pthread_key_t key;
static int destructor_calls;
static int once_calls;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void once_init(void)
{
    once_calls++;
    sched_yield(); /* others reach pthread_once while this one runs */
}

static void key_destructor(void *value)
{
    if (value)
        destructor_calls++;
}

static void *worker(void *arg)
{
    intptr_t id = (intptr_t)arg;
    pthread_once(&once, once_init);
    pthread_setspecific(key, (void *)(id + 1));

    /* Barrier: nobody starts counting before all have arrived. */
    pthread_mutex_lock(&lock);
    arrived++;
    if (arrived == WORKERS) {
        go = true;
        pthread_cond_broadcast(&changed);
    }
    while (!go)
        pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);

    for (int i = 0; i < ROUNDS; i++) {
        errno = (int)id + 1000; /* must survive other threads running */
        pthread_mutex_lock(&lock);
        long seen = counter;
        sched_yield(); /* let the others pile up on the mutex */
        counter = seen + 1;
        pthread_mutex_unlock(&lock);
        if (errno != (int)id + 1000)
            errno_mismatch++;
        if (i % 50 == 0)
            usleep(100);
    }
    if ((intptr_t)pthread_getspecific(key) != id + 1)
        errno_mismatch++;
    return (void *)(id * 3);
}

static void workers(void)
{
    pthread_t t[WORKERS];
    int rc = pthread_key_create(&key, key_destructor);
    int created = 0;
    for (intptr_t i = 0; i < WORKERS; i++)
        created += pthread_create(&t[i], NULL, worker, (void *)i) == 0;
    bool distinct = true;
    for (int i = 0; i < WORKERS; i++)
        for (int j = 0; j < i; j++)
            if (pthread_equal(t[i], t[j]))
                distinct = false;
    int joined = 0;
    bool values_ok = true;
    for (intptr_t i = 0; i < WORKERS; i++) {
        void *ret = NULL;
        joined += pthread_join(t[i], &ret) == 0;
        values_ok &= ret == (void *)(i * 3);
    }
    check("pthread-create-join",
          rc == 0 && created == WORKERS && joined == WORKERS && values_ok && distinct,
          "created %d joined %d values %d distinct %d", created, joined, values_ok, distinct);
    check("pthread-mutex-16-threads", counter == (long)WORKERS * ROUNDS, "counter %ld, want %d",
          counter, WORKERS * ROUNDS);
    check("pthread-cond-barrier", go && arrived == WORKERS, "arrived %d", arrived);
    check("pthread-errno-per-thread", errno_mismatch == 0, "%d mismatches", errno_mismatch);
    check("pthread-key-destructors",
          destructor_calls == WORKERS && pthread_getspecific(key) == NULL, "%d destructor calls",
          destructor_calls);
    check("pthread-once", once_calls == 1, "init ran %d times", once_calls);
    check("pthread-key-delete", pthread_key_delete(key) == 0 && pthread_key_delete(key) == EINVAL,
          "delete failed");
}

/* ---- mutex types ---- */

static pthread_mutex_t shared;
static int trylock_result;

static void *try_other(void *arg)
{
    (void)arg;
    trylock_result = pthread_mutex_trylock(&shared);
    return NULL;
}

static void mutex_types(void)
{
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&shared, &attr);
    int a = pthread_mutex_lock(&shared), b = pthread_mutex_lock(&shared),
        c = pthread_mutex_trylock(&shared);
    pthread_t t;
    pthread_create(&t, NULL, try_other, NULL);
    pthread_join(t, NULL);
    int other_busy = trylock_result;
    int u1 = pthread_mutex_unlock(&shared), u2 = pthread_mutex_unlock(&shared);
    pthread_create(&t, NULL, try_other, NULL);
    pthread_join(t, NULL);
    int still_held = trylock_result; /* 0: other got it? must be EBUSY: one lock left */
    int u3 = pthread_mutex_unlock(&shared), u4 = pthread_mutex_unlock(&shared);
    check("pthread-mutex-recursive",
          a == 0 && b == 0 && c == 0 && other_busy == EBUSY && u1 == 0 && u2 == 0 &&
              still_held == EBUSY && u3 == 0 && u4 == EPERM,
          "lock %d %d try %d other %d unlock %d %d held %d unlock %d %d", a, b, c, other_busy, u1,
          u2, still_held, u3, u4);
    pthread_mutex_destroy(&shared);

    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&shared, &attr);
    a = pthread_mutex_lock(&shared);
    b = pthread_mutex_lock(&shared);
    c = pthread_mutex_trylock(&shared);
    int destroy_busy = pthread_mutex_destroy(&shared);
    u1 = pthread_mutex_unlock(&shared);
    u2 = pthread_mutex_unlock(&shared);
    check("pthread-mutex-errorcheck",
          a == 0 && b == EDEADLK && c == EBUSY && destroy_busy == EBUSY && u1 == 0 && u2 == EPERM,
          "lock %d relock %d try %d destroy %d unlock %d %d", a, b, c, destroy_busy, u1, u2);

    pthread_mutex_t plain = PTHREAD_MUTEX_INITIALIZER;
    a = pthread_mutex_trylock(&plain);
    b = pthread_mutex_trylock(&plain);
    u1 = pthread_mutex_unlock(&plain);
    check("pthread-mutex-trylock", a == 0 && b == EBUSY && u1 == 0, "try %d %d unlock %d", a, b,
          u1);
}

/* ---- timed waits ---- */

/* Now + ms on CLOCK_REALTIME (ms may be negative), normalised. */
static struct timespec realtime_in(long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long long ns = (long long)ts.tv_sec * 1000000000 + ts.tv_nsec + (long long)ms * 1000000;
    ts.tv_sec = ns / 1000000000;
    ts.tv_nsec = ns % 1000000000;
    return ts;
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool signalled;

static void *signaller(void *arg)
{
    (void)arg;
    usleep(20000);
    pthread_mutex_lock(&lock);
    signalled = true;
    pthread_cond_signal(&changed);
    pthread_mutex_unlock(&lock);
    return NULL;
}

static void timed_waits(void)
{
    pthread_mutex_lock(&lock);
    struct timespec deadline = realtime_in(60);
    int64_t t0 = mono_ns();
    int rc = pthread_cond_timedwait(&changed, &lock, &deadline);
    int64_t waited = mono_ns() - t0;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    bool after = now.tv_sec > deadline.tv_sec ||
                 (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec);
    int relock = pthread_mutex_trylock(&lock); /* we must hold it again */
    check("pthread-cond-timedwait-timeout",
          rc == ETIMEDOUT && waited >= 50000000 && after && relock == EBUSY,
          "rc %d waited %lld ns after %d relock %d", rc, (long long)waited, after, relock);

    pthread_t t;
    pthread_create(&t, NULL, signaller, NULL);
    deadline = realtime_in(5000);
    rc = 0;
    while (!signalled && rc == 0)
        rc = pthread_cond_timedwait(&changed, &lock, &deadline);
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    check("pthread-cond-timedwait-signal", rc == 0 && signalled, "rc %d", rc);

    deadline = realtime_in(-1000); /* already past */
    pthread_mutex_lock(&lock);
    rc = pthread_cond_timedwait(&changed, &lock, &deadline);
    pthread_mutex_unlock(&lock);
    check("pthread-cond-timedwait-past", rc == ETIMEDOUT, "rc %d", rc);

    pthread_condattr_t ca;
    pthread_cond_t mono_cond;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&mono_cond, &ca);
    struct timespec mdl;
    clock_gettime(CLOCK_MONOTONIC, &mdl);
    mdl.tv_nsec += 10000000;
    if (mdl.tv_nsec >= 1000000000) {
        mdl.tv_sec++;
        mdl.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&lock);
    rc = pthread_cond_timedwait(&mono_cond, &lock, &mdl);
    pthread_mutex_unlock(&lock);
    check("pthread-cond-monotonic", rc == ETIMEDOUT, "rc %d", rc);

    pthread_mutex_lock(&shared);               /* errorcheck mutex from above, now free */
    pthread_create(&t, NULL, try_other, NULL); /* EBUSY in the other thread */
    pthread_join(t, NULL);
    pthread_mutex_unlock(&shared);
    check("pthread-trylock-other-thread", trylock_result == EBUSY, "rc %d", trylock_result);
}

/* ---- detach, self, attributes ---- */

static volatile int detached_ran;

static void *detached_fn(void *arg)
{
    (void)arg;
    detached_ran = pthread_equal(pthread_self(), pthread_self());
    return NULL;
}

static void *exiting_fn(void *arg)
{
    pthread_exit(arg); /* same as returning arg */
}

/* Uses stdio in its own reent, then exits: reclaiming that reent must
 * flush its stdout but leave fds 0-2 open for everyone else. */
static void *printing_fn(void *arg)
{
    printf("libc test: a line from thread %s\n", (const char *)arg);
    return NULL;
}

static void lifecycle(void)
{
    pthread_t p;
    pthread_create(&p, NULL, printing_fn, "printing_fn");
    pthread_join(p, NULL);
    check("pthread-stdio-exit-keeps-fds",
          fcntl(0, F_GETFD) >= 0 && fcntl(1, F_GETFD) >= 0 && fcntl(2, F_GETFD) >= 0 && isatty(1),
          "fds 0-2 closed by a thread's exit");

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    size_t stack = 0;
    int big = pthread_attr_setstacksize(&attr, 1 << 20);
    pthread_attr_getstacksize(&attr, &stack);
    int small = pthread_attr_setstacksize(&attr, 100);
    pthread_t t;
    int rc = pthread_create(&t, &attr, detached_fn, NULL);
    int join_detached = pthread_join(t, NULL);
    usleep(10000); /* let it run and go */
    check("pthread-detached",
          rc == 0 && join_detached == EINVAL && detached_ran == 1 && big == 0 &&
              stack == (1 << 20) && small == EINVAL,
          "create %d join %d ran %d stacksize %d/%zu/%d", rc, join_detached, detached_ran, big,
          stack, small);

    void *ret = NULL;
    pthread_create(&t, NULL, exiting_fn, (void *)0x1234);
    int d = pthread_detach(t);
    int dd = pthread_detach(t);
    pthread_create(&t, NULL, exiting_fn, (void *)0x5678);
    usleep(1000); /* let it exit before we join */
    rc = pthread_join(t, &ret);
    check("pthread-exit-join", rc == 0 && ret == (void *)0x5678 && d == 0 && dd == EINVAL,
          "join %d ret %p detach %d %d", rc, ret, d, dd);
    check("pthread-self-main",
          pthread_equal(pthread_self(), pthread_self()) &&
              pthread_join(pthread_self(), NULL) == EDEADLK,
          "self wrong");
}

void test_pthread(void)
{
    workers();
    mutex_types();
    timed_waits();
    lifecycle();
}
