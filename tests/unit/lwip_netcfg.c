/* Host tests for the network configuration words (lib/lwip/netcfg.c):
 * address parsing, precedence between the command line and xenstore, and
 * malformed input. */
#include <stdio.h>
#include <string.h>
#include "../../lib/lwip/netcfg.h"
#include "unit_test.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static int cfg_for(const char *cmdline, unsigned id, int first, const char *xs,
                   struct netcfg_ipv4 *cfg, char *err)
{
    static char buf[512];
    char *words[32];
    int n = 0;
    snprintf(buf, sizeof(buf), "%s", cmdline);
    for (char *w = strtok(buf, " "); w && n < 32; w = strtok(NULL, " "))
        words[n++] = w;
    return netcfg_for_vif(words, n, id, first, xs, cfg, err, 128);
}

static void test_parse(void)
{
    uint32_t a, m;
    bool p;
    unit_check("ipv4-ok", netcfg_parse_ipv4("198.18.0.2", &a) == 0 && a == IP(198, 18, 0, 2),
               "wrong result");
    unit_check("ipv4-zero", netcfg_parse_ipv4("0.0.0.0", &a) == 0 && a == 0, "wrong result");
    unit_check("ipv4-max", netcfg_parse_ipv4("255.255.255.255", &a) == 0 && a == 0xffffffffu,
               "wrong result");
    const char *bad[] = {"",       "1.2.3",      "1.2.3.4.5",  "256.1.1.1", "1.2.3.4 ", "a.b.c.d",
                         "1..2.3", "1.2.3.4/24", "0001.2.3.4", "-1.2.3.4",  "1.2.3.",   ".1.2.3"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        unit_check("ipv4-bad", netcfg_parse_ipv4(bad[i], &a) < 0, "accepted \"%s\"", bad[i]);
    unit_check("prefix-24",
               netcfg_parse_addr_prefix("10.1.2.3/24", &a, &m, &p) == 0 && p && m == 0xffffff00u &&
                   a == IP(10, 1, 2, 3),
               "wrong result");
    unit_check("prefix-0", netcfg_parse_addr_prefix("10.1.2.3/0", &a, &m, &p) == 0 && m == 0,
               "wrong result");
    unit_check("prefix-32",
               netcfg_parse_addr_prefix("10.1.2.3/32", &a, &m, &p) == 0 && m == 0xffffffffu,
               "wrong result");
    unit_check("prefix-none", netcfg_parse_addr_prefix("10.1.2.3", &a, &m, &p) == 0 && !p,
               "wrong result");
    unit_check("prefix-33", netcfg_parse_addr_prefix("10.1.2.3/33", &a, &m, &p) < 0,
               "wrong result");
    unit_check("prefix-empty", netcfg_parse_addr_prefix("10.1.2.3/", &a, &m, &p) < 0,
               "wrong result");
    unit_check("prefix-junk", netcfg_parse_addr_prefix("10.1.2.3/24x", &a, &m, &p) < 0,
               "wrong result");
    unit_check("mask-valid",
               netcfg_mask_valid(0xffffff00u) && netcfg_mask_valid(0) &&
                   netcfg_mask_valid(0xffffffffu),
               "wrong result");
    unit_check("mask-holes", !netcfg_mask_valid(0xff00ff00u) && !netcfg_mask_valid(0x00ffffffu),
               "wrong result");
    unit_check("classful",
               netcfg_classful_mask(IP(10, 0, 0, 1)) == 0xff000000u &&
                   netcfg_classful_mask(IP(172, 16, 0, 1)) == 0xffff0000u &&
                   netcfg_classful_mask(IP(198, 18, 0, 2)) == 0xffffff00u,
               "wrong result");
}

static void test_precedence(void)
{
    struct netcfg_ipv4 c;
    char err[128];
    int rc = cfg_for("", 0, 1, NULL, &c, err);
    unit_check("none-dhcp", rc == 0 && c.method == NETCFG_DHCP, "rc %d method %d", rc, c.method);
    rc = cfg_for("", 0, 1, "198.18.0.2", &c, err);
    unit_check("xenstore",
               rc == 0 && c.method == NETCFG_STATIC && c.addr == IP(198, 18, 0, 2) &&
                   c.netmask == 0xffffff00u && c.gw == 0 && !strcmp(c.source, "xenstore"),
               "rc %d", rc);
    rc = cfg_for("", 0, 1, "  10.0.0.5/16 10.0.0.6", &c, err);
    unit_check("xenstore-first-of-many",
               rc == 0 && c.addr == IP(10, 0, 0, 5) && c.netmask == 0xffff0000u, "rc %d", rc);
    rc = cfg_for("ip=192.168.1.9 netmask=255.255.0.0 gw=192.168.1.1", 0, 1, "198.18.0.2", &c, err);
    unit_check("cmdline-wins",
               rc == 0 && c.method == NETCFG_STATIC && c.addr == IP(192, 168, 1, 9) &&
                   c.netmask == 0xffff0000u && c.gw == IP(192, 168, 1, 1) &&
                   !strcmp(c.source, "command line"),
               "rc %d", rc);
    rc = cfg_for("gw=198.18.0.1 netmask=255.255.255.128", 0, 1, "198.18.0.2", &c, err);
    unit_check("xenstore-with-cmdline-gw",
               rc == 0 && c.addr == IP(198, 18, 0, 2) && c.gw == IP(198, 18, 0, 1) &&
                   c.netmask == 0xffffff80u,
               "rc %d", rc);
    rc = cfg_for("ip=dhcp", 0, 1, "198.18.0.2", &c, err);
    unit_check("cmdline-dhcp", rc == 0 && c.method == NETCFG_DHCP, "method %d", c.method);
    rc = cfg_for("ip=off", 0, 1, NULL, &c, err);
    unit_check("cmdline-off", rc == 0 && c.method == NETCFG_OFF, "method %d", c.method);
    rc = cfg_for("ip=10.0.0.1/8 ip.3=10.3.0.1/16", 3, 0, NULL, &c, err);
    unit_check("suffix-other-vif", rc == 0 && c.addr == IP(10, 3, 0, 1) && c.netmask == 0xffff0000u,
               "rc %d addr %x", rc, c.addr);
    rc = cfg_for("ip=10.0.0.1/8", 3, 0, NULL, &c, err);
    unit_check("plain-only-first", rc == 0 && c.method == NETCFG_DHCP, "method %d", c.method);
    rc = cfg_for("ip.0=10.9.0.1/8 ip=10.0.0.1/8", 0, 1, NULL, &c, err);
    unit_check("suffix-beats-plain", rc == 0 && c.addr == IP(10, 9, 0, 1), "addr %x", c.addr);
    rc = cfg_for("ip.1x=10.0.0.1 ipx=1.2.3.4 xip=1.2.3.4", 1, 0, NULL, &c, err);
    unit_check("near-miss-keys", rc == 0 && c.method == NETCFG_DHCP, "method %d", c.method);
}

static void test_errors(void)
{
    struct netcfg_ipv4 c;
    char err[128];
    int rc = cfg_for("ip=1.2.3", 0, 1, "198.18.0.2", &c, err);
    unit_check("bad-ip-falls-back",
               rc < 0 && c.method == NETCFG_STATIC && c.addr == IP(198, 18, 0, 2) &&
                   strstr(err, "ip=") != NULL,
               "rc %d err \"%s\"", rc, err);
    rc = cfg_for("ip=1.2.3.4 netmask=255.0.255.0", 0, 1, NULL, &c, err);
    unit_check("bad-netmask",
               rc < 0 && c.method == NETCFG_STATIC && c.netmask == 0xff000000u &&
                   strstr(err, "netmask") != NULL,
               "rc %d err \"%s\"", rc, err);
    rc = cfg_for("ip=1.2.3.4 gw=x", 0, 1, NULL, &c, err);
    unit_check("bad-gw", rc < 0 && c.gw == 0 && strstr(err, "gw") != NULL, "err \"%s\"", err);
    rc = cfg_for("", 0, 1, "garbage", &c, err);
    unit_check("bad-xenstore", rc < 0 && c.method == NETCFG_DHCP && strstr(err, "xenstore"),
               "err \"%s\"", err);
    rc = cfg_for("", 0, 1, "1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20", &c, err);
    unit_check("long-xenstore", rc < 0 && c.method == NETCFG_DHCP, "rc %d", rc);
    char long_word[300];
    memset(long_word, '9', sizeof(long_word) - 1);
    long_word[sizeof(long_word) - 1] = 0;
    memcpy(long_word, "ip=", 3);
    rc = cfg_for(long_word, 0, 1, NULL, &c, err);
    unit_check("long-word", rc < 0 && strlen(err) < 128, "rc %d", rc);
}

static void test_dns(void)
{
    char *w1[] = {"dns=8.8.8.8,1.1.1.1"}, *w2[] = {"dns=8.8.8.8"},
         *w3[] = {"dns=1.2.3.4,5.6.7.8,9.9.9.9"}, *w4[] = {"dns=1.2.3.4,"}, *w5[] = {"x=1"};
    uint32_t s[NETCFG_MAX_DNS];
    char err[128];
    unit_check("dns-two",
               netcfg_dns(w1, 1, s, err, sizeof(err)) == 2 && s[0] == IP(8, 8, 8, 8) &&
                   s[1] == IP(1, 1, 1, 1),
               "wrong result");
    unit_check("dns-one", netcfg_dns(w2, 1, s, err, sizeof(err)) == 1, "wrong result");
    unit_check("dns-too-many", netcfg_dns(w3, 1, s, err, sizeof(err)) < 0, "wrong result");
    unit_check("dns-trailing-comma", netcfg_dns(w4, 1, s, err, sizeof(err)) < 0, "wrong result");
    unit_check("dns-none", netcfg_dns(w5, 1, s, err, sizeof(err)) == 0, "wrong result");
}

int main(void)
{
    test_parse();
    test_precedence();
    test_errors();
    test_dns();
    return unit_finish("lwip_netcfg");
}
