/* Scheduler under load: 100 threads sharing a mutex, a semaphore-bounded
 * queue and a condition-variable barrier; every check is exact. */
#include <minios/console.h>
#include <minios/sched.h>
#include <minios/time.h>
#include "../testlib.h"

#define MUTEX_THREADS 40
#define MUTEX_ROUNDS 200
#define PRODUCERS 15
#define CONSUMERS 15
#define ITEMS_PER_PRODUCER 200
#define BARRIER_THREADS 30
#define QUEUE_SLOTS 8

static struct mutex counter_lock;
static long counter;
static int inside; /* threads inside the critical section right now */
static int overlap;

static void mutex_worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < MUTEX_ROUNDS; i++) {
        mutex_lock(&counter_lock);
        if (inside++)
            overlap++;
        long seen = counter;
        if (i % 7 == 0)
            thread_yield(); /* others must queue on the mutex meanwhile */
        counter = seen + 1;
        inside--;
        mutex_unlock(&counter_lock);
        if (i % 3 == 0)
            thread_yield();
    }
}

static struct semaphore slots_free, slots_used;
static struct mutex queue_lock;
static int queue[QUEUE_SLOTS], queue_head, queue_tail;
static long consumed_sum, consumed_count;

static void producer(void *arg)
{
    int base = (int)(long)arg * ITEMS_PER_PRODUCER;
    for (int i = 1; i <= ITEMS_PER_PRODUCER; i++) {
        sem_down(&slots_free);
        mutex_lock(&queue_lock);
        queue[queue_tail++ % QUEUE_SLOTS] = base + i;
        mutex_unlock(&queue_lock);
        sem_up(&slots_used);
    }
}

static void consumer(void *arg)
{
    (void)arg;
    for (int i = 0; i < PRODUCERS * ITEMS_PER_PRODUCER / CONSUMERS; i++) {
        sem_down(&slots_used);
        mutex_lock(&queue_lock);
        consumed_sum += queue[queue_head++ % QUEUE_SLOTS];
        consumed_count++;
        mutex_unlock(&queue_lock);
        sem_up(&slots_free);
    }
}

static struct mutex barrier_lock;
static struct condvar barrier_cond;
static int arrived, released;

static void barrier_worker(void *arg)
{
    (void)arg;
    mutex_lock(&barrier_lock);
    if (++arrived == BARRIER_THREADS)
        cond_broadcast(&barrier_cond);
    while (arrived < BARRIER_THREADS)
        cond_wait(&barrier_cond, &barrier_lock);
    released++;
    mutex_unlock(&barrier_lock);
}

static int start_all(struct thread **ts, int n, const char *name, thread_fn_t fn, int base)
{
    int made = 0;
    for (int i = 0; i < n; i++) {
        ts[i] = thread_create(name, fn, (void *)(long)(base + i));
        made += ts[i] != NULL;
    }
    return made;
}

static void join_all(struct thread **ts, int n)
{
    for (int i = 0; i < n; i++)
        if (ts[i])
            thread_join(ts[i]);
}

int main(void)
{
    static struct thread *ts[MUTEX_THREADS + PRODUCERS + CONSUMERS + BARRIER_THREADS];
    mutex_init(&counter_lock);
    mutex_init(&queue_lock);
    mutex_init(&barrier_lock);
    sem_init(&slots_free, QUEUE_SLOTS);
    sem_init(&slots_used, 0);
    cond_init(&barrier_cond);

    int n = 0, made = 0;
    made += start_all(ts + n, MUTEX_THREADS, "mutex", mutex_worker, 0), n += MUTEX_THREADS;
    made += start_all(ts + n, PRODUCERS, "producer", producer, 0), n += PRODUCERS;
    made += start_all(ts + n, CONSUMERS, "consumer", consumer, 0), n += CONSUMERS;
    made += start_all(ts + n, BARRIER_THREADS, "barrier", barrier_worker, 0), n += BARRIER_THREADS;
    TEST_CHECK("sched-create-100", made == 100, "created %d of 100 threads", made);
    uint64_t t0 = monotonic_ns();
    join_all(ts, n);
    uint64_t ms = (monotonic_ns() - t0) / NSEC_PER_MSEC;
    printk("sched: 100 threads finished in %lu ms\n", (unsigned long)ms);

    long want_count = (long)PRODUCERS * ITEMS_PER_PRODUCER;
    long want_sum = 0;
    for (long v = 1; v <= want_count; v++)
        want_sum += v;
    TEST_CHECK("sched-mutex-count", counter == MUTEX_THREADS * MUTEX_ROUNDS,
               "counter %ld, want %d", counter, MUTEX_THREADS * MUTEX_ROUNDS);
    TEST_CHECK("sched-mutex-exclusive", overlap == 0, "%d overlapping entries", overlap);
    TEST_CHECK("sched-semaphore-queue", consumed_count == want_count && consumed_sum == want_sum,
               "consumed %ld items summing to %ld, want %ld / %ld", consumed_count, consumed_sum,
               want_count, want_sum);
    TEST_CHECK("sched-condvar-barrier", released == BARRIER_THREADS, "%d of %d released",
               released, BARRIER_THREADS);

    /* Joined threads give their stacks back: 10 more rounds of 100 must fit. */
    int rounds_ok = 0;
    for (int round = 0; round < 10; round++) {
        arrived = released = 0;
        if (start_all(ts, BARRIER_THREADS, "again", barrier_worker, 0) != BARRIER_THREADS)
            break;
        join_all(ts, BARRIER_THREADS);
        rounds_ok += released == BARRIER_THREADS;
    }
    TEST_CHECK("sched-join-frees", rounds_ok == 10, "%d of 10 rounds completed", rounds_ok);
    return test_exit_status();
}
