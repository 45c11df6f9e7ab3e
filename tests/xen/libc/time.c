/* Clocks move forward and agree; sleeps last at least what was asked. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include <minios/arch.h>
#include <minios/time.h>

#include "check.h"

static int64_t ns_of(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ns_of(&ts);
}

/* CLOCK_REALTIME, gettimeofday() and time() agree, and say it is after
 * 2020. Xen's wall clock for a domain is set by dom0's toolstack: under
 * dom0less nobody does, and it starts at the epoch. */
static void realtime(void)
{
    struct timespec rt;
    struct timeval tv;
    clock_gettime(CLOCK_REALTIME, &rt);
    if (rt.tv_sec < 1577836800 && strcmp(boot_info.boot_mode, "dom0less") == 0) {
        skip("clock-realtime", "no wall clock under dom0less (Xen's starts at 1970)");
        skip("gmtime", "no wall clock under dom0less");
        return;
    }
    gettimeofday(&tv, NULL);
    time_t now = time(NULL);
    long long tv_ns = (long long)tv.tv_sec * 1000000000 + tv.tv_usec * 1000;
    check("clock-realtime",
          rt.tv_sec > 1577836800 /* 2020 */ && llabs(tv_ns - ns_of(&rt)) < 1000000000LL &&
              llabs((long long)now - rt.tv_sec) <= 1,
          "realtime %lld, gettimeofday %lld.%06ld, time %lld", (long long)rt.tv_sec,
          (long long)tv.tv_sec, (long)tv.tv_usec, (long long)now);

    struct tm tm;
    gmtime_r(&now, &tm);
    check("gmtime", tm.tm_year + 1900 >= 2020 && tm.tm_mon < 12, "year %d", tm.tm_year + 1900);
}

/* The CPU-time clocks and clock()/times() count the vCPU's running time,
 * which the kernel reads from Xen's runstate (VCPUOP_get_runstate_info);
 * Xen on Arm does not offer that call. */
static void cputime(void)
{
    struct timespec cpu;
    struct tms t;
    clock_t c = clock();
    clock_t elapsed = times(&t);
    int rc = clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
    if (rc == 0 && ns_of(&cpu) == 0 && vcpu_running_ns() == 0) {
        skip("clock-cputime", "the kernel has no vCPU running time here (vcpu_running_ns() is 0)");
        return;
    }
    check("clock-cputime",
          rc == 0 && ns_of(&cpu) > 0 && c != (clock_t)-1 && elapsed > 0 && t.tms_utime > 0,
          "cpu %lld clock %ld times %ld", (long long)ns_of(&cpu), (long)c, (long)elapsed);
}

static void clocks(void)
{
    struct timespec a, b, res;
    int rc1 = clock_gettime(CLOCK_MONOTONIC, &a);
    volatile double sink = 0;
    for (int i = 0; i < 200000; i++)
        sink += i * 0.5;
    int rc2 = clock_gettime(CLOCK_MONOTONIC, &b);
    check("clock-monotonic-forward", rc1 == 0 && rc2 == 0 && ns_of(&b) > ns_of(&a),
          "rc %d/%d, %lld then %lld", rc1, rc2, (long long)ns_of(&a), (long long)ns_of(&b));

    realtime();

    errno = 0;
    int bad = clock_gettime((clockid_t)99, &a);
    check("clock-bad-id", bad == -1 && errno == EINVAL, "rc %d errno %d", bad, errno);
    check("clock-getres",
          clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0 &&
              res.tv_nsec <= 1000000,
          "res %ld ns", res.tv_nsec);

    cputime();

    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    errno = 0;
    check("clock-settime-eperm", clock_settime(CLOCK_REALTIME, &rt) == -1 && errno == EPERM,
          "errno %d", errno);
}

static void sleeps(void)
{
    int64_t t0 = mono_ns();
    struct timespec req = {0, 50 * 1000 * 1000}, rem = {1, 1};
    int rc = nanosleep(&req, &rem);
    int64_t slept = mono_ns() - t0;
    check("nanosleep",
          rc == 0 && slept >= 50000000 && slept < 5000000000LL && rem.tv_sec == 0 &&
              rem.tv_nsec == 0,
          "rc %d slept %lld ns", rc, (long long)slept);

    t0 = mono_ns();
    usleep(20000);
    slept = mono_ns() - t0;
    check("usleep", slept >= 20000000, "slept %lld ns", (long long)slept);

    t0 = mono_ns();
    unsigned left = sleep(1);
    slept = mono_ns() - t0;
    check("sleep", left == 0 && slept >= 1000000000LL, "slept %lld ns", (long long)slept);

    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += 30 * 1000 * 1000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
    check("clock-nanosleep-abs", rc == 0 && mono_ns() >= ns_of(&until), "rc %d, woke %lld ns early",
          rc, (long long)(ns_of(&until) - mono_ns()));

    errno = 0;
    req.tv_nsec = 1000000000; /* invalid */
    check("nanosleep-einval", nanosleep(&req, NULL) == -1 && errno == EINVAL, "errno %d", errno);
}

void test_time(void)
{
    clocks();
    sleeps();
}
