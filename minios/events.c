/* Event channels, 2-level ABI (see <minios/events.h> for the protocol).
 *
 * The upcall walks the pending words named in evtchn_pending_sel, starting
 * one word further on each pass, so a busy low port cannot starve high
 * ports. A port's pending bit is cleared before its handler runs: an event
 * that arrives during the handler is seen on the next pass, never lost. */
#include <minios/arch.h>
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/events.h>
#include <minios/hypercall.h>
#include <minios/panic.h>

#define BITS_PER_WORD (sizeof(xen_ulong_t) * 8)
#define NR_PORTS (BITS_PER_WORD * BITS_PER_WORD)

struct port_slot {
    evtchn_handler_t handler;
    void *data;
};

static struct port_slot ports[NR_PORTS];
static unsigned first_word; /* where the next scan starts */
static struct evtchn_stats stats;
static int upcall_depth;

bool in_upcall(void)
{
    return upcall_depth > 0;
}

static inline volatile struct vcpu_info *vcpu0(void)
{
    return &shared_info->vcpu_info[0];
}

void evtchn_mask(evtchn_port_t port)
{
    arch_set_bit(port % BITS_PER_WORD, &shared_info->evtchn_mask[port / BITS_PER_WORD]);
}

void evtchn_clear(evtchn_port_t port)
{
    arch_clear_bit(port % BITS_PER_WORD, &shared_info->evtchn_pending[port / BITS_PER_WORD]);
}

/* Let Xen clear the mask: if the port became pending while masked, it
 * raises the event the way each arch expects (on x86 PV our own bookkeeping
 * would do, but Arm and PVH need Xen to kick the vCPU). */
void evtchn_unmask(evtchn_port_t port)
{
    struct evtchn_unmask op = {.port = port};
    xen_event_channel_op(EVTCHNOP_unmask, &op);
}

static void dispatch(evtchn_port_t port)
{
    struct port_slot *slot = &ports[port];
    if (slot->handler) {
        stats.dispatched++;
        slot->handler(port, slot->data);
    } else {
        stats.unbound++;
    }
}

static void scan_word(unsigned word)
{
    volatile xen_ulong_t *pending = &shared_info->evtchn_pending[word];
    unsigned long ready = READ_ONCE(*pending) & ~READ_ONCE(shared_info->evtchn_mask[word]);
    while (ready) {
        unsigned bit = __builtin_ctzl(ready);
        ready &= ready - 1;
        if (arch_test_and_clear_bit(bit, pending))
            dispatch(word * BITS_PER_WORD + bit);
    }
}

void events_upcall(void)
{
    volatile struct vcpu_info *v = vcpu0();
    stats.upcalls++;
    upcall_depth++;
    do {
        v->evtchn_upcall_pending = 0;
        xen_mb(); /* clear the flag before reading what it announced */
        unsigned long sel = arch_xchg(&v->evtchn_pending_sel, 0);
        for (unsigned i = 0; i < BITS_PER_WORD && sel; i++) {
            unsigned word = (first_word + i) % BITS_PER_WORD;
            if (sel & (1UL << word)) {
                sel &= ~(1UL << word);
                scan_word(word);
            }
        }
        first_word = (first_word + 1) % BITS_PER_WORD;
    } while (v->evtchn_upcall_pending);
    upcall_depth--;
}

static int attach(evtchn_port_t port, evtchn_handler_t handler, void *data)
{
    if (port >= NR_PORTS)
        return -EINVAL;
    unsigned long flags = arch_irq_save();
    ports[port].handler = handler;
    ports[port].data = data;
    arch_irq_restore(flags);
    evtchn_unmask(port);
    return 0;
}

int evtchn_bind(evtchn_port_t port, evtchn_handler_t handler, void *data)
{
    if (port >= NR_PORTS || !handler)
        return -EINVAL;
    if (ports[port].handler)
        return -EBUSY;
    return attach(port, handler, data);
}

void evtchn_unbind(evtchn_port_t port)
{
    if (port >= NR_PORTS)
        return;
    evtchn_mask(port);
    unsigned long flags = arch_irq_save();
    ports[port].handler = NULL;
    ports[port].data = NULL;
    arch_irq_restore(flags);
}

int evtchn_bind_virq(unsigned virq, evtchn_handler_t handler, void *data, evtchn_port_t *port)
{
    struct evtchn_bind_virq op = {.virq = virq, .vcpu = 0};
    long rc = xen_event_channel_op(EVTCHNOP_bind_virq, &op);
    if (rc < 0)
        return (int)rc;
    *port = op.port;
    return attach(op.port, handler, data);
}

int evtchn_alloc_unbound(domid_t remote, evtchn_handler_t handler, void *data,
                         evtchn_port_t *port)
{
    struct evtchn_alloc_unbound op = {.dom = DOMID_SELF, .remote_dom = remote};
    long rc = xen_event_channel_op(EVTCHNOP_alloc_unbound, &op);
    if (rc < 0)
        return (int)rc;
    *port = op.port;
    return attach(op.port, handler, data);
}

int evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port, evtchn_handler_t handler,
                            void *data, evtchn_port_t *local_port)
{
    struct evtchn_bind_interdomain op = {.remote_dom = remote, .remote_port = remote_port};
    long rc = xen_event_channel_op(EVTCHNOP_bind_interdomain, &op);
    if (rc < 0)
        return (int)rc;
    *local_port = op.local_port;
    return attach(op.local_port, handler, data);
}

int evtchn_send(evtchn_port_t port)
{
    struct evtchn_send op = {.port = port};
    return (int)xen_event_channel_op(EVTCHNOP_send, &op);
}

int evtchn_close(evtchn_port_t port)
{
    evtchn_unbind(port);
    struct evtchn_close op = {.port = port};
    int rc = (int)xen_event_channel_op(EVTCHNOP_close, &op);
    evtchn_clear(port);
    return rc;
}

void evtchn_get_stats(struct evtchn_stats *s)
{
    unsigned long flags = arch_irq_save();
    *s = stats;
    arch_irq_restore(flags);
}

void events_init(void)
{
    /* Start with every port masked; binding a handler unmasks its port. */
    for (unsigned w = 0; w < BITS_PER_WORD; w++)
        shared_info->evtchn_mask[w] = ~0UL;
    arch_irq_enable();
}
