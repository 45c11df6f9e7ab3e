/* malloc/free throughput: the same program runs as a newlib stub domain
 * and natively on the host (tests/bench/run.sh builds both), so the ratio
 * shows what our libc layer and newlib's allocator cost. Plain C only. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define LIVE 1024
#define OPS 300000

static uint64_t rng = 88172645463325252ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
    static char *live[LIVE];
    unsigned long checksum = 0;
    double t0 = now_s();
    for (int i = 0; i < OPS; i++) {
        unsigned slot = (unsigned)(next() % LIVE);
        if (live[slot]) {
            checksum += (unsigned char)live[slot][0];
            free(live[slot]);
            live[slot] = NULL;
        } else {
            size_t size = 16 + (size_t)(next() % 4080);
            live[slot] = malloc(size);
            if (!live[slot])
                return 1;
            live[slot][0] = (char)i;
        }
    }
    double secs = now_s() - t0;
    for (int i = 0; i < LIVE; i++)
        free(live[i]);
    printf("BENCH malloc_free_ops_per_s %.0f\n", OPS / secs);
    printf("(checksum %lu)\n", checksum);
    return 0;
}
