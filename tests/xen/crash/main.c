/* A deliberate NULL-pointer write: the kernel must report the page fault
 * (address, registers, backtrace) and end the domain with reason crash. */
#include <minios/console.h>

static volatile int *volatile target = (int *)0x10;

__attribute__((noinline)) static void write_through_null(void)
{
    *target = 42;
}

int main(void)
{
    printk("crash test: writing to address 0x10\n");
    write_through_null();
    printk("crash test: still alive, which is wrong\n");
    return 0;
}
