/* lwIP on a vif: the stack comes up with the toolstack's address, and dom0
 * can resolve us by ARP and ping us over IPv4 and over IPv6 link-local. The
 * stack answers by itself; the dom0 hook pings and then writes
 * data/net-ping-done so we know when to look at the counters. */
#include <minios/console.h>
#include <minios/mm.h>
#include <minios/time.h>
#include <minios/xenbus.h>
#include <stubos/net.h>

#include "lwip/stats.h"
#include "../testlib.h"

int main(void)
{
    int n = net_init();
    TEST_CHECK("net-init", n == 1, "net_init returned %d, want 1 vif", n);
    if (n != 1)
        return 1;
    struct net_if_info info;
    net_if_get(0, &info);
    /* 198.18.0.2 from the vif spec, in network byte order. */
    const uint32_t want = 198 | 18 << 8 | 0 << 16 | (uint32_t)2 << 24;
    TEST_CHECK("net-ipv4-from-xenstore", info.ipv4 == want && info.netmask == 0x00ffffff,
               "address %08x netmask %08x (%s)", (unsigned)info.ipv4, (unsigned)info.netmask,
               info.method);

    /* The link-local address is usable once duplicate detection is done. */
    uint64_t deadline = monotonic_ns() + 10 * NSEC_PER_SEC;
    while (net_if_get(0, &info) == 0 && info.ipv6[0][0] == '\0' && monotonic_ns() < deadline)
        msleep(100);
    TEST_CHECK("net-ipv6-link-local", info.ipv6[0][0] != '\0', "no valid link-local address");
    printk("NET-READY %s\n", info.ipv6[0]);
    console_flush();

    struct xenbus_event_queue q;
    struct xenbus_event *ev;
    char *done = NULL;
    xenbus_event_queue_init(&q);
    xenbus_watch_add_queue("data/net-ping-done", "net-ping", &q);
    deadline = monotonic_ns() + 150 * NSEC_PER_SEC; /* a loaded lab pings slowly */
    while (xenbus_read(XBT_NIL, "data/net-ping-done", &done) < 0 &&
           xenbus_event_wait(&q, deadline, &ev) == 0)
        kfree(ev);
    TEST_CHECK("net-hook-done", done != NULL, "dom0 never wrote data/net-ping-done");
    kfree(done);

    printk("net: icmp rx %u tx %u, icmp6 rx %u tx %u, etharp rx %u tx %u\n",
           (unsigned)lwip_stats.icmp.recv, (unsigned)lwip_stats.icmp.xmit,
           (unsigned)lwip_stats.icmp6.recv, (unsigned)lwip_stats.icmp6.xmit,
           (unsigned)lwip_stats.etharp.recv, (unsigned)lwip_stats.etharp.xmit);
    TEST_CHECK("net-arp", lwip_stats.etharp.recv > 0 && lwip_stats.etharp.xmit > 0,
               "no ARP traffic");
    TEST_CHECK("net-icmp-echo", lwip_stats.icmp.recv >= 5 && lwip_stats.icmp.xmit >= 5,
               "icmp rx %u tx %u", (unsigned)lwip_stats.icmp.recv, (unsigned)lwip_stats.icmp.xmit);
    TEST_CHECK("net-icmp6", lwip_stats.icmp6.recv >= 5 && lwip_stats.icmp6.xmit >= 5,
               "icmp6 rx %u tx %u", (unsigned)lwip_stats.icmp6.recv,
               (unsigned)lwip_stats.icmp6.xmit);
    net_if_get(0, &info);
    TEST_CHECK("net-no-drops", info.rx_dropped == 0 && info.tx_dropped == 0,
               "rx dropped %lu tx dropped %lu", (unsigned long)info.rx_dropped,
               (unsigned long)info.tx_dropped);
    return test_exit_status();
}
