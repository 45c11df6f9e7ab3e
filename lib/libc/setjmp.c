/* setjmp/longjmp for x86_64, replacing newlib's: newlib 3.3.0's x86_64
 * longjmp(env, 0) makes setjmp return 0, where C11 (7.13.2.1) says 1, so a
 * "longjmp(env, status)" with status 0 would loop. Defining both functions
 * here keeps newlib's setjmp.o (which holds both) out of the link.
 *
 * The jmp_buf layout is newlib's (<machine/setjmp.h>: 8 x 8 bytes): the
 * callee-saved rbx rbp r12 r13 r14 r15, the caller's rsp, the return
 * address. (aarch64 newlib gets the 0 -> 1 case right: nothing to do.) */
#if defined(__x86_64__)
__asm__(".text\n"
        ".globl setjmp\n"
        ".type setjmp, @function\n"
        "setjmp:\n"
        "    movq %rbx, 0(%rdi)\n"
        "    movq %rbp, 8(%rdi)\n"
        "    movq %r12, 16(%rdi)\n"
        "    movq %r13, 24(%rdi)\n"
        "    movq %r14, 32(%rdi)\n"
        "    movq %r15, 40(%rdi)\n"
        "    leaq 8(%rsp), %rax\n" /* rsp as it will be after our ret */
        "    movq %rax, 48(%rdi)\n"
        "    movq (%rsp), %rax\n" /* our return address */
        "    movq %rax, 56(%rdi)\n"
        "    xorl %eax, %eax\n"
        "    ret\n"
        ".size setjmp, . - setjmp\n"
        "\n"
        ".globl longjmp\n"
        ".type longjmp, @function\n"
        "longjmp:\n"
        "    movl %esi, %eax\n"
        "    testl %eax, %eax\n"
        "    jnz 1f\n"
        "    movl $1, %eax\n" /* setjmp never returns 0 a second time */
        "1:  movq 0(%rdi), %rbx\n"
        "    movq 8(%rdi), %rbp\n"
        "    movq 16(%rdi), %r12\n"
        "    movq 24(%rdi), %r13\n"
        "    movq 32(%rdi), %r14\n"
        "    movq 40(%rdi), %r15\n"
        "    movq 48(%rdi), %rsp\n"
        "    jmpq *56(%rdi)\n"
        ".size longjmp, . - longjmp\n");
#endif
