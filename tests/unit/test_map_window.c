/* Host tests for minios/map_window.c: first-fit reservation, bounds and
 * alignment checks, release refused while mapped, and a random
 * reserve/release run checked against a plain array model. */
#include <stdio.h>
#include <string.h>

#include <minios/errno.h>
#include <minios/map_window.h>

#include "unit_test.h"

#define START 0x40000000UL
#define PAGES 256 /* four words: exercises the full-word skip */
#define VA(i) (START + (unsigned long)(i)*PAGE_SIZE)

MAP_WINDOW_DEFINE(map_window, START, PAGES);

static void reset(void)
{
    memset(map_window_reserved, 0, sizeof(map_window_reserved));
    memset(map_window_mapped, 0, sizeof(map_window_mapped));
}

static void test_first_fit(void)
{
    reset();
    uintptr_t a = map_window_reserve(&map_window, 3), b = map_window_reserve(&map_window, 1);
    int freed = map_window_release(&map_window, a, 3);
    uintptr_t c = map_window_reserve(&map_window, 2), d = map_window_reserve(&map_window, 2);
    unit_check("first_fit", a == VA(0) && b == VA(3) && freed == 0 && c == VA(0) && d == VA(4),
               "a %#lx b %#lx freed %d c %#lx d %#lx", (unsigned long)a, (unsigned long)b, freed,
               (unsigned long)c, (unsigned long)d);
}

static void test_limits(void)
{
    reset();
    uintptr_t zero = map_window_reserve(&map_window, 0);
    uintptr_t too_big = map_window_reserve(&map_window, PAGES + 1);
    uintptr_t all = map_window_reserve(&map_window, PAGES);
    uintptr_t none_left = map_window_reserve(&map_window, 1);
    unit_check("limits", !zero && !too_big && all == VA(0) && !none_left,
               "n=0 %#lx, too big %#lx, all %#lx, one more %#lx", (unsigned long)zero,
               (unsigned long)too_big, (unsigned long)all, (unsigned long)none_left);
}

static void test_bad_release(void)
{
    reset();
    uintptr_t a = map_window_reserve(&map_window, 2);
    int unaligned = map_window_release(&map_window, a + 1, 1);
    int below = map_window_release(&map_window, START - PAGE_SIZE, 1);
    int beyond = map_window_release(&map_window, VA(PAGES - 1), 2);
    int partly = map_window_release(&map_window, a, 3);
    int zero = map_window_release(&map_window, a, 0);
    int ok = map_window_release(&map_window, a, 2);
    int twice = map_window_release(&map_window, a, 2);
    unit_check("bad_release",
               unaligned == -EINVAL && below == -EINVAL && beyond == -EINVAL && partly == -EINVAL &&
                   zero == -EINVAL && ok == 0 && twice == -EINVAL,
               "unaligned %d below %d beyond %d partly %d zero %d ok %d twice %d", unaligned, below,
               beyond, partly, zero, ok, twice);
}

static void test_busy_while_mapped(void)
{
    reset();
    uintptr_t a = map_window_reserve(&map_window, 4);
    map_window_set_mapped(&map_window, a + 2 * PAGE_SIZE, 1, true);
    map_window_set_mapped(&map_window, VA(100), 1, true); /* not reserved: ignored */
    int busy = map_window_release(&map_window, a, 4);
    bool still_reserved = map_window_is_reserved(&map_window, a, 4);
    map_window_set_mapped(&map_window, a + 2 * PAGE_SIZE, 1, false);
    int ok = map_window_release(&map_window, a, 4);
    uintptr_t b = map_window_reserve(&map_window, 1);
    map_window_set_mapped(&map_window, b, 1, true);
    map_window_set_mapped(&map_window, b, 1, false);
    unit_check("busy_while_mapped",
               busy == -EBUSY && still_reserved && ok == 0 && b == VA(0) &&
                   map_window_release(&map_window, b, 1) == 0 && map_window_mapped[1] == 0,
               "busy %d, still reserved %d, release after unmap %d, next %#lx", busy,
               still_reserved, ok, (unsigned long)b);
}

/* Random reservations and releases against a byte-per-page model. */
static void test_random(void)
{
    static unsigned char model[PAGES];
    static uintptr_t live_va[PAGES];
    static unsigned live_n[PAGES];
    unsigned live = 0, bad = 0;
    reset();
    memset(model, 0, sizeof(model));
    unit_srand(0x3a9f11ULL);
    for (int step = 0; step < 20000 && !bad; step++) {
        if (live && unit_rand_below(2)) {
            unsigned k = (unsigned)unit_rand_below(live);
            unsigned first = (unsigned)((live_va[k] - START) / PAGE_SIZE);
            if (map_window_release(&map_window, live_va[k], live_n[k]) != 0)
                bad++;
            memset(model + first, 0, live_n[k]);
            live_va[k] = live_va[--live];
            live_n[k] = live_n[live];
            continue;
        }
        unsigned n = 1 + (unsigned)unit_rand_below(70);
        long want = -1;
        for (unsigned i = 0, run = 0; i < PAGES && want < 0; i++) {
            run = model[i] ? 0 : run + 1;
            if (run == n)
                want = (long)(i + 1 - n);
        }
        uintptr_t va = map_window_reserve(&map_window, n);
        if ((want < 0 && va) || (want >= 0 && va != VA(want))) {
            bad++;
            break;
        }
        if (va) {
            memset(model + want, 1, n);
            live_va[live] = va;
            live_n[live++] = n;
        }
    }
    unit_check("random_vs_model", bad == 0, "%u mismatches", bad);
}

int main(void)
{
    test_first_fit();
    test_limits();
    test_bad_release();
    test_busy_while_mapped();
    test_random();
    return unit_finish("map_window");
}
