/* x86 exceptions: every CPU exception is fatal for a stub domain, so the
 * handlers print what happened (registers, faulting address, backtrace) and
 * panic, which shuts the domain down with reason "crash". */
#include <minios/arch.h>
#include <minios/console.h>
#include <minios/hypercall.h>
#include <minios/panic.h>
#include <xen/callback.h>
#include "traps.h"

static const char *const exception_names[] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
    "invalid opcode", "device not available", "double fault", "coprocessor overrun",
    "invalid TSS", "segment not present", "stack fault", "general protection fault",
    "page fault", "spurious", "x87 FPU error", "alignment check", "machine check",
    "SIMD error",
};

#define TRAP(vec, name) extern char name[];
TRAP(0, x86_trap_divide_error) TRAP(1, x86_trap_debug) TRAP(2, x86_trap_nmi)
TRAP(3, x86_trap_int3) TRAP(4, x86_trap_overflow) TRAP(5, x86_trap_bounds)
TRAP(6, x86_trap_invalid_op) TRAP(7, x86_trap_no_device) TRAP(8, x86_trap_double_fault)
TRAP(9, x86_trap_coproc_overrun) TRAP(10, x86_trap_invalid_tss)
TRAP(11, x86_trap_no_segment) TRAP(12, x86_trap_stack_fault) TRAP(13, x86_trap_gp_fault)
TRAP(14, x86_trap_page_fault) TRAP(15, x86_trap_spurious) TRAP(16, x86_trap_fpu_error)
TRAP(17, x86_trap_alignment) TRAP(18, x86_trap_machine_check) TRAP(19, x86_trap_simd_error)
#undef TRAP
extern char x86_event_entry[], x86_failsafe_entry[];

/* flags: DPL in bits 0-1 (3 lets int3 be raised by code), bit 2 masks
 * events while the handler runs, like an interrupt gate. */
#define ENTRY(vec, dpl, fn) {(vec), (dpl) | 4, FLAT_KERNEL_CS, (unsigned long)(fn)}
static struct trap_info trap_table[] = {
    ENTRY(0, 0, x86_trap_divide_error),   ENTRY(1, 0, x86_trap_debug),
    ENTRY(3, 3, x86_trap_int3),           ENTRY(4, 3, x86_trap_overflow),
    ENTRY(5, 3, x86_trap_bounds),         ENTRY(6, 0, x86_trap_invalid_op),
    ENTRY(7, 0, x86_trap_no_device),      ENTRY(8, 0, x86_trap_double_fault),
    ENTRY(9, 0, x86_trap_coproc_overrun), ENTRY(10, 0, x86_trap_invalid_tss),
    ENTRY(11, 0, x86_trap_no_segment),    ENTRY(12, 0, x86_trap_stack_fault),
    ENTRY(13, 0, x86_trap_gp_fault),      ENTRY(14, 0, x86_trap_page_fault),
    ENTRY(15, 0, x86_trap_spurious),      ENTRY(16, 0, x86_trap_fpu_error),
    ENTRY(17, 0, x86_trap_alignment),     ENTRY(18, 0, x86_trap_machine_check),
    ENTRY(19, 0, x86_trap_simd_error),    {0, 0, 0, 0},
};

static void register_callback(unsigned type, void *entry)
{
    struct callback_register cb = {
        .type = type,
        .flags = CALLBACKF_mask_events,
        .address = (unsigned long)entry,
    };
    long rc = arch_hypercall5(__HYPERVISOR_callback_op, CALLBACKOP_register,
                              (unsigned long)&cb, 0, 0, 0);
    if (rc < 0)
        panic("callback_op(register type %u) failed: %ld", type, rc);
}

void x86_traps_init(void)
{
    long rc = arch_hypercall5(__HYPERVISOR_set_trap_table, (unsigned long)trap_table, 0, 0, 0, 0);
    if (rc < 0)
        panic("set_trap_table failed: %ld", rc);
    register_callback(CALLBACKTYPE_event, x86_event_entry);
    register_callback(CALLBACKTYPE_failsafe, x86_failsafe_entry);
}

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
    unsigned long cr2 = shared_info ? shared_info->vcpu_info[0].arch.cr2 : 0;
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
