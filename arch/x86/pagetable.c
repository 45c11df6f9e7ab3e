/* x86_64 PV page tables.
 *
 * Xen starts us with a 1:1 mapping (virtual = pseudo-physical) of only the
 * boot region: kernel, start_info, the boot page tables and some padding.
 * We extend it to all RAM. PV rules: a page that becomes a page table must
 * no longer be mapped writable anywhere, and page-table entries are written
 * with the mmu_update hypercall using machine addresses, which Xen checks. */
#include <minios/hypercall.h>
#include <minios/console.h>
#include <minios/panic.h>
#include "traps.h"

#define PTE_PRESENT 0x001ULL
#define PTE_RW 0x002ULL
#define PTE_USER 0x004ULL
#define PTE_ACCESSED 0x020ULL
#define PTE_DIRTY 0x040ULL
#define PTE_NX (1ULL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

/* Xen forces USER on 64-bit PV kernel mappings anyway; say so explicitly. */
#define TABLE_PROT (PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED | PTE_DIRTY)
#define PAGE_PROT (PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED | PTE_DIRTY)
#define PAGE_PROT_RO (PTE_PRESENT | PTE_USER | PTE_ACCESSED)

#define MMU_BATCH 256

static struct mmu_update mmu_batch[MMU_BATCH];
static unsigned mmu_batched;
static uintptr_t next_table_pfn; /* boot-time page-table pages come from here */

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

static uint64_t *table_of_entry(uint64_t entry)
{
    unsigned long mfn = (entry & PTE_ADDR_MASK) >> PAGE_SHIFT;
    return (uint64_t *)(machine_to_phys_mapping[mfn] << PAGE_SHIFT);
}

static uint64_t maddr_of(const void *va)
{
    uintptr_t v = (uintptr_t)va;
    return (x86_pfn_to_mfn(v >> PAGE_SHIFT) << PAGE_SHIFT) | (v & (PAGE_SIZE - 1));
}

int x86_update_va(uintptr_t va, uint64_t pte)
{
    return (int)arch_hypercall5(__HYPERVISOR_update_va_mapping, va, pte, UVMF_INVLPG, 0, 0);
}

/* Turn the (mapped, writable) page at pfn into an empty page table hooked
 * into *parent_entry_va. */
static uint64_t *new_table(uint64_t *parent_entry)
{
    uintptr_t pfn = next_table_pfn++;
    uint64_t *table = (uint64_t *)(pfn << PAGE_SHIFT);
    for (unsigned i = 0; i < 512; i++)
        table[i] = 0;
    uint64_t mfn = x86_pfn_to_mfn(pfn);
    if (x86_update_va((uintptr_t)table, (mfn << PAGE_SHIFT) | PAGE_PROT_RO) < 0)
        panic("cannot make page-table page %#lx read-only", (unsigned long)pfn);
    mmu_flush(); /* entries queued so far may point into tables above us */
    mmu_queue(maddr_of(parent_entry), (mfn << PAGE_SHIFT) | TABLE_PROT);
    mmu_flush();
    return table;
}

/* Return the L1 entry for va, creating missing levels. */
static uint64_t *l1_entry(uintptr_t va)
{
    uint64_t *table = (uint64_t *)x86_start_info->pt_base;
    for (int shift = 39; shift > 12; shift -= 9) {
        uint64_t *entry = &table[(va >> shift) & 511];
        table = (*entry & PTE_PRESENT) ? table_of_entry(*entry) : new_table(entry);
    }
    return &table[(va >> PAGE_SHIFT) & 511];
}

void x86_map_all_ram(uintptr_t *first_free, uintptr_t *ram_end)
{
    const start_info_t *si = x86_start_info;
    uintptr_t boot_end = si->pt_base + si->nr_pt_frames * PAGE_SIZE;
    extern char _end[];

    /* Everything below the boot page tables (kernel, p2m list, start_info,
     * console and xenstore pages) stays reserved. The boot stack Xen gave
     * us sits right after the page tables; we left it for our own. */
    next_table_pfn = PFN_UP(MAX(boot_end, (uintptr_t)_end));
    uintptr_t end_pfn = si->nr_pages;
    for (uintptr_t pfn = next_table_pfn; pfn < end_pfn; pfn++) {
        uint64_t *pte = l1_entry(pfn << PAGE_SHIFT);
        if (!(*pte & PTE_PRESENT))
            mmu_queue(maddr_of(pte), (x86_pfn_to_mfn(pfn) << PAGE_SHIFT) | PAGE_PROT);
    }
    mmu_flush();
    *first_free = next_table_pfn << PAGE_SHIFT;
    *ram_end = end_pfn << PAGE_SHIFT;
}

int arch_unmap_page(uintptr_t va)
{
    return x86_update_va(va, 0);
}

int arch_remap_page(uintptr_t va)
{
    return x86_update_va(va, (x86_pfn_to_mfn(va >> PAGE_SHIFT) << PAGE_SHIFT) | PAGE_PROT);
}
