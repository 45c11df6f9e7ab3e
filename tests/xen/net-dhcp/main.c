/* A vif without an address (no ip= in the vif spec, none on the command
 * line) gets one by DHCP: dom0's hook runs busybox udhcpd on xenbr0
 * (198.18.0.0/25) with the range 198.18.0.100-120 and router 198.18.0.1,
 * then pings us. */
#include <minios/console.h>
#include <minios/mm.h>
#include <minios/time.h>
#include <minios/xenbus.h>
#include <stubos/net.h>

#include "lwip/stats.h"
#include "../testlib.h"

#define IP(a, b, c, d)                                                                             \
    ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

int main(void)
{
    int n = net_init(); /* waits for DHCP (dhcp_wait=, default 10 s) */
    TEST_CHECK("net-init", n == 1, "net_init returned %d", n);
    if (n != 1)
        return 1;
    int rc = net_wait_configured(20000);
    struct net_if_info info;
    net_if_get(0, &info);
    uint32_t host = info.ipv4 >> 24; /* last octet: network byte order */
    TEST_CHECK("dhcp-address",
               rc == 0 && (info.ipv4 & 0x00ffffff) == IP(198, 18, 0, 0) && host >= 100 &&
                   host <= 120,
               "address %08x (%s)", (unsigned)info.ipv4, info.method);
    TEST_CHECK("dhcp-netmask-gw",
               info.netmask == IP(255, 255, 255, 128) && info.gw == IP(198, 18, 0, 1),
               "netmask %08x gw %08x", (unsigned)info.netmask, (unsigned)info.gw);
    printk("NET-READY 198.18.0.%u\n", (unsigned)host);
    console_flush();

    struct xenbus_event_queue q;
    struct xenbus_event *ev;
    char *done = NULL;
    xenbus_event_queue_init(&q);
    xenbus_watch_add_queue("data/net-dhcp-done", "net-dhcp", &q);
    uint64_t deadline = monotonic_ns() + 60 * NSEC_PER_SEC;
    while (xenbus_read(XBT_NIL, "data/net-dhcp-done", &done) < 0 &&
           xenbus_event_wait(&q, deadline, &ev) == 0)
        kfree(ev);
    kfree(done);
    TEST_CHECK("dhcp-ping", lwip_stats.icmp.recv >= 3 && lwip_stats.icmp.xmit >= 3,
               "icmp rx %u tx %u", (unsigned)lwip_stats.icmp.recv, (unsigned)lwip_stats.icmp.xmit);
    return test_exit_status();
}
