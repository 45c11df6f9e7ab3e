/* x86_64 PV: mapping frames that are not our RAM.
 *
 * pagetable.c maps our RAM 1:1 at boot. Frames that are not part of it --
 * the grant-table frames Xen shares with us, grants of other domains --
 * live in a window of virtual addresses far above any RAM a stub domain
 * has. The window is handed out in pages (a bitmap, first fit). Reserving
 * a page creates its missing page-table levels, which are then kept for
 * good: a grant map with a host virtual address needs the L1 entry to
 * exist already, Xen only fills it in.
 *
 * PV rules, as in pagetable.c: a page that becomes a page table must first
 * lose its writable mapping (our 1:1 map), and table entries are written by
 * Xen (mmu_update), which checks them. Thread context only: creating a
 * table allocates memory. */
#include <minios/arch.h>
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/hypercall.h>
#include <minios/mm.h>
#include <minios/panic.h>
#include <minios/string.h>
#include "../traps.h"

#define PTE_PRESENT 0x001ULL
#define PTE_RW 0x002ULL
#define PTE_USER 0x004ULL
#define PTE_ACCESSED 0x020ULL
#define PTE_DIRTY 0x040ULL

/* Same protections as pagetable.c (Xen forces USER on 64-bit PV anyway). */
#define TABLE_PROT (PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED | PTE_DIRTY)
#define PAGE_PROT (PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED | PTE_DIRTY)
#define PAGE_PROT_RO (PTE_PRESENT | PTE_USER | PTE_ACCESSED)

#define WINDOW_START 0x1000000000UL /* 64 GiB */
#define WINDOW_PAGES (64UL * 1024)  /* 256 MiB */
#define WINDOW_END (WINDOW_START + WINDOW_PAGES * PAGE_SIZE)
#define BITS_PER_LONG (sizeof(unsigned long) * 8)

static unsigned long window_used[WINDOW_PAGES / BITS_PER_LONG];

/* ---- page tables ---- */

static int write_entry(uint64_t *entry, uint64_t val)
{
    struct mmu_update req = {
        .ptr = x86_maddr_of(entry) | MMU_NORMAL_PT_UPDATE,
        .val = val,
    };
    unsigned done = 0;
    return (int)arch_hypercall5(__HYPERVISOR_mmu_update, (unsigned long)&req, 1,
                                (unsigned long)&done, DOMID_SELF, 0);
}

/* Take a fresh page, make it an empty table and hook it into *parent. */
static int add_table(uint64_t *parent)
{
    void *page = pages_alloc(0);
    if (!page)
        return -ENOMEM;
    memset(page, 0, PAGE_SIZE);
    uintptr_t va = (uintptr_t)page;
    uint64_t maddr = x86_maddr_of(page);
    int rc = x86_update_va(va, maddr | PAGE_PROT_RO);
    if (rc == 0) {
        rc = write_entry(parent, maddr | TABLE_PROT);
        if (rc == 0)
            return 0;
        x86_update_va(va, maddr | PAGE_PROT); /* writable again before freeing */
    }
    printk("map: cannot add a page table for the window: %d\n", rc);
    pages_free(page, 0);
    return rc;
}

/* The L1 entry of va, creating missing levels if create is set; NULL if a
 * level is missing (and not created). */
static uint64_t *l1_entry(uintptr_t va, bool create)
{
    uint64_t *table = (uint64_t *)x86_start_info->pt_base;
    for (int shift = 39; shift > PAGE_SHIFT; shift -= 9) {
        uint64_t *entry = &table[(va >> shift) & 511];
        if (!(READ_ONCE(*entry) & PTE_PRESENT) && (!create || add_table(entry) != 0))
            return NULL;
        table = x86_table_of_entry(READ_ONCE(*entry));
    }
    return &table[(va >> PAGE_SHIFT) & 511];
}

static bool is_mapped(uintptr_t va)
{
    uint64_t *pte = l1_entry(va, false);
    return pte && (READ_ONCE(*pte) & PTE_PRESENT);
}

/* ---- the window's page bitmap ---- */

static bool slot_used(unsigned long i)
{
    return window_used[i / BITS_PER_LONG] & (1UL << (i % BITS_PER_LONG));
}

static void set_slots(unsigned long first, unsigned n, bool used)
{
    for (unsigned long i = first; i < first + n; i++) {
        unsigned long bit = 1UL << (i % BITS_PER_LONG);
        if (used)
            window_used[i / BITS_PER_LONG] |= bit;
        else
            window_used[i / BITS_PER_LONG] &= ~bit;
    }
}

/* First run of n free slots, or -1. Skips full words quickly. */
static long find_free_run(unsigned n)
{
    unsigned long run = 0;
    for (unsigned long i = 0; i < WINDOW_PAGES; i++) {
        if (i % BITS_PER_LONG == 0 && window_used[i / BITS_PER_LONG] == ~0UL) {
            i += BITS_PER_LONG - 1;
            run = 0;
        } else if (slot_used(i)) {
            run = 0;
        } else if (++run == n) {
            return (long)(i + 1 - n);
        }
    }
    return -1;
}

/* Is [va, va + n pages) inside the window, aligned, and all reserved? */
static bool is_reserved(uintptr_t va, unsigned n)
{
    if (n == 0 || va % PAGE_SIZE || va < WINDOW_START || va >= WINDOW_END ||
        n > (WINDOW_END - va) / PAGE_SIZE)
        return false;
    unsigned long first = (va - WINDOW_START) / PAGE_SIZE;
    for (unsigned long i = first; i < first + n; i++)
        if (!slot_used(i))
            return false;
    return true;
}

uintptr_t arch_map_window_alloc(unsigned n)
{
    /* The window must never overlap the 1:1 map of RAM. */
    BUG_ON(boot_info.ram_bytes > WINDOW_START);
    if (n == 0 || n > WINDOW_PAGES)
        return 0;
    long first = find_free_run(n);
    if (first < 0)
        return 0;
    uintptr_t va = WINDOW_START + (uintptr_t)first * PAGE_SIZE;
    for (unsigned i = 0; i < n; i++)
        if (!l1_entry(va + i * PAGE_SIZE, true))
            return 0; /* out of memory; tables made so far stay for later */
    set_slots((unsigned long)first, n, true);
    return va;
}

int arch_map_window_free(uintptr_t va, unsigned n)
{
    if (!is_reserved(va, n)) {
        printk("map: freeing %u window pages at %#lx that are not reserved\n", n,
               (unsigned long)va);
        return -EINVAL;
    }
    for (unsigned i = 0; i < n; i++)
        if (is_mapped(va + i * PAGE_SIZE))
            return -EBUSY;
    set_slots((va - WINDOW_START) / PAGE_SIZE, n, false);
    return 0;
}

int arch_map_machine_frames(uintptr_t va, const xen_pfn_t *mfns, unsigned n)
{
    if (!is_reserved(va, n))
        return -EINVAL;
    for (unsigned i = 0; i < n; i++) {
        int rc = x86_update_va(va + i * PAGE_SIZE, ((uint64_t)mfns[i] << PAGE_SHIFT) | PAGE_PROT);
        if (rc < 0) {
            arch_unmap_frames(va, i);
            return rc;
        }
    }
    return 0;
}

int arch_unmap_frames(uintptr_t va, unsigned n)
{
    if (n == 0)
        return 0;
    if (!is_reserved(va, n))
        return -EINVAL;
    int result = 0;
    for (unsigned i = 0; i < n; i++) {
        int rc = x86_update_va(va + i * PAGE_SIZE, 0);
        if (rc < 0 && result == 0)
            result = rc;
    }
    return result;
}

xen_pfn_t arch_pfn_to_xen_frame(unsigned long pfn)
{
    return x86_pfn_to_mfn(pfn);
}
