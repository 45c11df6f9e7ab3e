/* The cooperative scheduler: run queue, blocking, sleeping and timers.
 * Rules of the game are in <minios/sched.h>. The run queue and timer list
 * are touched from upcall context (wake-ups), so thread code changes them
 * only with events disabled. */
#include <minios/arch.h>
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/events.h>
#include <minios/format.h>
#include <minios/hypercall.h>
#include <minios/mm.h>
#include <minios/panic.h>
#include <minios/sched.h>
#include <minios/time.h>

#define STACK_ORDER 3 /* 8 pages: one guard page + 28 KiB of stack */
#define STACK_CANARY 0x57ac4ca7a11c0deULL
/* Room kept free above the guard page for the overflow report itself and
 * for an upcall that arrives right at the limit. */
#define STACK_LIMIT_MARGIN 2048

enum thread_state { THREAD_RUNNABLE, THREAD_BLOCKED, THREAD_EXITED };

struct thread {
    char name[THREAD_NAME_LEN];
    void *sp;                 /* saved stack pointer while switched out */
    void *stack;              /* lowest page: the guard */
    enum thread_state state;
    struct list_head link;    /* run queue or the waitq we sleep on */
    struct list_head all;     /* every thread, for debugging */
    thread_fn_t fn;
    void *arg;
    struct timer wakeup;      /* deadline of a timed sleep */
    bool timed_out;
    bool detached;
    struct waitq exited;
    void *private; /* the libc layer's per-thread data */
};

static struct list_head run_queue = LIST_HEAD_INIT(run_queue);
static struct list_head all_threads = LIST_HEAD_INIT(all_threads);
static struct list_head timers = LIST_HEAD_INIT(timers);
static struct list_head zombies = LIST_HEAD_INIT(zombies); /* detached, exited */
static struct thread *current;
static struct thread *idle_thread;
static evtchn_port_t timer_port;
static void (*libc_switch_hook)(struct thread *next);
static void (*libc_exit_hook)(struct thread *self);

void thread_set_private(struct thread *t, void *p)
{
    t->private = p;
}

void *thread_private(const struct thread *t)
{
    return t ? t->private : NULL;
}

void sched_set_libc_hooks(void (*switch_hook)(struct thread *next),
                          void (*exit_hook)(struct thread *self))
{
    libc_switch_hook = switch_hook;
    libc_exit_hook = exit_hook;
}

struct thread *thread_current(void)
{
    return current;
}

const char *thread_name(const struct thread *t)
{
    return t ? t->name : "(boot)";
}

/* Used by panic() to say where it happened. */
const char *sched_current_name(void)
{
    return thread_name(current);
}

static uint64_t *stack_canary(struct thread *t)
{
    return (uint64_t *)((char *)t->stack + PAGE_SIZE);
}

/* ---------------------------------------------------------------- timers */

void timer_init(struct timer *t, void (*fn)(struct timer *t))
{
    list_init(&t->link);
    t->fn = fn;
    t->armed = false;
    t->deadline_ns = 0;
}

void timer_arm(struct timer *t, uint64_t deadline_ns)
{
    unsigned long flags = arch_irq_save();
    if (t->armed)
        list_del(&t->link);
    t->deadline_ns = deadline_ns;
    t->armed = true;
    /* Sorted by deadline; equal deadlines fire in arming order. */
    struct list_head *pos;
    list_for_each(pos, &timers) {
        if (list_entry(pos, struct timer, link)->deadline_ns > deadline_ns)
            break;
    }
    list_add_tail(&t->link, pos);
    arch_irq_restore(flags);
}

void timer_cancel(struct timer *t)
{
    unsigned long flags = arch_irq_save();
    if (t->armed) {
        list_del(&t->link);
        t->armed = false;
    }
    arch_irq_restore(flags);
}

/* Called with events disabled. A timer never fires before its deadline by
 * our own clock, whatever Xen's timer did. */
static void run_expired_timers(void)
{
    uint64_t now = monotonic_ns();
    while (!list_empty(&timers)) {
        struct timer *t = list_first_entry(&timers, struct timer, link);
        if (t->deadline_ns > now)
            break;
        list_del(&t->link);
        t->armed = false;
        t->fn(t);
    }
}

/* ---------------------------------------------------------------- switching */

static void check_stack(struct thread *t)
{
    if (t->stack && *stack_canary(t) != STACK_CANARY)
        panic("stack overflow in thread \"%s\" (canary overwritten)", t->name);
}

static void reap_zombies(void)
{
    while (!list_empty(&zombies)) {
        struct thread *t = list_first_entry(&zombies, struct thread, link);
        list_del(&t->link);
        list_del(&t->all);
        arch_remap_page((uintptr_t)t->stack);
        pages_free(t->stack, STACK_ORDER);
        kfree(t);
    }
}

/* Switch to the next runnable thread (or idle). Events are disabled by the
 * caller; the current thread must already be queued or blocked. */
static void schedule(void)
{
    struct thread *prev = current, *next = idle_thread;
    run_expired_timers();
    if (!list_empty(&run_queue)) {
        next = list_first_entry(&run_queue, struct thread, link);
        list_del(&next->link);
    }
    if (next == prev)
        return;
    check_stack(prev);
    current = next;
    /* The hook runs first: we are still on prev's stack, which the new
     * limit would not cover. */
    if (libc_switch_hook)
        libc_switch_hook(next);
    arch_set_stack_limit(next->stack ? (uintptr_t)next->stack + PAGE_SIZE + STACK_LIMIT_MARGIN : 0);
    arch_switch_stack(&prev->sp, next->sp);
}

bool sched_can_block(void)
{
    if (!current || current == idle_thread || !current->stack || in_upcall())
        return false;
    unsigned long flags = arch_irq_save();
    arch_irq_restore(flags);
    return flags == 0;
}

void thread_wake(struct thread *t)
{
    unsigned long flags = arch_irq_save();
    if (t->state == THREAD_BLOCKED) {
        list_del(&t->link); /* off whatever wait queue it slept on */
        t->state = THREAD_RUNNABLE;
        list_add_tail(&t->link, &run_queue);
    }
    arch_irq_restore(flags);
}

void thread_yield(void)
{
    unsigned long flags = arch_irq_save();
    if (current != idle_thread)
        list_add_tail(&current->link, &run_queue);
    schedule();
    arch_irq_restore(flags);
}

static void wakeup_timer_fired(struct timer *tm)
{
    struct thread *t = container_of(tm, struct thread, wakeup);
    t->timed_out = true;
    thread_wake(t);
}

int waitq_sleep(struct waitq *q, unsigned long flags, uint64_t deadline_ns)
{
    struct thread *self = current;
    if (self == idle_thread)
        panic("the idle thread tried to sleep");
    self->state = THREAD_BLOCKED;
    self->timed_out = false;
    if (q)
        list_add_tail(&self->link, &q->waiters);
    else
        list_init(&self->link);
    if (deadline_ns)
        timer_arm(&self->wakeup, deadline_ns);
    schedule();
    timer_cancel(&self->wakeup);
    int rc = self->timed_out ? -ETIMEDOUT : 0;
    arch_irq_restore(flags);
    return rc;
}

void thread_sleep_until(uint64_t deadline_ns)
{
    while (monotonic_ns() < deadline_ns) {
        unsigned long flags = arch_irq_save();
        waitq_sleep(NULL, flags, deadline_ns);
    }
}

void sleep_ns(uint64_t ns)
{
    thread_sleep_until(monotonic_ns() + ns);
}

void msleep(uint64_t ms)
{
    sleep_ns(ms * NSEC_PER_MSEC);
}

/* ---------------------------------------------------------------- wait queues */

void waitq_init(struct waitq *q)
{
    list_init(&q->waiters);
}

void waitq_wake_one(struct waitq *q)
{
    unsigned long flags = arch_irq_save();
    if (!list_empty(&q->waiters))
        thread_wake(list_first_entry(&q->waiters, struct thread, link));
    arch_irq_restore(flags);
}

void waitq_wake_all(struct waitq *q)
{
    unsigned long flags = arch_irq_save();
    while (!list_empty(&q->waiters))
        thread_wake(list_first_entry(&q->waiters, struct thread, link));
    arch_irq_restore(flags);
}

/* ---------------------------------------------------------------- threads */

static void thread_entry(void)
{
    /* First run of a thread: we arrive from schedule() with events off. */
    reap_zombies();
    arch_irq_enable();
    current->fn(current->arg);
    thread_exit();
}

struct thread *thread_create(const char *name, thread_fn_t fn, void *arg)
{
    struct thread *t = kzalloc(sizeof(*t));
    if (!t)
        return NULL;
    t->stack = pages_alloc(STACK_ORDER);
    if (!t->stack) {
        kfree(t);
        return NULL;
    }
    ksnprintf(t->name, sizeof(t->name), "%s", name ? name : "thread");
    t->fn = fn;
    t->arg = arg;
    waitq_init(&t->exited);
    timer_init(&t->wakeup, wakeup_timer_fired);
    *stack_canary(t) = STACK_CANARY;
    /* The guard page: running off the stack faults instead of silently
     * corrupting the neighbour's memory. */
    arch_unmap_page((uintptr_t)t->stack);
    t->sp = arch_init_stack((char *)t->stack + (PAGE_SIZE << STACK_ORDER), thread_entry);

    unsigned long flags = arch_irq_save();
    list_add_tail(&t->all, &all_threads);
    t->state = THREAD_RUNNABLE;
    list_add_tail(&t->link, &run_queue);
    arch_irq_restore(flags);
    return t;
}

__noreturn void thread_exit(void)
{
    struct thread *self = current;
    if (libc_exit_hook && self != idle_thread)
        libc_exit_hook(self);
    arch_irq_disable();
    if (self == idle_thread)
        panic("the idle thread exited");
    self->state = THREAD_EXITED;
    waitq_wake_all(&self->exited);
    if (self->detached)
        list_add_tail(&self->link, &zombies); /* freed once we are off its stack */
    schedule();
    panic("exited thread \"%s\" was scheduled again", self->name);
}

int thread_join(struct thread *t)
{
    if (!t || t == current || t->detached)
        return -EINVAL;
    wait_event(&t->exited, t->state == THREAD_EXITED);
    unsigned long flags = arch_irq_save();
    list_del(&t->all);
    arch_irq_restore(flags);
    arch_remap_page((uintptr_t)t->stack);
    pages_free(t->stack, STACK_ORDER);
    kfree(t);
    return 0;
}

int thread_detach(struct thread *t)
{
    if (!t || t->detached)
        return -EINVAL;
    unsigned long flags = arch_irq_save();
    t->detached = true;
    if (t->state == THREAD_EXITED)
        list_add_tail(&t->link, &zombies);
    arch_irq_restore(flags);
    return 0;
}

/* ---------------------------------------------------------------- idle */

static void timer_virq(evtchn_port_t port, void *data)
{
    (void)port;
    (void)data; /* expired timers run in schedule(); the event only wakes us */
}

static void idle_loop(void)
{
    for (;;) {
        arch_irq_disable();
        reap_zombies();
        run_expired_timers();
        if (!list_empty(&run_queue)) {
            schedule();
            arch_irq_enable();
            continue;
        }
        uint64_t deadline = 0;
        if (!list_empty(&timers))
            deadline = list_first_entry(&timers, struct timer, link)->deadline_ns;
        arch_set_timer(deadline);
        /* Blocks with events still disabled; Xen re-enables them atomically
         * with the block, so an event that arrived after our checks above
         * wakes us at once instead of being lost. */
        arch_block();
        arch_irq_enable();
    }
}

__noreturn void sched_start(thread_fn_t main_fn, void *arg)
{
    static struct thread boot = {.name = "boot"};
    static struct thread idle = {.name = "idle"};
    int rc = evtchn_bind_virq(VIRQ_TIMER, timer_virq, NULL, &timer_port);
    if (rc < 0)
        panic("cannot bind VIRQ_TIMER: %d", rc);
    idle_thread = &idle;
    idle.state = THREAD_RUNNABLE;
    list_init(&idle.link);
    char *idle_stack = pages_alloc(1);
    if (!idle_stack)
        panic("cannot allocate the idle thread's stack: out of memory");
    idle.sp = arch_init_stack(idle_stack + 2 * PAGE_SIZE, idle_loop);
    if (!thread_create("main", main_fn, arg))
        panic("cannot create the main thread: out of memory");
    arch_irq_disable();
    current = &boot;
    schedule(); /* the boot stack is abandoned here */
    panic("boot context resumed");
}
