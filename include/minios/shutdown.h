/* Shutdown requests from the toolstack.
 *
 * `xl shutdown` and `xl reboot` write "poweroff" or "reboot" into our
 * control/shutdown node (older tools also "halt"; "crash" asks for a crash
 * dump); the domain is expected to acknowledge by writing "" back, then to
 * shut itself down with that reason. We advertise control/feature-poweroff
 * and control/feature-reboot so the toolstack knows we listen.
 *
 * On a request the xenbus watch thread acknowledges it (read and clear in
 * one transaction), prints a line, runs the application's hook, then calls
 * domain_shutdown() with SHUTDOWN_poweroff, SHUTDOWN_reboot or
 * SHUTDOWN_crash. "suspend" is refused: we cannot save and restore our
 * state, so we print why, leave the request unanswered and never advertise
 * feature-suspend; `xl save`/`xl migrate` then give up on their own.
 *
 * `xl destroy` needs nothing from us: Xen tears the domain down from
 * outside, without running any guest code (so the hook does not run). */
#ifndef MINIOS_SHUTDOWN_H
#define MINIOS_SHUTDOWN_H

#include <minios/types.h>

/* reason is SHUTDOWN_poweroff, SHUTDOWN_reboot or SHUTDOWN_crash. The hook
 * runs in the xenbus watch thread (it may block and use xenbus) and must
 * return; the domain shuts down right after. */
typedef void (*shutdown_hook_t)(unsigned reason);

/* Install (or, with NULL, remove) the application's hook. */
void shutdown_set_hook(shutdown_hook_t hook);

/* Watch control/shutdown and advertise what we support. The kernel calls
 * it before main() (after xenbus_init()); a second call does nothing. */
int shutdown_init(void);

#endif
