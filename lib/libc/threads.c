/* Per-thread libc state: errno and newlib's reentrancy structure.
 *
 * newlib keeps errno, strtok's position, the stdio streams stdin/stdout/
 * stderr, rand()'s seed ... in a struct _reent, and (built without
 * __DYNAMIC_REENT__, as here) finds the current one through the global
 * _impure_ptr. The scheduler's switch hook points _impure_ptr at the
 * incoming thread's reent:
 *   - threads made by pthread_create() get a reent of their own, so errno
 *     and the rest are per thread (each has its own stdout FILE, buffered
 *     apart; all of them write to fd 1);
 *   - the main thread and kernel threads made without libc share newlib's
 *     global reent, the one exit() flushes.
 * The exit hook frees a thread's reent, flushing its streams. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <minios/mm.h>
#include <minios/panic.h>
#include <minios/sched.h>

#include "internal.h"

static struct __pthread *live; /* every record not yet exited */
static struct __pthread *main_record;
static unsigned running_pthreads; /* made by pthread_create, not exited */
static bool main_exited;

struct __pthread *libc_threads_first(void)
{
    return live;
}

static void unlink_record(struct __pthread *t)
{
    for (struct __pthread **p = &live; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
}

/* Runs in schedule() with events disabled, after the kernel has set the
 * stack limit for next but while still on the previous thread's stack. A
 * -fsplit-stack prologue would compare the wrong stack with the wrong
 * limit and panic ("stack overflow"), so this function has none, and calls
 * nothing that has one -- not even thread_private(): it finds next's record
 * in our own list instead (a handful of threads, no allocation). */
__attribute__((no_split_stack)) static void switch_hook(struct thread *next)
{
    struct __pthread *t = live;
    while (t && t->kthread != next)
        t = t->next;
    _impure_ptr = t ? t->reent : _global_impure_ptr;
}

/* Runs in the exiting thread, before it is gone for good. */
static void exit_hook(struct thread *self)
{
    struct __pthread *t = thread_private(self);
    if (!t)
        return;
    libc_keys_run_destructors(t);
    /* From here on the thread runs on the global reent, also if flushing
     * below blocks and we are switched out and back in. */
    thread_set_private(self, NULL);
    _impure_ptr = _global_impure_ptr;
    unlink_record(t);
    if (t->own_reent) {
        /* newlib gives each reent's stdin/stdout/stderr a close function
         * (_STDIO_CLOSE_PER_REENT_STD_STREAMS in its stdio/local.h), so
         * reclaiming would close fds 0-2 for every thread. Keep the
         * descriptors; the streams are still flushed and freed. */
        struct _reent *r = t->reent;
        if (r->__sdidinit)
            r->_stdin->_close = r->_stdout->_close = r->_stderr->_close = NULL;
        _reclaim_reent(r);
        kfree(t->reent);
        t->reent = _global_impure_ptr;
        t->own_reent = false;
    }
    t->exited = true;
    bool last = false;
    if (t->is_pthread) {
        running_pthreads--;
        last = main_exited && running_pthreads == 0;
        if (t->detached)
            libc_thread_free(t); /* nobody will join it */
    } else if (t == main_record) {
        /* main() called pthread_exit(): the process lives on until its
         * last thread is gone (POSIX). main is never joined here. */
        main_exited = true;
        main_record = NULL;
        last = running_pthreads == 0;
        libc_thread_free(t);
    } else {
        libc_thread_free(t); /* an attached kernel thread */
    }
    if (last)
        exit(0);
}

void libc_threads_init(void)
{
    sched_set_libc_hooks(switch_hook, exit_hook);
    _impure_ptr = _global_impure_ptr;
    main_record = libc_thread_self();
}

struct __pthread *libc_thread_current(void)
{
    return thread_private(thread_current());
}

struct __pthread *libc_thread_alloc(void)
{
    struct __pthread *t = kzalloc(sizeof(*t));
    struct _reent *r = kmalloc(sizeof(*r));
    if (!t || !r) {
        kfree(t);
        kfree(r);
        return NULL;
    }
    _REENT_INIT_PTR(r);
    t->reent = r;
    t->own_reent = true;
    t->is_pthread = true;
    return t;
}

void libc_thread_free(struct __pthread *t)
{
    if (t->own_reent)
        kfree(t->reent);
    kfree(t);
}

void libc_thread_register(struct __pthread *t)
{
    t->next = live;
    live = t;
    thread_set_private(t->kthread, t);
    if (t->is_pthread)
        running_pthreads++;
}

struct __pthread *libc_thread_self(void)
{
    struct __pthread *t = libc_thread_current();
    if (t)
        return t;
    /* A thread made with the kernel API: give it a record that shares the
     * global reent; the exit hook frees it. */
    t = kzalloc(sizeof(*t));
    if (!t)
        panic("libc: no memory for the record of thread \"%s\"", thread_name(thread_current()));
    t->kthread = thread_current();
    t->reent = _global_impure_ptr;
    libc_thread_register(t);
    return t;
}

void libc_threads_flush_all(void)
{
    for (struct __pthread *t = live; t; t = t->next) {
        struct _reent *r = t->reent;
        if (t->own_reent && r->__sdidinit) {
            _fflush_r(r, r->_stdout);
            _fflush_r(r, r->_stderr);
        }
    }
}
