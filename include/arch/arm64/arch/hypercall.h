/* arm64 hypercall entry: "hvc #0xEA1" (XEN_HYPERCALL_TAG in the HVC's
 * immediate), the hypercall number in x16, arguments in x0-x4, the result in
 * x0. Xen may clobber x16 and every argument register it was given
 * (xen/arch-arm.h); we list all five as clobbered, which is always safe. */
#ifndef ARCH_ARM64_HYPERCALL_H
#define ARCH_ARM64_HYPERCALL_H

#include <xen/xen.h>

static inline long arch_hypercall5(unsigned nr, unsigned long a1, unsigned long a2,
                                   unsigned long a3, unsigned long a4, unsigned long a5)
{
    register unsigned long x0 __asm__("x0") = a1;
    register unsigned long x1 __asm__("x1") = a2;
    register unsigned long x2 __asm__("x2") = a3;
    register unsigned long x3 __asm__("x3") = a4;
    register unsigned long x4 __asm__("x4") = a5;
    register unsigned long x16 __asm__("x16") = nr;
    __asm__ __volatile__("hvc #0xea1"
                         : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x16)
                         :
                         : "memory");
    return (long)x0;
}

#endif
