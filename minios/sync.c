/* Mutexes, semaphores and condition variables, all built on wait queues.
 * With cooperative scheduling a thread is never preempted between checking
 * a condition and acting on it; events are disabled only where an upcall
 * handler may touch the same state (sem_up). */
#include <minios/arch.h>
#include <minios/errno.h>
#include <minios/panic.h>
#include <minios/sched.h>

void mutex_init(struct mutex *m)
{
    m->owner = NULL;
    waitq_init(&m->waiters);
}

bool mutex_trylock(struct mutex *m)
{
    if (m->owner)
        return false;
    m->owner = thread_current();
    return true;
}

void mutex_lock(struct mutex *m)
{
    if (m->owner == thread_current())
        panic("thread \"%s\" locked a mutex it already holds", thread_name(m->owner));
    wait_event(&m->waiters, m->owner == NULL);
    m->owner = thread_current();
}

void mutex_unlock(struct mutex *m)
{
    if (m->owner != thread_current())
        panic("mutex unlocked by \"%s\", but held by \"%s\"", thread_name(thread_current()),
              m->owner ? thread_name(m->owner) : "nobody");
    m->owner = NULL;
    waitq_wake_one(&m->waiters);
}

void sem_init(struct semaphore *s, long count)
{
    s->count = count;
    waitq_init(&s->waiters);
}

bool sem_trydown(struct semaphore *s)
{
    unsigned long flags = arch_irq_save();
    bool ok = s->count > 0;
    if (ok)
        s->count--;
    arch_irq_restore(flags);
    return ok;
}

int sem_down_deadline(struct semaphore *s, uint64_t deadline_ns)
{
    for (;;) {
        unsigned long flags = arch_irq_save();
        if (s->count > 0) {
            s->count--;
            arch_irq_restore(flags);
            return 0;
        }
        int rc = waitq_sleep(&s->waiters, flags, deadline_ns);
        if (rc)
            return rc;
    }
}

void sem_down(struct semaphore *s)
{
    sem_down_deadline(s, 0);
}

void sem_up(struct semaphore *s)
{
    unsigned long flags = arch_irq_save();
    s->count++;
    waitq_wake_one(&s->waiters);
    arch_irq_restore(flags);
}

void cond_init(struct condvar *c)
{
    waitq_init(&c->waiters);
}

int cond_wait_deadline(struct condvar *c, struct mutex *m, uint64_t deadline_ns)
{
    unsigned long flags = arch_irq_save();
    /* Unlocking cannot switch threads, so no signal can slip in between
     * the unlock and our joining the wait queue. */
    mutex_unlock(m);
    int rc = waitq_sleep(&c->waiters, flags, deadline_ns);
    mutex_lock(m);
    return rc;
}

void cond_wait(struct condvar *c, struct mutex *m)
{
    cond_wait_deadline(c, m, 0);
}

void cond_signal(struct condvar *c)
{
    waitq_wake_one(&c->waiters);
}

void cond_broadcast(struct condvar *c)
{
    waitq_wake_all(&c->waiters);
}
