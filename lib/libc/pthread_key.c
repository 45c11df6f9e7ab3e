/* pthread_once and thread-specific data (keys).
 *
 * A key is an index into a table of PTHREAD_KEYS_MAX slots; each thread's
 * record (threads.c) holds one value per slot. Creating a key clears its
 * slot in every live thread, so a reused index never shows a value left
 * from a deleted key. */
#include <errno.h>
#include <pthread.h>

#include <minios/arch.h>
#include <minios/sched.h>

#include "internal.h"

static struct key_slot {
    bool used;
    void (*destructor)(void *);
} keys[PTHREAD_KEYS_MAX];

int pthread_key_create(pthread_key_t *key, void (*destructor)(void *))
{
    for (unsigned k = 0; k < PTHREAD_KEYS_MAX; k++) {
        if (keys[k].used)
            continue;
        keys[k].used = true;
        keys[k].destructor = destructor;
        for (struct __pthread *t = libc_threads_first(); t; t = t->next)
            t->keys[k] = NULL;
        *key = k;
        return 0;
    }
    return EAGAIN;
}

int pthread_key_delete(pthread_key_t key)
{
    if (key >= PTHREAD_KEYS_MAX || !keys[key].used)
        return EINVAL;
    keys[key].used = false; /* POSIX: no destructors run here */
    return 0;
}

void *pthread_getspecific(pthread_key_t key)
{
    struct __pthread *t = libc_thread_current();
    if (!t || key >= PTHREAD_KEYS_MAX || !keys[key].used)
        return NULL;
    return (void *)t->keys[key];
}

int pthread_setspecific(pthread_key_t key, const void *value)
{
    if (key >= PTHREAD_KEYS_MAX || !keys[key].used)
        return EINVAL;
    libc_thread_self()->keys[key] = value;
    return 0;
}

void libc_keys_run_destructors(struct __pthread *t)
{
    /* A destructor may set values again: repeat a bounded number of times. */
    for (int round = 0; round < PTHREAD_DESTRUCTOR_ITERATIONS; round++) {
        bool ran = false;
        for (unsigned k = 0; k < PTHREAD_KEYS_MAX; k++) {
            void *value = (void *)t->keys[k];
            if (!value || !keys[k].used || !keys[k].destructor)
                continue;
            t->keys[k] = NULL;
            keys[k].destructor(value);
            ran = true;
        }
        if (!ran)
            return;
    }
}

/* ---- once ---- */

enum { ONCE_NOT_RUN, ONCE_RUNNING, ONCE_DONE };
static struct waitq once_done = WAITQ_INIT(once_done);

int pthread_once(pthread_once_t *once, void (*init)(void))
{
    if (once->__state == ONCE_DONE)
        return 0;
    if (once->__state == ONCE_RUNNING) {
        /* init blocked in another thread: wait for it to finish. */
        wait_event(&once_done, once->__state == ONCE_DONE);
        return 0;
    }
    once->__state = ONCE_RUNNING;
    init();
    once->__state = ONCE_DONE;
    waitq_wake_all(&once_done);
    return 0;
}
