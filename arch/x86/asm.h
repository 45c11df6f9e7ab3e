/* Assembler helpers shared by the PV and PVH entry code. */
#ifndef ARCH_X86_ASM_H
#define ARCH_X86_ASM_H

/* An ELF note of type `type` owned by "Xen": how a kernel tells the domain
 * builder where to enter it, what it supports and so on (xen/elfnote.h). */
#define XEN_NOTE(type, value)                                   \
    .pushsection .note.Xen, "a", @note;                         \
    .balign 4;                                                  \
    .long 4;                       /* name size: "Xen\0" */     \
    .long 8f - 7f;                 /* descriptor size */        \
    .long type;                                                 \
    .asciz "Xen";                                               \
    .balign 4;                                                  \
7:  value;                                                      \
8:  .balign 4;                                                  \
    .popsection

/* Push/pop the general registers in the order of struct trap_frame
 * (arch/x86/traps.h): the frame's vector and error code sit above them. */
.macro SAVE_GPRS
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
.endm

.macro RESTORE_GPRS
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
.endm

/* Call x86_dispatch_trap(frame) on a 16-byte aligned stack. */
.macro DISPATCH_TRAP
    movq %rsp, %rdi
    movq %rsp, %rbx             /* callee-saved: the frame, to undo alignment */
    andq $-16, %rsp
    call x86_dispatch_trap
    movq %rbx, %rsp
.endm

#endif
