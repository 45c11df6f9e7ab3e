/* x86_64 PVH start-up: from hvm_start_info to kernel_main().
 *
 * A PVH guest runs in ring 0 with hardware paging (virtual == guest
 * physical here, identity-mapped by head.S) and its own IDT. What a PV
 * guest gets in start_info comes from elsewhere: the command line and
 * memory map from hvm_start_info, the console and xenstore rings from HVM
 * parameters, shared info mapped into our physical address space with
 * XENMEM_add_to_physmap, and events through an IDT vector. */
#include <minios/arch.h>
#include <minios/console.h>
#include <minios/hypercall.h>
#include <minios/mm.h>
#include <minios/panic.h>
#include <minios/string.h>
#include <xen/arch-x86/hvm/start_info.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include "../traps.h"
#include "pvh.h"

uint64_t boot_entry_cycles;
struct shared_info *shared_info;
struct boot_info boot_info;

static uint8_t shared_info_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/* ---------------------------------------------------------------- cpu */

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ __volatile__("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ __volatile__("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ __volatile__("outb %0, %1" : : "a"(v), "Nd"(port));
}

/* Xen's CPUID leaves start at 0x40000000 (or 0x100 further on when it
 * also offers Viridian); leaf +2 names the MSR that installs the
 * hypercall page. */
static void install_hypercall_page(void)
{
    extern char hypercall_page[];
    for (uint32_t base = 0x40000000; base < 0x40010000; base += 0x100) {
        uint32_t a, b, c, d;
        cpuid(base, &a, &b, &c, &d);
        if (b == 0x566e6558 && c == 0x65584d4d && d == 0x4d4d566e) { /* "XenVMMXenVMM" */
            cpuid(base + 2, &a, &b, &c, &d);
            wrmsr(b, (uintptr_t)hypercall_page);
            return;
        }
    }
    for (;;)
        __asm__ __volatile__("hlt"); /* not on Xen: nothing sane to do */
}

bool arch_early_write(const char *s, size_t n)
{
    /* Xen's debug port: shows up as "(dN) ..." lines on Xen's console. */
    for (size_t i = 0; i < n; i++)
        outb(0xe9, (uint8_t)s[i]);
    return true;
}

/* ---------------------------------------------------------------- idt */

struct idt_gate {
    uint16_t offset_low, selector;
    uint8_t ist, type;
    uint16_t offset_mid;
    uint32_t offset_high, reserved;
} __attribute__((packed));

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3, iomap_base;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));
static struct tss tss __attribute__((aligned(16)));

static void set_gate(unsigned vec, void (*handler)(void), unsigned ist)
{
    uintptr_t a = (uintptr_t)handler;
    idt[vec] = (struct idt_gate){
        .offset_low = (uint16_t)a, .selector = 0x08, .ist = (uint8_t)ist,
        .type = 0x8e, /* present, ring 0, 64-bit interrupt gate */
        .offset_mid = (uint16_t)(a >> 16), .offset_high = (uint32_t)(a >> 32),
    };
}

static void idt_init(void)
{
    extern uint64_t pvh_gdt[];
    extern char pvh_ist_stack_top[];
    static void (*const traps[20])(void) = {
        pvh_trap_0, pvh_trap_1, pvh_trap_2, pvh_trap_3, pvh_trap_4, pvh_trap_5, pvh_trap_6,
        pvh_trap_7, pvh_trap_8, pvh_trap_9, pvh_trap_10, pvh_trap_11, pvh_trap_12, pvh_trap_13,
        pvh_trap_14, pvh_trap_15, pvh_trap_16, pvh_trap_17, pvh_trap_18, pvh_trap_19,
    };
    for (unsigned v = 0; v < 256; v++)
        set_gate(v, pvh_trap_spurious, 0);
    for (unsigned v = 0; v < 20; v++)
        set_gate(v, traps[v], 0);
    /* Page faults and double faults run on their own stack, so running a
     * thread into its guard page is reported instead of escalating. */
    tss.ist[0] = (uintptr_t)pvh_ist_stack_top;
    tss.iomap_base = sizeof(tss);
    set_gate(8, pvh_trap_8, 1);
    set_gate(14, pvh_trap_14, 1);
    set_gate(PVH_EVENT_VECTOR, pvh_event_entry, 0);

    uintptr_t t = (uintptr_t)&tss;
    pvh_gdt[3] = (sizeof(tss) - 1) | ((t & 0xffffff) << 16) | (0x89ULL << 40) |
                 (((t >> 24) & 0xff) << 56);
    pvh_gdt[4] = t >> 32;
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = {sizeof(idt) - 1, (uintptr_t)idt};
    __asm__ __volatile__("lidt %0; ltr %w1" : : "m"(idtr), "r"(0x18));
}

/* ---------------------------------------------------------------- xen */

static uint64_t hvm_param(unsigned index)
{
    struct xen_hvm_param p = {.domid = DOMID_SELF, .index = index};
    return xen_hvm_op(HVMOP_get_param, &p) < 0 ? 0 : p.value;
}

static void map_shared_info(void)
{
    struct xen_add_to_physmap xatp = {
        .domid = DOMID_SELF,
        .space = XENMAPSPACE_shared_info,
        .idx = 0,
        .gpfn = (uintptr_t)shared_info_page >> PAGE_SHIFT,
    };
    if (xen_memory_op(XENMEM_add_to_physmap, &xatp) < 0)
        panic("cannot map shared info");
    shared_info = (struct shared_info *)shared_info_page;
}

/* A translated guest gets its grant table by asking Xen to put the table
 * frames into its physical address space; GNTTABOP_setup_table then names
 * those guest frames and minios/gnttab.c maps them like PV's. We put them
 * just below the mapping window (see pvh/map.c). */
#define GRANT_FRAMES_GPA (63ULL << 30)
#define GRANT_FRAMES 8

static void place_grant_frames(void)
{
    for (unsigned i = 0; i < GRANT_FRAMES; i++) {
        struct xen_add_to_physmap xatp = {
            .domid = DOMID_SELF,
            .space = XENMAPSPACE_grant_table,
            .idx = i,
            .gpfn = (GRANT_FRAMES_GPA >> PAGE_SHIFT) + i,
        };
        if (xen_memory_op(XENMEM_add_to_physmap, &xatp) < 0) {
            printk("pvh: Xen placed only %u grant-table frames\n", i);
            return;
        }
    }
}

static void set_callback_vector(void)
{
    struct xen_hvm_param p = {
        .domid = DOMID_SELF,
        .index = HVM_PARAM_CALLBACK_IRQ,
        .value = ((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR << 56) | PVH_EVENT_VECTOR,
    };
    if (xen_hvm_op(HVMOP_set_param, &p) < 0)
        panic("cannot set the event callback vector");
}

/* ---------------------------------------------------------------- boot */

static void fill_boot_info(const struct hvm_start_info *si)
{
    static char cmdline[1024];
    if (si->cmdline_paddr) {
        const char *c = (const char *)(uintptr_t)si->cmdline_paddr;
        for (unsigned i = 0; i < sizeof(cmdline) - 1 && c[i]; i++)
            cmdline[i] = c[i];
    }
    boot_info.cmdline = cmdline;
    boot_info.is_dom0 = false;
    boot_info.entry_cycles = boot_entry_cycles;
    boot_info.boot_mode = "pvh";
    uint64_t pfn = hvm_param(HVM_PARAM_CONSOLE_PFN);
    if (pfn) {
        boot_info.console_ring = (void *)(uintptr_t)(pfn << PAGE_SHIFT);
        boot_info.console_evtchn = (uint32_t)hvm_param(HVM_PARAM_CONSOLE_EVTCHN);
    }
    pfn = hvm_param(HVM_PARAM_STORE_PFN);
    if (pfn) {
        boot_info.xenstore_ring = (void *)(uintptr_t)(pfn << PAGE_SHIFT);
        boot_info.xenstore_evtchn = (uint32_t)hvm_param(HVM_PARAM_STORE_EVTCHN);
    }
}

/* Highest address that belongs to start-of-day data Xen placed after the
 * kernel (start info, command line, memory map, modules). */
static uintptr_t boot_data_end(const struct hvm_start_info *si)
{
    uintptr_t end = (uintptr_t)si + sizeof(*si);
    end = MAX(end, (uintptr_t)si->cmdline_paddr + 1024);
    if (si->version >= 1 && si->memmap_paddr)
        end = MAX(end, (uintptr_t)(si->memmap_paddr +
                                   si->memmap_entries * sizeof(struct hvm_memmap_table_entry)));
    const struct hvm_modlist_entry *mods = (void *)(uintptr_t)si->modlist_paddr;
    for (uint32_t i = 0; i < si->nr_modules; i++)
        end = MAX(end, (uintptr_t)(mods[i].paddr + mods[i].size));
    return end;
}

/* The memory map: from hvm_start_info when Xen put one there (version 1),
 * else from XENMEM_memory_map (init-xenstore-domain builds PVH domains
 * without one). Both use the E820 entry layout. */
static const struct hvm_memmap_table_entry *memory_map(const struct hvm_start_info *si,
                                                       unsigned *count)
{
    static struct hvm_memmap_table_entry e820[32];
    if (si->version >= 1 && si->memmap_paddr && si->memmap_entries) {
        *count = si->memmap_entries;
        return (const void *)(uintptr_t)si->memmap_paddr;
    }
    struct xen_memory_map mm = {.nr_entries = ARRAY_SIZE(e820)};
    set_xen_guest_handle(mm.buffer, e820);
    if (xen_memory_op(XENMEM_memory_map, &mm) < 0 || mm.nr_entries == 0)
        panic("Xen gave no memory map (hvm_start_info version %u, no XENMEM_memory_map)",
              si->version);
    /* The hypercall's entries are packed 20-byte E820 records. */
    const uint8_t *raw = (const uint8_t *)e820;
    static struct hvm_memmap_table_entry unpacked[32];
    for (unsigned i = 0; i < mm.nr_entries; i++) {
        memcpy(&unpacked[i].addr, raw + 20 * i, 8);
        memcpy(&unpacked[i].size, raw + 20 * i + 8, 8);
        memcpy(&unpacked[i].type, raw + 20 * i + 16, 4);
        unpacked[i].reserved = 0;
    }
    *count = mm.nr_entries;
    return unpacked;
}

/* Hand RAM from the memory map (below the 4 GiB head.S mapped) to the page
 * allocator, skipping the kernel and start-of-day data. */
static void add_ram(const struct hvm_start_info *si)
{
    extern char _end[];
    uintptr_t floor = PAGE_ALIGN_UP(MAX((uintptr_t)_end, boot_data_end(si)));
    unsigned entries;
    const struct hvm_memmap_table_entry *map = memory_map(si, &entries);
    uint64_t top = 0;
    for (uint32_t i = 0; i < entries; i++) {
        if (map[i].type != 1) /* E820 RAM */
            continue;
        uint64_t start = map[i].addr, end = map[i].addr + map[i].size;
        top = MAX(top, end);
        start = MAX(start, (uint64_t)floor);
        end = MIN(end, PVH_MAPPED_BYTES);
        start = (start + PAGE_SIZE - 1) & PAGE_MASK;
        end &= PAGE_MASK;
        if (start + 4 * PAGE_SIZE <= end && pages_add_region(start, end) < 0)
            printk("pvh: cannot use RAM %#lx-%#lx\n", (unsigned long)start, (unsigned long)end);
    }
    boot_info.ram_bytes = top;
}

__noreturn void x86_pvh_start(uint32_t start_info_paddr)
{
    const struct hvm_start_info *si = (void *)(uintptr_t)start_info_paddr;
    install_hypercall_page();
    idt_init();
    if (si->magic != XEN_HVM_START_MAGIC_VALUE)
        panic("bad hvm_start_info magic %#x", si->magic);
    fill_boot_info(si);
    console_init();
    map_shared_info();
    uint32_t mxcsr = 0x1f80;
    __asm__ __volatile__("fninit; ldmxcsr %0" : : "m"(mxcsr));
    add_ram(si);
    pvh_unmap_null_page();
    place_grant_frames();
    set_callback_vector();
    kernel_main();
}

/* ---------------------------------------------------------------- events */

unsigned long arch_irq_save(void)
{
    unsigned long rflags;
    __asm__ __volatile__("pushfq; popq %0; cli" : "=r"(rflags) : : "memory");
    return !(rflags & 0x200);
}

void arch_irq_restore(unsigned long flags)
{
    if (!flags)
        __asm__ __volatile__("sti" : : : "memory");
}

void arch_irq_enable(void)
{
    __asm__ __volatile__("sti" : : : "memory");
}

void arch_irq_disable(void)
{
    __asm__ __volatile__("cli" : : : "memory");
}

/* HVM guests have no set_timer_op; the per-vCPU single-shot timer is the
 * same thing. */
void arch_set_timer(uint64_t deadline_ns)
{
    if (!deadline_ns) {
        xen_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL);
        return;
    }
    struct vcpu_set_singleshot_timer t = {.timeout_abs_ns = deadline_ns, .flags = 0};
    xen_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t);
}

/* sti's one-instruction delay makes "sti; hlt" atomic: an interrupt that
 * became pending while we were disabled wakes the hlt, it is not lost. */
void arch_block(void)
{
    __asm__ __volatile__("sti; hlt" : : : "memory");
}

uint64_t x86_fault_address(void)
{
    uint64_t cr2;
    __asm__ __volatile__("mov %%cr2, %0" : "=r"(cr2));
    return cr2;
}
