/* Event channels against dom0: offer an unbound port, answer every ping from
 * the dom0 tool (tests/dom0/evtchn-pingpong.c) with a pong, then check that
 * exactly as many pings arrived as were sent: none lost, none duplicated. */
#include <minios/console.h>
#include <minios/events.h>
#include <minios/sched.h>
#include <minios/time.h>
#include "../testlib.h"

#define PINGS 1000

static volatile int pings;
static struct semaphore ping_sem;

static void on_ping(evtchn_port_t port, void *data)
{
    (void)port;
    (void)data;
    pings++;
    sem_up(&ping_sem);
}

int main(void)
{
    evtchn_port_t port;
    sem_init(&ping_sem, 0);
    int rc = evtchn_alloc_unbound(0, on_ping, NULL, &port);
    TEST_CHECK("events-alloc-unbound", rc == 0, "rc %d", rc);
    if (rc)
        return 1;
    printk("EVTCHN-PORT %u\n", port);
    console_flush();

    int answered = 0;
    while (answered < PINGS) {
        if (sem_down_deadline(&ping_sem, monotonic_ns() + 20 * NSEC_PER_SEC))
            break;
        evtchn_send(port);
        answered++;
    }
    printk("events: answered %d pings\n", answered);
    msleep(500); /* a duplicate would show up as an extra ping */
    TEST_CHECK("events-pingpong", answered == PINGS && pings == PINGS,
               "answered %d, received %d, want %d", answered, pings, PINGS);

    struct evtchn_stats st;
    evtchn_get_stats(&st);
    printk("events: %lu upcalls, %lu dispatched, %lu for unbound ports\n",
           (unsigned long)st.upcalls, (unsigned long)st.dispatched, (unsigned long)st.unbound);
    TEST_CHECK("events-close", evtchn_close(port) == 0, "close failed");
    TEST_CHECK("events-send-closed", evtchn_send(port) < 0, "send on a closed port succeeded");
    return test_exit_status();
}
