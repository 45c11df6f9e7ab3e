/* panic(): the one way a kernel error ends the domain. */
#include <minios/arch.h>
#include <minios/console.h>
#include <minios/hypercall.h>
#include <minios/kernel.h>
#include <minios/panic.h>

/* Name of the running thread, if the scheduler knows one. */
const char *sched_current_name(void) __attribute__((weak));

__noreturn void panic(const char *fmt, ...)
{
    static int depth;
    va_list ap;

    arch_irq_disable();
    if (++depth > 1) {
        /* Panicking while panicking: say so and do not try anything clever. */
        if (depth == 2)
            printk("\n*** nested panic, giving up\n");
        domain_shutdown(SHUTDOWN_crash);
    }
    printk("\n*** PANIC: ");
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
    printk("\n");
    if (sched_current_name)
        printk("*** in thread \"%s\"\n", sched_current_name());
    printk("Backtrace (panic caller first):\n");
    arch_backtrace(__builtin_frame_address(0), 24);
    printk("*** domain shutting down: crash\n");
    domain_shutdown(SHUTDOWN_crash);
}
