/* getentropy() and /dev/urandom.
 *
 * Source: the CPU's random-number instruction where there is one (x86
 * RDRAND; Xen passes it through to PV guests when the host has it). Without
 * it, a xorshift generator seeded from the cycle counter and the clocks
 * -- unpredictable enough for hash seeds and ids, NOT for keys: a warning
 * is logged once. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <minios/arch.h>
#include <minios/console.h>
#include <minios/time.h>

#include "internal.h"

#define GETENTROPY_MAX 256 /* POSIX: larger requests fail with EIO */

#if defined(__x86_64__)
static bool cpu_has_rdrand(void)
{
    unsigned a = 1, b, c = 0, d;
    __asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return c & (1u << 30);
}

static bool hw_random64(uint64_t *out)
{
    /* RDRAND may fail transiently (carry clear): retry a few times. */
    for (int i = 0; i < 10; i++) {
        unsigned char ok;
        __asm__ __volatile__("rdrand %0; setc %1" : "=r"(*out), "=qm"(ok));
        if (ok)
            return true;
    }
    return false;
}
#else
static bool cpu_has_rdrand(void)
{
    return false;
}

static bool hw_random64(uint64_t *out)
{
    (void)out;
    return false;
}
#endif

static uint64_t weak_state;

static uint64_t weak_random64(void)
{
    if (!weak_state) {
        printk("libc: no hardware random numbers; getentropy() is NOT fit for keys\n");
        weak_state = arch_read_cycles() ^ (wallclock_ns() << 17) ^ monotonic_ns();
        if (!weak_state)
            weak_state = 0x9e3779b97f4a7c15ULL;
    }
    /* Stir in the cycle counter: its low bits depend on everything that
     * ran before, including Xen scheduling. */
    weak_state ^= arch_read_cycles();
    weak_state ^= weak_state << 13;
    weak_state ^= weak_state >> 7;
    weak_state ^= weak_state << 17;
    return weak_state * 0x2545f4914f6cdd1dULL;
}

void libc_random_fill(void *buf, size_t n)
{
    static int have_hw = -1;
    if (have_hw < 0)
        have_hw = cpu_has_rdrand();
    unsigned char *p = buf;
    while (n > 0) {
        uint64_t r;
        if (!have_hw || !hw_random64(&r))
            r = weak_random64();
        size_t chunk = n < sizeof(r) ? n : sizeof(r);
        memcpy(p, &r, chunk);
        p += chunk;
        n -= chunk;
    }
}

int getentropy(void *buf, size_t n)
{
    if (n > GETENTROPY_MAX)
        return libc_fail(EIO);
    libc_random_fill(buf, n);
    return 0;
}
