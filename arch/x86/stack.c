/* First frame of a new thread, matching arch_switch_stack's pops. */
#include <minios/arch.h>

void *arch_init_stack(void *stack_top, void (*entry)(void))
{
    uint64_t *sp = (uint64_t *)((uintptr_t)stack_top & ~15UL);
    /* After the six pops and the ret, rsp must be 8 mod 16 at entry, as if
     * entry had been called; the slot above the return address is a fake
     * (zero) return address that ends backtraces. */
    *--sp = 0;
    *--sp = (uint64_t)entry;
    for (int i = 0; i < 6; i++)
        *--sp = 0; /* rbp = 0 also terminates frame-pointer walks */
    return sp;
}
