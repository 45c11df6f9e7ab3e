/* PVH: the mapping window for frames that are not our RAM (grant-table
 * frames, other domains' grants; see the block in <minios/arch.h>).
 *
 * With hardware paging our page tables map virtual to guest-physical
 * addresses, and Xen puts foreign frames into our guest-physical space
 * (add_to_physmap, grant maps with a guest-physical host_addr). The window
 * is therefore mapped 1:1 like low memory, at 64 GiB, far above any RAM we
 * have: a grant needs a guest frame that no RAM page occupies (Xen replaces
 * whatever is there), and a grant mapped at guest-physical address A is
 * then readable at virtual address A. Its page tables are made on demand
 * from the page allocator. Which window pages hold a mapping only
 * minios/map_window.c knows: Xen's grant maps are invisible in our tables. */
#include <minios/arch.h>
#include <minios/errno.h>
#include <minios/map_window.h>
#include <minios/mm.h>
#include <minios/string.h>
#include "../pte.h"
#include "pvh.h"

#define WINDOW_START (64ULL << 30)
#define WINDOW_PAGES (64UL * 1024) /* 256 MiB */

MAP_WINDOW_DEFINE(map_window, WINDOW_START, WINDOW_PAGES);

extern uint64_t pvh_pdpt[512];

static uint64_t *next_level(uint64_t *entry)
{
    if (!(*entry & PTE_PRESENT)) {
        uint64_t *table = pages_alloc(0);
        if (!table)
            return NULL;
        memset(table, 0, PAGE_SIZE);
        *entry = (uintptr_t)table | PTE_PRESENT_RW;
    }
    return (uint64_t *)(uintptr_t)(*entry & PTE_ADDR_MASK);
}

/* va's L1 entry, creating missing tables; NULL if out of memory. */
static uint64_t *window_pte(uintptr_t va)
{
    uint64_t *pd = next_level(&pvh_pdpt[(va >> 30) & 511]);
    uint64_t *pt = pd ? next_level(&pd[(va >> 21) & 511]) : NULL;
    return pt ? &pt[(va >> PAGE_SHIFT) & 511] : NULL;
}

static void set_pte(uintptr_t va, uint64_t val)
{
    *window_pte(va) = val;
    __asm__ __volatile__("invlpg (%0)" : : "r"(va) : "memory");
}

uintptr_t arch_map_window_alloc(unsigned n)
{
    uintptr_t va = map_window_reserve(&map_window, n);
    for (unsigned i = 0; va && i < n; i++) {
        if (!window_pte(va + i * PAGE_SIZE)) {
            map_window_release(&map_window, va, n);
            return 0;
        }
    }
    for (unsigned i = 0; va && i < n; i++)
        set_pte(va + i * PAGE_SIZE, (va + i * PAGE_SIZE) | PTE_PRESENT_RW);
    return va;
}

int arch_map_window_free(uintptr_t va, unsigned n)
{
    return map_window_release(&map_window, va, n);
}

/* "Machine" frames are guest frames here: point the window pages at them. */
int arch_map_machine_frames(uintptr_t va, const xen_pfn_t *frames, unsigned n)
{
    if (!map_window_is_reserved(&map_window, va, n))
        return -EINVAL;
    for (unsigned i = 0; i < n; i++)
        set_pte(va + i * PAGE_SIZE, ((uint64_t)frames[i] << PAGE_SHIFT) | PTE_PRESENT_RW);
    map_window_set_mapped(&map_window, va, n, true);
    return 0;
}

int arch_unmap_frames(uintptr_t va, unsigned n)
{
    if (n == 0)
        return 0;
    if (!map_window_is_reserved(&map_window, va, n))
        return -EINVAL;
    for (unsigned i = 0; i < n; i++)
        set_pte(va + i * PAGE_SIZE, (va + i * PAGE_SIZE) | PTE_PRESENT_RW);
    map_window_set_mapped(&map_window, va, n, false);
    return 0;
}

/* No: when we map a grant of our own page, Xen's p2m code finds the frame
 * already at its own gfn and removes it there (a frame of ours may sit at
 * one gfn only), and the unmap does not put it back. The page would be
 * lost to us for good. */
bool arch_can_map_own_grants(void)
{
    return false;
}

/* Xen translates our frame numbers itself. */
xen_pfn_t arch_pfn_to_xen_frame(unsigned long pfn)
{
    return pfn;
}
