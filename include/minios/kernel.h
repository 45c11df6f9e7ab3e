/* What the kernel offers an application at the top level: its entry point,
 * facts about the domain, and the ways to end it. */
#ifndef MINIOS_KERNEL_H
#define MINIOS_KERNEL_H

#include <minios/arch.h>

/* Provided by the application; called in a kernel thread once the kernel is
 * up. argv comes from the domain's command line (xl "extra="). */
int main(int argc, char **argv);

/* Called in the main thread with the parsed command line; by default it
 * runs main() and powers off with its return value. A libc layer overrides
 * it (strong symbol) to set up stdio, environ and atexit around main(). */
__noreturn void app_start(int argc, char **argv);

/* Xen's version as "major.minor<extra>", e.g. "4.17.7-pre". */
const char *kernel_xen_version(void);

/* Nanoseconds of Xen system time from the kernel's first instruction to the
 * call of main(). */
uint64_t kernel_boot_ns(void);

/* The part of kernel_boot_ns() this vCPU actually ran: the rest it waited
 * for a physical CPU (other domains, e.g. dom0 printing our console). */
uint64_t kernel_boot_cpu_ns(void);

/* End the domain. poweroff() logs the exit status first. reason is one of
 * Xen's SHUTDOWN_* codes (poweroff, reboot, crash ...). */
__noreturn void poweroff(int status);
__noreturn void domain_shutdown(unsigned reason);

#endif
