/* PVH page tables: head.S identity-maps the low 4 GiB with 2 MiB pages.
 * Unmapping a single page (NULL page, thread stack guard pages) splits its
 * 2 MiB page into 4 KiB ones first. No hypercalls: with hardware paging the
 * tables are ours to write. */
#include <minios/arch.h>
#include <minios/errno.h>
#include <minios/mm.h>
#include <minios/panic.h>
#include "../pte.h"
#include "pvh.h"

extern uint64_t pvh_pd[2048];
static uint64_t null_page_table[512] __attribute__((aligned(PAGE_SIZE)));

static void flush_tlb(void)
{
    uint64_t cr3;
    __asm__ __volatile__("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3) : : "memory");
}

static uint64_t *l1_table(uintptr_t va, uint64_t *spare)
{
    uint64_t *pde = &pvh_pd[va >> 21];
    if (*pde & PDE_LARGE) {
        uint64_t *pt = spare ? spare : pages_alloc(0);
        if (!pt)
            return NULL;
        uintptr_t base = va & ~((1UL << 21) - 1);
        for (unsigned i = 0; i < 512; i++)
            pt[i] = (base + ((uintptr_t)i << PAGE_SHIFT)) | PTE_PRESENT_RW;
        *pde = (uintptr_t)pt | PTE_PRESENT_RW;
        flush_tlb();
    }
    return (uint64_t *)(uintptr_t)(*pde & PTE_ADDR_MASK);
}

static int set_pte(uintptr_t va, uint64_t pte, uint64_t *spare)
{
    if (va >= PVH_MAPPED_BYTES)
        return -EINVAL;
    uint64_t *pt = l1_table(va, spare);
    if (!pt)
        return -ENOMEM;
    pt[(va >> PAGE_SHIFT) & 511] = pte;
    __asm__ __volatile__("invlpg (%0)" : : "r"(va) : "memory");
    return 0;
}

void pvh_unmap_null_page(void)
{
    set_pte(0, 0, null_page_table);
}

int arch_unmap_page(uintptr_t va)
{
    return set_pte(va, 0, NULL);
}

int arch_remap_page(uintptr_t va)
{
    return set_pte(va, (va & PTE_ADDR_MASK) | PTE_PRESENT_RW, NULL);
}
