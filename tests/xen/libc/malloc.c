/* malloc/realloc/free under random load with a checksummed pattern in every
 * live block, calloc on recycled memory, and running the heap dry. */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define LIVE_MAX 512
#define STEPS 6000
#define MiB (1024UL * 1024UL)

struct block {
    unsigned char *p;
    size_t size;
    uint32_t seed;
};

static unsigned char pattern(uint32_t seed, size_t i)
{
    uint32_t x = seed ^ (uint32_t)(i * 2654435761u);
    return (unsigned char)((x ^ (x >> 15)) * 0x5bd1e995u >> 24);
}

static void fill(struct block *b)
{
    for (size_t i = 0; i < b->size; i++)
        b->p[i] = pattern(b->seed, i);
}

/* Bytes [0, upto) still hold the pattern? */
static bool intact(const struct block *b, size_t upto)
{
    for (size_t i = 0; i < upto; i++)
        if (b->p[i] != pattern(b->seed, i))
            return false;
    return true;
}

/* Mostly small, sometimes page-sized, rarely large: fragmentation. */
static size_t random_size(void)
{
    unsigned long long r = test_rand();
    switch (r % 16) {
    case 0:
        return 64 * 1024 + test_rand() % (192 * 1024);
    case 1:
    case 2:
    case 3:
        return 1024 + test_rand() % 8192;
    default:
        return 1 + test_rand() % 512;
    }
}

static void stress(void)
{
    static struct block live[LIVE_MAX];
    size_t total = 0, corrupt = 0, failed = 0, reallocs = 0;
    for (int step = 0; step < STEPS; step++) {
        struct block *b = &live[test_rand() % LIVE_MAX];
        if (b->p && test_rand() % 4 == 0) {
            /* realloc keeps the common prefix */
            size_t size = random_size();
            unsigned char *p = realloc(b->p, size);
            if (!p) {
                failed++;
                continue;
            }
            b->p = p;
            size_t keep = size < b->size ? size : b->size;
            if (!intact(b, keep))
                corrupt++;
            b->size = size;
            fill(b);
            total += size;
            reallocs++;
        } else if (b->p) {
            if (!intact(b, b->size))
                corrupt++;
            free(b->p);
            b->p = NULL;
        } else {
            b->size = random_size();
            b->seed = (uint32_t)test_rand();
            b->p = malloc(b->size);
            if (!b->p) {
                failed++;
                continue;
            }
            fill(b);
            total += b->size;
        }
    }
    for (int i = 0; i < LIVE_MAX; i++) {
        if (live[i].p && !intact(&live[i], live[i].size))
            corrupt++;
        free(live[i].p);
        live[i].p = NULL;
    }
    check("malloc-stress", corrupt == 0 && failed == 0 && total >= 10 * MiB,
          "%zu corrupt blocks, %zu failed allocations, %zu bytes in total", corrupt, failed, total);
    check("realloc-keeps-data", reallocs > 500 && corrupt == 0, "%zu reallocs", reallocs);
}

static void calloc_recycled(void)
{
    /* Dirty a large block, free it, and calloc the same amount: the memory
     * comes back (from the free list, or from a re-grown break) and must
     * be zero all the same. */
    size_t size = 3 * MiB;
    unsigned char *p = malloc(size);
    if (p)
        memset(p, 0xa5, size);
    free(p);
    malloc_trim(0); /* give the top back to sbrk: it must come back zeroed */
    unsigned char *q = calloc(size / 16, 16);
    size_t dirty = 0;
    for (size_t i = 0; q && i < size; i++)
        dirty += q[i] != 0;
    check("calloc-zeroed", q && dirty == 0, "calloc %s, %zu non-zero bytes", q ? "ok" : "failed",
          dirty);
    free(q);

    void *a = memalign(4096, 100), *b2 = NULL;
    int rc = posix_memalign(&b2, 256, 1000);
    check("memalign",
          a && ((uintptr_t)a & 4095) == 0 && rc == 0 && ((uintptr_t)b2 & 255) == 0 &&
              posix_memalign(&b2, 3, 10) == EINVAL,
          "memalign %p posix_memalign rc %d %p", a, rc, b2);
    free(a);
    free(b2);
}

static void exhaustion(void)
{
    /* Take 1 MiB blocks until malloc says no: the heap has a limit, and
     * reaching it is an error return, not a crash. */
    enum { MAX_CHUNKS = 4096 };
    static void *chunks[MAX_CHUNKS];
    int n = 0;
    errno = 0;
    while (n < MAX_CHUNKS && (chunks[n] = malloc(MiB)) != NULL) {
        memset(chunks[n], n, 64); /* touch it */
        n++;
    }
    int err = errno;
    check("malloc-limit-null", n > 8 && n < MAX_CHUNKS && err == ENOMEM,
          "%d MiB allocated before NULL, errno %d", n, err);
    errno = 0;
    void *huge = malloc((size_t)1 << 40);
    check("malloc-huge-enomem", !huge && errno == ENOMEM, "malloc(1 TiB) = %p errno %d", huge,
          errno);
    errno = 0;
    void *s = sbrk(1L << 40);
    check("sbrk-enomem", s == (void *)-1 && errno == ENOMEM, "sbrk(1 TiB) = %p errno %d", s, errno);
    for (int i = 0; i < n; i++)
        free(chunks[i]);
    void *again = malloc(4 * MiB);
    check("malloc-after-exhaustion", again != NULL, "malloc failed after freeing everything");
    free(again);
    printf("libc test: the heap held %d MiB in 1 MiB blocks\n", n);
}

void test_malloc(void)
{
    stress();
    calloc_recycled();
    exhaustion();
}
