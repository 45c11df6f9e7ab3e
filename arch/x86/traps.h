/* x86 trap frame built by arch/x86/entry.S, and the arch-private helpers
 * shared by the x86 C files. */
#ifndef ARCH_X86_TRAPS_H
#define ARCH_X86_TRAPS_H

#include <minios/types.h>
#include <xen/xen.h>

struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss; /* as pushed by Xen (the CPU frame) */
};

#define VECTOR_EVENT 256

void x86_traps_init(void);
/* The address a page fault happened at (PV: from vcpu_info, PVH: %cr2). */
uint64_t x86_fault_address(void);
void x86_dispatch_trap(struct trap_frame *f);
__noreturn void x86_failsafe(const uint64_t *frame);

extern start_info_t *x86_start_info;
extern uint64_t boot_entry_cycles;

/* Page tables (arch/x86/pagetable.c). */
void x86_map_boot_ram(uintptr_t *first_free, uintptr_t *mapped_end);
int x86_grow_ram(unsigned order);
uint64_t x86_pfn_to_mfn(unsigned long pfn);
uint64_t x86_maddr_of(const void *va);
uint64_t *x86_table_of_entry(uint64_t entry);
int x86_update_va(uintptr_t va, uint64_t pte);

#endif
