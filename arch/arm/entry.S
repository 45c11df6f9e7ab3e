/* arm64 exception vectors, the exception frame, and the cooperative
 * context switch.
 *
 * Threads run at EL1 on SP_EL0 (PSTATE.SPSel = 0). Taking an exception
 * switches to SP_EL1, the exception stack, so a thread that runs into its
 * unmapped guard page still gets a working stack for the report. Exceptions
 * taken while on SP_EL1 (before threads exist, or inside a handler) use the
 * "current EL with SPx" vectors and simply go deeper on the same stack.
 *
 * Interrupts (the event-channel PPI, the virtual timer) come back; every
 * other exception is fatal and never returns. An interrupt may hit
 * application code that uses FP/SIMD registers while the handlers it runs
 * (event handlers an application registered) may use them too, so the IRQ
 * path saves all of them. */
#include "asm.h"

.macro VECTOR kind
    .balign 0x80
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp]
    mov     x1, #\kind
    b       exception_entry
.endm

    .section .text.vectors, "ax"
    .balign 2048
    .globl arm64_vectors
arm64_vectors:
    VECTOR KIND_SYNC                 /* current EL, SP_EL0: a thread */
    VECTOR KIND_IRQ
    VECTOR KIND_FIQ
    VECTOR KIND_SERROR
    VECTOR KIND_SYNC                 /* current EL, SP_EL1 */
    VECTOR KIND_IRQ
    VECTOR KIND_FIQ
    VECTOR KIND_SERROR
    VECTOR KIND_LOWER_EL             /* EL0 (never used) */
    VECTOR KIND_LOWER_EL
    VECTOR KIND_LOWER_EL
    VECTOR KIND_LOWER_EL
    VECTOR KIND_LOWER_EL             /* AArch32 EL0 (never used) */
    VECTOR KIND_LOWER_EL
    VECTOR KIND_LOWER_EL
    VECTOR KIND_LOWER_EL

    .text
exception_entry:                     /* x0/x1 saved, x1 = kind */
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    mrs     x2, elr_el1
    mrs     x3, spsr_el1
    /* The interrupted stack pointer: SP_EL0 if SPSR.M says EL1t, else the
     * SP_EL1 value before this frame. */
    mrs     x4, sp_el0
    add     x5, sp, #FRAME_SIZE
    tst     x3, #1
    csel    x4, x4, x5, eq
    stp     x30, x4, [sp, #240]
    stp     x2, x3, [sp, #FRAME_PC]
    mrs     x4, esr_el1
    mrs     x5, far_el1
    stp     x4, x5, [sp, #FRAME_ESR]
    /* A frame record {interrupted fp, interrupted pc}: backtraces walk from
     * the handler into the code that was interrupted. */
    stp     x29, x2, [sp, #FRAME_RECORD]
    add     x29, sp, #FRAME_RECORD
    mov     x19, x1                  /* kind, callee-saved */
    mov     x20, sp                  /* the frame, callee-saved */
    cmp     x1, #KIND_IRQ
    b.ne    1f
    bl      save_fpsimd
1:  mov     x0, x20
    mov     x1, x19
    bl      arm64_handle_exception   /* returns only for interrupts */
    cmp     x19, #KIND_IRQ
    b.ne    2f
    bl      restore_fpsimd
2:  ldp     x2, x3, [sp, #FRAME_PC]
    msr     elr_el1, x2
    msr     spsr_el1, x3
    ldp     x0, x1, [sp]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    ldr     x30, [sp, #240]
    add     sp, sp, #FRAME_SIZE
    eret

/* Push q0-q31, FPSR and FPCR below the frame (528 bytes, 16-aligned). The
 * caller's frame stays at sp + 528 until restore_fpsimd pops it; both are
 * leaf routines that move sp, so they return through x30 only. */
save_fpsimd:
    sub     sp, sp, #528
    stp     q0, q1, [sp, #0]
    stp     q2, q3, [sp, #32]
    stp     q4, q5, [sp, #64]
    stp     q6, q7, [sp, #96]
    stp     q8, q9, [sp, #128]
    stp     q10, q11, [sp, #160]
    stp     q12, q13, [sp, #192]
    stp     q14, q15, [sp, #224]
    stp     q16, q17, [sp, #256]
    stp     q18, q19, [sp, #288]
    stp     q20, q21, [sp, #320]
    stp     q22, q23, [sp, #352]
    stp     q24, q25, [sp, #384]
    stp     q26, q27, [sp, #416]
    stp     q28, q29, [sp, #448]
    stp     q30, q31, [sp, #480]
    mrs     x2, fpsr
    mrs     x3, fpcr
    add     x4, sp, #512
    stp     x2, x3, [x4]
    ret

restore_fpsimd:
    ldp     q0, q1, [sp, #0]
    ldp     q2, q3, [sp, #32]
    ldp     q4, q5, [sp, #64]
    ldp     q6, q7, [sp, #96]
    ldp     q8, q9, [sp, #128]
    ldp     q10, q11, [sp, #160]
    ldp     q12, q13, [sp, #192]
    ldp     q14, q15, [sp, #224]
    ldp     q16, q17, [sp, #256]
    ldp     q18, q19, [sp, #288]
    ldp     q20, q21, [sp, #320]
    ldp     q22, q23, [sp, #352]
    ldp     q24, q25, [sp, #384]
    ldp     q26, q27, [sp, #416]
    ldp     q28, q29, [sp, #448]
    ldp     q30, q31, [sp, #480]
    add     x4, sp, #512
    ldp     x2, x3, [x4]
    msr     fpsr, x2
    msr     fpcr, x3
    add     sp, sp, #528
    ret

/* void arch_switch_stack(void **prev_sp, void *next_sp)
 * A switch is a function call, so only the AAPCS64 callee-saved state needs
 * saving: x19-x30 and the low halves of v8-v15 (d8-d15). */
    .globl arch_switch_stack
arch_switch_stack:
    sub     sp, sp, #160
    stp     x19, x20, [sp, #0]
    stp     x21, x22, [sp, #16]
    stp     x23, x24, [sp, #32]
    stp     x25, x26, [sp, #48]
    stp     x27, x28, [sp, #64]
    stp     x29, x30, [sp, #80]
    stp     d8, d9, [sp, #96]
    stp     d10, d11, [sp, #112]
    stp     d12, d13, [sp, #128]
    stp     d14, d15, [sp, #144]
    mov     x2, sp
    str     x2, [x0]
    mov     sp, x1
    ldp     x19, x20, [sp, #0]
    ldp     x21, x22, [sp, #16]
    ldp     x23, x24, [sp, #32]
    ldp     x25, x26, [sp, #48]
    ldp     x27, x28, [sp, #64]
    ldp     x29, x30, [sp, #80]
    ldp     d8, d9, [sp, #96]
    ldp     d10, d11, [sp, #112]
    ldp     d12, d13, [sp, #128]
    ldp     d14, d15, [sp, #144]
    add     sp, sp, #160
    ret

    .section .note.GNU-stack, "", @progbits
