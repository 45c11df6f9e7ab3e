/* x86_64 PV: mapping frames that are not our RAM.
 *
 * pagetable.c maps our RAM 1:1 at boot. Frames that are not part of it --
 * the grant-table frames Xen shares with us, grants of other domains --
 * live in a window of virtual addresses far above any RAM a stub domain
 * has, handed out in pages by minios/map_window.c. Reserving a page creates
 * its missing page-table levels, which are then kept for good: a grant map
 * with a host virtual address needs the L1 entry to exist already, Xen only
 * fills it in.
 *
 * PV rules, as in pagetable.c: a page that becomes a page table must first
 * lose its writable mapping (our 1:1 map), and table entries are written by
 * Xen (mmu_update), which checks them. Thread context only: creating a
 * table allocates memory. */
#include <minios/arch.h>
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/hypercall.h>
#include <minios/map_window.h>
#include <minios/mm.h>
#include <minios/panic.h>
#include <minios/string.h>
#include "../pte.h"
#include "../traps.h"

#define WINDOW_START 0x1000000000UL /* 64 GiB */
#define WINDOW_PAGES (64UL * 1024)  /* 256 MiB */

MAP_WINDOW_DEFINE(map_window, WINDOW_START, WINDOW_PAGES);

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
    int rc = x86_update_va(va, maddr | PV_PAGE_PROT_RO);
    if (rc == 0) {
        rc = write_entry(parent, maddr | PV_TABLE_PROT);
        if (rc == 0)
            return 0;
        x86_update_va(va, maddr | PV_PAGE_PROT); /* writable again before freeing */
    }
    printk("map: cannot add a page table for the window: %d\n", rc);
    pages_free(page, 0);
    return rc;
}

/* Create the missing table levels down to va's L1 entry; false if out of
 * memory. */
static bool make_l1_entry(uintptr_t va)
{
    uint64_t *table = (uint64_t *)x86_start_info->pt_base;
    for (int shift = 39; shift > PAGE_SHIFT; shift -= 9) {
        uint64_t *entry = &table[(va >> shift) & 511];
        if (!(READ_ONCE(*entry) & PTE_PRESENT) && add_table(entry) != 0)
            return false;
        table = x86_table_of_entry(READ_ONCE(*entry));
    }
    return true;
}

/* ---- the window ---- */

uintptr_t arch_map_window_alloc(unsigned n)
{
    /* The window must never overlap the 1:1 map of RAM. */
    BUG_ON(boot_info.ram_bytes > WINDOW_START);
    uintptr_t va = map_window_reserve(&map_window, n);
    for (unsigned i = 0; va && i < n; i++) {
        if (!make_l1_entry(va + i * PAGE_SIZE)) {
            /* out of memory; tables made so far stay for later */
            map_window_release(&map_window, va, n);
            return 0;
        }
    }
    return va;
}

int arch_map_window_free(uintptr_t va, unsigned n)
{
    return map_window_release(&map_window, va, n);
}

int arch_map_machine_frames(uintptr_t va, const xen_pfn_t *mfns, unsigned n)
{
    if (!map_window_is_reserved(&map_window, va, n))
        return -EINVAL;
    for (unsigned i = 0; i < n; i++) {
        int rc =
            x86_update_va(va + i * PAGE_SIZE, ((uint64_t)mfns[i] << PAGE_SHIFT) | PV_PAGE_PROT);
        if (rc < 0) {
            arch_unmap_frames(va, i);
            return rc;
        }
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
    int result = 0;
    for (unsigned i = 0; i < n; i++) {
        int rc = x86_update_va(va + i * PAGE_SIZE, 0);
        if (rc < 0 && result == 0)
            result = rc;
    }
    map_window_set_mapped(&map_window, va, n, false);
    return result;
}

/* Xen maps a grant of our own at a second virtual address like any other. */
bool arch_can_map_own_grants(void)
{
    return true;
}

xen_pfn_t arch_pfn_to_xen_frame(unsigned long pfn)
{
    return x86_pfn_to_mfn(pfn);
}
