/* arm64 start-up for a domU (dom0less or created by xl): from head.S (MMU
 * on, on the boot stack) to kernel_main().
 *
 * Everything we learn about the domain comes from the device tree Xen
 * wrote for us: RAM, the command line (/chosen/bootargs), the interrupt
 * controller, the timer's interrupt, the emulated SBSA UART (vpl011), and --
 * with xen,enhanced -- the /hypervisor node naming the event-channel PPI and
 * the grant area. There is no start_info. Under dom0less there is no
 * xenstore and no PV console ring; a domain xl built has both, named by HVM
 * params (their pages sit at GUEST_MAGIC_BASE, outside our RAM). */
#include <minios/arch.h>
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/hypercall.h>
#include <minios/mm.h>
#include <minios/panic.h>
#include <minios/string.h>
#include <libfdt.h>
#include <xen/grant_table.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include "arm64.h"

uint64_t boot_entry_cycles; /* written by head.S */
struct shared_info *shared_info;
struct boot_info boot_info;
volatile uint32_t *arm64_uart;

/* Xen maps its shared-info frame over this page (its RAM is given up). */
static uint8_t shared_info_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/* How many grant-table frames we place in our physical map at boot, ahead
 * of gnttab_init() (which on Arm only learns where they are). */
#define GNTTAB_FRAMES 16

/* ---------------------------------------------------------------- console */

#define UARTDR 0x00
#define UARTFR 0x18
#define UARTFR_TXFF (1u << 5)

static void uart_putc(char c)
{
    /* Xen emulates the UART: plain 32-bit accesses only. */
    uint32_t fr;
    do
        __asm__ __volatile__("ldr %w0, [%1]" : "=r"(fr) : "r"(arm64_uart + UARTFR / 4) : "memory");
    while (fr & UARTFR_TXFF);
    __asm__ __volatile__("str %w0, [%1]" : : "r"((uint32_t)(unsigned char)c),
                         "r"(arm64_uart + UARTDR / 4)
                         : "memory");
}

/* The vpl011 when the domain has one (Xen prints its lines as
 * "(XEN) DOMn: ..." at any log level), else the console_io hypercall, which
 * Xen 4.17 allows every dom0less domU ("(dn) ..." with guest_loglvl=all). */
bool arch_early_write(const char *s, size_t n)
{
    if (arm64_uart) {
        for (size_t i = 0; i < n; i++)
            uart_putc(s[i]);
        return true;
    }
    return xen_console_io(CONSOLEIO_write, n, s) >= 0;
}

/* ---------------------------------------------------------------- device tree */

struct dt_facts {
    const char *cmdline;
    uint64_t uart;
    unsigned timer_irq, evtchn_irq;
    bool has_hypervisor_node;
    uint64_t grant_base, grant_size;
};

/* The index-th interrupt of node as a GIC INTID (PPIs 16-31, SPIs 32+). */
static unsigned dt_interrupt(const void *fdt, int node, int index, unsigned fallback)
{
    int len;
    const fdt32_t *p = fdt_getprop(fdt, node, "interrupts", &len);
    if (!p || (index + 1) * 12 > len)
        return fallback;
    p += index * 3;
    uint32_t type = fdt32_to_cpu(p[0]), num = fdt32_to_cpu(p[1]);
    return type == 1 ? num + 16 : num + 32;
}

static void read_dt(const void *fdt, struct dt_facts *f)
{
    int node, len;
    uint64_t size;
    *f = (struct dt_facts){
        .cmdline = "",
        .timer_irq = XEN_TIMER_VIRT_PPI,
        .evtchn_irq = XEN_EVTCHN_PPI,
        .grant_base = XEN_GNTTAB_BASE,
        .grant_size = XEN_GNTTAB_SIZE,
    };
    node = fdt_path_offset(fdt, "/chosen");
    if (node >= 0) {
        const char *args = fdt_getprop(fdt, node, "bootargs", &len);
        if (args && len > 0 && args[len - 1] == '\0')
            f->cmdline = args;
    }
    node = fdt_node_offset_by_compatible(fdt, -1, "arm,sbsa-uart");
    if (node < 0)
        node = fdt_node_offset_by_compatible(fdt, -1, "arm,pl011");
    if (node >= 0 && arm64_dt_reg(fdt, node, 0, &f->uart, &size) != 0)
        f->uart = 0;
    /* Generic timer interrupts: secure phys, non-secure phys, virtual, hyp. */
    node = fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer");
    if (node >= 0)
        f->timer_irq = dt_interrupt(fdt, node, 2, XEN_TIMER_VIRT_PPI);
    node = fdt_node_offset_by_compatible(fdt, -1, "xen,xen");
    if (node >= 0) {
        f->has_hypervisor_node = true;
        f->evtchn_irq = dt_interrupt(fdt, node, 0, XEN_EVTCHN_PPI);
        if (arm64_dt_reg(fdt, node, 0, &f->grant_base, &f->grant_size) != 0) {
            f->grant_base = XEN_GNTTAB_BASE;
            f->grant_size = XEN_GNTTAB_SIZE;
        }
    }
}

/* ---------------------------------------------------------------- Xen */

static int add_to_physmap(unsigned space, unsigned long idx, uint64_t ipa)
{
    struct xen_add_to_physmap xatp = {
        .domid = DOMID_SELF,
        .space = space,
        .idx = idx,
        .gpfn = ipa >> PAGE_SHIFT,
    };
    return (int)xen_memory_op(XENMEM_add_to_physmap, &xatp);
}

static void map_shared_info(void)
{
    int rc = add_to_physmap(XENMAPSPACE_shared_info, 0,
                            arm64_va_to_ipa((uintptr_t)shared_info_page));
    if (rc < 0)
        panic("cannot map shared info: XENMEM_add_to_physmap returned %d", rc);
    shared_info = (struct shared_info *)shared_info_page;
}

/* On Arm, Xen does not pick where our grant table appears: we add its
 * frames to our physical map (in the grant area), after which
 * GNTTABOP_setup_table reports those guest frames to gnttab_init(). */
static void place_grant_table(void)
{
    struct gnttab_query_size query = {.dom = DOMID_SELF};
    long rc = xen_grant_table_op(GNTTABOP_query_size, &query, 1);
    if (rc < 0 || query.status != GNTST_okay)
        return; /* gnttab_init() reports it */
    unsigned frames = MIN(MIN(query.max_nr_frames, GNTTAB_FRAMES), arm64_grant_table_max_frames());
    for (unsigned i = 0; i < frames; i++) {
        int r = add_to_physmap(XENMAPSPACE_grant_table, i,
                               arm64_grant_table_ipa() + (uint64_t)i * PAGE_SIZE);
        if (r < 0) {
            printk("stubos: cannot place grant frame %u: %d\n", i, r);
            return;
        }
    }
}

static uint64_t hvm_param(unsigned index)
{
    struct xen_hvm_param p = {.domid = DOMID_SELF, .index = index};
    return xen_hvm_op(HVMOP_get_param, &p) < 0 ? 0 : p.value;
}

/* The page an HVM param names (with its event channel), mapped Normal
 * memory in the window, or NULL: dom0less domains have 0 (or, with
 * xenstore "late init", ~0) or get an error. */
static void *map_param_page(unsigned pfn_param, unsigned evtchn_param, uint32_t *evtchn,
                            const char *what)
{
    xen_pfn_t pfn = (xen_pfn_t)hvm_param(pfn_param);
    if (pfn == 0 || pfn == (xen_pfn_t)~0ULL)
        return NULL;
    uint64_t port = hvm_param(evtchn_param);
    if (port == 0 || port > 0xffffffffu)
        return NULL;
    uintptr_t va = arch_map_window_alloc(1);
    if (!va)
        return NULL;
    int rc = arch_map_machine_frames(va, &pfn, 1);
    if (rc < 0) {
        arch_map_window_free(va, 1);
        printk("stubos: cannot map the %s page (gfn %#lx): %d\n", what, (unsigned long)pfn, rc);
        return NULL;
    }
    *evtchn = (uint32_t)port;
    return (void *)va;
}

static void fill_boot_info(const struct dt_facts *f)
{
    static char cmdline[1024];
    size_t n = strnlen(f->cmdline, sizeof(cmdline) - 1);
    memcpy(cmdline, f->cmdline, n);
    cmdline[n] = '\0';
    boot_info.cmdline = cmdline;
    boot_info.ram_bytes = arm64_ram_size;
    boot_info.entry_cycles = boot_entry_cycles;
    boot_info.console_ring = map_param_page(HVM_PARAM_CONSOLE_PFN, HVM_PARAM_CONSOLE_EVTCHN,
                                            &boot_info.console_evtchn, "console");
    boot_info.xenstore_ring = map_param_page(HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN,
                                             &boot_info.xenstore_evtchn, "xenstore");
    boot_info.boot_mode = boot_info.xenstore_ring || boot_info.console_ring ? "xl" : "dom0less";
}

/* All RAM is mapped at boot, but the page allocator's per-page set-up costs
 * time (tens of ms for 32 MiB under QEMU's TCG), so it gets RAM in growing
 * chunks when it runs dry, like on x86: at least as much as it has, and
 * enough for a naturally aligned block of the order asked for. */
#define BOOT_RAM_CHUNK (1UL << 20)
static uintptr_t ram_added_end;

static int grow_ram(unsigned order)
{
    if (ram_added_end >= arm64_ram_size)
        return -ENOMEM;
    uintptr_t want = MAX(ram_added_end, ((4UL << order) + 64) * PAGE_SIZE);
    uintptr_t start = ram_added_end, end = MIN(arm64_ram_size, start + want);
    ram_added_end = end;
    return pages_add_region(start, end);
}

/* Called by head.S on the boot stack (SP_EL0), MMU on, interrupts masked. */
__noreturn void arm64_start(uint64_t ram_base, uint64_t dtb_ipa)
{
    struct dt_facts dt;
    (void)ram_base;
    arm64_mmu_drop_identity();
    uintptr_t fdt_va = (uintptr_t)(dtb_ipa - arm64_ram_base);
    const void *fdt = (const void *)fdt_va;
    if (dtb_ipa < arm64_ram_base || fdt_va >= arm64_ram_size || fdt_check_header(fdt) != 0)
        panic("no device tree at %#lx", (unsigned long)dtb_ipa);
    read_dt(fdt, &dt);
    if (dt.uart)
        arm64_uart = arm64_map_device(dt.uart, PAGE_SIZE);
    /* Time first: a full console ring is waited on with a deadline. */
    map_shared_info();
    arm64_time_info_init();
    fill_boot_info(&dt);
    console_init(); /* the PV console ring if xl gave us one, else the vpl011 */

    if (arm64_gic_init(fdt) != 0)
        panic("no usable interrupt controller in the device tree");
    if (dt.has_hypervisor_node)
        arm64_mmu_set_grant_area(dt.grant_base, dt.grant_size);
    arm64_traps_set_irqs(dt.evtchn_irq, dt.timer_irq);
    arm64_gic_enable_ppi(dt.evtchn_irq);
    arm64_timer_init(dt.timer_irq);
    place_grant_table();

    /* Everything needed from the DT is copied: its RAM may be reused. */
    uintptr_t free_start = arm64_mmu_free_start();
    ram_added_end = MIN(arm64_ram_size, free_start + BOOT_RAM_CHUNK);
    if (free_start >= ram_added_end || pages_add_region(free_start, ram_added_end) < 0)
        panic("cannot hand RAM %#lx-%#lx to the page allocator", (unsigned long)free_start,
              (unsigned long)ram_added_end);
    pages_set_grow_hook(grow_ram);
    kernel_main();
}

/* ---------------------------------------------------------------- events */

#define DAIF_I (1UL << 7)

/* Xen raises the event-channel PPI only when it flips
 * vcpu_info->evtchn_upcall_pending from 0 to 1. When the core sets that
 * flag itself (evtchn_unmask() re-raising an event that arrived while the
 * port was masked), no interrupt comes, and none would come for later events
 * either while the flag stays set. So whenever events are (re-)enabled or
 * the vCPU is about to block, a flag without an interrupt is delivered here,
 * in the same "upcall context" (interrupts masked) the PPI handler uses. */
static void deliver_raised_upcall(void)
{
    if (shared_info && READ_ONCE(shared_info->vcpu_info[0].evtchn_upcall_pending))
        events_upcall();
}

unsigned long arch_irq_save(void)
{
    unsigned long daif;
    __asm__ __volatile__("mrs %0, daif; msr daifset, #2" : "=r"(daif) : : "memory");
    return daif & DAIF_I;
}

void arch_irq_restore(unsigned long flags)
{
    if (!flags)
        arch_irq_enable();
}

void arch_irq_disable(void)
{
    __asm__ __volatile__("msr daifset, #2" ::: "memory");
}

void arch_irq_enable(void)
{
    __asm__ __volatile__("msr daifset, #2" ::: "memory");
    deliver_raised_upcall();
    __asm__ __volatile__("msr daifclr, #2" ::: "memory");
}

/* Called with interrupts masked. WFI traps to Xen, which blocks the vCPU
 * unless an interrupt is pending for it (masked or not); the pending
 * interrupt is taken when the caller unmasks. */
void arch_block(void)
{
    if (shared_info && READ_ONCE(shared_info->vcpu_info[0].evtchn_upcall_pending)) {
        deliver_raised_upcall();
        return;
    }
    __asm__ __volatile__("dsb sy; wfi" ::: "memory");
}
