/* x86 exceptions: every CPU exception is fatal for a stub domain, so the
 * handlers print what happened (registers, faulting address, backtrace) and
 * panic, which shuts the domain down with reason "crash". */
#include <minios/arch.h>
#include <minios/console.h>
#include <minios/hypercall.h>
#include <minios/panic.h>
#include "traps.h"

static const char *const exception_names[] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
    "invalid opcode", "device not available", "double fault", "coprocessor overrun",
    "invalid TSS", "segment not present", "stack fault", "general protection fault",
    "page fault", "spurious", "x87 FPU error", "alignment check", "machine check",
    "SIMD error",
};

static void dump_frame(const struct trap_frame *f)
{
    printk("RIP: %016lx  CS: %04lx  RFLAGS: %08lx\n", f->rip, f->cs, f->rflags);
    printk("RSP: %016lx  SS: %04lx  ERR: %lx\n", f->rsp, f->ss, f->error_code);
    printk("RAX: %016lx RBX: %016lx RCX: %016lx\n", f->rax, f->rbx, f->rcx);
    printk("RDX: %016lx RSI: %016lx RDI: %016lx\n", f->rdx, f->rsi, f->rdi);
    printk("RBP: %016lx R8:  %016lx R9:  %016lx\n", f->rbp, f->r8, f->r9);
    printk("R10: %016lx R11: %016lx R12: %016lx\n", f->r10, f->r11, f->r12);
    printk("R13: %016lx R14: %016lx R15: %016lx\n", f->r13, f->r14, f->r15);
}

static void describe_page_fault(const struct trap_frame *f)
{
    unsigned long cr2 = x86_fault_address();
    uint64_t e = f->error_code;
    printk("page fault at address %016lx: %s %s, %s\n", cr2,
           (e & 2) ? "write" : ((e & 16) ? "instruction fetch" : "read"),
           (e & 1) ? "protection violation" : "page not present",
           cr2 < PAGE_SIZE ? "NULL pointer dereference" : "bad address");
}

__noreturn static void fatal_trap(const struct trap_frame *f)
{
    const char *name = f->vector < ARRAY_SIZE(exception_names) ? exception_names[f->vector]
                                                               : "unknown exception";
    printk("\n*** CPU exception %lu (%s) at %016lx\n", f->vector, name, f->rip);
    if (f->vector == 14)
        describe_page_fault(f);
    dump_frame(f);
    printk("Backtrace:\n  [<%016lx>] (faulting instruction)\n", f->rip);
    arch_backtrace((const void *)f->rbp, 24);
    panic("fatal %s at rip %016lx", name, f->rip);
}

void x86_dispatch_trap(struct trap_frame *f)
{
    if (f->vector == VECTOR_EVENT) {
        events_upcall();
        return;
    }
    fatal_trap(f);
}

void x86_failsafe(const uint64_t *frame)
{
    printk("\n*** Xen failsafe callback: cannot restore guest state\n");
    printk("ds=%lx es=%lx fs=%lx gs=%lx rip=%016lx\n", frame[2], frame[3], frame[4],
           frame[5], frame[6]);
    panic("failsafe callback");
}

static bool frame_pointer_ok(uintptr_t fp)
{
    return fp >= PAGE_SIZE && (fp & 7) == 0 && fp + 16 <= boot_info.ram_bytes;
}

void arch_backtrace(const void *fp, int max)
{
    const uintptr_t *frame = fp;
    for (int depth = 0; depth < max && frame_pointer_ok((uintptr_t)frame); depth++) {
        uintptr_t ret = frame[1];
        if (ret == 0)
            break;
        printk("  [<%016lx>]\n", (unsigned long)ret);
        const uintptr_t *next = (const uintptr_t *)frame[0];
        if (next <= frame) /* stacks grow down: callers live higher */
            break;
        frame = next;
    }
}
