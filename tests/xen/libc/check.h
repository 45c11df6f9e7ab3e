/* The libc conformance guest test: one TEST line per check (printed with
 * printf, so stdout itself is under test), see tests/xen/README.md. */
#ifndef LIBC_TEST_CHECK_H
#define LIBC_TEST_CHECK_H

#include <stdbool.h>

/* Print "TEST <name> PASS" or "TEST <name> FAIL: <why>". */
void check(const char *name, bool ok, const char *why_fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Print "TEST <name> SKIP: <why>": the platform lacks what the check needs. */
void skip(const char *name, const char *why);

/* Print "TEST <name> FAIL: <why>" unless got equals want. */
void check_str(const char *name, const char *got, const char *want);

/* The groups of checks, one file each. */
void test_format(void);  /* printf/scanf formats, strtod/strtol */
void test_algo(void);    /* qsort/bsearch, setjmp/longjmp, math */
void test_malloc(void);  /* malloc stress, calloc, exhaustion */
void test_time(void);    /* clocks, sleeps */
void test_pthread(void); /* threads, mutexes, condvars, keys, once */
void test_posix(void);   /* environment, argv, fds, unsupported calls */

extern int test_argc;
extern char **test_argv;

/* Deterministic PRNG (xorshift64*), so failures repeat. */
unsigned long long test_rand(void);

#endif
