/* The mapping window's page bitmaps (see <minios/map_window.h>). */
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/map_window.h>

#define BITS MAP_WINDOW_BITS_PER_LONG

static bool test_bit(const unsigned long *map, unsigned long i)
{
    return map[i / BITS] & (1UL << (i % BITS));
}

static void set_bits(unsigned long *map, unsigned long first, unsigned long n, bool on)
{
    for (unsigned long i = first; i < first + n; i++) {
        if (on)
            map[i / BITS] |= 1UL << (i % BITS);
        else
            map[i / BITS] &= ~(1UL << (i % BITS));
    }
}

/* The index of va's page if [va, va + n pages) lies inside the window and
 * is page aligned, else -1. */
static long page_index(const struct map_window *w, uintptr_t va, unsigned n)
{
    if (n == 0 || va % PAGE_SIZE || va < w->start)
        return -1;
    unsigned long first = (va - w->start) / PAGE_SIZE;
    if (first >= w->pages || n > w->pages - first)
        return -1;
    return (long)first;
}

uintptr_t map_window_reserve(struct map_window *w, unsigned n)
{
    if (n == 0 || n > w->pages)
        return 0;
    unsigned long run = 0;
    for (unsigned long i = 0; i < w->pages; i++) {
        if (i % BITS == 0 && w->reserved[i / BITS] == ~0UL) {
            i += BITS - 1; /* a full word: skip it at once */
            run = 0;
        } else if (test_bit(w->reserved, i)) {
            run = 0;
        } else if (++run == n) {
            unsigned long first = i + 1 - n;
            set_bits(w->reserved, first, n, true);
            return w->start + first * PAGE_SIZE;
        }
    }
    return 0;
}

bool map_window_is_reserved(const struct map_window *w, uintptr_t va, unsigned n)
{
    long first = page_index(w, va, n);
    if (first < 0)
        return false;
    for (unsigned long i = (unsigned long)first; i < (unsigned long)first + n; i++)
        if (!test_bit(w->reserved, i))
            return false;
    return true;
}

int map_window_release(struct map_window *w, uintptr_t va, unsigned n)
{
    if (!map_window_is_reserved(w, va, n)) {
        printk("map: freeing %u window pages at %#lx that are not reserved\n", n,
               (unsigned long)va);
        return -EINVAL;
    }
    unsigned long first = (va - w->start) / PAGE_SIZE;
    for (unsigned long i = first; i < first + n; i++)
        if (test_bit(w->mapped, i))
            return -EBUSY;
    set_bits(w->reserved, first, n, false);
    return 0;
}

void map_window_set_mapped(struct map_window *w, uintptr_t va, unsigned n, bool mapped)
{
    if (map_window_is_reserved(w, va, n))
        set_bits(w->mapped, (va - w->start) / PAGE_SIZE, n, mapped);
}
