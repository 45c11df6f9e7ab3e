/* Shutdown requests from the toolstack. The guest only waits; the dom0
 * hook asks (xl shutdown, xl reboot, xl destroy) and times how long the
 * domain takes to go. The command line says what the hook will ask for
 * ("poweroff", "reboot" or "destroy"), so the application hook can check
 * the reason it is given (and that it never runs for destroy). */
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/kernel.h>
#include <minios/mm.h>
#include <minios/sched.h>
#include <minios/shutdown.h>
#include <minios/time.h>
#include <minios/xen.h>
#include <minios/xenbus.h>
#include "../testlib.h"

#define WAIT_FOR_REQUEST_S 60

static unsigned expected_reason;
static bool expect_no_hook;

static bool same(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static bool node_is(const char *path, const char *want)
{
    char *value;
    if (xenbus_read(XBT_NIL, path, &value) < 0)
        return false;
    bool ok = same(value, want);
    kfree(value);
    return ok;
}

/* The application's clean-up: runs in the xenbus watch thread, before the
 * kernel shuts the domain down. */
static void app_shutdown_hook(unsigned reason)
{
    printk("SHUTDOWN-HOOK ran with reason %u\n", reason);
    printk("shutdown test: hook at %lu ms of uptime\n",
           (unsigned long)(monotonic_ns() / NSEC_PER_MSEC));
    TEST_CHECK("shutdown-hook", !expect_no_hook && reason == expected_reason,
               "reason %u, expected %s", reason,
               expect_no_hook    ? "no hook at all"
               : expected_reason ? "reboot (1)"
                                 : "poweroff (0)");
}

int main(int argc, char **argv)
{
    const char *want = argc > 1 ? argv[1] : "poweroff";
    expected_reason = same(want, "reboot") ? SHUTDOWN_reboot : SHUTDOWN_poweroff;
    expect_no_hook = same(want, "destroy");

    shutdown_set_hook(app_shutdown_hook);
    int rc = shutdown_init();
    TEST_CHECK("shutdown-init", rc == 0, "shutdown_init: %d", rc);
    TEST_CHECK("shutdown-features",
               node_is("control/feature-poweroff", "1") && node_is("control/feature-reboot", "1"),
               "control/feature-poweroff and feature-reboot are not both \"1\"");
    printk("SHUTDOWN-READY waiting for \"%s\"\n", want);
    printk("shutdown test: ready at %lu ms of uptime\n",
           (unsigned long)(monotonic_ns() / NSEC_PER_MSEC));
    for (int s = 0; s < WAIT_FOR_REQUEST_S; s++)
        msleep(1000);
    TEST_FAIL("shutdown-request", "no shutdown request within %d s", WAIT_FOR_REQUEST_S);
    return test_exit_status();
}
