/* The kernel console.
 *
 * dom0 writes with the console_io hypercall. A domU writes into its PV
 * console ring, a page shared with xenconsoled in dom0: "out" carries our
 * output, "in" the user's input, each with free-running producer/consumer
 * indices (xen/io/console.h). We produce into "out", then signal the console
 * event channel; xenconsoled consumes and signals back. Before console_init()
 * (and on a release Xen, whose console_io refuses domUs) output goes to the
 * arch's early channel. */
#include <minios/arch.h>
#include <minios/console.h>
#include <minios/format.h>
#include <minios/hypercall.h>
#include <minios/events.h>
#include <minios/sched.h>
#include <minios/time.h>
#include <xen/io/console.h>

/* How long to wait for xenconsoled to make room before dropping output:
 * a stuck backend must not hang the domain forever. */
#define CONSOLE_STALL_NS 2000000000ULL

static volatile struct xencons_interface *ring;
static evtchn_port_t ring_port;
static struct waitq backend_progress = WAITQ_INIT(backend_progress);

void console_init(void)
{
    if (boot_info.is_dom0 || !boot_info.console_ring)
        return; /* dom0 keeps using console_io through the early path */
    ring = boot_info.console_ring;
    ring_port = boot_info.console_evtchn;
}

static void on_backend_event(evtchn_port_t port, void *data)
{
    (void)port;
    (void)data;
    waitq_wake_all(&backend_progress);
}

/* Once events work, let writers sleep until xenconsoled makes room or
 * sends input instead of spinning. */
void console_events_init(void)
{
    if (ring)
        evtchn_bind(ring_port, on_backend_event, NULL);
}

static void notify_backend(void)
{
    struct evtchn_send send = {.port = ring_port};
    xen_event_channel_op(EVTCHNOP_send, &send);
}

/* Wait until cond() holds, poking the backend; false on timeout. A thread
 * that may block sleeps until the backend signals; anything else (early
 * boot, panic, upcall context, events off) polls. */
static bool wait_for_backend(bool (*cond)(void))
{
    uint64_t deadline = monotonic_ns() + CONSOLE_STALL_NS;
    while (!cond()) {
        notify_backend();
        if (sched_can_block()) {
            if (wait_event_deadline(&backend_progress, cond(), deadline))
                return cond();
        } else {
            xen_sched_op(SCHEDOP_yield, NULL);
            if (monotonic_ns() > deadline)
                return false;
        }
    }
    return true;
}

static bool ring_has_room(void)
{
    return ring->out_prod - ring->out_cons < sizeof(ring->out);
}

static bool ring_is_empty(void)
{
    return ring->out_cons == ring->out_prod;
}

/* Copy as much of s as fits (a '\n' needs room for "\r\n"); returns the
 * number of bytes of s consumed. Events are off, so this is atomic with
 * respect to printk from an upcall. */
static size_t ring_put_some(const char *s, size_t n)
{
    XENCONS_RING_IDX prod = ring->out_prod;
    XENCONS_RING_IDX room = sizeof(ring->out) - (prod - ring->out_cons);
    if (room > sizeof(ring->out))
        room = 0; /* corrupt indices from the backend: write nothing */
    size_t done = 0;
    for (; done < n; done++) {
        bool newline = s[done] == '\n';
        if (room < (newline ? 2u : 1u))
            break;
        if (newline)
            ring->out[MASK_XENCONS_IDX(prod++, ring->out)] = '\r';
        ring->out[MASK_XENCONS_IDX(prod++, ring->out)] = s[done];
        room -= newline ? 2 : 1;
    }
    xen_wmb(); /* the bytes before the index that publishes them */
    ring->out_prod = prod;
    return done;
}

void console_write(const char *s, size_t n)
{
    if (!ring) {
        arch_early_write(s, n);
        return;
    }
    while (n > 0) {
        unsigned long flags = arch_irq_save();
        size_t done = ring_put_some(s, n);
        notify_backend();
        arch_irq_restore(flags);
        s += done;
        n -= done;
        if (n && !wait_for_backend(ring_has_room))
            return; /* backend stuck: drop rather than hang the domain */
    }
}

void console_flush(void)
{
    if (ring)
        wait_for_backend(ring_is_empty);
}

size_t console_read(char *buf, size_t n)
{
    if (!ring)
        return 0;
    size_t got = 0;
    XENCONS_RING_IDX cons = ring->in_cons;
    XENCONS_RING_IDX prod = ring->in_prod;
    xen_rmb(); /* read the index before the bytes it covers */
    if (prod - cons > sizeof(ring->in))
        return 0; /* corrupt indices from the backend: ignore them */
    while (cons != prod && got < n)
        buf[got++] = ring->in[MASK_XENCONS_IDX(cons++, ring->in)];
    xen_mb();
    ring->in_cons = cons;
    notify_backend();
    return got;
}

/* printk collects output in a small buffer so one message becomes one
 * ring update and one notification, not one per format directive. */
struct printk_buf {
    size_t len;
    char data[160];
};

static void printk_sink(void *ctx, const char *s, size_t n)
{
    struct printk_buf *b = ctx;
    while (n > 0) {
        if (b->len == sizeof(b->data)) {
            console_write(b->data, b->len);
            b->len = 0;
        }
        size_t chunk = MIN(n, sizeof(b->data) - b->len);
        for (size_t i = 0; i < chunk; i++)
            b->data[b->len + i] = s[i];
        b->len += chunk;
        s += chunk;
        n -= chunk;
    }
}

int vprintk(const char *fmt, va_list ap)
{
    struct printk_buf b = {.len = 0};
    int n = format_v(printk_sink, &b, fmt, ap);
    if (b.len)
        console_write(b.data, b.len);
    return n;
}

int printk(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintk(fmt, ap);
    va_end(ap);
    return n;
}
