/* Internal interfaces of the stubos libc glue (lib/libc): the system calls
 * newlib needs, implemented with the kernel API of <minios/...>. Not for
 * applications. README.md in this folder explains the design. */
#ifndef LIBC_INTERNAL_H
#define LIBC_INTERNAL_H

#include <pthread.h>
#include <reent.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct thread;

/* newlib for aarch64 calls _read(), _write() ... from its _read_r() & co.
 * (and defines read() itself); for x86_64 it calls read(). Every system
 * call gets both names, one body: the unused one costs nothing. */
#define LIBC_ALIAS(name)                                                                           \
    extern __typeof__(name) _##name __attribute__((__alias__(#name), __copy__(name)))

/* Fail a system call with error err: sets errno and returns -1. Both the
 * calling thread's errno and the global one newlib's _r wrappers copy from
 * are set (see errno.c). */
int libc_fail(int err);

/* Map a kernel-style result (value >= 0, or a negative errno) to the
 * system-call convention (value, or -1 with errno set). */
static inline long libc_result(long rc)
{
    return rc < 0 ? libc_fail((int)-rc) : rc;
}

/* ---- threads.c: per-thread state ---- */

/* One record per thread that uses libc state of its own: threads made by
 * pthread_create(), the main thread, and kernel threads that called a
 * pthread function needing one (attached on demand). */
struct __pthread {
    struct thread *kthread;
    struct _reent *reent; /* own, or newlib's global one (main, attached) */
    bool own_reent;
    bool is_pthread; /* made by pthread_create: joinable, counted */
    bool detached;
    bool exited;
    bool joining;
    void *(*start)(void *);
    void *arg;
    void *retval;
    const void *keys[PTHREAD_KEYS_MAX];
    struct __pthread *next; /* all live records (libc_threads) */
};

/* Install the scheduler hooks and attach the calling (main) thread. */
void libc_threads_init(void);
/* The caller's record, attaching one if needed (panics without memory). */
struct __pthread *libc_thread_self(void);
/* The caller's record if it has one, else NULL. */
struct __pthread *libc_thread_current(void);
/* Make a record for a new pthread (with its own reent); NULL if no memory. */
struct __pthread *libc_thread_alloc(void);
void libc_thread_free(struct __pthread *t);
/* Link t (whose kthread is set) into the live list and count it. */
void libc_thread_register(struct __pthread *t);
/* First of the live records (for walking key slots). */
struct __pthread *libc_threads_first(void);
/* Flush the stdio streams of every other thread's reent (an atexit
 * handler: exit() itself only flushes the global reent's). */
void libc_threads_flush_all(void);

/* pthread_key.c: run the destructors of t's non-NULL keys. */
void libc_keys_run_destructors(struct __pthread *t);

/* ---- time.c ---- */

/* Convert an absolute timeout on clock clk into a kernel deadline
 * (monotonic ns, never 0). 0 or EINVAL (bad clock or tv_nsec). A time
 * already past gives a deadline already past. */
int libc_deadline(clockid_t clk, const struct timespec *abstime, uint64_t *deadline_ns);

/* ---- heap.c ---- */

/* Set the heap limit from a LIBC_HEAP value ("64M", "50%" ...); NULL or
 * bad values keep the default (warning for bad ones). Before first use. */
void libc_heap_configure(const char *spec);

/* ---- files.c ---- */

/* Open fds 0, 1, 2 on the console. 0 or a negative errno. */
int libc_stdio_init(void);
/* Open a device file by path (/dev/null ...): a new file with refs 0, or
 * NULL with *err set (ENOENT for unknown paths). */
struct libc_file *libc_device_open(const char *path, int flags, int *err);
/* stat() of a path without opening it: 0 or a negative errno. */
struct stat;
int libc_path_stat(const char *path, struct stat *st);

/* ---- random.c ---- */
void libc_random_fill(void *buf, size_t n);

#endif
