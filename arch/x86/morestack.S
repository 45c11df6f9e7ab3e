/* A function prologue found %rsp below the running thread's stack limit
 * (gcc -fsplit-stack, which would normally grow the stack here). We cannot
 * grow it: stop checking, move to an emergency stack and report which
 * thread ran out. Done in software because a PV guest has no separate
 * exception stack: a fault on the guard page would leave Xen nowhere to
 * deliver it. Shared by the PV and PVH boot modes. */

    .text
    .globl __morestack
__morestack:
    movq $0, x86_cpu_area + 0x70(%rip)
    movq %rsp, %rdi
    leaq emergency_stack_top(%rip), %rsp
    call x86_stack_overflow
    ud2

    .section .bss.emergency_stack, "aw", @nobits
    .balign 16
emergency_stack:
    .skip 8192
emergency_stack_top:

    .section .note.GNU-stack, "", @progbits
