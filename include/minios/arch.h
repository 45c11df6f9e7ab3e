/* The arch interface: everything the arch-independent core needs from
 * arch/<arch>/. Kept deliberately small; each arch implements all of it. */
#ifndef MINIOS_ARCH_H
#define MINIOS_ARCH_H

#include <minios/types.h>
#include <arch/cpu.h>
#include <xen/xen.h>

struct boot_info {
    const char *cmdline;         /* guest command line (xl "extra="), never NULL */
    uint64_t ram_bytes;          /* RAM the domain was given */
    bool is_dom0;                /* the initial domain: console via console_io */
    void *console_ring;          /* PV console page, NULL when there is none */
    uint32_t console_evtchn;
    void *xenstore_ring;         /* xenstore page, NULL when there is none */
    uint32_t xenstore_evtchn;
    uint64_t entry_cycles;       /* arch_read_cycles() at the first instruction */
    const char *boot_mode;       /* "pv", "pvh", "dom0less" ... for banners */
};

extern struct boot_info boot_info;
extern struct shared_info *shared_info;   /* mapped by the arch before kernel_main */

/* Called by the arch once the CPU, page tables and shared info are ready.
 * Hands RAM to the page allocator through pages_add_region() first. */
__noreturn void kernel_main(void);

/* Debug output that works before the console ring is set up (console_io
 * for dom0, the 0xE9 port for PVH ...). Returns false if it is unavailable. */
bool arch_early_write(const char *s, size_t n);

/* Event delivery on/off for the current vCPU, and save/restore. */
unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);
void arch_irq_enable(void);
void arch_irq_disable(void);

/* Arm the one-shot timer: an event (VIRQ_TIMER on Xen x86) at Xen system
 * time deadline_ns; 0 cancels it. */
void arch_set_timer(uint64_t deadline_ns);

/* Block the vCPU until an event arrives (events must be enabled by the
 * caller in a race-free way, see minios/time.c). */
void arch_block(void);

/* Walk the frame-pointer chain starting at frame fp and print up to max
 * return addresses. */
void arch_backtrace(const void *fp, int max);

/* Map/unmap one page of our own RAM at va (for stack guard pages). */
int arch_unmap_page(uintptr_t va);
int arch_remap_page(uintptr_t va);

/* Thread stacks: save the callee-saved registers on the current stack,
 * store its stack pointer in *prev_sp, and resume the stack next_sp. */
void arch_switch_stack(void **prev_sp, void *next_sp);

/* Prepare a fresh stack so that the first switch to it calls entry(),
 * which must never return. Returns the stack pointer to switch to. */
void *arch_init_stack(void *stack_top, void (*entry)(void));

/* Lowest stack address the running thread may use (0: unchecked). Code
 * that goes below it panics naming the thread instead of faulting. */
void arch_set_stack_limit(uintptr_t limit);

/* Upcall hook the arch calls, in event context, when Xen signals events. */
void events_upcall(void);

/* ---- Mapping frames that are not our RAM (arch/x86/{pv,pvh}/map.c, arm/mmu.c) ----
 * RAM is mapped 1:1 (virtual == pseudo-physical). Other frames -- the
 * grant-table frames Xen shares with us, grants other domains let us map --
 * go into a separate window of virtual addresses above RAM, reserved in
 * whole pages (bookkeeping in minios/map_window.c). A reserved range
 * already has its page tables (down to the L1 entries), which a grant map
 * needs, and starts out unmapped. */

/* Reserve n contiguous pages of the window; 0 if there is no room (or no
 * memory for page tables). */
uintptr_t arch_map_window_alloc(unsigned n);

/* Give back pages reserved by arch_map_window_alloc: 0, -EINVAL if one of
 * them is not reserved, -EBUSY while one is still mapped (nothing freed). */
int arch_map_window_free(uintptr_t va, unsigned n);

/* Map the machine frames mfns[0..n) read-write at va (reserved window
 * pages) / remove such mappings. 0 or a negative errno; a failed map leaves
 * nothing mapped. */
int arch_map_machine_frames(uintptr_t va, const xen_pfn_t *mfns, unsigned n);
int arch_unmap_frames(uintptr_t va, unsigned n);

/* Whether Xen lets us map a grant of our own page (GNTTABOP_map_grant_ref
 * with our own domid) and keeps the page where it was. Not on x86 PVH. */
bool arch_can_map_own_grants(void);

/* The frame number Xen wants for our page pfn in grant entries and grant
 * copies: the machine frame on x86 PV, the pfn itself where Xen translates. */
xen_pfn_t arch_pfn_to_xen_frame(unsigned long pfn);

#endif
