/* x86 CPU state shared by the PV and PVH boot modes. */
#include <minios/arch.h>
#include <minios/panic.h>
#include "traps.h"

/* %fs points here; gcc's split-stack prologues compare %rsp with the word
 * at %fs:0x70 (the current thread's stack limit, 0 = unchecked). */
struct x86_cpu_area {
    uint8_t reserved[0x70];
    uintptr_t stack_limit;
} x86_cpu_area __attribute__((aligned(64)));

void arch_set_stack_limit(uintptr_t limit)
{
    x86_cpu_area.stack_limit = limit;
}

__noreturn void x86_stack_overflow(uintptr_t rsp)
{
    panic("stack overflow: rsp %#lx is below the thread's stack limit", (unsigned long)rsp);
}

