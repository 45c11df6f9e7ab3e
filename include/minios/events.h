/* Event channels (2-level ABI).
 *
 * A port is a one-bit doorbell between us and another domain (or Xen, for
 * virtual IRQs). Xen sets the port's bit in shared_info->evtchn_pending, the
 * word's bit in vcpu_info->evtchn_pending_sel and evtchn_upcall_pending, then
 * upcalls us unless vcpu_info->evtchn_upcall_mask is set. A port whose bit in
 * evtchn_mask is set stays pending without an upcall until unmasked.
 *
 * Handlers run in upcall context (see <minios/sched.h>): they must only
 * record work and wake threads, never block or take a mutex. */
#ifndef MINIOS_EVENTS_H
#define MINIOS_EVENTS_H

#include <minios/types.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

typedef void (*evtchn_handler_t)(evtchn_port_t port, void *data);

void events_init(void);

/* Attach a handler to a port someone already bound for us (console,
 * xenstore), and unmask it. */
int evtchn_bind(evtchn_port_t port, evtchn_handler_t handler, void *data);

/* Bind a virtual IRQ (VIRQ_TIMER, VIRQ_DOM_EXC ...) to a new port. */
int evtchn_bind_virq(unsigned virq, evtchn_handler_t handler, void *data, evtchn_port_t *port);

/* Allocate a port that domain remote may bind to. */
int evtchn_alloc_unbound(domid_t remote, evtchn_handler_t handler, void *data,
                         evtchn_port_t *port);

/* Connect to remote_port, which domain remote allocated for us. */
int evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port, evtchn_handler_t handler,
                            void *data, evtchn_port_t *local_port);

int evtchn_send(evtchn_port_t port);

/* Detach the handler and close the port (EVTCHNOP_close). */
int evtchn_close(evtchn_port_t port);

/* Detach the handler only (for ports we do not own, e.g. the console's). */
void evtchn_unbind(evtchn_port_t port);

void evtchn_mask(evtchn_port_t port);
void evtchn_unmask(evtchn_port_t port);
void evtchn_clear(evtchn_port_t port);

/* True while event handlers run (upcall context): no blocking allowed. */
bool in_upcall(void);

/* Number of upcalls handled and events dispatched since boot (for tests). */
struct evtchn_stats {
    uint64_t upcalls, dispatched, unbound;
};
void evtchn_get_stats(struct evtchn_stats *s);

#endif
