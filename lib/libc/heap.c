/* The heap under malloc: sbrk() in one contiguous range of RAM, reserved
 * from the kernel's page allocator by the first call.
 *
 * Why reserve up front instead of growing: newlib's malloc needs a break
 * that only ever moves up within one piece (a lower address from sbrk() is
 * taken as memory stolen by someone else, and malloc gives up), while the
 * buddy page allocator hands out naturally aligned power-of-two blocks
 * wherever they happen to be free. So the first sbrk() takes a share of
 * the RAM that is free at that point (default 75%; LIBC_HEAP=<n>% or
 * LIBC_HEAP=<bytes>[K|M|G] in the environment changes it) and the break
 * then moves inside that range. Past its end sbrk() fails with ENOMEM and
 * malloc() returns NULL. The rest of RAM stays with the kernel: thread
 * stacks, rings, grant pages, kmalloc. */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <minios/arch.h>
#include <minios/console.h>
#include <minios/mm.h>

#include "internal.h"

#define HEAP_DEFAULT_PERCENT 75
/* Blocks that came back from the allocator but did not touch the range
 * yet; kept for a while in case the range grows up to them. */
#define STASH_MAX 16

static unsigned heap_percent = HEAP_DEFAULT_PERCENT;
static size_t heap_bytes; /* fixed size instead of a share; 0: use the share */
static bool heap_reserved;
static char *heap_base, *heap_brk, *heap_end;

/* ---- configuration ---- */

static bool parse_size(const char *s, size_t *bytes, unsigned *percent)
{
    char *end;
    unsigned long long n = strtoull(s, &end, 10);
    if (end == s || n == 0)
        return false;
    unsigned shift = 0;
    switch (*end) {
    case '%':
        if (end[1] != '\0' || n > 100)
            return false;
        *percent = (unsigned)n;
        *bytes = 0;
        return true;
    case 'G':
    case 'g':
        shift = 30;
        end++;
        break;
    case 'M':
    case 'm':
        shift = 20;
        end++;
        break;
    case 'K':
    case 'k':
        shift = 10;
        end++;
        break;
    }
    if (*end != '\0' || n > (~0ULL >> shift))
        return false;
    *bytes = (size_t)(n << shift);
    return true;
}

void libc_heap_configure(const char *spec)
{
    if (!spec)
        return;
    if (heap_reserved) {
        printk("libc: LIBC_HEAP=%s comes too late, the heap is already reserved\n", spec);
        return;
    }
    if (!parse_size(spec, &heap_bytes, &heap_percent)) {
        printk("libc: ignoring LIBC_HEAP=%s (want e.g. 50%% or 16M); using %u%% of free RAM\n",
               spec, HEAP_DEFAULT_PERCENT);
        heap_bytes = 0;
        heap_percent = HEAP_DEFAULT_PERCENT;
    }
}

/* ---- reservation ---- */

/* Free pages, counting RAM the kernel has not mapped yet (it maps RAM in
 * growing chunks when the allocator runs dry). */
static size_t free_ram_pages(void)
{
    size_t ram = boot_info.ram_bytes / PAGE_SIZE, managed = pages_total_count();
    return pages_free_count() + (ram > managed ? ram - managed : 0);
}

static unsigned order_at_most(size_t pages)
{
    unsigned order = 0;
    while (order < PAGES_MAX_ORDER && ((size_t)2 << order) <= pages)
        order++;
    return order;
}

struct block {
    char *start;
    unsigned order;
};

static size_t block_bytes(unsigned order)
{
    return PAGE_SIZE << order;
}

/* Move stashed blocks that now touch [*lo, *hi) into it, while it stays
 * within limit bytes. */
static void absorb_stash(struct block *stash, int *count, char **lo, char **hi, size_t limit)
{
    for (bool grew = true; grew;) {
        grew = false;
        for (int i = 0; i < *count; i++) {
            struct block b = stash[i];
            size_t len = block_bytes(b.order);
            if ((size_t)(*hi - *lo) + len > limit)
                continue;
            if (b.start == *hi)
                *hi += len;
            else if (b.start + len == *lo)
                *lo = b.start;
            else
                continue;
            stash[i] = stash[--*count];
            grew = true;
        }
    }
}

/* Take about want bytes of contiguous RAM: the largest block that fits,
 * then smaller blocks that land right next to the range. Blocks elsewhere
 * are stashed (a later neighbour may connect them) and finally returned. */
static void heap_reserve(void)
{
    heap_reserved = true;
    size_t want_pages = heap_bytes ? (heap_bytes + PAGE_SIZE - 1) / PAGE_SIZE
                                   : free_ram_pages() / 100 * heap_percent;
    if (want_pages == 0)
        return;
    unsigned order = order_at_most(want_pages);
    char *first;
    while (!(first = pages_alloc(order)) && order > 0)
        order--;
    if (!first)
        return;
    char *lo = first, *hi = first + block_bytes(order);
    size_t limit = want_pages * PAGE_SIZE;
    struct block stash[STASH_MAX];
    int stashed = 0;
    for (int o = (int)order - 1; o >= 0; o--) {
        while ((size_t)(hi - lo) + block_bytes(o) <= limit) {
            char *p = pages_alloc(o);
            if (!p)
                break;
            if (p == hi) {
                hi += block_bytes(o);
            } else if (p + block_bytes(o) == lo) {
                lo = p;
            } else if (stashed < STASH_MAX) {
                stash[stashed++] = (struct block){p, (unsigned)o};
                continue;
            } else {
                pages_free(p, o);
                break;
            }
            absorb_stash(stash, &stashed, &lo, &hi, limit);
        }
    }
    while (stashed > 0) {
        stashed--;
        pages_free(stash[stashed].start, stash[stashed].order);
    }
    heap_base = heap_brk = lo;
    heap_end = hi;
}

/* ---- sbrk ---- */

void *sbrk(ptrdiff_t incr)
{
    if (!heap_reserved)
        heap_reserve();
    char *old = heap_brk;
    if (incr > 0 && (size_t)incr > (size_t)(heap_end - heap_brk)) {
        libc_fail(ENOMEM);
        return (void *)-1;
    }
    if (incr < 0 && (size_t)-incr > (size_t)(heap_brk - heap_base)) {
        libc_fail(EINVAL);
        return (void *)-1;
    }
    /* newlib's calloc() does not clear memory fresh from sbrk()
     * (MORECORE_CLEARS): it must be zero, also when the break comes back
     * up after malloc_trim() lowered it. */
    if (incr > 0)
        memset(old, 0, (size_t)incr);
    heap_brk += incr;
    return old;
}
LIBC_ALIAS(sbrk);

int posix_memalign(void **out, size_t align, size_t size)
{
    if (align < sizeof(void *) || (align & (align - 1)) != 0)
        return EINVAL;
    void *p = memalign(align, size);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}
