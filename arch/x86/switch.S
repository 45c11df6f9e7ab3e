/* Cooperative context switch. A switch is an ordinary function call, so only
 * the callee-saved registers (rbx, rbp, r12-r15) and the stack pointer need
 * saving; SSE registers are caller-saved in the SysV ABI. */

    .text
    .globl arch_switch_stack
arch_switch_stack:           /* rdi = void **prev_sp, rsi = void *next_sp */
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret

    .section .note.GNU-stack, "", @progbits
