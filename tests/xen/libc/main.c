/* libc: newlib + lib/libc inside a stub domain. Checks the C library the
 * way a ported program uses it; each group lives in its own file. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

int test_argc;
char **test_argv;
static int failures;

void check(const char *name, bool ok, const char *why_fmt, ...)
{
    if (ok) {
        printf("TEST %s PASS\n", name);
        return;
    }
    char why[256];
    va_list ap;
    va_start(ap, why_fmt);
    vsnprintf(why, sizeof(why), why_fmt, ap);
    va_end(ap);
    failures++;
    printf("TEST %s FAIL: %s\n", name, why);
}

void skip(const char *name, const char *why)
{
    printf("TEST %s SKIP: %s\n", name, why);
}

void check_str(const char *name, const char *got, const char *want)
{
    check(name, strcmp(got, want) == 0, "got \"%s\", want \"%s\"", got, want);
}

unsigned long long test_rand(void)
{
    static unsigned long long state = 0x5eed11bcULL;
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545f4914f6cdd1dULL;
}

int main(int argc, char **argv)
{
    test_argc = argc;
    test_argv = argv;
    test_posix();
    test_format();
    test_algo();
    test_time();
    test_malloc();
    test_pthread();
    printf("libc test: %d failure(s)\n", failures);
    return failures ? 1 : 0;
}
