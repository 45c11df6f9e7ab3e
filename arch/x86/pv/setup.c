/* x86_64 PV start-up: from Xen's start_info to kernel_main(). */
#include <minios/arch.h>
#include <minios/console.h>
#include <minios/hypercall.h>
#include <minios/mm.h>
#include <minios/panic.h>
#include "../traps.h"

start_info_t *x86_start_info;
uint64_t boot_entry_cycles;
struct shared_info *shared_info;
struct boot_info boot_info;

/* The shared-info frame is mapped over this page (its RAM is given up). */
static uint8_t shared_info_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

bool arch_early_write(const char *s, size_t n)
{
    /* A release Xen only lets dom0 use console_io; for a domU it fails,
     * cheaply, and the console ring takes over (see minios/console.c). */
    return xen_console_io(CONSOLEIO_write, n, s) >= 0;
}

static void map_shared_info(void)
{
    uint64_t pte = x86_start_info->shared_info | 0x67; /* present rw user accessed dirty */
    if (x86_update_va((uintptr_t)shared_info_page, pte) < 0)
        panic("cannot map shared info at machine address %#lx", x86_start_info->shared_info);
    shared_info = (struct shared_info *)shared_info_page;
}

static void *machine_page(xen_pfn_t mfn)
{
    return (void *)(machine_to_phys_mapping[mfn] << PAGE_SHIFT);
}

static void enable_fpu(void)
{
    /* PV vCPUs start with CR0.TS set for lazy FPU switching; we have one
     * address space and save FPU state ourselves, so clear it for good. */
    arch_hypercall5(__HYPERVISOR_fpu_taskswitch, 0, 0, 0, 0, 0);
    uint32_t mxcsr = 0x1f80; /* all SSE exceptions masked, round to nearest */
    __asm__ __volatile__("fninit; ldmxcsr %0" : : "m"(mxcsr));
}

static void fill_boot_info(const start_info_t *si)
{
    static char cmdline[MAX_GUEST_CMDLINE];
    for (unsigned i = 0; i < sizeof(cmdline) - 1 && si->cmd_line[i]; i++)
        cmdline[i] = si->cmd_line[i];
    boot_info.cmdline = cmdline;
    boot_info.ram_bytes = (uint64_t)si->nr_pages << PAGE_SHIFT;
    boot_info.is_dom0 = si->flags & SIF_INITDOMAIN;
    boot_info.entry_cycles = boot_entry_cycles;
    boot_info.boot_mode = "pv";
    if (!boot_info.is_dom0) {
        boot_info.console_ring = machine_page(si->console.domU.mfn);
        boot_info.console_evtchn = si->console.domU.evtchn;
    }
    if (si->store_mfn) {
        boot_info.xenstore_ring = machine_page(si->store_mfn);
        boot_info.xenstore_evtchn = si->store_evtchn;
    }
}

__noreturn void x86_pv_start(start_info_t *si)
{
    x86_start_info = si;
    fill_boot_info(si);
    console_init();
    x86_traps_init();
    map_shared_info();
    enable_fpu();

    uintptr_t free_start, ram_end;
    x86_map_boot_ram(&free_start, &ram_end);
    pages_set_grow_hook(x86_grow_ram);
    /* Page 0 only held _start: unmap it so NULL dereferences fault. */
    arch_unmap_page(0);
    if (free_start < ram_end && pages_add_region(free_start, ram_end) < 0)
        panic("cannot hand RAM %#lx-%#lx to the page allocator", free_start, ram_end);
    kernel_main();
}

unsigned long arch_irq_save(void)
{
    volatile uint8_t *mask = &shared_info->vcpu_info[0].evtchn_upcall_mask;
    unsigned long old = *mask;
    *mask = 1;
    barrier();
    return old;
}

void arch_irq_restore(unsigned long flags)
{
    if (flags)
        arch_irq_disable();
    else
        arch_irq_enable();
}

void arch_irq_disable(void)
{
    shared_info->vcpu_info[0].evtchn_upcall_mask = 1;
    barrier();
}

/* Xen only re-checks for pending events on its way back to us, so after
 * unmasking we must deliver anything that arrived while masked ourselves. */
void arch_irq_enable(void)
{
    volatile struct vcpu_info *v = &shared_info->vcpu_info[0];
    barrier();
    v->evtchn_upcall_mask = 0;
    barrier();
    if (v->evtchn_upcall_pending)
        xen_version(XENVER_version, NULL); /* any hypercall lets Xen deliver it */
}

void arch_set_timer(uint64_t deadline_ns)
{
    xen_set_timer_op(deadline_ns);
}

void arch_block(void)
{
    xen_sched_op(SCHEDOP_block, NULL);
}
