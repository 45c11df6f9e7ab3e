/* x86_64 PVH exception and event entry. The CPU pushes the native frame
 *     [error code], rip, cs, rflags, rsp, ss
 * (page faults and double faults switch to the IST stack first, so a
 * thread that hits its guard page still gets a report). The stubs push a
 * vector number and a zero error code where the CPU has none, which gives
 * the same struct trap_frame as PV (arch/x86/traps.h). */

#include "../asm.h"

#define VECTOR_EVENT 256
#define PVH_EVENT_VECTOR 0xf3

.macro TRAP_NO_ERROR name, vector
    .globl \name
\name:
    pushq $0
    pushq $\vector
    jmp pvh_trap_common
.endm

.macro TRAP_WITH_ERROR name, vector
    .globl \name
\name:
    pushq $\vector
    jmp pvh_trap_common
.endm

    .text
TRAP_NO_ERROR   pvh_trap_0, 0
TRAP_NO_ERROR   pvh_trap_1, 1
TRAP_NO_ERROR   pvh_trap_2, 2
TRAP_NO_ERROR   pvh_trap_3, 3
TRAP_NO_ERROR   pvh_trap_4, 4
TRAP_NO_ERROR   pvh_trap_5, 5
TRAP_NO_ERROR   pvh_trap_6, 6
TRAP_NO_ERROR   pvh_trap_7, 7
/* The IST vectors run on their own stack, below every thread's stack
 * limit: turn the split-stack check off first (both are fatal anyway). */
    .globl pvh_trap_8
pvh_trap_8:
    movq $0, x86_cpu_area + 0x70(%rip)
    pushq $8
    jmp pvh_trap_common
TRAP_NO_ERROR   pvh_trap_9, 9
TRAP_WITH_ERROR pvh_trap_10, 10
TRAP_WITH_ERROR pvh_trap_11, 11
TRAP_WITH_ERROR pvh_trap_12, 12
TRAP_WITH_ERROR pvh_trap_13, 13
    .globl pvh_trap_14
pvh_trap_14:
    movq $0, x86_cpu_area + 0x70(%rip)
    pushq $14
    jmp pvh_trap_common
TRAP_NO_ERROR   pvh_trap_15, 15
TRAP_NO_ERROR   pvh_trap_16, 16
TRAP_WITH_ERROR pvh_trap_17, 17
TRAP_NO_ERROR   pvh_trap_18, 18
TRAP_NO_ERROR   pvh_trap_19, 19
TRAP_NO_ERROR   pvh_trap_spurious, 32

    .globl pvh_event_entry
pvh_event_entry:
    pushq $0
    pushq $VECTOR_EVENT
    jmp pvh_trap_common

pvh_trap_common:
    SAVE_GPRS
    DISPATCH_TRAP
    RESTORE_GPRS
    addq $16, %rsp
    iretq

    .section .bss.ist_stack, "aw", @nobits
    .balign 16
    .globl pvh_ist_stack_top
pvh_ist_stack:
    .skip 8192
pvh_ist_stack_top:

    .section .note.GNU-stack, "", @progbits
