/* x86_64 page-table entry bits, shared by the PV and PVH page-table code. */
#ifndef ARCH_X86_PTE_H
#define ARCH_X86_PTE_H

#define PTE_PRESENT 0x001ULL
#define PTE_RW 0x002ULL
#define PTE_USER 0x004ULL
#define PTE_ACCESSED 0x020ULL
#define PTE_DIRTY 0x040ULL
#define PDE_LARGE 0x080ULL /* in a page directory: a 2 MiB page */
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

#define PTE_PRESENT_RW (PTE_PRESENT | PTE_RW)

/* x86_64 PV: Xen forces USER on 64-bit PV kernel mappings anyway; we say so
 * explicitly. Table pages and RAM get the same rights; a page that becomes
 * a page table is mapped read-only everywhere (PV_PAGE_PROT_RO). */
#define PV_TABLE_PROT (PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED | PTE_DIRTY)
#define PV_PAGE_PROT (PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED | PTE_DIRTY)
#define PV_PAGE_PROT_RO (PTE_PRESENT | PTE_USER | PTE_ACCESSED)

#endif
