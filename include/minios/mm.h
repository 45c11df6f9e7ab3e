/* Physical page allocator (binary buddy) and the kernel heap.
 *
 * The page allocator hands out blocks of 2^order contiguous, page-aligned
 * pages from the RAM regions the arch code registers at boot. The heap
 * (kmalloc) sits on top: small requests come from per-size-class pages,
 * large ones from whole page blocks. Both detect double frees and frees of
 * pointers they never handed out and panic instead of corrupting state. */
#ifndef MINIOS_MM_H
#define MINIOS_MM_H

#include <minios/types.h>

#define PAGES_MAX_ORDER 20   /* 4 GiB blocks at most */
#define PAGES_MAX_REGIONS 32 /* RAM is mapped in growing chunks, one region each */

/* Hand the RAM in [start, end) (virtual addresses) to the allocator. The
 * allocator keeps its own metadata at the start of the region. Returns 0 or
 * -EINVAL (unaligned/too small/too many regions). */
int pages_add_region(uintptr_t start, uintptr_t end);

/* Called when no free block fits a request: the arch maps more RAM and
 * adds it with pages_add_region(), returning 0, or a negative errno when
 * there is no more. Lets a domain boot without mapping all its RAM first. */
void pages_set_grow_hook(int (*hook)(unsigned order));

void *pages_alloc(unsigned order);          /* NULL when no block is free */
void pages_free(void *p, unsigned order);   /* panics on a bad or double free */
size_t pages_free_count(void);              /* free pages, all regions */
size_t pages_total_count(void);             /* managed pages, all regions */

/* Walk every structure and check the invariants; 0 if consistent, else a
 * negative errno (and a printk saying what is wrong). For tests. */
int pages_check(void);

/* For the heap's pointer checks: if p lies inside an allocated block, return
 * the block's first page and store its order in *order; NULL if p is in a
 * free block or outside every region. Costs O(PAGES_MAX_ORDER). */
void *pages_block_of(const void *p, unsigned *order);

void *kmalloc(size_t size);                 /* NULL on failure or size 0 */
void *kzalloc(size_t size);
void *kmalloc_aligned(size_t size, size_t align); /* align: power of two */
void *krealloc(void *p, size_t size);
void kfree(void *p);                        /* NULL is fine; panics on bad pointers */
size_t kmalloc_usable_size(const void *p);
int kmalloc_check(void);                    /* heap invariants, like pages_check */

#endif
