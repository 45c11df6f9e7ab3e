/* Time and timers: the monotonic clock against dom0's clock over a 2 s
 * sleep (the dom0 hook does the comparison), and 100 one-shot timers with
 * random deadlines that must fire in deadline order and never early. */
#include <minios/console.h>
#include <minios/sched.h>
#include <minios/time.h>
#include <minios/xenbus.h>
#include "../testlib.h"

#define NTIMERS 100

struct test_timer {
    struct timer t;
    int id;
};

static struct test_timer timers[NTIMERS];
static uint64_t fired_at[NTIMERS];
static int fire_order[NTIMERS];
static int fired;
static struct semaphore all_fired;

static void on_fire(struct timer *t)
{
    struct test_timer *tt = container_of(t, struct test_timer, t);
    fired_at[tt->id] = monotonic_ns();
    fire_order[fired++] = tt->id;
    if (fired == NTIMERS)
        sem_up(&all_fired);
}

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245 + 12345;
    return rng_state >> 8;
}

static void check_timers(void)
{
    uint64_t base = monotonic_ns() + 20 * NSEC_PER_MSEC;
    sem_init(&all_fired, 0);
    for (int i = 0; i < NTIMERS; i++) {
        timers[i].id = i;
        timer_init(&timers[i].t, on_fire);
        /* Deadlines within 500 ms, some equal to exercise tie order. */
        timer_arm(&timers[i].t, base + (rng() % 50) * 10 * NSEC_PER_MSEC);
    }
    int rc = sem_down_deadline(&all_fired, monotonic_ns() + 5 * NSEC_PER_SEC);
    TEST_CHECK("timers-all-fire", rc == 0 && fired == NTIMERS, "%d of %d fired", fired, NTIMERS);

    int early = 0, misordered = 0;
    uint64_t worst_late = 0;
    for (int k = 0; k < fired; k++) {
        int id = fire_order[k];
        uint64_t deadline = timers[id].t.deadline_ns;
        if (fired_at[id] < deadline)
            early++;
        else if (fired_at[id] - deadline > worst_late)
            worst_late = fired_at[id] - deadline;
        if (k > 0) {
            int prev = fire_order[k - 1];
            uint64_t pd = timers[prev].t.deadline_ns;
            if (pd > deadline || (pd == deadline && prev > id))
                misordered++;
        }
    }
    TEST_CHECK("timers-never-early", early == 0, "%d timers fired early", early);
    TEST_CHECK("timers-in-order", misordered == 0, "%d out of order", misordered);
    printk("timers: worst lateness %lu us\n", (unsigned long)(worst_late / NSEC_PER_USEC));
}

static void check_sleep(void)
{
    uint64_t t0 = monotonic_ns();
    msleep(50);
    uint64_t slept = monotonic_ns() - t0;
    TEST_CHECK("time-msleep-not-early", slept >= 50 * NSEC_PER_MSEC, "slept %lu ns",
               (unsigned long)slept);

    uint64_t wall = wallclock_ns() / NSEC_PER_SEC;
    /* 2020-01-01 .. 2100-01-01: Xen's wall clock is set from dom0's. Without
     * a dom0 (dom0less) nobody sets it: it counts from 1970 then. */
    if (wall < 1000000000ULL)
        TEST_SKIP("time-wallclock-sane", "Xen's wall clock was never set (%lu s)",
                  (unsigned long)wall);
    else
        TEST_CHECK("time-wallclock-sane", wall > 1577836800ULL && wall < 4102444800ULL,
                   "wall clock %lu s since the epoch", (unsigned long)wall);

    uint64_t prev = monotonic_ns(), backwards = 0;
    for (int i = 0; i < 100000; i++) {
        uint64_t now = monotonic_ns();
        backwards += now < prev;
        prev = now;
    }
    TEST_CHECK("time-monotonic", backwards == 0, "went backwards %lu times",
               (unsigned long)backwards);
}

/* The hook watches data/timers and timestamps both writes with dom0's
 * clock; xenstore is used because its watch latency is small and the same
 * for both ends of the interval (the console log is written in bursts). */
static void sleep_against_dom0(void)
{
    msleep(1000); /* give the hook time to set up its watch */
    uint64_t t0 = monotonic_ns();
    int rc = xenbus_write(XBT_NIL, "data/timers", "begin");
    msleep(2000);
    uint64_t ms = (monotonic_ns() - t0) / NSEC_PER_MSEC;
    if (rc == 0)
        rc = xenbus_printf(XBT_NIL, "data/timers", "end %lu", (unsigned long)ms);
    printk("timers: slept 2000 ms against dom0's clock, guest measured %lu ms (xenstore %d)\n",
           (unsigned long)ms, rc);
    msleep(500); /* let the hook read the node before we go */
}

int main(void)
{
    check_sleep();
    check_timers();
    sleep_against_dom0();
    return test_exit_status();
}
