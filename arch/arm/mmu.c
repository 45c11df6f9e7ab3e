/* arm64 stage-1 page tables: 4 KiB pages, 39-bit virtual addresses, three
 * levels (L1 entries cover 1 GiB, L2 2 MiB, L3 4 KiB).
 *
 * Xen's stage 2 maps our RAM at IPA ram_base (0x40000000 in Xen's guest
 * layout); we map it at VA 0, so that a pointer's value is its offset into
 * RAM -- the "pseudo-physical" address the core's page numbers mean, as on
 * x86 PV. Every RAM page is mapped individually: the kernel's text read-only
 * and executable, its read-only data read-only, everything else read-write
 * and never executable, page 0 not at all (NULL), and thread stacks get an
 * unmapped guard page.
 *
 * arm64_mmu_early() builds the tables before the MMU is on, so it runs at
 * physical addresses: it reaches its data PC-relatively, calls no function
 * through a pointer, and every table address is physical (= IPA). Table
 * pages come from the RAM right after the kernel image. Once the MMU is on,
 * a table's VA is its IPA - ram_base.
 *
 * Frames that are not our RAM -- the grant-table frames Xen adds to our
 * physical map, grants of other domains -- live in Xen's grant area of the
 * IPA space (XEN_GNTTAB_BASE, 16 MiB, or what the DT's /hypervisor node
 * says), mapped at VA == IPA: the first part holds the grant table, the rest
 * is the window for foreign mappings. A window page is mapped to its own IPA
 * unless arch_map_machine_frames points it elsewhere, because Xen maps a
 * grant (GNTTABOP_map_grant_ref, host_addr = the IPA) into stage 2 only: our
 * stage-1 entry must already lead there. */
#include <minios/arch.h>
#include <minios/errno.h>
#include <minios/hypercall.h>
#include <minios/map_window.h>
#include <minios/panic.h>
#include <libfdt.h>
#include "arm64.h"

#define L1_SHIFT 30
#define L2_SHIFT 21
#define ENTRIES 512
#define IDX(va, shift) (((va) >> (shift)) & (ENTRIES - 1))

#define PTE_VALID (1UL << 0)
#define PTE_TABLE (1UL << 1) /* L1/L2: points to a table; L3: a page */
#define PTE_ATTR(i) ((uint64_t)(i) << 2)
#define PTE_RDONLY (1UL << 7)
#define PTE_SH_INNER (3UL << 8)
#define PTE_AF (1UL << 10)
#define PTE_PXN (1UL << 53)
#define PTE_UXN (1UL << 54)
#define PTE_ADDR 0x0000fffffffff000UL

#define PROT_RW (PTE_ATTR(MT_NORMAL) | PTE_SH_INNER | PTE_AF | PTE_PXN | PTE_UXN)
#define PROT_RO (PROT_RW | PTE_RDONLY)
#define PROT_RX (PTE_ATTR(MT_NORMAL) | PTE_SH_INNER | PTE_AF | PTE_RDONLY | PTE_UXN)
#define PROT_DEVICE (PTE_ATTR(MT_DEVICE_nGnRE) | PTE_AF | PTE_PXN | PTE_UXN)

/* TCR_EL1: T0SZ = 25 (39-bit VA), walks inner/outer write-back cacheable,
 * inner shareable, 4 KiB granule; TTBR1 walks disabled (EPD1). IPS is filled
 * in from the CPU's physical address range. */
#define TCR_BASE ((25UL << 0) | (1UL << 8) | (1UL << 10) | (3UL << 12) | (25UL << 16) | (1UL << 23))

/* Grant area: the first GRANT_TABLE_FRAMES pages hold our grant table. */
#define GRANT_TABLE_FRAMES 256

uint64_t arm64_ram_base, arm64_ram_size;
uint64_t arm64_tcr_value;
uint64_t arm64_boot_alloc_end; /* physical */
static uint64_t *root;         /* L1 table; physical until the MMU is on */
static uint64_t va_offset;     /* table VA = table PA - va_offset */
static uint64_t identity_index;
static uint64_t grant_base = XEN_GNTTAB_BASE, grant_size = XEN_GNTTAB_SIZE;

/* ---------------------------------------------------------------- boot (MMU off) */

static uint64_t *table_ptr(uint64_t pa)
{
    return (uint64_t *)(uintptr_t)(pa - va_offset);
}

static uint64_t boot_alloc_page(void)
{
    uint64_t pa = arm64_boot_alloc_end;
    uint64_t *p = table_ptr(pa);
    for (unsigned i = 0; i < ENTRIES; i++)
        p[i] = 0;
    arm64_boot_alloc_end = pa + PAGE_SIZE;
    return pa;
}

/* The L3 entry for va, creating the L2 and L3 tables below the root. */
static uint64_t *l3_entry(uintptr_t va, bool create)
{
    uint64_t *l1 = root;
    uint64_t *e1 = &l1[IDX(va, L1_SHIFT)];
    if (!(*e1 & PTE_VALID)) {
        if (!create)
            return NULL;
        *e1 = boot_alloc_page() | PTE_TABLE | PTE_VALID;
    }
    uint64_t *l2 = table_ptr(*e1 & PTE_ADDR);
    uint64_t *e2 = &l2[IDX(va, L2_SHIFT)];
    if (!(*e2 & PTE_VALID)) {
        if (!create)
            return NULL;
        *e2 = boot_alloc_page() | PTE_TABLE | PTE_VALID;
    }
    if (!(*e2 & PTE_TABLE))
        return NULL; /* a block mapping */
    uint64_t *l3 = table_ptr(*e2 & PTE_ADDR);
    return &l3[IDX(va, PAGE_SHIFT)];
}

/* Say something through Xen's console and stop: nothing else works yet. */
static __noreturn void early_fail(const char *msg, unsigned long len)
{
    struct sched_shutdown crash = {.reason = SHUTDOWN_crash};
    arch_hypercall5(__HYPERVISOR_console_io, CONSOLEIO_write, len, (unsigned long)msg, 0, 0);
    for (;;)
        arch_hypercall5(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (unsigned long)&crash, 0, 0, 0);
}
#define EARLY_FAIL(text) early_fail(text, sizeof(text) - 1)

/* Size of the RAM bank that starts at base, from the DT's memory nodes. */
static uint64_t dt_ram_size(const void *fdt, uint64_t base)
{
    if (fdt_check_header(fdt) != 0)
        EARLY_FAIL("stubos: no valid device tree at boot\n");
    int ac = fdt_address_cells(fdt, 0), sc = fdt_size_cells(fdt, 0);
    if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
        EARLY_FAIL("stubos: unsupported #address-cells/#size-cells\n");
    for (int node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7);
         node >= 0;
         node = fdt_node_offset_by_prop_value(fdt, node, "device_type", "memory", 7)) {
        int len;
        const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
        for (int i = 0; reg && i + (ac + sc) * 4 <= len; i += (ac + sc) * 4) {
            const fdt32_t *cell = reg + i / 4;
            uint64_t start = fdt32_to_cpu(cell[0]), size = fdt32_to_cpu(cell[ac]);
            if (ac == 2)
                start = (start << 32) | fdt32_to_cpu(cell[1]);
            if (sc == 2)
                size = (size << 32) | fdt32_to_cpu(cell[ac + 1]);
            if (start == base)
                return size;
        }
    }
    EARLY_FAIL("stubos: the device tree has no memory bank where we were loaded\n");
}

static uint64_t ram_prot(uintptr_t va)
{
    extern char _stext[], _etext[], _erodata[];
    /* PC-relative: these are the physical addresses of the symbols. */
    uintptr_t text = (uintptr_t)_stext - arm64_ram_base, etext = (uintptr_t)_etext - arm64_ram_base;
    uintptr_t erodata = (uintptr_t)_erodata - arm64_ram_base;
    if (va < text)
        return 0; /* page 0: the Image header only */
    if (va < etext)
        return PROT_RX;
    if (va < erodata)
        return PROT_RO;
    return PROT_RW;
}

/* Called from head.S with the MMU off; returns the root table for TTBR0. */
uint64_t arm64_mmu_early(uint64_t ram_base, uint64_t dtb_pa)
{
    extern char _end[];
    arm64_ram_base = ram_base;
    if (ram_base % (1UL << L2_SHIFT))
        EARLY_FAIL("stubos: loaded at an address that is not 2 MiB aligned\n");
    arm64_ram_size = dt_ram_size((const void *)(uintptr_t)dtb_pa, ram_base) & PAGE_MASK;
    if (arm64_ram_size > grant_base)
        EARLY_FAIL("stubos: more RAM than fits below the grant area (896 MiB)\n");

    uint64_t pa_range = 0;
    __asm__ __volatile__("mrs %0, id_aa64mmfr0_el1" : "=r"(pa_range));
    pa_range &= 7;
    arm64_tcr_value = TCR_BASE | (MIN(pa_range, 5UL) << 32);

    arm64_boot_alloc_end = ALIGN_UP((uint64_t)(uintptr_t)_end, PAGE_SIZE); /* physical */
    root = (uint64_t *)(uintptr_t)boot_alloc_page();
    for (uintptr_t va = 0; va < arm64_ram_size; va += PAGE_SIZE) {
        uint64_t prot = ram_prot(va);
        *l3_entry(va, true) = prot ? (ram_base + va) | prot | PTE_TABLE | PTE_VALID : 0;
    }
    /* The window: every page at its own IPA (see the top of the file). */
    for (uint64_t ipa = XEN_GNTTAB_BASE + GRANT_TABLE_FRAMES * PAGE_SIZE;
         ipa < XEN_GNTTAB_BASE + XEN_GNTTAB_SIZE; ipa += PAGE_SIZE)
        *l3_entry(ipa, true) = ipa | PROT_RW | PTE_TABLE | PTE_VALID;
    /* The device L2 table, filled in later. */
    root[IDX(DEVICE_VA_BASE, L1_SHIFT)] = boot_alloc_page() | PTE_TABLE | PTE_VALID;
    /* Identity map of the 1 GiB around the kernel, for the instructions that
     * turn the MMU on; read-only so it may be executable under WXN. */
    identity_index = IDX(ram_base, L1_SHIFT);
    if (root[identity_index] & PTE_VALID)
        EARLY_FAIL("stubos: the boot identity map collides with our own map\n");
    root[identity_index] = (ram_base & ~((1UL << L1_SHIFT) - 1)) | PTE_ATTR(MT_NORMAL) |
                           PTE_SH_INNER | PTE_AF | PTE_RDONLY | PTE_UXN | PTE_VALID;
    return (uint64_t)(uintptr_t)root;
}

/* ---------------------------------------------------------------- MMU on */

static void flush_tlb_page(uintptr_t va)
{
    __asm__ __volatile__("dsb ishst; tlbi vaae1is, %0; dsb ish; isb" : : "r"(va >> PAGE_SHIFT)
                         : "memory");
}

static void flush_tlb_all(void)
{
    __asm__ __volatile__("dsb ishst; tlbi vmalle1is; dsb ish; isb" ::: "memory");
}

void arm64_mmu_drop_identity(void)
{
    va_offset = arm64_ram_base;
    root = table_ptr((uint64_t)(uintptr_t)root);
    root[identity_index] = 0;
    flush_tlb_all();
}

uintptr_t arm64_mmu_free_start(void)
{
    return (uintptr_t)(arm64_boot_alloc_end - arm64_ram_base);
}

volatile void *arm64_map_device(uint64_t ipa, uint64_t size)
{
    const uint64_t block = 1UL << L2_SHIFT;
    if (size == 0 || ipa + size > (1UL << L1_SHIFT))
        panic("device registers at %#lx+%#lx are outside the device window",
              (unsigned long)ipa, (unsigned long)size);
    uint64_t *l2 = table_ptr(root[IDX(DEVICE_VA_BASE, L1_SHIFT)] & PTE_ADDR);
    for (uint64_t b = ALIGN_DOWN(ipa, block); b < ipa + size; b += block)
        l2[IDX(b, L2_SHIFT)] = b | PROT_DEVICE | PTE_VALID; /* a 2 MiB block */
    __asm__ __volatile__("dsb ishst; isb" ::: "memory");
    return (volatile void *)(DEVICE_VA_BASE + ipa);
}

void arm64_mmu_set_grant_area(uint64_t ipa, uint64_t size)
{
    /* The window was laid out at boot in Xen's default area; a DT that moves
     * the area elsewhere is not supported yet. */
    if (ipa != XEN_GNTTAB_BASE || size < XEN_GNTTAB_SIZE)
        panic("grant area %#lx+%#lx differs from Xen's default layout",
              (unsigned long)ipa, (unsigned long)size);
    grant_base = ipa;
    grant_size = size;
}

uint64_t arm64_grant_table_ipa(void)
{
    return grant_base;
}

unsigned arm64_grant_table_max_frames(void)
{
    return GRANT_TABLE_FRAMES;
}

/* ---------------------------------------------------------------- RAM pages */

static uint64_t *ram_pte(uintptr_t va)
{
    if (va % PAGE_SIZE || va >= arm64_ram_size)
        return NULL;
    return l3_entry(va, false);
}

int arch_unmap_page(uintptr_t va)
{
    uint64_t *pte = ram_pte(va);
    if (!pte)
        return -EINVAL;
    WRITE_ONCE(*pte, 0);
    flush_tlb_page(va);
    return 0;
}

int arch_remap_page(uintptr_t va)
{
    uint64_t *pte = ram_pte(va);
    if (!pte || va < PAGE_SIZE)
        return -EINVAL;
    WRITE_ONCE(*pte, arm64_va_to_ipa(va) | PROT_RW | PTE_TABLE | PTE_VALID);
    __asm__ __volatile__("dsb ishst; isb" ::: "memory");
    return 0;
}

/* ---------------------------------------------------------------- the window */

#define WINDOW_START (XEN_GNTTAB_BASE + GRANT_TABLE_FRAMES * PAGE_SIZE)
#define WINDOW_PAGES ((XEN_GNTTAB_BASE + XEN_GNTTAB_SIZE - WINDOW_START) / PAGE_SIZE)

MAP_WINDOW_DEFINE(map_window, WINDOW_START, WINDOW_PAGES);

/* Every window page already has its stage-1 entry (see the top of the
 * file); which ones hold a mapping minios/map_window.c records, because
 * Xen's grant maps only change stage 2. */
uintptr_t arch_map_window_alloc(unsigned n)
{
    return map_window_reserve(&map_window, n);
}

int arch_map_window_free(uintptr_t va, unsigned n)
{
    return map_window_release(&map_window, va, n);
}

/* On Arm, Xen translates: the "machine" frames are guest frames (IPA). */
int arch_map_machine_frames(uintptr_t va, const xen_pfn_t *frames, unsigned n)
{
    if (!map_window_is_reserved(&map_window, va, n))
        return -EINVAL;
    for (unsigned i = 0; i < n; i++)
        if (frames[i] == 0 || frames[i] >= (1UL << (48 - PAGE_SHIFT)))
            return -EINVAL; /* e.g. INVALID_GFN: a grant frame Xen has not placed */
    for (unsigned i = 0; i < n; i++) {
        uintptr_t page = va + i * PAGE_SIZE;
        uint64_t *pte = l3_entry(page, false);
        WRITE_ONCE(*pte, ((uint64_t)frames[i] << PAGE_SHIFT) | PROT_RW | PTE_TABLE | PTE_VALID);
        flush_tlb_page(page);
    }
    map_window_set_mapped(&map_window, va, n, true);
    return 0;
}

int arch_unmap_frames(uintptr_t va, unsigned n)
{
    if (n == 0)
        return 0;
    if (!map_window_is_reserved(&map_window, va, n))
        return -EINVAL;
    for (unsigned i = 0; i < n; i++) {
        uintptr_t page = va + i * PAGE_SIZE;
        WRITE_ONCE(*l3_entry(page, false), page | PROT_RW | PTE_TABLE | PTE_VALID);
        flush_tlb_page(page);
    }
    map_window_set_mapped(&map_window, va, n, false);
    return 0;
}

/* Xen on Arm keeps no frame-to-gfn table: a grant of our own page maps at a
 * second IPA and leaves the first one alone. */
bool arch_can_map_own_grants(void)
{
    return true;
}

xen_pfn_t arch_pfn_to_xen_frame(unsigned long pfn)
{
    return (arm64_ram_base >> PAGE_SHIFT) + pfn;
}
