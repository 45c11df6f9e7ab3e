/* Clocks and sleeping: gettimeofday, clock_gettime & co., nanosleep,
 * clock_nanosleep, sleep, usleep, times, sched_yield.
 *
 *   CLOCK_MONOTONIC           Xen system time: ns since the domain started
 *   CLOCK_REALTIME            Xen's wall clock (read-only: clock_settime
 *                             fails with EPERM)
 *   CLOCK_*_CPUTIME_ID        time this vCPU actually ran (one vCPU, so the
 *                             process and every thread share it)
 * Sleeps block the thread on a kernel timer and never end early. */
#include <errno.h>
#include <sched.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include <minios/sched.h>
#include <minios/time.h>

#include "internal.h"

/* The farthest deadline we hand the kernel (~146 years): Xen's timer takes
 * a signed 64-bit time, and "forever" must not wrap into "now". */
#define FOREVER_NS (1ULL << 62)

static bool clock_now_ns(clockid_t clk, uint64_t *ns)
{
    switch (clk) {
    case CLOCK_REALTIME:
        *ns = wallclock_ns();
        return true;
    case CLOCK_MONOTONIC:
        *ns = monotonic_ns();
        return true;
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
        *ns = vcpu_running_ns();
        return true;
    default:
        return false;
    }
}

static bool timespec_valid(const struct timespec *ts)
{
    return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < (long)NSEC_PER_SEC;
}

/* ns of a valid timespec, saturating at FOREVER_NS. */
static uint64_t timespec_ns(const struct timespec *ts)
{
    if ((uint64_t)ts->tv_sec >= FOREVER_NS / NSEC_PER_SEC)
        return FOREVER_NS;
    return (uint64_t)ts->tv_sec * NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
}

/* now + len, saturating at FOREVER_NS. */
static uint64_t deadline_after(uint64_t now, uint64_t len)
{
    return len >= FOREVER_NS - now ? FOREVER_NS : now + len;
}

static void ns_to_timespec(uint64_t ns, struct timespec *ts)
{
    ts->tv_sec = (time_t)(ns / NSEC_PER_SEC);
    ts->tv_nsec = (long)(ns % NSEC_PER_SEC);
}

int clock_gettime(clockid_t clk, struct timespec *ts)
{
    uint64_t ns;
    if (!clock_now_ns(clk, &ns))
        return libc_fail(EINVAL);
    ns_to_timespec(ns, ts);
    return 0;
}

int clock_getres(clockid_t clk, struct timespec *res)
{
    uint64_t ns;
    if (!clock_now_ns(clk, &ns))
        return libc_fail(EINVAL);
    if (res) /* Xen system time is kept in ns */
        *res = (struct timespec){.tv_sec = 0, .tv_nsec = 1};
    return 0;
}

int clock_settime(clockid_t clk, const struct timespec *ts)
{
    uint64_t ns;
    (void)ts;
    if (!clock_now_ns(clk, &ns))
        return libc_fail(EINVAL);
    return libc_fail(EPERM); /* the wall clock belongs to Xen */
}

int gettimeofday(struct timeval *tv, void *tz)
{
    (void)tz; /* obsolete; always UTC */
    if (tv) {
        uint64_t ns = wallclock_ns();
        tv->tv_sec = (time_t)(ns / NSEC_PER_SEC);
        tv->tv_usec = (suseconds_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC);
    }
    return 0;
}
LIBC_ALIAS(gettimeofday);

/* times() and clock() count in CLOCKS_PER_SEC ticks. */
static clock_t ns_to_ticks(uint64_t ns)
{
    return (clock_t)(ns / (NSEC_PER_SEC / CLOCKS_PER_SEC));
}

clock_t times(struct tms *buf)
{
    if (buf) {
        buf->tms_utime = ns_to_ticks(vcpu_running_ns());
        buf->tms_stime = 0;
        buf->tms_cutime = 0;
        buf->tms_cstime = 0;
    }
    return ns_to_ticks(monotonic_ns());
}
LIBC_ALIAS(times);

int libc_deadline(clockid_t clk, const struct timespec *abstime, uint64_t *deadline_ns)
{
    uint64_t now, mono = monotonic_ns();
    if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC)
        return EINVAL;
    if (!timespec_valid(abstime))
        return EINVAL;
    clock_now_ns(clk, &now);
    uint64_t when = timespec_ns(abstime);
    /* A time already past gives a deadline already past: at once. */
    *deadline_ns = when <= now ? mono : deadline_after(mono, when - now);
    if (*deadline_ns == 0)
        *deadline_ns = 1; /* 0 means "no deadline" to the kernel */
    return 0;
}

int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
    if (clk == CLOCK_PROCESS_CPUTIME_ID || clk == CLOCK_THREAD_CPUTIME_ID)
        return ENOTSUP;
    uint64_t deadline;
    if (flags & TIMER_ABSTIME) {
        int rc = libc_deadline(clk, req, &deadline);
        if (rc)
            return rc;
    } else {
        if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC)
            return EINVAL;
        if (!timespec_valid(req))
            return EINVAL;
        deadline = deadline_after(monotonic_ns(), timespec_ns(req));
    }
    /* No signals: nothing interrupts a sleep, it runs to the end. */
    thread_sleep_until(deadline);
    if (rem && !(flags & TIMER_ABSTIME))
        *rem = (struct timespec){0, 0};
    return 0;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
    int rc = clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem);
    return rc ? libc_fail(rc) : 0;
}

unsigned sleep(unsigned seconds)
{
    sleep_ns((uint64_t)seconds * NSEC_PER_SEC);
    return 0;
}

int usleep(useconds_t usec)
{
    sleep_ns((uint64_t)usec * NSEC_PER_USEC);
    return 0;
}

int sched_yield(void)
{
    thread_yield();
    return 0;
}
