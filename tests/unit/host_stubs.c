/* Host replacements for the kernel services the tested files call:
 * printk goes to stdout, panic longjmps back into an armed test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <minios/console.h>
#include <minios/panic.h>

#include "unit_test.h"

/* Sanitizer defaults for every test binary, however it is started: any
 * undefined behaviour is fatal (so it fails the run), and ASan's printf
 * interceptor must not complain about the deliberately odd formats in
 * test_format. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "check_printf=0";
}

char unit_panic_message[512];
static jmp_buf *panic_target;
static int failures;
static int checks;
static unsigned long long rng_state = 1;

int vprintk(const char *fmt, va_list ap)
{
    int n = vprintf(fmt, ap);
    fflush(stdout);
    return n;
}

int printk(const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vprintk(fmt, ap);
    va_end(ap);
    return n;
}

void unit_panic_arm(jmp_buf *target)
{
    panic_target = target;
}

void unit_panic_disarm(void)
{
    panic_target = NULL;
}

void panic(const char *fmt, ...)
{
    jmp_buf *target = panic_target;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(unit_panic_message, sizeof(unit_panic_message), fmt, ap);
    va_end(ap);
    panic_target = NULL;
    if (target == NULL) {
        fprintf(stderr, "unexpected panic: %s\n", unit_panic_message);
        fflush(stdout);
        abort();
    }
    printf("  (panic caught: %s)\n", unit_panic_message);
    longjmp(*target, 1);
}

void unit_check(const char *name, bool ok, const char *why_fmt, ...)
{
    checks++;
    if (ok) {
        printf("TEST %s PASS\n", name);
        return;
    }
    failures++;
    printf("TEST %s FAIL: ", name);
    va_list ap;
    va_start(ap, why_fmt);
    vprintf(why_fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

int unit_finish(const char *suite)
{
    printf("%s: %d checks, %d failed\n", suite, checks, failures);
    return failures ? 1 : 0;
}

void unit_srand(unsigned long long seed)
{
    rng_state = seed ? seed : 1;
}

unsigned long long unit_rand(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

unsigned long long unit_rand_below(unsigned long long n)
{
    return unit_rand() % n;
}
