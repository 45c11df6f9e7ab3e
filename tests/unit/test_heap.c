/* Host tests for minios/heap.c (with the real page allocator underneath):
 * random kmalloc/kzalloc/kmalloc_aligned/krealloc/kfree with a checksummed
 * pattern in every live block, alignment, invariants, exhaustion, and
 * detection of double frees, foreign pointers and corrupted headers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <minios/errno.h>
#include <minios/mm.h>

#include "unit_test.h"

#define SEED 0x5eed0002ULL
#define MiB (1024UL * 1024UL)
#define REGION_BYTES (32 * MiB)
#define RANDOM_STEPS 40000
#define MAX_LIVE 1500
#define CHECK_EVERY 251  /* kmalloc_check */
#define SWEEP_EVERY 2503 /* verify every live block's pattern */

static char *region;
static size_t free_after_init;

/* --- live block bookkeeping --- */

struct live {
    unsigned char *p;
    size_t size;
    size_t align;
    uint32_t seed;
};

static unsigned char pattern_byte(uint32_t seed, size_t i)
{
    uint32_t x = seed ^ (uint32_t)(i * 2654435761u);
    x ^= x >> 13;
    return (unsigned char)(x * 0x5bd1e995u >> 24);
}

static void fill(const struct live *b)
{
    for (size_t i = 0; i < b->size; i++)
        b->p[i] = pattern_byte(b->seed, i);
}

/* Index of the first damaged byte, or SIZE_MAX if intact. */
static size_t first_damage(const struct live *b, size_t upto)
{
    for (size_t i = 0; i < upto; i++) {
        if (b->p[i] != pattern_byte(b->seed, i))
            return i;
    }
    return SIZE_MAX;
}

static bool all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0)
            return false;
    }
    return true;
}

static bool aligned(const void *p, size_t align)
{
    return ((uintptr_t)p & (align - 1)) == 0;
}

static bool in_region(const void *p)
{
    return (uintptr_t)p >= (uintptr_t)region && (uintptr_t)p < (uintptr_t)region + REGION_BYTES;
}

/* --- tests --- */

static void test_setup(void)
{
    int rc;

    if (posix_memalign((void **)&region, REGION_BYTES, REGION_BYTES) != 0) {
        fprintf(stderr, "posix_memalign failed\n");
        exit(2);
    }
    memset(region, 0xcc, REGION_BYTES);
    rc = pages_add_region((uintptr_t)region, (uintptr_t)region + REGION_BYTES);
    free_after_init = pages_free_count();
    unit_check("setup_region", rc == 0 && free_after_init == 8190, "rc %d, %zu free pages", rc,
               free_after_init);
    unit_check("setup_check", kmalloc_check() == 0, "kmalloc_check failed on an empty heap");
}

static void test_edge_sizes(void)
{
    unit_check("zero_size_null",
               kmalloc(0) == NULL && kzalloc(0) == NULL && kmalloc_aligned(0, 64) == NULL,
               "size 0 returned memory");
    unit_check("huge_sizes_null",
               kmalloc(SIZE_MAX) == NULL && kmalloc(SIZE_MAX - 10) == NULL &&
                   kmalloc(SIZE_MAX / 2 + 1) == NULL &&
                   kmalloc((size_t)PAGE_SIZE << PAGES_MAX_ORDER) == NULL &&
                   kzalloc(SIZE_MAX - 100) == NULL,
               "an overflowing size returned memory");
    unit_check("bad_alignment_null",
               kmalloc_aligned(16, 0) == NULL && kmalloc_aligned(16, 48) == NULL &&
                   kmalloc_aligned(16, 3) == NULL,
               "non power of two alignment accepted");
    unit_check("huge_alignment_null",
               kmalloc_aligned(16, (size_t)1 << 63) == NULL &&
                   kmalloc_aligned(SIZE_MAX - 4096, 4096) == NULL &&
                   kmalloc_aligned(16, (size_t)PAGE_SIZE << PAGES_MAX_ORDER) == NULL,
               "impossible alignment returned memory");
    unit_check("too_big_for_region_null", kmalloc(REGION_BYTES) == NULL, "got memory");
    kfree(NULL);
    unit_check("kfree_null_and_usable_null", kmalloc_usable_size(NULL) == 0, "usable(NULL) != 0");
    unit_check("edge_sizes_left_nothing",
               pages_free_count() == free_after_init && kmalloc_check() == 0,
               "free pages %zu, want %zu", pages_free_count(), free_after_init);
}

/* Every size 1..5000 and a few large ones: usable size, alignment, and the
 * whole usable area writable without disturbing a neighbour. */
static void test_size_sweep(void)
{
    static struct live blocks[5200];
    size_t n = 0, bad_usable = 0, bad_align = 0, damaged = 0;
    char why[200] = "";

    for (size_t size = 1; size <= 5000; size++)
        blocks[n++] = (struct live){.size = size};
    for (size_t size = 8192; size <= 4 * MiB; size = size * 2 + 3)
        blocks[n++] = (struct live){.size = size};
    for (size_t i = 0; i < n; i++) {
        struct live *b = &blocks[i];
        b->p = kmalloc(b->size);
        b->seed = (uint32_t)i;
        size_t usable = b->p ? kmalloc_usable_size(b->p) : 0;
        if (b->p == NULL || usable < b->size || !in_region(b->p)) {
            if (!bad_usable++)
                snprintf(why, sizeof(why), "size %zu: p %p usable %zu", b->size, (void *)b->p,
                         usable);
            continue;
        }
        /* Slab objects are aligned to their class, everything to 16. */
        size_t want = b->size <= 2048 ? usable : 16;
        if (!aligned(b->p, want) || (b->size <= 2048 && usable > 2 * b->size && usable > 16))
            bad_align++;
        b->size = usable; /* fill all of it */
        fill(b);
    }
    for (size_t i = 0; i < n; i++) {
        if (blocks[i].p && first_damage(&blocks[i], blocks[i].size) != SIZE_MAX)
            damaged++;
    }
    unit_check("sweep_usable_size", bad_usable == 0, "%zu bad; first %s", bad_usable, why);
    unit_check("sweep_alignment_and_class", bad_align == 0, "%zu misaligned or badly classed",
               bad_align);
    unit_check("sweep_no_overlap", damaged == 0, "%zu blocks damaged by neighbours", damaged);
    unit_check("sweep_check_live", kmalloc_check() == 0, "kmalloc_check failed");
    for (size_t i = 0; i < n; i++)
        kfree(blocks[i].p);
    unit_check("sweep_all_pages_back",
               pages_free_count() == free_after_init && kmalloc_check() == 0,
               "free pages %zu, want %zu", pages_free_count(), free_after_init);
}

static void test_aligned(void)
{
    static const size_t sizes[] = {1, 16, 17, 100, 2048, 2049, 3000, 4096, 5000, 70000};
    static struct live blocks[ARRAY_SIZE(sizes) * 19];
    size_t n = 0, bad = 0;
    char why[200] = "";

    for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
        for (size_t align = 1; align <= ((size_t)1 << 18); align <<= 1) {
            struct live *b = &blocks[n++];
            b->size = sizes[s];
            b->align = align;
            b->seed = (uint32_t)(n * 7);
            b->p = kmalloc_aligned(b->size, align);
            if (b->p == NULL || !aligned(b->p, align) || kmalloc_usable_size(b->p) < b->size) {
                if (!bad++)
                    snprintf(why, sizeof(why), "size %zu align %zu: p %p", b->size, align,
                             (void *)b->p);
                b->p = NULL;
                continue;
            }
            fill(b);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (blocks[i].p && first_damage(&blocks[i], blocks[i].size) != SIZE_MAX && !bad++)
            snprintf(why, sizeof(why), "block %p damaged", (void *)blocks[i].p);
    }
    unit_check("aligned_all_alignments", bad == 0, "%zu bad; first: %s", bad, why);
    /* Huge alignments one at a time (each needs a block of 2x the alignment). */
    bad = 0;
    for (size_t align = (size_t)1 << 19; align <= ((size_t)1 << 22); align <<= 1) {
        struct live b = {.size = 5000, .seed = 3};
        b.p = kmalloc_aligned(b.size, align);
        if (b.p == NULL || !aligned(b.p, align) || kmalloc_usable_size(b.p) < b.size) {
            if (!bad++)
                snprintf(why, sizeof(why), "align %zu: p %p", align, (void *)b.p);
        } else {
            fill(&b);
            bad += first_damage(&b, b.size) != SIZE_MAX;
        }
        kfree(b.p);
    }
    unit_check("aligned_huge_alignments", bad == 0, "%zu bad; first: %s", bad, why);
    unit_check("aligned_check_live", kmalloc_check() == 0, "kmalloc_check failed");
    for (size_t i = 0; i < n; i++)
        kfree(blocks[i].p);
    unit_check("aligned_all_pages_back", pages_free_count() == free_after_init,
               "free pages %zu, want %zu", pages_free_count(), free_after_init);
}

static void test_zero_and_realloc(void)
{
    unsigned char *p = kmalloc(200);
    memset(p, 0xff, 200);
    kfree(p);
    unsigned char *z = kzalloc(200); /* LIFO reuse: very likely the dirty object */
    unit_check("kzalloc_zeroes", z != NULL && all_zero(z, 200), "not zeroed");
    kfree(z);
    unsigned char *big = kmalloc(50000);
    memset(big, 0xff, 50000);
    kfree(big);
    big = kzalloc(50000);
    unit_check("kzalloc_zeroes_large", big != NULL && all_zero(big, 50000), "not zeroed");
    kfree(big);

    struct live b = {.size = 40, .seed = 99};
    b.p = krealloc(NULL, b.size);
    fill(&b);
    unsigned char *same = krealloc(b.p, 48); /* same 64-byte class: stays */
    unit_check("krealloc_same_class_in_place", same == b.p && first_damage(&b, 40) == SIZE_MAX,
               "moved to %p", (void *)same);
    static const size_t steps[] = {300, 2048, 5000, 100000, 3 * MiB, 70000, 1000, 16, 2, 1500};
    size_t keep = b.size;
    bool ok = true;
    for (size_t i = 0; i < ARRAY_SIZE(steps) && ok; i++) {
        unsigned char *q = krealloc(b.p, steps[i]);
        if (q == NULL) {
            ok = false;
            break;
        }
        b.p = q;
        ok =
            first_damage(&b, MIN(keep, steps[i])) == SIZE_MAX && kmalloc_usable_size(q) >= steps[i];
        b.size = steps[i];
        b.seed++;
        fill(&b);
        keep = steps[i];
    }
    unit_check("krealloc_preserves_contents", ok, "content lost at some step");
    unsigned char *fail = krealloc(b.p, SIZE_MAX / 2);
    unit_check("krealloc_failure_keeps_block", fail == NULL && first_damage(&b, b.size) == SIZE_MAX,
               "block changed");
    unit_check("krealloc_zero_frees",
               krealloc(b.p, 0) == NULL && kmalloc_check() == 0 &&
                   pages_free_count() == free_after_init,
               "free pages %zu, want %zu", pages_free_count(), free_after_init);
}

/* Mostly small sizes; huge_pct percent of requests are 64 KiB .. 1 MiB. */
static size_t random_size(unsigned huge_pct)
{
    unsigned long long r = unit_rand_below(100);

    if (r < huge_pct)
        return 65537 + unit_rand_below(MiB);
    if (r < 70)
        return 1 + unit_rand_below(256);
    if (r < 90)
        return 257 + unit_rand_below(2048 - 256);
    return 2049 + unit_rand_below(65536 - 2048);
}

static size_t random_align(void)
{
    return (size_t)1 << unit_rand_below(14); /* 1 .. 8192 */
}

struct random_stats {
    size_t mallocs, zallocs, aligned, reallocs, frees, nulls, sweeps;
};

/* Verifies every live block (if full) and the heap invariants. */
static void sweep(struct live *live, size_t n, unsigned step, bool full, char *why, size_t why_size)
{
    for (size_t i = 0; full && i < n && !why[0]; i++) {
        size_t at = first_damage(&live[i], live[i].size);
        if (at != SIZE_MAX)
            snprintf(why, why_size, "step %u: block %p (%zu bytes) damaged at %zu", step,
                     (void *)live[i].p, live[i].size, at);
        else if (live[i].align && !aligned(live[i].p, live[i].align))
            snprintf(why, why_size, "step %u: block %p lost its %zu alignment", step,
                     (void *)live[i].p, live[i].align);
    }
    if (!why[0] && kmalloc_check() != 0)
        snprintf(why, why_size, "step %u: kmalloc_check failed", step);
}

static void random_alloc(struct live *b, unsigned huge_pct, struct random_stats *st)
{
    unsigned long long kind = unit_rand_below(10);

    b->size = random_size(huge_pct);
    b->align = 16;
    b->seed = (uint32_t)unit_rand();
    if (kind < 6) {
        b->p = kmalloc(b->size);
        st->mallocs++;
    } else if (kind < 8) {
        b->p = kzalloc(b->size);
        st->zallocs++;
        if (b->p && !all_zero(b->p, b->size))
            b->align = 0; /* flag: kzalloc memory was not zero */
    } else {
        b->align = random_align();
        b->p = kmalloc_aligned(b->size, b->align);
        st->aligned++;
    }
}

/* Random operations on up to max_live blocks; a high huge_pct makes the
 * heap run out of memory now and then (NULL must leave everything intact). */
static void test_random(const char *name, unsigned steps, size_t max_live, unsigned huge_pct)
{
    static struct live live[MAX_LIVE];
    struct random_stats st = {0};
    size_t n = 0;
    char why[300] = "";

    for (unsigned step = 0; step < steps && !why[0]; step++) {
        unsigned long long op = unit_rand_below(100);

        if (n == 0 || (n < max_live && op < 42)) {
            struct live *b = &live[n];
            random_alloc(b, huge_pct, &st);
            if (b->p == NULL) {
                st.nulls++;
                continue;
            }
            if (b->align == 0) {
                snprintf(why, sizeof(why), "step %u: kzalloc(%zu) not zeroed", step, b->size);
                break;
            }
            if (!aligned(b->p, MAX(b->align, (size_t)16)) || kmalloc_usable_size(b->p) < b->size) {
                snprintf(why, sizeof(why), "step %u: %p size %zu align %zu: bad placement", step,
                         (void *)b->p, b->size, b->align);
                break;
            }
            fill(b);
            n++;
        } else if (op < 60) {
            struct live *b = &live[unit_rand_below(n)];
            size_t new_size = random_size(huge_pct);
            unsigned char *q = krealloc(b->p, new_size);
            st.reallocs++;
            if (q == NULL) {
                st.nulls++;
                if (first_damage(b, b->size) != SIZE_MAX)
                    snprintf(why, sizeof(why), "step %u: failed krealloc damaged %p", step,
                             (void *)b->p);
                continue;
            }
            b->p = q;
            if (first_damage(b, MIN(b->size, new_size)) != SIZE_MAX) {
                snprintf(why, sizeof(why), "step %u: krealloc %zu -> %zu lost data", step, b->size,
                         new_size);
                break;
            }
            b->size = new_size;
            b->align = 16;
            b->seed = (uint32_t)unit_rand();
            fill(b);
        } else {
            size_t i = unit_rand_below(n);
            size_t at = first_damage(&live[i], live[i].size);
            if (at != SIZE_MAX) {
                snprintf(why, sizeof(why), "step %u: block %p damaged at %zu before free", step,
                         (void *)live[i].p, at);
                break;
            }
            kfree(live[i].p);
            live[i] = live[--n];
            st.frees++;
        }
        if (step % SWEEP_EVERY == 0) {
            st.sweeps++;
            sweep(live, n, step, true, why, sizeof(why));
        } else if (step % CHECK_EVERY == 0) {
            sweep(live, n, step, false, why, sizeof(why));
        }
    }
    if (!why[0])
        sweep(live, n, steps, true, why, sizeof(why));
    printf("  %s: %zu kmalloc, %zu kzalloc, %zu aligned, %zu krealloc, %zu kfree, %zu NULL, "
           "%zu sweeps, %zu live at end\n",
           name, st.mallocs, st.zallocs, st.aligned, st.reallocs, st.frees, st.nulls, st.sweeps, n);
    unit_check(name, why[0] == '\0', "%s", why);
    while (n > 0)
        kfree(live[--n].p);
    unit_check(huge_pct > 5 ? "random_pressure_all_pages_back" : "random_all_pages_back",
               pages_free_count() == free_after_init && kmalloc_check() == 0,
               "free pages %zu, want %zu", pages_free_count(), free_after_init);
}

/* Fills the heap with ever smaller requests until even 16 bytes fail. */
static void test_exhaustion(void)
{
    size_t cap = 1 << 20, n = 0;
    struct live *all = malloc(cap * sizeof(*all));
    size_t per_size[8] = {0};
    /* Large blocks first; then 16-byte objects use up the leftover pages. */
    static const size_t sizes[] = {MiB, 65536, 16, 4000, 2048, 512, 64};
    bool null_seen = false;

    for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
        for (;;) {
            unsigned char *p = kmalloc(sizes[s]);
            if (p == NULL)
                break;
            all[n] = (struct live){.p = p, .size = sizes[s], .seed = (uint32_t)n};
            fill(&all[n++]);
            per_size[s]++;
        }
    }
    null_seen = kmalloc(16) == NULL && kmalloc(1) == NULL && kzalloc(8) == NULL &&
                kmalloc_aligned(8, 8) == NULL && kmalloc(100000) == NULL;
    printf("  exhaustion: %zu x 1MiB, %zu x 64KiB, %zu x 16, %zu x 4000, %zu x 2048, %zu x 512, "
           "%zu x 64, %zu free pages left\n",
           per_size[0], per_size[1], per_size[2], per_size[3], per_size[4], per_size[5],
           per_size[6], pages_free_count());
    unit_check("exhaustion_returns_null", null_seen && pages_free_count() == 0 && per_size[2] > 0,
               "allocation still succeeded, %zu pages free", pages_free_count());
    size_t damaged = 0;
    for (size_t i = 0; i < n; i++)
        damaged += first_damage(&all[i], all[i].size) != SIZE_MAX;
    unit_check("exhaustion_blocks_intact", damaged == 0 && kmalloc_check() == 0,
               "%zu blocks damaged", damaged);
    for (size_t i = n; i > 1; i--) { /* free in random order */
        size_t j = unit_rand_below(i);
        struct live t = all[i - 1];
        all[i - 1] = all[j];
        all[j] = t;
    }
    for (size_t i = 0; i < n; i++)
        kfree(all[i].p);
    free(all);
    unit_check("exhaustion_all_pages_back",
               pages_free_count() == free_after_init && kmalloc_check() == 0,
               "free pages %zu, want %zu", pages_free_count(), free_after_init);
    void *big = kmalloc(8 * MiB);
    unit_check("exhaustion_memory_merged_again", big != NULL, "no 8 MiB block after freeing");
    kfree(big);
}

/* Runs stmt expecting a panic naming `expect`, then checks the heap. */
#define EXPECT_HEAP_PANIC(name, stmt, expect)                                                      \
    do {                                                                                           \
        size_t before_ = pages_free_count();                                                       \
        bool caught_ = EXPECT_PANIC(stmt);                                                         \
        unit_check(name,                                                                           \
                   caught_ &&strstr(unit_panic_message, expect) != NULL &&                         \
                       pages_free_count() == before_ && kmalloc_check() == 0,                      \
                   "caught %d, message \"%s\" (want \"%s\")", caught_, unit_panic_message,         \
                   expect);                                                                        \
    } while (0)

static void test_bad_pointers(void)
{
    unsigned char *keep = kmalloc(32); /* keeps the 32-byte slab alive */
    unsigned char *p = kmalloc(32);
    unsigned char *lone = kmalloc(700); /* alone in a fresh 1024-byte slab */
    unsigned char *obj = kmalloc(100);  /* 128-byte class */
    unsigned char *large = kmalloc(20000);
    unsigned char *page = pages_alloc(0); /* not from the heap */
    char host_buf[64];
    int on_stack;

    memset(page, 0, PAGE_SIZE);
    kfree(p);
    EXPECT_HEAP_PANIC("double_free_small", kfree(p), "double free");
    kfree(lone);
    EXPECT_HEAP_PANIC("double_free_slab_returned", kfree(lone), "not a live heap pointer");
    kfree(large);
    EXPECT_HEAP_PANIC("double_free_large", kfree(large), "not a live heap pointer");
    large = kmalloc(20000);
    EXPECT_HEAP_PANIC("interior_small", kfree(obj + 8), "not the start of an object");
    EXPECT_HEAP_PANIC("interior_small_by_one", kfree(obj + 1), "not the start of an object");
    EXPECT_HEAP_PANIC("slab_header_pointer", kfree(obj - 128), "not the start of an object");
    EXPECT_HEAP_PANIC("interior_large", kfree(large + 64), "not the start of an allocation");
    EXPECT_HEAP_PANIC("interior_large_tail_page", kfree(large + 3 * PAGE_SIZE),
                      "not the start of an allocation");
    EXPECT_HEAP_PANIC("foreign_stack", kfree(&on_stack), "not a live heap pointer");
    EXPECT_HEAP_PANIC("foreign_host_heap", kfree(host_buf), "not a live heap pointer");
    EXPECT_HEAP_PANIC("foreign_page_block", kfree(page + 64), "no heap header");
    EXPECT_HEAP_PANIC("foreign_metadata_page", kfree(region + 64), "not a live heap pointer");
    EXPECT_HEAP_PANIC("usable_size_freed", kmalloc_usable_size(p), "double free");
    EXPECT_HEAP_PANIC("krealloc_freed", krealloc(lone, 10), "not a live heap pointer");
    EXPECT_HEAP_PANIC("krealloc_foreign", krealloc(&on_stack, 10), "not a live heap pointer");

    kfree(obj);
    kfree(large);
    kfree(keep);
    pages_free(page, 0);
    unit_check("bad_pointers_state_intact",
               pages_free_count() == free_after_init && kmalloc_check() == 0,
               "free pages %zu, want %zu", pages_free_count(), free_after_init);
}

static void test_corruption(void)
{
    unsigned char *keep = kmalloc(48);
    unsigned char *p = kmalloc(48); /* 64-byte class, same slab as keep */
    unsigned char *large = kmalloc(30000);
    unsigned char *slab = (unsigned char *)((uintptr_t)p & ~(PAGE_SIZE - 1));
    unsigned char *large_hdr = (unsigned char *)((uintptr_t)large & ~(PAGE_SIZE - 1));
    unsigned char saved[16];

    /* struct slab starts with uint32_t magic, then uint8_t class index. */
    memcpy(saved, slab, sizeof(saved));
    slab[0] ^= 0xff;
    unit_check("check_detects_slab_magic", kmalloc_check() == -EINVAL, "not detected");
    {
        bool caught = EXPECT_PANIC(kfree(p));
        unit_check("kfree_detects_slab_magic",
                   caught && strstr(unit_panic_message, "no heap header") != NULL, "caught %d: %s",
                   caught, unit_panic_message);
    }
    memcpy(slab, saved, sizeof(saved));
    slab[4] = 200; /* class index out of range */
    {
        bool caught = EXPECT_PANIC(kfree(p));
        unit_check("kfree_detects_slab_class",
                   caught && strstr(unit_panic_message, "corrupted") != NULL, "caught %d: %s",
                   caught, unit_panic_message);
    }
    memcpy(slab, saved, sizeof(saved));
    /* The list link follows 16 bytes of fields; a wild pointer there must be
     * reported, not followed. */
    uintptr_t link_next;
    memcpy(&link_next, slab + 16, sizeof(link_next));
    uintptr_t wild = 0x10;
    memcpy(slab + 16, &wild, sizeof(wild));
    unit_check("check_detects_wild_slab_link", kmalloc_check() == -EINVAL, "not detected");
    memcpy(slab + 16, &link_next, sizeof(link_next));
    unit_check("slab_repaired", kmalloc_check() == 0, "kmalloc_check failed after repair");

    /* struct large_hdr: magic, order, then size_t size at offset 8. */
    memcpy(saved, large_hdr, sizeof(saved));
    large_hdr[8] ^= 0x10;
    unit_check("check_detects_large_header", kmalloc_check() == -EINVAL, "not detected");
    {
        bool caught = EXPECT_PANIC(kfree(large));
        unit_check("kfree_detects_large_header",
                   caught && strstr(unit_panic_message, "corrupted") != NULL, "caught %d: %s",
                   caught, unit_panic_message);
    }
    memcpy(large_hdr, saved, sizeof(saved));
    unit_check("large_repaired", kmalloc_check() == 0, "kmalloc_check failed after repair");

    /* Write after free into a slab object: caught by the canary. */
    kfree(p);
    memcpy(saved, p, 8);
    memset(p, 0x41, 8);
    unit_check("check_detects_write_after_free", kmalloc_check() == -EINVAL, "not detected");
    {
        bool caught = EXPECT_PANIC(kmalloc(48)); /* LIFO: would hand out p */
        unit_check("kmalloc_detects_write_after_free",
                   caught && strstr(unit_panic_message, "damaged") != NULL, "caught %d: %s", caught,
                   unit_panic_message);
    }
    memcpy(p, saved, 8);
    unit_check("free_list_repaired", kmalloc_check() == 0 && kmalloc(48) == p,
               "free list not usable after repair");
    kfree(p);
    kfree(keep);
    kfree(large);
    unit_check("corruption_state_intact",
               pages_free_count() == free_after_init && kmalloc_check() == 0,
               "free pages %zu, want %zu", pages_free_count(), free_after_init);
}

int main(void)
{
    printf("test_heap: seed %#llx\n", SEED);
    unit_srand(SEED);
    test_setup();
    test_edge_sizes();
    test_size_sweep();
    test_aligned();
    test_zero_and_realloc();
    test_random("random_ops", RANDOM_STEPS, MAX_LIVE, 2);
    test_random("random_ops_under_pressure", 3000, 200, 60);
    test_exhaustion();
    test_bad_pointers();
    test_corruption();
    return unit_finish("test_heap");
}
