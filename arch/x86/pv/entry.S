/* x86_64 PV exception and event entry points.
 *
 * Xen delivers exceptions and events by "bouncing" onto the current guest
 * stack (we always run in guest kernel mode, so there is no stack switch):
 *     rsp -> rcx, r11, [error code], rip, cs, rflags, rsp, ss
 * rcx/r11 are saved because Xen's own return path clobbers them. The stubs
 * below restore rcx/r11, push a vector number (and a zero error code where
 * the CPU has none) and build a struct trap_frame (arch/x86/traps.h).
 *
 * The way back is the iret hypercall, not the iretq instruction: it restores
 * the event mask from the saved rflags.IF atomically with the return, so no
 * event can slip in between unmasking and leaving the handler. */
#include <xen/xen.h>

#include "../asm.h"

#define VECTOR_EVENT 256

.macro SAVE_XEN_RCX_R11
    movq (%rsp), %rcx
    movq 8(%rsp), %r11
    addq $16, %rsp
.endm

.macro TRAP_NO_ERROR name, vector
    .globl \name
\name:
    SAVE_XEN_RCX_R11
    pushq $0
    pushq $\vector
    jmp trap_common
.endm

.macro TRAP_WITH_ERROR name, vector
    .globl \name
\name:
    SAVE_XEN_RCX_R11
    pushq $\vector
    jmp trap_common
.endm

    .text
TRAP_NO_ERROR   x86_trap_divide_error, 0
TRAP_NO_ERROR   x86_trap_debug, 1
TRAP_NO_ERROR   x86_trap_nmi, 2
TRAP_NO_ERROR   x86_trap_int3, 3
TRAP_NO_ERROR   x86_trap_overflow, 4
TRAP_NO_ERROR   x86_trap_bounds, 5
TRAP_NO_ERROR   x86_trap_invalid_op, 6
TRAP_NO_ERROR   x86_trap_no_device, 7
TRAP_WITH_ERROR x86_trap_double_fault, 8
TRAP_NO_ERROR   x86_trap_coproc_overrun, 9
TRAP_WITH_ERROR x86_trap_invalid_tss, 10
TRAP_WITH_ERROR x86_trap_no_segment, 11
TRAP_WITH_ERROR x86_trap_stack_fault, 12
TRAP_WITH_ERROR x86_trap_gp_fault, 13
TRAP_WITH_ERROR x86_trap_page_fault, 14
TRAP_NO_ERROR   x86_trap_spurious, 15
TRAP_NO_ERROR   x86_trap_fpu_error, 16
TRAP_WITH_ERROR x86_trap_alignment, 17
TRAP_NO_ERROR   x86_trap_machine_check, 18
TRAP_NO_ERROR   x86_trap_simd_error, 19

/* Event channel upcall: same frame, handled by x86_event_upcall(). */
    .globl x86_event_entry
x86_event_entry:
    SAVE_XEN_RCX_R11
    pushq $0
    pushq $VECTOR_EVENT
    jmp trap_common

trap_common:
    SAVE_GPRS
    DISPATCH_TRAP
    RESTORE_GPRS
    addq $16, %rsp              /* vector, error code */
    pushq $0                    /* iret flags: not returning from a syscall */
    jmp hypercall_page + __HYPERVISOR_iret * 32

/* Xen could not load our segment state or iret frame: nothing sane to do. */
    .globl x86_failsafe_entry
x86_failsafe_entry:
    movq %rsp, %rdi
    andq $-16, %rsp
    call x86_failsafe
    ud2

    .section .note.GNU-stack, "", @progbits
