/* Time: monotonic nanoseconds since the domain was created (Xen system time
 * read from shared info, scaled from the TSC) and the wall clock. */
#ifndef MINIOS_TIME_H
#define MINIOS_TIME_H

#include <minios/types.h>

#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC 1000000000ULL

uint64_t monotonic_ns(void);

/* Xen system time (ns) that corresponds to a raw cycle-counter value. */
uint64_t cycles_to_system_ns(uint64_t cycles);

/* Nanoseconds this vCPU has spent actually running (not waiting for a
 * physical CPU or blocked), from Xen's runstate accounting. */
uint64_t vcpu_running_ns(void);

/* Wall clock: nanoseconds since the Unix epoch. */
uint64_t wallclock_ns(void);

#endif
