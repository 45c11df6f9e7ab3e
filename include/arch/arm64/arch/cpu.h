/* arm64 CPU helpers the core may use inline: barriers, the generic timer's
 * virtual counter, and atomic bit operations on words shared with Xen.
 *
 * Memory shared with Xen or other domains (shared info, grant table, rings)
 * is Normal Inner-Shareable Write-Back on both sides, so the inner-shareable
 * data memory barriers are the right strength for it. */
#ifndef ARCH_ARM64_CPU_H
#define ARCH_ARM64_CPU_H

#include <stdint.h>

#define mb() __asm__ __volatile__("dsb sy" ::: "memory")
#define rmb() __asm__ __volatile__("dsb ld" ::: "memory")
#define wmb() __asm__ __volatile__("dsb st" ::: "memory")
/* Xen's ring.h wants these names: ordering between us and another CPU. */
#define xen_mb() __asm__ __volatile__("dmb ish" ::: "memory")
#define xen_rmb() __asm__ __volatile__("dmb ishld" ::: "memory")
#define xen_wmb() __asm__ __volatile__("dmb ishst" ::: "memory")

/* The virtual counter (CNTVCT_EL0). Xen offsets it per domain, so it counts
 * from (about) domain creation at CNTFRQ_EL0 ticks per second. The isb keeps
 * the read from being done early, ahead of the code before it. */
static inline uint64_t arch_read_cycles(void)
{
    uint64_t v;
    __asm__ __volatile__("isb; mrs %0, cntvct_el0" : "=r"(v) : : "memory");
    return v;
}

static inline void *arch_frame_address(void)
{
    return __builtin_frame_address(0);
}

/* Atomic bit operations on word arrays shared with Xen (the compiler emits
 * exclusive load/store loops or LSE atomics; never libgcc calls, the kernel
 * is built with -mno-outline-atomics). */
static inline int arch_test_and_clear_bit(unsigned nr, volatile unsigned long *addr)
{
    unsigned long mask = 1UL << (nr % 64);
    unsigned long old = __atomic_fetch_and(&addr[nr / 64], ~mask, __ATOMIC_SEQ_CST);
    return (old & mask) != 0;
}

static inline void arch_set_bit(unsigned nr, volatile unsigned long *addr)
{
    __atomic_fetch_or(&addr[nr / 64], 1UL << (nr % 64), __ATOMIC_SEQ_CST);
}

static inline void arch_clear_bit(unsigned nr, volatile unsigned long *addr)
{
    __atomic_fetch_and(&addr[nr / 64], ~(1UL << (nr % 64)), __ATOMIC_SEQ_CST);
}

static inline unsigned long arch_xchg(volatile unsigned long *p, unsigned long v)
{
    return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
}

#endif
