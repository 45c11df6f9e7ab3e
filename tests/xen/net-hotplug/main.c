/* Several vifs, and vifs that come and go while the domain runs: we boot
 * with two vifs on xenbr0 (198.18.0.2 and .3); dom0 pings both, detaches
 * the second (xl network-detach), attaches a vif on the lab's second
 * bridge xenbr1 (xl network-attach, 198.18.0.130/25), pings through both
 * bridges, then tells us to look at what we have. */
#include <minios/console.h>
#include <minios/format.h>
#include <minios/mm.h>
#include <minios/time.h>
#include <minios/xenbus.h>
#include <stubos/net.h>

#include "../testlib.h"

#define IP(a, b, c, d)                                                                             \
    ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

static bool has_address(uint32_t ip)
{
    struct net_if_info info;
    for (int i = 0; net_if_get(i, &info) == 0; i++)
        if (info.ipv4 == ip && info.link_up)
            return true;
    return false;
}

/* Wait for dom0 to write data/<key>. */
static bool wait_for(const char *key, unsigned seconds)
{
    char path[64], *value = NULL;
    struct xenbus_event_queue q;
    struct xenbus_event *ev;
    ksnprintf(path, sizeof(path), "data/%s", key);
    xenbus_event_queue_init(&q);
    xenbus_watch_add_queue(path, key, &q);
    uint64_t deadline = monotonic_ns() + seconds * NSEC_PER_SEC;
    while (xenbus_read(XBT_NIL, path, &value) < 0 && xenbus_event_wait(&q, deadline, &ev) == 0)
        kfree(ev);
    xenbus_watch_remove(path, key);
    xenbus_event_queue_flush(&q);
    kfree(value);
    return value != NULL;
}

int main(void)
{
    int n = net_init();
    TEST_CHECK("two-vifs", n == 2 && net_if_count() == 2, "net_init returned %d", n);
    TEST_CHECK("two-vifs-addresses",
               has_address(IP(198, 18, 0, 2)) && has_address(IP(198, 18, 0, 3)),
               "addresses missing");
    printk("NET-READY\n");
    console_flush();

    bool done = wait_for("net-hotplug-done", 120);
    TEST_CHECK("hook-done", done, "dom0 never wrote data/net-hotplug-done");
    TEST_CHECK("detached", !has_address(IP(198, 18, 0, 3)), "198.18.0.3 is still there");
    TEST_CHECK("attached-on-xenbr1", has_address(IP(198, 18, 0, 130)), "no 198.18.0.130");
    TEST_CHECK("first-vif-unharmed", has_address(IP(198, 18, 0, 2)), "lost 198.18.0.2");
    TEST_CHECK("vif-count", net_if_count() == 2, "%d vifs", net_if_count());
    return test_exit_status();
}
