/* Shared helpers for the host unit tests: check reporting and catching the
 * kernel's panic() (host_stubs.c turns it into a longjmp while armed). */
#ifndef UNIT_TEST_H
#define UNIT_TEST_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>

/* Prints "TEST <name> PASS" or "TEST <name> FAIL: <why>" and counts failures. */
void unit_check(const char *name, bool ok, const char *why_fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prints a summary; returns the process exit status (non-zero on failure). */
int unit_finish(const char *suite);

/* Message of the last panic caught by EXPECT_PANIC. */
extern char unit_panic_message[512];

void unit_panic_arm(jmp_buf *target);
void unit_panic_disarm(void);

/* Runs stmt; evaluates to true if it called panic(). The stub disarms
 * itself before jumping back, so a panic outside this macro aborts. */
#define EXPECT_PANIC(stmt)                                                                         \
    __extension__({                                                                                \
        jmp_buf unit_jb_;                                                                          \
        bool unit_caught_ = false;                                                                 \
        unit_panic_message[0] = '\0';                                                              \
        if (setjmp(unit_jb_) == 0) {                                                               \
            unit_panic_arm(&unit_jb_);                                                             \
            stmt;                                                                                  \
            unit_panic_disarm();                                                                   \
        } else {                                                                                   \
            unit_caught_ = true;                                                                   \
        }                                                                                          \
        unit_caught_;                                                                              \
    })

/* Small deterministic PRNG (xorshift64*) so runs repeat exactly. */
void unit_srand(unsigned long long seed);
unsigned long long unit_rand(void);
/* Uniform in [0, n), n > 0. */
unsigned long long unit_rand_below(unsigned long long n);

#endif
