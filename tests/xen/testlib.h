/* Helpers for guest tests: one TEST line per check (see tests/xen/README.md). */
#ifndef TESTS_XEN_TESTLIB_H
#define TESTS_XEN_TESTLIB_H

#include <minios/console.h>

static int testlib_failures;

#define TEST_PASS(name) printk("TEST %s PASS\n", (name))
#define TEST_FAIL(name, ...)                                                           \
    do {                                                                               \
        testlib_failures++;                                                            \
        printk("TEST %s FAIL: ", (name));                                              \
        printk(__VA_ARGS__);                                                           \
        printk("\n");                                                                  \
    } while (0)

/* A check that cannot run in this environment (says why). */
#define TEST_SKIP(name, ...)                                                           \
    do {                                                                               \
        printk("TEST %s SKIP: ", (name));                                              \
        printk(__VA_ARGS__);                                                           \
        printk("\n");                                                                  \
    } while (0)

/* Report one check: PASS if cond holds, else FAIL with the formatted reason. */
#define TEST_CHECK(name, cond, ...)                                                    \
    do {                                                                               \
        if (cond)                                                                      \
            TEST_PASS(name);                                                           \
        else                                                                           \
            TEST_FAIL(name, __VA_ARGS__);                                              \
    } while (0)

static inline int test_exit_status(void)
{
    return testlib_failures ? 1 : 0;
}

#endif
