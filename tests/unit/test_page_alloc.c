/* Host tests for minios/page_alloc.c: regions carved from aligned host
 * buffers, random alloc/free with pattern checks, exhaustion, merging, and
 * bad-free / corruption detection through the longjmp panic stub. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <minios/errno.h>
#include <minios/mm.h>

#include "unit_test.h"

#define SEED 0x5eed0001ULL
#define MiB (1024UL * 1024UL)
#define RANDOM_STEPS 20000
#define RANDOM_MAX_LIVE 1024
#define RANDOM_MAX_ORDER 8
#define CHECK_EVERY 97

/* Host buffers backing the regions (kept for the whole run). */
static char *buf_main; /* 8 MiB, 8 MiB aligned: region 0 covers all of it */
static char *buf_odd;  /* 4 MiB, 4 MiB aligned: region 1 starts 3 pages in */
static char *buf_tiny; /* small regions used to fill the region table */
static size_t expected_total;

static void *aligned_buffer(size_t size, size_t align)
{
    void *p = NULL;

    if (posix_memalign(&p, align, size) != 0) {
        fprintf(stderr, "posix_memalign failed\n");
        exit(2);
    }
    memset(p, 0xcc, size);
    return p;
}

static uintptr_t addr(const void *p)
{
    return (uintptr_t)p;
}

/* --- block bookkeeping for the tests --- */

struct block {
    char *p;
    unsigned order;
    uint64_t seed;
};

static size_t block_bytes(unsigned order)
{
    return PAGE_SIZE << order;
}

static uint64_t pattern_word(uint64_t seed, size_t i)
{
    return (seed + i) * 0x9e3779b97f4a7c15ULL ^ (seed >> 7);
}

static void fill(const struct block *b)
{
    uint64_t *w = (uint64_t *)b->p;

    for (size_t i = 0; i < block_bytes(b->order) / 8; i++)
        w[i] = pattern_word(b->seed, i);
}

static bool pattern_ok(const struct block *b)
{
    const uint64_t *w = (const uint64_t *)b->p;

    for (size_t i = 0; i < block_bytes(b->order) / 8; i++) {
        if (w[i] != pattern_word(b->seed, i))
            return false;
    }
    return true;
}

static int cmp_block(const void *a, const void *b)
{
    uintptr_t x = addr(((const struct block *)a)->p), y = addr(((const struct block *)b)->p);
    return x < y ? -1 : x > y;
}

/* Returns a description of the first problem among live blocks, or NULL. */
static const char *live_blocks_problem(struct block *live, size_t n)
{
    static char why[256];
    struct block *sorted = malloc(n * sizeof(*sorted) + 1);

    memcpy(sorted, live, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), cmp_block);
    why[0] = '\0';
    for (size_t i = 0; i < n && !why[0]; i++) {
        const struct block *b = &sorted[i];
        if (addr(b->p) % block_bytes(b->order) != 0)
            snprintf(why, sizeof(why), "block %p order %u not naturally aligned", b->p, b->order);
        else if (!pattern_ok(b))
            snprintf(why, sizeof(why), "block %p order %u pattern damaged", b->p, b->order);
        else if (i + 1 < n && addr(b->p) + block_bytes(b->order) > addr(sorted[i + 1].p))
            snprintf(why, sizeof(why), "blocks %p and %p overlap", b->p, sorted[i + 1].p);
    }
    free(sorted);
    return why[0] ? why : NULL;
}

static size_t live_pages(const struct block *live, size_t n)
{
    size_t pages = 0;

    for (size_t i = 0; i < n; i++)
        pages += (size_t)1 << live[i].order;
    return pages;
}

/* --- regions --- */

static void test_add_region(void)
{
    uintptr_t m = addr(buf_main), o = addr(buf_odd);
    int rc;

    rc = pages_add_region(m + 1, m + 8 * MiB);
    unit_check("add_region_rejects_unaligned_start", rc == -EINVAL, "rc %d", rc);
    rc = pages_add_region(m, m + 8 * MiB - 100);
    unit_check("add_region_rejects_unaligned_end", rc == -EINVAL, "rc %d", rc);
    rc = pages_add_region(m, m);
    unit_check("add_region_rejects_empty", rc == -EINVAL, "rc %d", rc);
    rc = pages_add_region(m + PAGE_SIZE, m);
    unit_check("add_region_rejects_reversed", rc == -EINVAL, "rc %d", rc);
    rc = pages_add_region(m, m + PAGE_SIZE);
    unit_check("add_region_rejects_metadata_only", rc == -EINVAL, "rc %d", rc);
    rc = pages_add_region(0, 16 * PAGE_SIZE);
    unit_check("add_region_rejects_address_zero", rc == -EINVAL, "rc %d", rc);
    unit_check("no_region_yet", pages_total_count() == 0 && pages_alloc(0) == NULL, "total %zu",
               pages_total_count());

    rc = pages_add_region(m, m + 8 * MiB);
    unit_check("add_region_main", rc == 0, "rc %d", rc);
    rc = pages_add_region(m + 4 * MiB, m + 12 * MiB);
    unit_check("add_region_rejects_overlap", rc == -EINVAL, "rc %d", rc);
    rc = pages_add_region(m + MiB, m + 2 * MiB);
    unit_check("add_region_rejects_contained", rc == -EINVAL, "rc %d", rc);

    /* 700 pages starting at an odd page: the edges become small blocks. */
    rc = pages_add_region(o + 3 * PAGE_SIZE, o + 703 * PAGE_SIZE);
    unit_check("add_region_odd_start", rc == 0, "rc %d", rc);

    /* Fill the table with 2-page regions (1 metadata + 1 managed page). */
    unsigned added = 0;
    for (unsigned i = 0; i < PAGES_MAX_REGIONS - 2; i++)
        added += pages_add_region(addr(buf_tiny) + 2 * i * PAGE_SIZE,
                                  addr(buf_tiny) + (2 * i + 2) * PAGE_SIZE) == 0;
    rc = pages_add_region(addr(buf_tiny) + 40 * PAGE_SIZE, addr(buf_tiny) + 42 * PAGE_SIZE);
    unit_check("add_region_fills_table", added == PAGES_MAX_REGIONS - 2, "added %u", added);
    unit_check("add_region_rejects_too_many", rc == -EINVAL, "rc %d", rc);

    /* 2048 pages cost 1 metadata page; 700 pages cost 1; tiny ones 1 each. */
    expected_total = 2047 + 699 + (PAGES_MAX_REGIONS - 2);
    unit_check("total_count", pages_total_count() == expected_total, "total %zu, want %zu",
               pages_total_count(), expected_total);
    unit_check("free_count_initial", pages_free_count() == expected_total, "free %zu",
               pages_free_count());
    unit_check("check_initial", pages_check() == 0, "pages_check failed");
}

/* Allocates the largest blocks first until nothing is left; counts per
 * order describe how merged the free memory is. Frees everything again. */
static void greedy_profile(size_t counts[PAGES_MAX_ORDER + 1])
{
    static struct block blocks[8192];
    size_t n = 0;

    for (int k = PAGES_MAX_ORDER; k >= 0; k--) {
        counts[k] = 0;
        for (;;) {
            void *p = pages_alloc((unsigned)k);
            if (p == NULL)
                break;
            blocks[n++] = (struct block){.p = p, .order = (unsigned)k};
            counts[k]++;
        }
    }
    while (n > 0) {
        n--;
        pages_free(blocks[n].p, blocks[n].order);
    }
}

static size_t initial_profile[PAGES_MAX_ORDER + 1];

static void test_initial_layout(void)
{
    /* Region 0: pages 1..2047 of an 8 MiB-aligned buffer give one block of
     * each order 0..10; region 1 (pages 3..702, 4 MiB aligned) gives
     * 1@0 (3), 2@2 (4..7), 1@3 (8..15), ... up to 512-aligned ones. */
    void *big = pages_alloc(10);
    unit_check("initial_order10_available",
               big != NULL && addr(big) == addr(buf_main) + 1024 * PAGE_SIZE, "got %p, want %p",
               big, (void *)(buf_main + 1024 * PAGE_SIZE));
    if (big)
        pages_free(big, 10);
    unit_check("no_order11_block", pages_alloc(11) == NULL, "an order 11 block appeared");
    unit_check("order_too_large",
               pages_alloc(PAGES_MAX_ORDER + 1) == NULL && pages_alloc(PAGES_MAX_ORDER) == NULL,
               "got a block");

    greedy_profile(initial_profile);
    size_t pages = 0;
    for (unsigned k = 0; k <= PAGES_MAX_ORDER; k++)
        pages += initial_profile[k] << k;
    unit_check("greedy_profile_covers_everything",
               pages == expected_total && pages_free_count() == expected_total,
               "profile pages %zu, free %zu", pages, pages_free_count());
    unit_check("check_after_profile", pages_check() == 0, "pages_check failed");
}

static bool profile_matches_initial(void)
{
    size_t now[PAGES_MAX_ORDER + 1];

    greedy_profile(now);
    return memcmp(now, initial_profile, sizeof(now)) == 0;
}

static unsigned random_order_upto(unsigned max_order)
{
    /* Geometric: half order 0, a quarter order 1, ... */
    unsigned k = 0;

    while (k < max_order && unit_rand_below(2) == 0)
        k++;
    return k;
}

static unsigned random_order(void)
{
    return random_order_upto(6);
}

/* Random alloc/free; with many live blocks of high order the allocator runs
 * out of memory now and then, which is part of what is tested. */
static void test_random(const char *name, size_t max_live, unsigned max_order)
{
    static struct block live[RANDOM_MAX_LIVE];
    size_t n = 0, allocs = 0, frees = 0, nulls = 0, checks = 0;
    const char *problem = NULL;
    char why[300] = "";

    for (unsigned step = 0; step < RANDOM_STEPS && !why[0]; step++) {
        bool do_alloc = n == 0 || (n < max_live && unit_rand_below(100) < 55);

        if (do_alloc) {
            unsigned order = random_order_upto(max_order);
            char *p = pages_alloc(order);
            if (p == NULL) {
                nulls++;
                continue;
            }
            live[n] = (struct block){.p = p, .order = order, .seed = unit_rand()};
            fill(&live[n]);
            n++;
            allocs++;
        } else {
            size_t i = unit_rand_below(n);
            if (!pattern_ok(&live[i])) {
                snprintf(why, sizeof(why), "step %u: block %p damaged before free", step,
                         live[i].p);
                break;
            }
            pages_free(live[i].p, live[i].order);
            live[i] = live[--n];
            frees++;
        }
        if (step % CHECK_EVERY == 0) {
            checks++;
            if (pages_check() != 0)
                snprintf(why, sizeof(why), "step %u: pages_check failed", step);
            else if ((problem = live_blocks_problem(live, n)) != NULL)
                snprintf(why, sizeof(why), "step %u: %s", step, problem);
            else if (pages_free_count() != expected_total - live_pages(live, n))
                snprintf(why, sizeof(why), "step %u: free count %zu, want %zu", step,
                         pages_free_count(), expected_total - live_pages(live, n));
        }
    }
    printf("  %s: %zu allocs, %zu frees, %zu NULLs, %zu full checks\n", name, allocs, frees, nulls,
           checks);
    unit_check(name, why[0] == '\0', "%s", why);

    while (n > 0) {
        n--;
        pages_free(live[n].p, live[n].order);
    }
    unit_check("random_all_freed",
               pages_free_count() == expected_total && pages_check() == 0 &&
                   profile_matches_initial(),
               "free %zu of %zu", pages_free_count(), expected_total);
}

static void test_exhaustion_order0(void)
{
    struct block *all = calloc(expected_total + 1, sizeof(*all));
    size_t n = 0;

    for (;;) {
        char *p = pages_alloc(0);
        if (p == NULL)
            break;
        if (n == expected_total) {
            n++;
            break;
        }
        all[n++] = (struct block){.p = p, .order = 0, .seed = n};
        fill(&all[n - 1]);
    }
    unit_check("exhaust_order0_count", n == expected_total, "got %zu pages, want %zu", n,
               expected_total);
    unit_check("exhaust_free_count_zero", pages_free_count() == 0, "free %zu", pages_free_count());
    unit_check("exhaust_alloc_fails", pages_alloc(0) == NULL, "allocation after exhaustion");
    unit_check("exhaust_check", pages_check() == 0, "pages_check failed");
    const char *problem = live_blocks_problem(all, MIN(n, expected_total));
    unit_check("exhaust_distinct_pages", problem == NULL, "%s", problem);

    /* Free in random order. */
    for (size_t i = MIN(n, expected_total); i > 1; i--) {
        size_t j = unit_rand_below(i);
        struct block t = all[i - 1];
        all[i - 1] = all[j];
        all[j] = t;
    }
    for (size_t i = 0; i < MIN(n, expected_total); i++)
        pages_free(all[i].p, 0);
    free(all);
    unit_check("exhaust_free_all_restores_count", pages_free_count() == expected_total,
               "free %zu, want %zu", pages_free_count(), expected_total);
    unit_check("exhaust_check_after_free", pages_check() == 0, "pages_check failed");
    unit_check("exhaust_maximally_merged", profile_matches_initial(),
               "free blocks did not merge back to the initial layout");
}

static void test_exhaustion_mixed(void)
{
    static struct block all[4096];
    size_t n = 0;

    /* Random orders until even a single page fails. */
    for (;;) {
        unsigned order = random_order() + (unsigned)unit_rand_below(4);
        char *p = pages_alloc(order);
        if (p == NULL) {
            p = pages_alloc(0);
            order = 0;
            if (p == NULL)
                break;
        }
        all[n] = (struct block){.p = p, .order = order, .seed = unit_rand()};
        fill(&all[n++]);
    }
    unit_check("exhaust_mixed_uses_everything",
               live_pages(all, n) == expected_total && pages_free_count() == 0,
               "live %zu pages, free %zu", live_pages(all, n), pages_free_count());
    const char *problem = live_blocks_problem(all, n);
    unit_check("exhaust_mixed_no_overlap", problem == NULL, "%s", problem);
    while (n > 0) {
        size_t i = unit_rand_below(n);
        pages_free(all[i].p, all[i].order);
        all[i] = all[--n];
    }
    unit_check("exhaust_mixed_restored",
               pages_free_count() == expected_total && pages_check() == 0 &&
                   profile_matches_initial(),
               "free %zu", pages_free_count());
}

/* Runs a bad free: must panic with `expect` in the message and leave the
 * allocator exactly as it was. */
static void expect_bad_free(const char *name, void *p, unsigned order, const char *expect)
{
    size_t before = pages_free_count();
    bool caught = EXPECT_PANIC(pages_free(p, order));

    unit_check(name,
               caught && strstr(unit_panic_message, expect) != NULL &&
                   pages_free_count() == before && pages_check() == 0,
               "caught %d, message \"%s\" (want \"%s\"), free %zu -> %zu", caught,
               unit_panic_message, expect, before, pages_free_count());
}

static void test_bad_frees(void)
{
    char *a = pages_alloc(0);
    char *b = pages_alloc(2);
    char *c = pages_alloc(0);
    int on_stack;

    pages_free(a, 0);
    expect_bad_free("bad_free_double_merged", a, 0, "double free");
    expect_bad_free("bad_free_wrong_order_small", b, 1, "allocated with order 2");
    expect_bad_free("bad_free_wrong_order_big", b, 3, "allocated with order 2");
    expect_bad_free("bad_free_interior_page", b + PAGE_SIZE, 0, "not the start of a block");
    expect_bad_free("bad_free_unaligned", b + 8, 2, "not page aligned");
    expect_bad_free("bad_free_stack_pointer", (void *)ALIGN_DOWN(addr(&on_stack), PAGE_SIZE), 0,
                    "not in any");
    expect_bad_free("bad_free_metadata_page", buf_main, 0, "not in any");
    expect_bad_free("bad_free_order_too_large", b, PAGES_MAX_ORDER + 1, "order too large");

    /* c's buddy may be allocated (no merge): double free finds a free head. */
    pages_free(c, 0);
    expect_bad_free("bad_free_double", c, 0, "double free");
    pages_free(b, 2);
    expect_bad_free("bad_free_double_order2", b, 2, "double free");
    unit_check("bad_free_state_intact",
               pages_free_count() == expected_total && pages_check() == 0 &&
                   profile_matches_initial(),
               "free %zu", pages_free_count());
}

static void test_block_of(void)
{
    char *b = pages_alloc(3);
    unsigned order = 99;
    void *head = pages_block_of(b + 5 * PAGE_SIZE + 17, &order);
    int on_stack;

    unit_check("block_of_interior", head == b && order == 3, "got %p order %u, want %p order 3",
               head, order, (void *)b);
    head = pages_block_of(b, &order);
    unit_check("block_of_head", head == b && order == 3, "got %p order %u", head, order);
    unit_check("block_of_outside",
               pages_block_of(&on_stack, &order) == NULL &&
                   pages_block_of(buf_main, &order) == NULL,
               "foreign memory reported as allocated");
    pages_free(b, 3);
    unit_check("block_of_free_memory", pages_block_of(b + PAGE_SIZE, &order) == NULL,
               "freed block still reported as allocated");
}

/* Leaves exactly one free page whose buddy is allocated, so the page is a
 * free order-0 block with its list node at its start. */
static char *isolate_free_page(struct block **out, size_t *out_n)
{
    struct block *all = calloc(expected_total, sizeof(*all));
    size_t n = 0;
    char *p;

    while (n < expected_total && (p = pages_alloc(0)) != NULL)
        all[n++] = (struct block){.p = p};
    /* Pick a page in region 0 whose buddy stays allocated. */
    size_t pick = 0;
    while (pick < n && !(addr(all[pick].p) >= addr(buf_main) + 2 * PAGE_SIZE &&
                         addr(all[pick].p) < addr(buf_main) + 1000 * PAGE_SIZE))
        pick++;
    p = all[pick].p;
    all[pick] = all[--n];
    pages_free(p, 0);
    *out = all;
    *out_n = n;
    return p;
}

static void test_corruption_detection(void)
{
    struct block *all;
    size_t n;
    char *p = isolate_free_page(&all, &n);
    uintptr_t saved[2];
    uint8_t *meta = (uint8_t *)buf_main;
    size_t idx = (addr(p) - addr(buf_main)) / PAGE_SIZE - 1; /* region 0 has 1 meta page */

    unit_check("corrupt_setup", pages_free_count() == 1 && pages_check() == 0, "free %zu",
               pages_free_count());

    memcpy(saved, p, sizeof(saved));
    ((uintptr_t *)p)[0] = 0x1234; /* a write after free into the list node */
    unit_check("check_detects_bad_free_list", pages_check() == -EINVAL, "not detected");
    bool caught = EXPECT_PANIC(pages_alloc(0));
    unit_check("alloc_panics_on_bad_free_list",
               caught && strstr(unit_panic_message, "corrupted") != NULL, "caught %d: %s", caught,
               unit_panic_message);
    char *buddy = (char *)(addr(p) ^ PAGE_SIZE);
    caught = EXPECT_PANIC(pages_free(buddy, 0));
    unit_check("free_panics_on_bad_buddy_node",
               caught && strstr(unit_panic_message, "corrupted") != NULL, "caught %d: %s", caught,
               unit_panic_message);
    memcpy(p, saved, sizeof(saved));
    unit_check("check_ok_after_repair", pages_check() == 0 && pages_free_count() == 1,
               "pages_check failed after restoring the node");

    uint8_t m = meta[idx];
    meta[idx] = 0x3f; /* neither free nor allocated */
    unit_check("check_detects_bad_meta_byte", pages_check() == -EINVAL, "not detected");
    meta[idx] = m;
    uint8_t t = meta[idx + 2];
    meta[idx + 2] = 0; /* an allocated head turned into a tail */
    unit_check("check_detects_lost_head", pages_check() == -EINVAL, "not detected");
    meta[idx + 2] = t;
    unit_check("check_ok_after_meta_repair", pages_check() == 0, "pages_check failed");

    for (size_t i = 0; i < n; i++)
        pages_free(all[i].p, 0);
    free(all);
    unit_check("corrupt_cleanup",
               pages_free_count() == expected_total && pages_check() == 0 &&
                   profile_matches_initial(),
               "free %zu", pages_free_count());
}

int main(void)
{
    printf("test_page_alloc: seed %#llx\n", SEED);
    unit_srand(SEED);
    buf_main = aligned_buffer(8 * MiB, 8 * MiB);
    buf_odd = aligned_buffer(4 * MiB, 4 * MiB);
    buf_tiny = aligned_buffer(64 * PAGE_SIZE, PAGE_SIZE);

    test_add_region();
    test_initial_layout();
    test_random("random_light", 256, 6);
    test_random("random_under_pressure", RANDOM_MAX_LIVE, RANDOM_MAX_ORDER);
    test_exhaustion_order0();
    test_exhaustion_mixed();
    test_bad_frees();
    test_block_of();
    test_corruption_detection();
    return unit_finish("test_page_alloc");
}
