/* What the HTTP server serves: a status page made on each request, a
 * static page, and a 1 MiB file generated into memory at start-up. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <minios/kernel.h>
#include <minios/mm.h>
#include <minios/time.h>
#include <stubos/net.h>

#include "netsvc.h"

/* ---- CRC-32 (IEEE 802.3, as zlib and "cksum -a crc32b"), table driven ---- */
static uint32_t crc_table[256];

static void crc32_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

uint32_t crc32_update(uint32_t crc, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    crc = ~crc;
    while (len--)
        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

/* ---- /file.bin: xorshift32 from a fixed seed, 4 bytes little-endian per
 * step, so a client can check every byte without a copy of the file
 * (tests/dom0/nettest.c generates the same stream). ---- */
static uint8_t *file_data;

const uint8_t *netsvc_file(void)
{
    return file_data;
}

void netsvc_content_init(void)
{
    crc32_init();
    file_data = malloc(NETSVC_FILE_SIZE);
    if (!file_data) {
        printf("netsvc: no memory for file.bin\n");
        exit(1);
    }
    uint32_t x = 0x2545f491u;
    for (size_t i = 0; i < NETSVC_FILE_SIZE; i += 4) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        file_data[i] = (uint8_t)x;
        file_data[i + 1] = (uint8_t)(x >> 8);
        file_data[i + 2] = (uint8_t)(x >> 16);
        file_data[i + 3] = (uint8_t)(x >> 24);
    }
    printf("netsvc: file.bin: %d bytes, crc32 %08x\n", NETSVC_FILE_SIZE,
           (unsigned)crc32_update(0, file_data, NETSVC_FILE_SIZE));
}

const char netsvc_index_html[] =
    "<!DOCTYPE html>\n"
    "<html><head><title>stubos netsvc</title></head>\n"
    "<body><h1>stubos netsvc</h1>\n"
    "<p>A Xen stub domain serving HTTP/1.1 from memory over lwIP.</p>\n"
    "<ul><li><a href=\"/\">status</a></li><li><a href=\"/file.bin\">file.bin</a> (1 "
    "MiB)</li></ul>\n"
    "</body></html>\n";

/* ---- the status page ---- */

struct out {
    char *buf;
    size_t size, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->len = o->len + (size_t)n < o->size ? o->len + (size_t)n : o->size - 1;
}

static const char *ip4(uint32_t a, char *buf)
{
    return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

size_t netsvc_status_page(char *buf, size_t size)
{
    struct out o = {buf, size, 0};
    uint64_t up = (monotonic_ns() - netsvc_stats.started_ns) / 1000000000u;
    buf[0] = '\0';
    put(&o, "<!DOCTYPE html>\n<html><head><title>netsvc status</title></head><body>\n");
    put(&o, "<h1>netsvc status</h1>\n<pre>\n");
    put(&o, "uptime        %llu s\n", (unsigned long long)up);
    put(&o, "xen           %s\n", kernel_xen_version());
    put(&o, "memory        %lu KiB, %lu KiB free pages\n",
        (unsigned long)(boot_info.ram_bytes >> 10), (unsigned long)(pages_free_count() * 4));
    put(&o, "connections   echo %lu, discard %lu, chargen %lu, http %lu; %lu open now\n",
        netsvc_stats.connections[SVC_ECHO], netsvc_stats.connections[SVC_DISCARD],
        netsvc_stats.connections[SVC_CHARGEN], netsvc_stats.connections[SVC_HTTP],
        netsvc_stats.active);
    put(&o, "http          %lu requests, %lu errors\n", netsvc_stats.http_requests,
        netsvc_stats.http_errors);
    put(&o, "udp echo      %lu datagrams\n", netsvc_stats.udp_datagrams);
    put(&o, "bytes         %llu in, %llu out\n", (unsigned long long)netsvc_stats.bytes_in,
        (unsigned long long)netsvc_stats.bytes_out);
    for (int i = 0; i < net_if_count(); i++) {
        struct net_if_info in;
        char a[INET_ADDRSTRLEN], m[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];
        if (net_if_get(i, &in) < 0)
            continue;
        put(&o, "\nvif%u (%s)    mac %02x:%02x:%02x:%02x:%02x:%02x, link %s, %s\n", in.vif_id,
            in.name, in.mac[0], in.mac[1], in.mac[2], in.mac[3], in.mac[4], in.mac[5],
            in.link_up ? "up" : "down", in.method);
        put(&o, "  ipv4        %s netmask %s gw %s\n", ip4(in.ipv4, a), ip4(in.netmask, m),
            in.gw ? ip4(in.gw, g) : "none");
        for (int k = 0; k < 2; k++)
            if (in.ipv6[k][0])
                put(&o, "  ipv6        %s\n", in.ipv6[k]);
        put(&o, "  rx          %llu packets, %llu bytes, %llu dropped\n",
            (unsigned long long)in.rx_packets, (unsigned long long)in.rx_bytes,
            (unsigned long long)in.rx_dropped);
        put(&o, "  tx          %llu packets, %llu bytes, %llu dropped\n",
            (unsigned long long)in.tx_packets, (unsigned long long)in.tx_bytes,
            (unsigned long long)in.tx_dropped);
    }
    if (net_if_count() == 0)
        put(&o, "\nno vif: loopback only\n");
    put(&o, "\nlwIP counters\n");
    o.len += net_stats_format(o.buf + o.len, o.size - o.len);
    put(&o, "</pre>\n<p>stubos netsvc</p>\n</body></html>\n");
    return o.len;
}
