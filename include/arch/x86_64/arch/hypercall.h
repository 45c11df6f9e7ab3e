/* x86_64 hypercall entry: a call into the hypercall page that Xen fills with
 * one 32-byte stub per hypercall number. Arguments go in rdi, rsi, rdx, r10,
 * r8; Xen clobbers rcx and r11 (it uses syscall/vmcall underneath). */
#ifndef ARCH_X86_64_HYPERCALL_H
#define ARCH_X86_64_HYPERCALL_H

extern char hypercall_page[];

#define HYPERCALL_STUB(nr) ((void *)(hypercall_page + (nr)*32))

static inline long arch_hypercall5(unsigned nr, unsigned long a1, unsigned long a2,
                                   unsigned long a3, unsigned long a4, unsigned long a5)
{
    register unsigned long rdi __asm__("rdi") = a1;
    register unsigned long rsi __asm__("rsi") = a2;
    register unsigned long rdx __asm__("rdx") = a3;
    register unsigned long r10 __asm__("r10") = a4;
    register unsigned long r8 __asm__("r8") = a5;
    long ret;
    __asm__ __volatile__("call *%[stub]"
                         : "=a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8)
                         : [stub] "r"(HYPERCALL_STUB(nr))
                         : "rcx", "r11", "r9", "memory");
    return ret;
}

#endif
