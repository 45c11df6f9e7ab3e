/* netfront against Linux netback, without any TCP/IP stack: the guest
 * answers ARP and ICMP echo for its address by hand, so a ping from dom0
 * proves both rings, the grants and the event channel work. */
#include <minios/console.h>
#include <minios/netfront.h>
#include <minios/sched.h>
#include <minios/string.h>
#include <minios/time.h>
#include "../testlib.h"

#define ETH_ARP 0x0806
#define ETH_IP 0x0800
#define PINGS_TO_ANSWER 5

static struct netfront *nf;
static uint8_t my_ip[4];
static int arp_replies, echo_replies;
static struct semaphore answered;

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint16_t checksum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += be16(p + i);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void answer_arp(const uint8_t *f, size_t len)
{
    /* Ethernet(14) + ARP(28): an IPv4-over-Ethernet request for our IP. */
    if (len < 42 || be16(f + 14) != 1 || be16(f + 16) != ETH_IP || be16(f + 20) != 1 ||
        memcmp(f + 38, my_ip, 4) != 0)
        return;
    uint8_t r[42];
    memcpy(r, f + 6, 6);                    /* to the asker */
    memcpy(r + 6, netfront_mac(nf), 6);
    put16(r + 12, ETH_ARP);
    memcpy(r + 14, f + 14, 6);              /* htype, ptype, hlen, plen */
    put16(r + 20, 2);                       /* reply */
    memcpy(r + 22, netfront_mac(nf), 6);
    memcpy(r + 28, my_ip, 4);
    memcpy(r + 32, f + 22, 10);             /* the asker's MAC and IP */
    if (netfront_xmit(nf, r, sizeof(r)) == 0)
        arp_replies++;
}

static void answer_ping(const uint8_t *f, size_t len)
{
    static uint8_t r[NETFRONT_MAX_FRAME];
    size_t ihl = (size_t)(f[14] & 15) * 4;
    if (len < 14 + ihl + 8 || f[23] != 1 || memcmp(f + 30, my_ip, 4) != 0 || f[14 + ihl] != 8)
        return;
    size_t ip_len = be16(f + 16);
    if (ip_len < ihl + 8 || 14 + ip_len > len)
        return;
    memcpy(r, f, 14 + ip_len);
    memcpy(r, f + 6, 6);
    memcpy(r + 6, netfront_mac(nf), 6);
    memcpy(r + 26, f + 30, 4);              /* swap IP addresses */
    memcpy(r + 30, f + 26, 4);
    put16(r + 24, 0);
    put16(r + 24, checksum(r + 14, ihl));
    uint8_t *icmp = r + 14 + ihl;
    icmp[0] = 0;                            /* echo reply */
    put16(icmp + 2, 0);
    put16(icmp + 2, checksum(icmp, ip_len - ihl));
    if (netfront_xmit(nf, r, 14 + ip_len) == 0 && ++echo_replies == PINGS_TO_ANSWER)
        sem_up(&answered);
}

static void on_frame(void *arg, const void *frame, size_t len)
{
    (void)arg;
    const uint8_t *f = frame;
    if (len < 14)
        return;
    if (be16(f + 12) == ETH_ARP)
        answer_arp(f, len);
    else if (be16(f + 12) == ETH_IP)
        answer_ping(f, len);
}

static int parse_ip(const char *s, uint8_t ip[4])
{
    for (int i = 0; i < 4; i++) {
        int v = 0, digits = 0;
        while (*s >= '0' && *s <= '9' && digits < 3)
            v = v * 10 + (*s++ - '0'), digits++;
        if (!digits || v > 255 || (i < 3 && *s++ != '.'))
            return -1;
        ip[i] = (uint8_t)v;
    }
    return 0;
}

int main(void)
{
    unsigned ids[4];
    int n = netfront_list(ids, 4);
    TEST_CHECK("netfront-list", n == 1, "%d vifs", n);
    if (n < 1)
        return 1;
    sem_init(&answered, 0);
    nf = netfront_open(ids[0], on_frame, NULL);
    TEST_CHECK("netfront-connect", nf != NULL, "netfront_open failed");
    if (!nf)
        return 1;
    const char *ip = netfront_ip(nf);
    TEST_CHECK("netfront-ip-from-xenstore", ip && parse_ip(ip, my_ip) == 0, "ip \"%s\"",
               ip ? ip : "(none)");
    printk("NETFRONT-READY\n");
    console_flush();
    int rc = sem_down_deadline(&answered, monotonic_ns() + 30 * NSEC_PER_SEC);
    msleep(500);
    TEST_CHECK("netfront-arp", arp_replies > 0, "no ARP request answered");
    TEST_CHECK("netfront-ping", rc == 0, "answered %d of %d pings", echo_replies, PINGS_TO_ANSWER);
    struct netfront_stats st;
    netfront_get_stats(nf, &st);
    printk("netfront: rx %lu packets %lu bytes, tx %lu packets %lu bytes, errors %lu/%lu\n",
           (unsigned long)st.rx_packets, (unsigned long)st.rx_bytes,
           (unsigned long)st.tx_packets, (unsigned long)st.tx_bytes,
           (unsigned long)st.rx_errors, (unsigned long)st.tx_errors);
    TEST_CHECK("netfront-no-errors", !st.broken && st.rx_errors == 0 && st.tx_errors == 0,
               "broken %d rx_errors %lu tx_errors %lu", st.broken, (unsigned long)st.rx_errors,
               (unsigned long)st.tx_errors);
    netfront_close(nf);
    TEST_PASS("netfront-close");
    return test_exit_status();
}
