/* x86_64 CPU helpers the core may use inline: barriers, TSC, spinning. */
#ifndef ARCH_X86_64_CPU_H
#define ARCH_X86_64_CPU_H

#include <stdint.h>

#define mb() __asm__ __volatile__("mfence" ::: "memory")
#define rmb() __asm__ __volatile__("lfence" ::: "memory")
#define wmb() __asm__ __volatile__("sfence" ::: "memory")
/* Xen's ring.h wants these names. x86 keeps stores ordered with stores and
 * loads with loads, so a compiler barrier is enough for shared rings. */
#define xen_mb() mb()
#define xen_rmb() __asm__ __volatile__("" ::: "memory")
#define xen_wmb() __asm__ __volatile__("" ::: "memory")

static inline uint64_t arch_read_cycles(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void *arch_frame_address(void)
{
    return __builtin_frame_address(0);
}

/* Atomically set/clear/test bit nr of a word array shared with Xen. */
static inline int arch_test_and_clear_bit(unsigned nr, volatile unsigned long *addr)
{
    unsigned char old;
    __asm__ __volatile__("lock btrq %2, %1; setc %0"
                         : "=q"(old), "+m"(*addr)
                         : "r"((unsigned long)nr)
                         : "memory");
    return old;
}

static inline void arch_set_bit(unsigned nr, volatile unsigned long *addr)
{
    __asm__ __volatile__("lock btsq %1, %0" : "+m"(*addr) : "r"((unsigned long)nr) : "memory");
}

static inline void arch_clear_bit(unsigned nr, volatile unsigned long *addr)
{
    __asm__ __volatile__("lock btrq %1, %0" : "+m"(*addr) : "r"((unsigned long)nr) : "memory");
}

static inline unsigned long arch_xchg(volatile unsigned long *p, unsigned long v)
{
    __asm__ __volatile__("xchgq %0, %1" : "+r"(v), "+m"(*p) : : "memory");
    return v;
}

#endif
