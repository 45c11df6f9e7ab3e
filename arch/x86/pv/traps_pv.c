/* x86_64 PV: telling Xen where our exception and event handlers are.
 * Xen delivers exceptions through this virtual IDT ("trap table") and
 * events through the registered callback. */
#include <minios/arch.h>
#include <minios/hypercall.h>
#include <minios/panic.h>
#include <xen/callback.h>
#include "../traps.h"

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


/* Xen saves the faulting address of a page fault in our vcpu_info. */
uint64_t x86_fault_address(void)
{
    return shared_info ? shared_info->vcpu_info[0].arch.cr2 : 0;
}
