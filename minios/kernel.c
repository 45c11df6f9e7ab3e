/* Kernel start-up after the arch layer: banner, memory, argv, main(). */
#include <minios/arch.h>
#include <minios/cmdline.h>
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/format.h>
#include <minios/gnttab.h>
#include <minios/hypercall.h>
#include <minios/kernel.h>
#include <minios/mm.h>
#include <minios/events.h>
#include <minios/panic.h>
#include <minios/sched.h>
#include <minios/shutdown.h>
#include <minios/xenbus.h>
#include <minios/time.h>

#define MAX_ARGS 64
#define MIN_RAM_BYTES (4ULL << 20)

static char xen_version_text[32];
static uint64_t boot_ns, boot_cpu_ns, early_running_ns, early_ns;

const char *kernel_xen_version(void)
{
    if (!xen_version_text[0]) {
        long v = xen_version(XENVER_version, NULL);
        xen_extraversion_t extra = {0};
        xen_version(XENVER_extraversion, extra);
        extra[sizeof(extra) - 1] = '\0';
        ksnprintf(xen_version_text, sizeof(xen_version_text), "%ld.%ld%s", v >> 16,
                  v & 0xffff, extra);
    }
    return xen_version_text;
}

uint64_t kernel_boot_ns(void)
{
    return boot_ns;
}

uint64_t kernel_boot_cpu_ns(void)
{
    return boot_cpu_ns;
}

__noreturn void domain_shutdown(unsigned reason)
{
    static const char *const names[] = {"poweroff", "reboot", "suspend", "crash", "watchdog"};
    /* Said on the console because some toolstacks (dom0less) cannot tell. */
    printk("stubos: domain shutdown: %s\n", reason < ARRAY_SIZE(names) ? names[reason] : "other");
    console_flush();
    for (;;) {
        xen_shutdown(reason);
        /* Shutdown only returns if Xen refused; yield and insist. */
        xen_sched_op(SCHEDOP_yield, NULL);
    }
}

__noreturn void poweroff(int status)
{
    printk("stubos: main returned %d, powering off\n", status);
    domain_shutdown(SHUTDOWN_poweroff);
}

static int build_argv(char **argv)
{
    static char words[1024];
    ksnprintf(words, sizeof(words), "%s", boot_info.cmdline);
    argv[0] = "stubos";
    int n = cmdline_split(words, argv + 1, MAX_ARGS - 2);
    if (n < 0) {
        printk("stubos: cannot parse command line \"%s\" (%s); ignoring it\n", boot_info.cmdline,
               n == -E2BIG ? "too many words" : "unterminated quote");
        n = 0;
    }
    argv[n + 1] = NULL;
    return n + 1;
}

/* The application's start: calls main() and powers off with its status.
 * Weak so that a libc layer can run its own start-up around main(). */
__attribute__((weak)) __noreturn void app_start(int argc, char **argv)
{
    poweroff(main(argc, argv));
}

static void start_xenbus(void *unused)
{
    (void)unused;
    int rc = xenbus_init();
    if (rc == 0)
        rc = shutdown_init();
    if (rc < 0)
        printk("stubos: xenstore unavailable (%d): no devices, no xl shutdown\n", rc);
}

static void main_thread(void *unused)
{
    static char *argv[MAX_ARGS];
    (void)unused;
    /* The xenstore client and the answer to xl shutdown/reboot come up in
     * their own thread, so main() does not wait for xenstore round trips;
     * code that needs xenbus calls xenbus_init(), which waits for it. */
    if (boot_info.xenstore_ring && !thread_create("xenbus-init", start_xenbus, NULL))
        printk("stubos: cannot start the xenstore client: out of memory\n");
    int argc = build_argv(argv);
    uint64_t entry_ns = cycles_to_system_ns(boot_info.entry_cycles);
    boot_ns = monotonic_ns() - entry_ns;
    /* Before kernel_main we cannot ask Xen; assume we ran all along. */
    boot_cpu_ns = (early_ns - entry_ns) + (vcpu_running_ns() - early_running_ns);
    app_start(argc, argv);
}

__noreturn void kernel_main(void)
{
    early_ns = monotonic_ns();
    early_running_ns = vcpu_running_ns();

    printk("stubos: booting (%s%s) on Xen %s, %lu KiB RAM\n", boot_info.boot_mode,
           boot_info.is_dom0 ? ", dom0" : "", kernel_xen_version(),
           (unsigned long)(boot_info.ram_bytes >> 10));
    if (boot_info.ram_bytes < MIN_RAM_BYTES)
        panic("%lu KiB of RAM is below the %llu KiB minimum; give the domain more memory",
              (unsigned long)(boot_info.ram_bytes >> 10), MIN_RAM_BYTES >> 10);
    events_init();
    console_events_init();
    gnttab_init();
    sched_start(main_thread, NULL);
}
