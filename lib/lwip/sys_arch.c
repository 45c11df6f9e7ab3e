/* lwIP's operating-system layer (lwip/sys.h) on the stubos kernel:
 * semaphores and mutexes are the kernel's, a mailbox is a ring of pointers
 * with two wait queues, threads are kernel threads and time is the
 * monotonic clock.
 *
 * Threads are cooperative (<minios/sched.h>): nothing runs between two
 * statements of a thread unless it blocks, so a mailbox needs no lock
 * between threads. Only event upcalls can interrupt, and they never touch
 * lwIP; SYS_ARCH_PROTECT still disables them, which costs one byte store on
 * PV and keeps lwIP's critical sections honest. */
#include <minios/arch.h>
#include <minios/errno.h>
#include <minios/mm.h>
#include <minios/sched.h>
#include <minios/time.h>

#include "lwip/opt.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"

#include "lwip_port.h"

/* ---- time ---- */

void sys_init(void) {}

u32_t sys_now(void)
{
    return (u32_t)(monotonic_ns() / NSEC_PER_MSEC);
}

/* Deadline for a timeout in milliseconds (0 = wait forever). */
static uint64_t deadline_of(u32_t timeout_ms)
{
    return timeout_ms ? monotonic_ns() + (uint64_t)timeout_ms * NSEC_PER_MSEC : 0;
}

/* What sys_arch_sem_wait/sys_arch_mbox_fetch return: the milliseconds
 * waited, never SYS_ARCH_TIMEOUT for a success. */
static u32_t waited_ms(uint64_t start_ns)
{
    uint64_t ms = (monotonic_ns() - start_ns) / NSEC_PER_MSEC;
    return ms >= SYS_ARCH_TIMEOUT ? SYS_ARCH_TIMEOUT - 1 : (u32_t)ms;
}

/* ---- critical sections ---- */

sys_prot_t sys_arch_protect(void)
{
    return arch_irq_save();
}

void sys_arch_unprotect(sys_prot_t flags)
{
    arch_irq_restore(flags);
}

/* ---- semaphores ---- */

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
    sem->sem = kmalloc(sizeof(*sem->sem));
    if (!sem->sem)
        return ERR_MEM;
    sem_init(sem->sem, count);
    return ERR_OK;
}

void sys_sem_free(sys_sem_t *sem)
{
    kfree(sem->sem);
    sem->sem = NULL;
}

void sys_sem_signal(sys_sem_t *sem)
{
    sem_up(sem->sem);
}

u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout_ms)
{
    uint64_t start = monotonic_ns();
    if (sem_down_deadline(sem->sem, deadline_of(timeout_ms)) < 0)
        return SYS_ARCH_TIMEOUT;
    return waited_ms(start);
}

/* ---- mutexes ---- */

err_t sys_mutex_new(sys_mutex_t *m)
{
    m->mutex = kmalloc(sizeof(*m->mutex));
    if (!m->mutex)
        return ERR_MEM;
    mutex_init(m->mutex);
    return ERR_OK;
}

void sys_mutex_free(sys_mutex_t *m)
{
    kfree(m->mutex);
    m->mutex = NULL;
}

void sys_mutex_lock(sys_mutex_t *m)
{
    mutex_lock(m->mutex);
}

void sys_mutex_unlock(sys_mutex_t *m)
{
    mutex_unlock(m->mutex);
    /* Cooperative threads: a thread that unlocks and relocks without ever
     * blocking (a sender in a loop) would starve the waiters, the tcpip
     * thread among them. Let them in. */
    if (!list_empty(&m->mutex->waiters.waiters))
        thread_yield();
}

/* ---- mailboxes ---- */

struct stubos_mbox {
    unsigned size;        /* slots */
    unsigned head, count; /* oldest message, messages queued */
    struct waitq not_empty, not_full;
    void *slots[];
};

#define MBOX_DEFAULT_SIZE 32

err_t sys_mbox_new(sys_mbox_t *mb, int size)
{
    unsigned n = size > 0 ? (unsigned)size : MBOX_DEFAULT_SIZE;
    struct stubos_mbox *m = kmalloc(sizeof(*m) + n * sizeof(void *));
    if (!m)
        return ERR_MEM;
    m->size = n;
    m->head = m->count = 0;
    waitq_init(&m->not_empty);
    waitq_init(&m->not_full);
    mb->mbox = m;
    return ERR_OK;
}

void sys_mbox_free(sys_mbox_t *mb)
{
    struct stubos_mbox *m = mb->mbox;
    if (m && m->count)
        printk("lwip: freeing a mailbox with %u messages left\n", m->count);
    kfree(m);
    mb->mbox = NULL;
}

static void mbox_put(struct stubos_mbox *m, void *msg)
{
    m->slots[(m->head + m->count) % m->size] = msg;
    m->count++;
    waitq_wake_one(&m->not_empty);
}

static void *mbox_get(struct stubos_mbox *m)
{
    void *msg = m->slots[m->head];
    m->head = (m->head + 1) % m->size;
    m->count--;
    waitq_wake_one(&m->not_full);
    return msg;
}

void sys_mbox_post(sys_mbox_t *mb, void *msg)
{
    struct stubos_mbox *m = mb->mbox;
    wait_event(&m->not_full, m->count < m->size);
    mbox_put(m, msg);
}

err_t sys_mbox_trypost(sys_mbox_t *mb, void *msg)
{
    struct stubos_mbox *m = mb->mbox;
    if (m->count == m->size)
        return ERR_MEM;
    mbox_put(m, msg);
    return ERR_OK;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *mb, void *msg)
{
    return sys_mbox_trypost(mb, msg); /* lwIP is never called from upcalls */
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *mb, void **msg, u32_t timeout_ms)
{
    struct stubos_mbox *m = mb->mbox;
    uint64_t start = monotonic_ns();
    if (wait_event_deadline(&m->not_empty, m->count > 0, deadline_of(timeout_ms)) < 0)
        return SYS_ARCH_TIMEOUT;
    void *got = mbox_get(m);
    if (msg)
        *msg = got;
    return waited_ms(start);
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mb, void **msg)
{
    struct stubos_mbox *m = mb->mbox;
    if (m->count == 0)
        return SYS_MBOX_EMPTY;
    void *got = mbox_get(m);
    if (msg)
        *msg = got;
    return 0;
}

/* ---- threads ---- */

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn fn, void *arg, int stacksize, int prio)
{
    (void)stacksize; /* every kernel thread has THREAD_STACK_SIZE */
    (void)prio;
    struct thread *t = thread_create(name, fn, arg);
    if (!t)
        panic("lwip: cannot create thread \"%s\"", name);
    thread_detach(t);
    return t;
}

/* ---- core-lock checking (LWIP_ASSERT_CORE_LOCKED) ---- */

static struct thread *tcpip_thread;

void stubos_lwip_mark_tcpip_thread(void)
{
    tcpip_thread = thread_current();
}

void stubos_lwip_assert_core_locked(void)
{
    struct mutex *core = lock_tcpip_core.mutex;
    if (!core)
        return; /* before tcpip_init(): single-threaded set-up */
    if (core->owner != thread_current())
        panic("lwip: thread \"%s\" entered the stack without the core lock",
              thread_name(thread_current()));
}

/* ---- memory and randomness (lwipopts.h, arch/cc.h) ---- */

void *stubos_lwip_malloc(unsigned long size)
{
    return kmalloc(size);
}

void *stubos_lwip_calloc(unsigned long count, unsigned long size)
{
    if (size && count > (unsigned long)-1 / size)
        return NULL;
    return kzalloc(count * size);
}

void stubos_lwip_free(void *p)
{
    kfree(p);
}

/* xorshift64*, seeded from the clock the first time: good enough for
 * lwIP's port numbers, DNS ids and DHCP transaction ids (not for keys). */
static uint64_t random_state;

void stubos_lwip_seed_random(uint64_t seed)
{
    random_state ^= seed * 0x9e3779b97f4a7c15ULL;
}

uint32_t stubos_lwip_random(void)
{
    if (random_state == 0)
        random_state = monotonic_ns() ^ wallclock_ns() ^ 0x2545f4914f6cdd1dULL;
    random_state ^= random_state >> 12;
    random_state ^= random_state << 25;
    random_state ^= random_state >> 27;
    return (uint32_t)((random_state * 0x2545f4914f6cdd1dULL) >> 32);
}
