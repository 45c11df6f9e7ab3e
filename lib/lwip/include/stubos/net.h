/* The network stack of a stub domain: lwIP over the domain's vifs.
 *
 * Link with lwIP by adding "<name>_NET := lwip" to the stub domain's app.mk
 * (this also selects newlib). Sockets then work through the POSIX calls of
 * <sys/socket.h>, <netdb.h>, <arpa/inet.h>, <poll.h> and <sys/select.h>;
 * the first socket() starts the stack if net_init() was not called.
 *
 * Each vif gets IPv4 from the command line (ip= netmask= gw= dns=, see
 * lib/lwip/netcfg.h), else from the toolstack (xl vif spec ip=), else DHCP;
 * and an IPv6 link-local address (plus SLAAC addresses when a router
 * advertises a prefix). The loopback interface 127.0.0.1/::1 is always
 * there, vif or not. */
#ifndef STUBOS_NET_H
#define STUBOS_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_MAX_VIFS 8

/* Start the stack and bring up every vif, waiting (up to dhcp_wait= seconds
 * from the command line, default 10) for DHCP to answer. Prints one line
 * per interface. Returns the number of vifs that are up: 0 when the domain
 * has none (it says so on the console; loopback still works), or a negative
 * errno if the stack itself could not start. Calling it again only returns
 * the count. Call from a thread (main is one). */
int net_init(void);

/* One interface as seen by the application (a snapshot). */
struct net_if_info {
    unsigned vif_id; /* device/vif/<id> */
    char name[8];    /* lwIP's name, e.g. "en1" */
    uint8_t mac[6];
    bool link_up;
    const char *method;         /* "static (command line)", "static (xenstore)", "dhcp", "off" */
    uint32_t ipv4, netmask, gw; /* network byte order; 0 = none (yet) */
    char ipv6[2][48];           /* link-local first, then a global one if any; "" = none */
    uint64_t rx_packets, rx_bytes, rx_dropped;
    uint64_t tx_packets, tx_bytes, tx_dropped;
};

/* How many vifs the stack manages; fill *info for index i (0-based).
 * 0, or -ENOENT for an index past the end. */
int net_if_count(void);
int net_if_get(int i, struct net_if_info *info);

/* lwIP's protocol counters (link, ARP, IP, ICMP, UDP, TCP: sent,
 * received, dropped, errors) as text lines, for status pages and
 * debugging. Returns the length written (truncated to size-1). */
size_t net_stats_format(char *buf, size_t size);

/* Block until every vif that wants DHCP has an address, or timeout_ms
 * passes (0: do not wait). 0 when all are configured, -ETIMEDOUT else. */
int net_wait_configured(uint32_t timeout_ms);

#endif
