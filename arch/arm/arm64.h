/* Private interfaces between the arm64 files (arch/arm/). */
#ifndef ARCH_ARM_ARM64_H
#define ARCH_ARM_ARM64_H

#include <minios/types.h>
#include "asm.h"

/* The exception frame entry.S builds (layout in asm.h). */
struct arm64_regs {
    uint64_t x[31];
    uint64_t sp, pc, pstate, esr, far;
    uint64_t record_fp, record_pc;
};

/* ---- memory map (mmu.c) ----
 * VA 0 ... ram_size            guest RAM (IPA ram_base ...), page-granular
 * VA == IPA in the grant area  the grant table frames and the window for
 *                              foreign mappings (a hole in the guest's IPA
 *                              space that Xen's ABI reserves for grants)
 * DEVICE_VA_BASE + IPA         device registers (GIC, UART), 2 MiB blocks */
#define DEVICE_VA_BASE 0x4000000000UL /* 256 GiB */

/* Xen's guest memory layout (xen/arch-arm.h keeps it for tools and Xen
 * only: guests are to read the DT). These are the fallbacks when the DT
 * has no /hypervisor node or no timer node. */
#define XEN_GNTTAB_BASE 0x38000000UL /* grant area, 16 MiB */
#define XEN_GNTTAB_SIZE 0x01000000UL
#define XEN_TIMER_VIRT_PPI 27
#define XEN_EVTCHN_PPI 31

extern uint64_t arm64_ram_base, arm64_ram_size;

static inline uint64_t arm64_va_to_ipa(uintptr_t va)
{
    return arm64_ram_base + va;
}

void arm64_mmu_drop_identity(void);
/* Map [ipa, ipa + size) of device registers; returns its virtual address. */
volatile void *arm64_map_device(uint64_t ipa, uint64_t size);
/* Where the kernel's boot allocations ended: RAM from here is free. */
uintptr_t arm64_mmu_free_start(void);
/* The area of IPA space used for grants (from the DT, or Xen's default). */
void arm64_mmu_set_grant_area(uint64_t ipa, uint64_t size);
uint64_t arm64_grant_table_ipa(void);
unsigned arm64_grant_table_max_frames(void);

/* ---- device tree helpers (gic.c) ---- */
/* The index-th (address, size) pair of node's "reg", decoded with its
 * parent's #address-cells/#size-cells; 0 or -1. */
int arm64_dt_reg(const void *fdt, int node, int index, uint64_t *base, uint64_t *size);

/* ---- interrupts (gic.c) ---- */
int arm64_gic_init(const void *fdt);
void arm64_gic_enable_ppi(unsigned intid);
unsigned arm64_gic_ack(void);
void arm64_gic_eoi(unsigned intid);
const char *arm64_gic_name(void);

/* ---- timer (timer.c) ---- */
void arm64_timer_init(unsigned irq);
void arm64_timer_irq(void);
void arm64_time_info_init(void);

/* ---- traps (traps.c) ---- */
void arm64_handle_exception(struct arm64_regs *regs, unsigned kind);
extern uintptr_t arm64_stack_limit;
void arm64_traps_set_irqs(unsigned evtchn_irq, unsigned timer_irq);

/* ---- console (setup.c) ---- */
extern volatile uint32_t *arm64_uart;

/* ---- libfdt's few libc needs (fdt_libc.c) ---- */
void *arm64_fdt_memchr(const void *s, int c, size_t n);
char *arm64_fdt_strrchr(const char *s, int c);
unsigned long arm64_fdt_strtoul(const char *s, char **end, int base);

#endif
