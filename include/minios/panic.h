/* Fatal errors: print the reason and a backtrace, then shut the domain down
 * with reason "crash". */
#ifndef MINIOS_PANIC_H
#define MINIOS_PANIC_H

#include <minios/types.h>

__noreturn void panic(const char *fmt, ...) __printf(1, 2);

#define BUG_ON(cond)                                                                   \
    do {                                                                               \
        if (unlikely(cond))                                                            \
            panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__);                   \
    } while (0)

#endif
