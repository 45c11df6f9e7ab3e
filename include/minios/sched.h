/* Cooperative threads on one vCPU.
 *
 * The rules that keep a single-address-space kernel simple:
 *  - One vCPU, threads switch only when they block, sleep, yield or exit.
 *    No preemption: code between those calls runs atomically with respect to
 *    other threads.
 *  - Upcall (event) context interrupts a thread at any instruction. It only
 *    marks events pending and wakes threads (waitq_wake_*, sem_up,
 *    thread_wake); it never blocks, sleeps, allocates or takes a mutex.
 *    Thread code that shares state with a handler brackets the access with
 *    arch_irq_save()/arch_irq_restore().
 *  - Real work runs in threads. When none is runnable the idle thread blocks
 *    the vCPU in Xen until the next event or timer deadline. */
#ifndef MINIOS_SCHED_H
#define MINIOS_SCHED_H

#include <minios/arch.h>
#include <minios/list.h>
#include <minios/types.h>

#define THREAD_NAME_LEN 32
#define THREAD_STACK_SIZE (32 * 1024)

struct thread;
typedef void (*thread_fn_t)(void *arg);

/* Create a runnable thread (stack with an unmapped guard page below it).
 * NULL if memory is short. */
struct thread *thread_create(const char *name, thread_fn_t fn, void *arg);

/* Wait for t to exit, then free it. Each thread is joined at most once;
 * a detached thread frees itself when it exits. */
int thread_join(struct thread *t);
int thread_detach(struct thread *t);
__noreturn void thread_exit(void);

void thread_yield(void);
struct thread *thread_current(void);
const char *thread_name(const struct thread *t);

/* Sleep until monotonic time deadline_ns (see <minios/time.h>). */
void thread_sleep_until(uint64_t deadline_ns);
void sleep_ns(uint64_t ns);
void msleep(uint64_t ms);

/* True if the caller may block: a real thread (not idle or boot), not in
 * upcall context, with events enabled. */
bool sched_can_block(void);

/* Make a blocked thread runnable (safe from upcall context). */
void thread_wake(struct thread *t);

/* ---- wait queues: the primitive under everything else ---- */
struct waitq {
    struct list_head waiters;
};
#define WAITQ_INIT(name) {LIST_HEAD_INIT((name).waiters)}
void waitq_init(struct waitq *q);
void waitq_wake_one(struct waitq *q);
void waitq_wake_all(struct waitq *q);

/* Block on q until woken or until deadline_ns (0 = no deadline). The caller
 * has events disabled (flags from arch_irq_save) so that a wake-up between
 * its condition check and this call is not lost; they are restored on
 * return. Returns 0 when woken, -ETIMEDOUT at the deadline. */
int waitq_sleep(struct waitq *q, unsigned long flags, uint64_t deadline_ns);

/* Wait until cond is true (re-checked after every wake-up). Returns 0, or
 * -ETIMEDOUT if deadline_ns (0 = never) passes first. */
#define wait_event_deadline(q, cond, deadline_ns)                                      \
    ({                                                                                 \
        int __rc = 0;                                                                  \
        for (;;) {                                                                     \
            unsigned long __flags = arch_irq_save();                                   \
            if (cond) {                                                                \
                arch_irq_restore(__flags);                                             \
                break;                                                                 \
            }                                                                          \
            __rc = waitq_sleep((q), __flags, (deadline_ns));                           \
            if (__rc)                                                                  \
                break;                                                                 \
        }                                                                              \
        __rc;                                                                          \
    })
#define wait_event(q, cond) ((void)wait_event_deadline(q, cond, 0))

/* ---- mutex, semaphore, condition variable ---- */
struct mutex {
    struct thread *owner;
    struct waitq waiters;
};
void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m); /* panics if the caller is not the owner */

struct semaphore {
    long count;
    struct waitq waiters;
};
void sem_init(struct semaphore *s, long count);
void sem_down(struct semaphore *s);
int sem_down_deadline(struct semaphore *s, uint64_t deadline_ns); /* 0 or -ETIMEDOUT */
bool sem_trydown(struct semaphore *s);
void sem_up(struct semaphore *s); /* safe from upcall context */

struct condvar {
    struct waitq waiters;
};
void cond_init(struct condvar *c);
void cond_wait(struct condvar *c, struct mutex *m);
int cond_wait_deadline(struct condvar *c, struct mutex *m, uint64_t deadline_ns);
void cond_signal(struct condvar *c);
void cond_broadcast(struct condvar *c);

/* ---- timers: callbacks at a deadline, run by the scheduler with events
 * disabled (keep them short: wake a thread, set a flag). ---- */
struct timer {
    struct list_head link;
    uint64_t deadline_ns;
    void (*fn)(struct timer *t);
    bool armed;
};
void timer_init(struct timer *t, void (*fn)(struct timer *t));
void timer_arm(struct timer *t, uint64_t deadline_ns);
void timer_cancel(struct timer *t);

/* ---- hooks for a libc layer (per-thread errno/reentrancy state) ---- */
/* One pointer of per-thread data owned by the libc layer. */
void thread_set_private(struct thread *t, void *p);
void *thread_private(const struct thread *t);
/* switch_hook runs on every switch, with events disabled, once the next
 * thread is current; exit_hook runs in a thread as it exits. */
void sched_set_libc_hooks(void (*switch_hook)(struct thread *next),
                          void (*exit_hook)(struct thread *self));

/* Internal: start the scheduler with main_fn as the first thread. */
__noreturn void sched_start(thread_fn_t main_fn, void *arg);

#endif
