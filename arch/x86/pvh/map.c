/* PVH: the mapping window for frames that are not our RAM (grant-table
 * frames, other domains' grants; see the block in <minios/arch.h>).
 *
 * With hardware paging our page tables map virtual to guest-physical
 * addresses, and Xen puts foreign frames into our guest-physical space
 * (add_to_physmap, grant maps with a guest-physical host_addr). The window
 * is therefore mapped 1:1 like low memory, just above 4 GiB: a grant mapped
 * at guest-physical address A is then readable at virtual address A. Its
 * page tables are made on demand from the page allocator. */
#include <minios/arch.h>
#include <minios/errno.h>
#include <minios/mm.h>
#include <minios/string.h>
#include "pvh.h"

#define WINDOW_START (64ULL << 30)
#define WINDOW_PAGES (64UL * 1024)  /* 256 MiB */
#define BITS_PER_LONG (sizeof(unsigned long) * 8)
#define PTE_PRESENT_RW 0x3ULL
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

extern uint64_t pvh_pdpt[512];
static unsigned long window_used[WINDOW_PAGES / BITS_PER_LONG];

static uint64_t *next_level(uint64_t *entry)
{
    if (!(*entry & 1)) {
        uint64_t *table = pages_alloc(0);
        if (!table)
            return NULL;
        memset(table, 0, PAGE_SIZE);
        *entry = (uintptr_t)table | PTE_PRESENT_RW;
    }
    return (uint64_t *)(uintptr_t)(*entry & PTE_ADDR_MASK);
}

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

static bool used(unsigned long i)
{
    return window_used[i / BITS_PER_LONG] & (1UL << (i % BITS_PER_LONG));
}

static void mark(unsigned long i, bool on)
{
    if (on)
        window_used[i / BITS_PER_LONG] |= 1UL << (i % BITS_PER_LONG);
    else
        window_used[i / BITS_PER_LONG] &= ~(1UL << (i % BITS_PER_LONG));
}

uintptr_t arch_map_window_alloc(unsigned n)
{
    for (unsigned long start = 0; n && start + n <= WINDOW_PAGES; start++) {
        unsigned long i = 0;
        while (i < n && !used(start + i))
            i++;
        if (i < n) {
            start += i;
            continue;
        }
        uintptr_t va = WINDOW_START + start * PAGE_SIZE;
        for (i = 0; i < n; i++) {
            if (!window_pte(va + i * PAGE_SIZE))
                return 0;
        }
        for (i = 0; i < n; i++) {
            mark(start + i, true);
            set_pte(va + i * PAGE_SIZE, (va + i * PAGE_SIZE) | PTE_PRESENT_RW);
        }
        return va;
    }
    return 0;
}

int arch_map_window_free(uintptr_t va, unsigned n)
{
    unsigned long first = (va - WINDOW_START) / PAGE_SIZE;
    if (va < WINDOW_START || (va & (PAGE_SIZE - 1)) || first + n > WINDOW_PAGES)
        return -EINVAL;
    for (unsigned i = 0; i < n; i++)
        if (!used(first + i))
            return -EINVAL;
    for (unsigned i = 0; i < n; i++)
        mark(first + i, false);
    return 0;
}

/* "Machine" frames are guest frames here: point the window pages at them. */
int arch_map_machine_frames(uintptr_t va, const xen_pfn_t *frames, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        set_pte(va + i * PAGE_SIZE, ((uint64_t)frames[i] << PAGE_SHIFT) | PTE_PRESENT_RW);
    return 0;
}

int arch_unmap_frames(uintptr_t va, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        set_pte(va + i * PAGE_SIZE, (va + i * PAGE_SIZE) | PTE_PRESENT_RW);
    return 0;
}

/* Xen translates our frame numbers itself. */
xen_pfn_t arch_pfn_to_xen_frame(unsigned long pfn)
{
    return pfn;
}
