/* Internal (kernel only): bookkeeping of the window of virtual addresses
 * where frames that are not our RAM get mapped (see the arch_map_window_*
 * block in <minios/arch.h>).
 *
 * Every arch keeps the same two facts per window page: reserved (handed out
 * by arch_map_window_alloc) and mapped (something is mapped there right now:
 * a frame through arch_map_machine_frames, or a grant through
 * gnttab_map_grant_ref). The arch decides where its window lies and makes
 * its page tables; this is the part that is the same everywhere. Page
 * tables alone cannot tell whether a page is mapped: on PVH and arm64 Xen
 * maps grants in the second-stage tables, which we cannot see.
 *
 * Not locked: thread context only, like the callers. */
#ifndef MINIOS_MAP_WINDOW_H
#define MINIOS_MAP_WINDOW_H

#include <minios/types.h>

#define MAP_WINDOW_BITS_PER_LONG (sizeof(unsigned long) * 8)

struct map_window {
    uintptr_t start;         /* page aligned */
    unsigned long pages;     /* a multiple of MAP_WINDOW_BITS_PER_LONG */
    unsigned long *reserved; /* one bit per page */
    unsigned long *mapped;
};

/* The arch's window, with its bitmaps (zeroed, in .bss). */
#define MAP_WINDOW_DEFINE(name, start_va, nr_pages)                                                \
    _Static_assert((nr_pages) % MAP_WINDOW_BITS_PER_LONG == 0, "whole bitmap words");              \
    static unsigned long name##_reserved[(nr_pages) / MAP_WINDOW_BITS_PER_LONG];                   \
    static unsigned long name##_mapped[(nr_pages) / MAP_WINDOW_BITS_PER_LONG];                     \
    struct map_window name = {.start = (start_va),                                                 \
                              .pages = (nr_pages),                                                 \
                              .reserved = name##_reserved,                                         \
                              .mapped = name##_mapped}

/* Defined by the arch (MAP_WINDOW_DEFINE): the one window of the kernel. */
extern struct map_window map_window;

/* Reserve the first run of n free pages; its address, or 0 if none. */
uintptr_t map_window_reserve(struct map_window *w, unsigned n);

/* Is [va, va + n pages) inside the window, page aligned and reserved? */
bool map_window_is_reserved(const struct map_window *w, uintptr_t va, unsigned n);

/* Give back reserved pages: 0; -EINVAL (with a printk) if one is not
 * reserved; -EBUSY if one is still mapped (then nothing is released). */
int map_window_release(struct map_window *w, uintptr_t va, unsigned n);

/* Record that [va, va + n pages) now holds mappings or no longer does.
 * Pages outside the window or not reserved are ignored. */
void map_window_set_mapped(struct map_window *w, uintptr_t va, unsigned n, bool mapped);

#endif
