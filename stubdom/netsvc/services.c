/* The small services: TCP echo, discard and chargen, UDP echo.
 * Each TCP connection runs in its own thread (main.c). */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <minios/time.h>

#include "netsvc.h"

#define BUF_SIZE 8192 /* thread stacks are 32 KiB: keep buffers modest */

static double seconds_since(uint64_t start_ns)
{
    return (double)(monotonic_ns() - start_ns) / 1e9;
}

/* Echo (RFC 862): everything back. The CRC-32 of the stream is logged so a
 * test can check that we received exactly what the client sent. */
void svc_echo(int fd)
{
    char buf[BUF_SIZE], peer[64];
    uint64_t total = 0, start = monotonic_ns();
    uint32_t crc = 0;
    netsvc_peer_name(fd, peer, sizeof(peer));
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 0)
            break;
        netsvc_stats.bytes_in += (uint64_t)n;
        total += (uint64_t)n;
        crc = crc32_update(crc, buf, (size_t)n);
        if (netsvc_send_all(fd, buf, (size_t)n) < 0)
            break;
    }
    double s = seconds_since(start);
    printf("echo: %s: %llu bytes crc32 %08x in %.2f s (%.2f MB/s)\n", peer,
           (unsigned long long)total, (unsigned)crc, s, s > 0 ? (double)total / s / 1e6 : 0.0);
}

/* Discard (RFC 863): read and forget; the log line is a throughput figure. */
void svc_discard(int fd)
{
    char buf[BUF_SIZE], peer[64];
    uint64_t total = 0, start = monotonic_ns();
    netsvc_peer_name(fd, peer, sizeof(peer));
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 0)
            break;
        total += (uint64_t)n;
    }
    netsvc_stats.bytes_in += total;
    double s = seconds_since(start);
    printf("discard: %s: %llu bytes in %.2f s (%.2f MB/s)\n", peer, (unsigned long long)total, s,
           s > 0 ? (double)total / s / 1e6 : 0.0);
}

/* Chargen (RFC 864): 72-character lines, each starting one character
 * further along the 95 printable ASCII characters. The pattern repeats
 * after 95 lines, so one precomputed block serves forever. */
#define CHARGEN_LINE 72
#define CHARGEN_LINES 95
static char chargen_block[CHARGEN_LINES * (CHARGEN_LINE + 2)];

static void chargen_init(void)
{
    char *p = chargen_block;
    for (int line = 0; line < CHARGEN_LINES; line++) {
        for (int i = 0; i < CHARGEN_LINE; i++)
            *p++ = (char)(' ' + (line + i) % 95);
        *p++ = '\r';
        *p++ = '\n';
    }
}

void svc_chargen(int fd)
{
    char peer[64];
    uint64_t total = 0, start = monotonic_ns();
    if (chargen_block[0] == 0)
        chargen_init();
    netsvc_peer_name(fd, peer, sizeof(peer));
    /* Until the client closes: then sending fails. */
    while (netsvc_send_all(fd, chargen_block, sizeof(chargen_block)) == 0)
        total += sizeof(chargen_block);
    double s = seconds_since(start);
    printf("chargen: %s: %llu bytes in %.2f s (%.2f MB/s)\n", peer, (unsigned long long)total, s,
           s > 0 ? (double)total / s / 1e6 : 0.0);
}

/* UDP echo: one thread for all clients. */
void *svc_udp_echo(void *arg)
{
    int port = *(int *)arg;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        printf("netsvc: udp echo: cannot bind port %d (%s)\n", port, strerror(errno));
        return NULL;
    }
    static char buf[65536];
    for (;;) {
        struct sockaddr_storage from;
        socklen_t len = sizeof(from);
        ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
        if (n < 0)
            continue;
        netsvc_stats.udp_datagrams++;
        netsvc_stats.bytes_in += (uint64_t)n;
        if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len) == n)
            netsvc_stats.bytes_out += (uint64_t)n;
    }
}
