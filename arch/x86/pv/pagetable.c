/* x86_64 PV page tables for our own RAM.
 *
 * Xen starts us with a 1:1 mapping (virtual = pseudo-physical) of only the
 * boot region: kernel, start_info, the boot page tables and some padding.
 * Mapping every page costs a checked hypercall entry per page, so we map
 * just enough to boot and map the rest in growing chunks when the page
 * allocator runs dry (x86_grow_ram). PV rules: a page that becomes a page
 * table must not be mapped writable anywhere, and page-table entries are
 * written with mmu_update using machine addresses, which Xen checks. */
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/hypercall.h>
#include <minios/mm.h>
#include <minios/panic.h>
#include <minios/string.h>
#include "../pte.h"
#include "../traps.h"

#define MMU_BATCH 256
/* RAM mapped at boot beyond the kernel; the rest waits until needed. */
#define BOOT_MAP_PAGES ((1UL << 20) >> PAGE_SHIFT)

static struct mmu_update mmu_batch[MMU_BATCH];
static unsigned mmu_batched;
/* Page-table pages for the next mapping step, reserved ahead of time from
 * RAM that is already mapped: a new table must be cleared through a
 * writable mapping before it becomes read-only, and its own address must
 * stay readable while we walk it. */
static uintptr_t pool_next, pool_end;
static uintptr_t mapped_end_pfn; /* RAM below this is mapped (or reserved) */

static long mmu_update(struct mmu_update *req, unsigned count)
{
    unsigned done = 0;
    return arch_hypercall5(__HYPERVISOR_mmu_update, (unsigned long)req, count,
                           (unsigned long)&done, DOMID_SELF, 0);
}

static void mmu_flush(void)
{
    if (mmu_batched == 0)
        return;
    long rc = mmu_update(mmu_batch, mmu_batched);
    if (rc < 0)
        panic("mmu_update of %u entries failed: %ld", mmu_batched, rc);
    mmu_batched = 0;
}

static void mmu_queue(uint64_t entry_maddr, uint64_t val)
{
    mmu_batch[mmu_batched].ptr = entry_maddr | MMU_NORMAL_PT_UPDATE;
    mmu_batch[mmu_batched].val = val;
    if (++mmu_batched == MMU_BATCH)
        mmu_flush();
}

uint64_t x86_pfn_to_mfn(unsigned long pfn)
{
    return ((const unsigned long *)x86_start_info->mfn_list)[pfn];
}

uint64_t *x86_table_of_entry(uint64_t entry)
{
    unsigned long mfn = (entry & PTE_ADDR_MASK) >> PAGE_SHIFT;
    return (uint64_t *)(machine_to_phys_mapping[mfn] << PAGE_SHIFT);
}

uint64_t x86_maddr_of(const void *va)
{
    uintptr_t v = (uintptr_t)va;
    return (x86_pfn_to_mfn(v >> PAGE_SHIFT) << PAGE_SHIFT) | (v & (PAGE_SIZE - 1));
}

int x86_update_va(uintptr_t va, uint64_t pte)
{
    return (int)arch_hypercall5(__HYPERVISOR_update_va_mapping, va, pte, UVMF_INVLPG, 0, 0);
}

/* Take a reserved page, clear it, make it read-only and hook it into
 * *parent. */
static uint64_t *new_table(uint64_t *parent)
{
    if (pool_next == pool_end)
        panic("page tables: reserved table pages exhausted");
    uintptr_t pfn = pool_next++;
    uint64_t mfn = x86_pfn_to_mfn(pfn);
    uint64_t *table = (uint64_t *)(pfn << PAGE_SHIFT);
    memset(table, 0, PAGE_SIZE);
    mmu_flush(); /* queued entries may point into the table we extend */
    if (x86_update_va((uintptr_t)table, (mfn << PAGE_SHIFT) | PV_PAGE_PROT_RO) < 0)
        panic("cannot make page-table page %#lx read-only", (unsigned long)pfn);
    mmu_queue(x86_maddr_of(parent), (mfn << PAGE_SHIFT) | PV_TABLE_PROT);
    mmu_flush();
    return table;
}

/* The L1 entry for va, creating missing levels. */
static uint64_t *l1_entry(uintptr_t va)
{
    uint64_t *table = (uint64_t *)x86_start_info->pt_base;
    for (int shift = 39; shift > 12; shift -= 9) {
        uint64_t *entry = &table[(va >> shift) & 511];
        table = (*entry & PTE_PRESENT) ? x86_table_of_entry(*entry) : new_table(entry);
    }
    return &table[(va >> PAGE_SHIFT) & 511];
}

/* Table pages needed to map n more pages: one L1 per 512 pages (plus one
 * for a partial one at each end) and a few upper-level tables. */
static uintptr_t tables_needed(uintptr_t n)
{
    return n / 512 + 4;
}

/* Map [mapped_end_pfn, end_pfn) 1:1 using the reserved table pages. */
static void map_ram_until(uintptr_t end_pfn)
{
    for (uintptr_t pfn = mapped_end_pfn; pfn < end_pfn; pfn++) {
        uint64_t *pte = l1_entry(pfn << PAGE_SHIFT);
        if (!(*pte & PTE_PRESENT))
            mmu_queue(x86_maddr_of(pte), (x86_pfn_to_mfn(pfn) << PAGE_SHIFT) | PV_PAGE_PROT);
    }
    mmu_flush();
    mapped_end_pfn = end_pfn;
}

/* After mapping a chunk starting at start_pfn, reserve the table pages the
 * next chunk (as large as all RAM mapped so far) will need from its
 * beginning; returns the first pfn left for the page allocator. */
static uintptr_t reserve_next_tables(uintptr_t start_pfn)
{
    if (mapped_end_pfn >= x86_start_info->nr_pages)
        return start_pfn; /* nothing left to map later */
    pool_next = start_pfn;
    pool_end = start_pfn + tables_needed(mapped_end_pfn);
    if (pool_end > mapped_end_pfn)
        panic("page tables: chunk too small for the next chunk's tables");
    return pool_end;
}

void x86_map_boot_ram(uintptr_t *first_free, uintptr_t *mapped_end)
{
    const start_info_t *si = x86_start_info;
    uintptr_t boot_end = si->pt_base + si->nr_pt_frames * PAGE_SIZE;
    extern char _end[];

    /* Everything below the boot page tables (kernel, p2m list, start_info,
     * console and xenstore pages) stays reserved. The boot stack Xen gave
     * us sits right after the page tables; we left it for our own. Xen
     * maps at least 512 KiB beyond: the first table pages come from there. */
    uintptr_t start = PFN_UP(MAX(boot_end, (uintptr_t)_end));
    uintptr_t end = MIN((uintptr_t)si->nr_pages, start + BOOT_MAP_PAGES);
    pool_next = start;
    pool_end = start + tables_needed(end - start);
    mapped_end_pfn = pool_end;
    map_ram_until(end);
    *first_free = reserve_next_tables(pool_end) << PAGE_SHIFT;
    *mapped_end = end << PAGE_SHIFT;
}

/* Page-allocator hook: map the next chunk of RAM, at least as large as all
 * RAM mapped so far (so growth takes few steps and few regions) and large
 * enough to hold a naturally aligned block of the requested order. */
int x86_grow_ram(unsigned order)
{
    uintptr_t total = x86_start_info->nr_pages;
    uintptr_t start = mapped_end_pfn;
    if (start >= total)
        return -ENOMEM;
    /* The reserved tables cover as much as was mapped when they were set
     * aside; a bigger request simply grows again (pages_alloc retries). */
    uintptr_t capacity = (pool_end - pool_next - 3) * 512;
    uintptr_t want = MIN(MAX(start, (4UL << order) + 64), capacity);
    map_ram_until(MIN(total, start + want));
    uintptr_t first_free = reserve_next_tables(start);
    if (first_free >= mapped_end_pfn)
        return -ENOMEM;
    return pages_add_region(first_free << PAGE_SHIFT, mapped_end_pfn << PAGE_SHIFT);
}

int arch_unmap_page(uintptr_t va)
{
    return x86_update_va(va, 0);
}

int arch_remap_page(uintptr_t va)
{
    return x86_update_va(va, (x86_pfn_to_mfn(va >> PAGE_SHIFT) << PAGE_SHIFT) | PV_PAGE_PROT);
}
