/* dom0 side of the network tests and benchmarks against stubdom/netsvc
 * (or any echo/discard/chargen/HTTP server).
 *
 *   nettest [-t NAME] echo   HOST PORT BYTES    TCP echo of a pseudo-random stream,
 *                                               every byte checked, CRC-32 printed
 *   nettest [-t NAME] sink   HOST PORT BYTES    send BYTES (to discard): throughput
 *   nettest [-t NAME] source HOST PORT BYTES    read BYTES of chargen, pattern checked
 *   nettest [-t NAME] udp    HOST PORT COUNT    COUNT datagram round trips (1..1400 B)
 *   nettest [-t NAME] http   HOST PORT PATH CLIENTS REQUESTS
 *                       CLIENTS concurrent keep-alive connections, REQUESTS each;
 *                       /file.bin bodies are checked byte by byte
 *   nettest [-t NAME] fpucheck SECONDS
 *                       load distinct values into this process's SSE and AVX
 *                       registers, spin, and check they are still there: a
 *                       dom0 whose vector registers change under its programs
 *                       corrupts their memcpy/memcmp results (see net-http)
 *
 * Prints one result line, and "TEST NAME PASS|FAIL: why" with -t. Exit 0 on
 * success. IPv4 or IPv6 HOST (fe80::...%xenbr0 works). */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <execinfo.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define IO_TIMEOUT_S 60

static const char *test_name;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int result(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int result(bool ok, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    printf("%s\n", msg);
    if (test_name) {
        if (ok)
            printf("TEST %s PASS\n", test_name);
        else
            printf("TEST %s FAIL: %s\n", test_name, msg);
    }
    fflush(stdout);
    return ok ? 0 : 1;
}

/* ---- CRC-32 (IEEE) and the pseudo-random stream (same as netsvc) ---- */
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

static uint32_t crc32_update(uint32_t crc, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    crc = ~crc;
    while (len--)
        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

/* xorshift32 bytes, 4 per step, little-endian; pos counts bytes. */
struct stream {
    uint32_t x;
    uint64_t pos;
};

static void stream_init(struct stream *s, uint32_t seed)
{
    s->x = seed;
    s->pos = 0;
}

static void stream_fill(struct stream *s, uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++, s->pos++) {
        if (s->pos % 4 == 0) {
            s->x ^= s->x << 13;
            s->x ^= s->x >> 17;
            s->x ^= s->x << 5;
        }
        buf[i] = (uint8_t)(s->x >> (8 * (s->pos % 4)));
    }
}

#define FILE_SEED 0x2545f491u /* netsvc's /file.bin */
#define ECHO_SEED 0x1badb002u

/* ---- comparisons that use no vector registers ----
 * glibc's memcpy/memcmp work in 16- and 32-byte vector registers. When a
 * check fails, these byte loops (volatile: the compiler cannot vectorise
 * them) tell a wrong byte on the wire from a wrong vector register in dom0. */
static size_t first_diff(const void *a, const void *b, size_t n)
{
    const volatile uint8_t *x = a, *y = b;
    size_t i = 0;
    while (i < n && x[i] == y[i])
        i++;
    return i;
}

/* Length of the wrong run starting at a difference: up to the next 16
 * agreeing bytes. */
static size_t diff_run(const void *a, const void *b, size_t n)
{
    const volatile uint8_t *x = a, *y = b;
    size_t end = 0, same = 0;
    for (size_t i = 0; i < n && same < 16; i++) {
        if (x[i] != y[i]) {
            end = i + 1;
            same = 0;
        } else {
            same++;
        }
    }
    return end;
}

static void hex16(char *out, const uint8_t *p, size_t n)
{
    out[0] = '\0';
    for (size_t i = 0; i < n && i < 16; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

/* ---- sockets ---- */

/* A numeric IPv4 or IPv6 address ("fe80::1%xenbr0" too); no name lookup,
 * which a static glibc program could not do anyway. */
struct addr {
    struct sockaddr_storage ss;
    socklen_t len;
};

static int resolve(const char *host, const char *port, struct addr *a)
{
    struct sockaddr_in *a4 = (struct sockaddr_in *)&a->ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&a->ss;
    char h[128];
    memset(a, 0, sizeof(*a));
    snprintf(h, sizeof(h), "%s", host);
    if (inet_pton(AF_INET, h, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)atoi(port));
        a->len = sizeof(*a4);
        return 0;
    }
    char *scope = strchr(h, '%');
    if (scope)
        *scope++ = '\0';
    if (inet_pton(AF_INET6, h, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)atoi(port));
        a6->sin6_scope_id = scope ? if_nametoindex(scope) : 0;
        a->len = sizeof(*a6);
        return 0;
    }
    fprintf(stderr, "nettest: %s is not a numeric address\n", host);
    return -1;
}

static int connect_tcp(const char *host, const char *port)
{
    struct addr a;
    if (resolve(host, port, &a) < 0)
        return -1;
    int fd = socket(a.ss.ss_family, SOCK_STREAM, 0);
    struct timeval tv = {IO_TIMEOUT_S, 0};
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(fd, (struct sockaddr *)&a.ss, a.len) < 0) {
            fprintf(stderr, "nettest: connect %s:%s: %s\n", host, port, strerror(errno));
            close(fd);
            fd = -1;
        }
    }
    return fd;
}

static int send_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* ---- echo ---- */

static int do_echo(const char *host, const char *port, uint64_t bytes)
{
    int fd = connect_tcp(host, port);
    if (fd < 0)
        return result(false, "echo: cannot connect to %s port %s", host, port);
    struct stream tx, check;
    stream_init(&tx, ECHO_SEED);
    stream_init(&check, ECHO_SEED);
    uint8_t out[16384], in[16384], want[16384];
    size_t out_len = 0, out_off = 0;
    uint64_t sent = 0, got = 0;
    uint32_t crc_sent = 0, crc_got = 0;
    bool shut = false;
    double t0 = now_s(), last = t0;
    while (got < bytes) {
        struct pollfd p = {fd, POLLIN | (sent < bytes ? POLLOUT : 0), 0};
        int r = poll(&p, 1, 1000);
        if (r < 0 && errno != EINTR)
            break;
        if (r == 0 && now_s() - last > IO_TIMEOUT_S) {
            close(fd);
            return result(false, "echo: stalled after sending %llu and receiving %llu bytes",
                          (unsigned long long)sent, (unsigned long long)got);
        }
        if ((p.revents & POLLOUT) && sent < bytes) {
            if (out_off == out_len) {
                out_len = bytes - sent < sizeof(out) ? (size_t)(bytes - sent) : sizeof(out);
                stream_fill(&tx, out, out_len);
                crc_sent = crc32_update(crc_sent, out, out_len);
                out_off = 0;
            }
            ssize_t k = send(fd, out + out_off, out_len - out_off, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (k > 0) {
                out_off += (size_t)k;
                sent += (uint64_t)k;
                last = now_s();
            } else if (k < 0 && errno != EAGAIN && errno != EINTR) {
                break;
            }
        }
        if (sent == bytes && !shut) {
            shutdown(fd, SHUT_WR);
            shut = true;
        }
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t k = recv(fd, in, sizeof(in), MSG_DONTWAIT);
            if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR))
                break;
            if (k > 0) {
                stream_fill(&check, want, (size_t)k);
                if (memcmp(in, want, (size_t)k) != 0) {
                    size_t i = 0;
                    while (in[i] == want[i])
                        i++;
                    close(fd);
                    return result(false, "echo: byte %llu differs (got %02x, sent %02x)",
                                  (unsigned long long)(got + i), in[i], want[i]);
                }
                crc_got = crc32_update(crc_got, in, (size_t)k);
                got += (uint64_t)k;
                last = now_s();
            }
        }
    }
    double t = now_s() - t0;
    close(fd);
    return result(got == bytes && sent == bytes && crc_got == crc_sent,
                  "echo: sent %llu bytes crc32 %08x, received %llu bytes crc32 %08x, %.2f s, "
                  "%.2f MB/s each way",
                  (unsigned long long)sent, crc_sent, (unsigned long long)got, crc_got, t,
                  t > 0 ? (double)got / t / 1e6 : 0.0);
}

/* ---- sink (to discard) and source (from chargen) ---- */

static int do_sink(const char *host, const char *port, uint64_t bytes)
{
    int fd = connect_tcp(host, port);
    if (fd < 0)
        return result(false, "sink: cannot connect to %s port %s", host, port);
    static uint8_t buf[65536];
    struct stream s;
    stream_init(&s, ECHO_SEED);
    stream_fill(&s, buf, sizeof(buf));
    uint64_t sent = 0;
    double t0 = now_s();
    while (sent < bytes) {
        size_t n = bytes - sent < sizeof(buf) ? (size_t)(bytes - sent) : sizeof(buf);
        if (send_all(fd, buf, n) < 0)
            break;
        sent += n;
    }
    shutdown(fd, SHUT_WR);
    char c;
    while (recv(fd, &c, 1, 0) > 0) /* wait for the server to close: all data is in */
        ;
    double t = now_s() - t0;
    close(fd);
    return result(sent == bytes, "sink: %llu bytes in %.2f s, %.2f MB/s (%.1f Mbit/s)",
                  (unsigned long long)sent, t, t > 0 ? (double)sent / t / 1e6 : 0.0,
                  t > 0 ? (double)sent * 8 / t / 1e6 : 0.0);
}

static char chargen_char(uint64_t pos)
{
    uint64_t line = pos / 74, col = pos % 74;
    if (col == 72)
        return '\r';
    if (col == 73)
        return '\n';
    return (char)(' ' + (line % 95 + col) % 95);
}

static int do_source(const char *host, const char *port, uint64_t bytes)
{
    int fd = connect_tcp(host, port);
    if (fd < 0)
        return result(false, "source: cannot connect to %s port %s", host, port);
    static char buf[65536];
    uint64_t got = 0;
    double t0 = now_s();
    while (got < bytes) {
        size_t want = bytes - got < sizeof(buf) ? (size_t)(bytes - got) : sizeof(buf);
        ssize_t n = recv(fd, buf, want, 0);
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] != chargen_char(got + (uint64_t)i)) {
                close(fd);
                return result(false, "source: chargen byte %llu is %02x, expected %02x",
                              (unsigned long long)(got + (uint64_t)i), (uint8_t)buf[i],
                              (uint8_t)chargen_char(got + (uint64_t)i));
            }
        got += (uint64_t)n;
    }
    double t = now_s() - t0;
    close(fd);
    return result(got == bytes, "source: %llu bytes in %.2f s, %.2f MB/s (%.1f Mbit/s)",
                  (unsigned long long)got, t, t > 0 ? (double)got / t / 1e6 : 0.0,
                  t > 0 ? (double)got * 8 / t / 1e6 : 0.0);
}

/* ---- UDP round trips ---- */

static int do_udp(const char *host, const char *port, int count)
{
    struct addr a;
    if (resolve(host, port, &a) < 0)
        return result(false, "udp: bad address %s", host);
    int fd = socket(a.ss.ss_family, SOCK_DGRAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a.ss, a.len) < 0)
        return result(false, "udp: socket: %s", strerror(errno));
    struct timeval tv = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    struct stream s;
    stream_init(&s, ECHO_SEED);
    uint8_t out[1400], in[2048];
    int ok = 0, retries = 0;
    double rtt_sum = 0, t0 = now_s();
    for (int i = 0; i < count; i++) {
        size_t len = 1 + (size_t)(i * 97) % sizeof(out);
        stream_fill(&s, out, len);
        out[0] = (uint8_t)i; /* tells replies to this datagram from late ones */
        bool done = false;
        for (int attempt = 0; attempt < 5 && !done; attempt++) {
            double t = now_s();
            if (send(fd, out, len, 0) != (ssize_t)len)
                break;
            for (;;) {
                ssize_t n = recv(fd, in, sizeof(in), 0);
                if (n < 0)
                    break; /* timeout: send again */
                if ((size_t)n == len && !memcmp(in, out, len)) {
                    rtt_sum += now_s() - t;
                    done = true;
                    break;
                }
            }
            if (!done)
                retries++;
        }
        ok += done;
    }
    double t = now_s() - t0;
    close(fd);
    return result(ok == count,
                  "udp: %d of %d datagrams echoed intact (%d resent), avg rtt %.3f ms, %.2f s", ok,
                  count, retries, ok ? rtt_sum / ok * 1000 : 0.0, t);
}

/* ---- HTTP clients ---- */

struct http_job {
    const char *host, *port, *path;
    int requests;
    pthread_barrier_t *start;
    int ok, failed;
    char why[320];
};

/* Read one response; its body is checked when it is /file.bin. */
static int read_response(int fd, char *buf, size_t size, size_t *have, bool is_file, char *why,
                         size_t whysize)
{
    size_t end = 0;
    for (;;) {
        for (size_t i = 3; i < *have && !end; i++)
            if (!memcmp(buf + i - 3, "\r\n\r\n", 4))
                end = i + 1;
        if (end)
            break;
        if (*have == size) {
            snprintf(why, whysize, "response header too long");
            return -1;
        }
        ssize_t n = recv(fd, buf + *have, size - *have, 0);
        if (n <= 0) {
            snprintf(why, whysize, "connection ended before a response (%s)",
                     n < 0 ? strerror(errno) : "eof");
            return -1;
        }
        *have += (size_t)n;
    }
    /* The header block as a C string (the body may follow it in buf). */
    char head[4096];
    if (end >= sizeof(head)) {
        snprintf(why, whysize, "response header too long");
        return -1;
    }
    memcpy(head, buf, end);
    size_t bad = first_diff(head, buf, end);
    if (bad < end) {
        char got[33], want[33];
        hex16(got, (const uint8_t *)head + bad, 16);
        hex16(want, (const uint8_t *)buf + bad, 16);
        snprintf(why, whysize,
                 "dom0's memcpy of the response header went wrong at byte %zu (%zu bytes: "
                 "%s instead of %s); the received bytes are right",
                 bad, diff_run(head + bad, buf + bad, end - bad), got, want);
        return -1;
    }
    head[end] = '\0';
    int status = 0;
    long length = -1;
    if (sscanf(head, "HTTP/1.%*d %d", &status) != 1 || status != 200) {
        snprintf(why, whysize, "status %d", status);
        return -1;
    }
    for (char *h = strstr(head, "\r\n"); h; h = strstr(h + 2, "\r\n"))
        if (!strncasecmp(h + 2, "Content-Length:", 15))
            length = strtol(h + 17, NULL, 10);
    if (length < 0) {
        char shown[120];
        size_t k = 0;
        for (size_t i = 0; i < end && k + 5 < sizeof(shown); i++) {
            unsigned char c = (unsigned char)head[i];
            k += (size_t)snprintf(shown + k, sizeof(shown) - k,
                                  c >= 32 && c < 127 ? "%c" : "\\x%02x", c);
        }
        snprintf(why, whysize, "no Content-Length in \"%s\"", shown);
        return -1;
    }
    struct stream s;
    stream_init(&s, FILE_SEED);
    uint8_t want[4096];
    long body = 0;
    size_t off = end;
    bool marker = false;
    while (body < length) {
        if (off == *have) {
            *have = off = 0;
            ssize_t n = recv(fd, buf, size, 0);
            if (n <= 0) {
                snprintf(why, whysize, "body cut at %ld of %ld bytes", body, length);
                return -1;
            }
            *have = (size_t)n;
        }
        size_t n = *have - off;
        if ((long)n > length - body)
            n = (size_t)(length - body);
        if (is_file) {
            for (size_t done = 0; done < n;) {
                size_t k = n - done < sizeof(want) ? n - done : sizeof(want);
                stream_fill(&s, want, k);
                if (memcmp(buf + off + done, want, k)) {
                    const uint8_t *got = (const uint8_t *)buf + off + done;
                    size_t at = first_diff(got, want, k);
                    if (at == k) {
                        snprintf(why, whysize,
                                 "memcmp saw file.bin differ near byte %ld, a byte loop does "
                                 "not: dom0's vector registers changed under memcmp",
                                 body + (long)done);
                        return -1;
                    }
                    char g[33], w[33];
                    hex16(g, got + at, 16);
                    hex16(w, want + at, 16);
                    snprintf(why, whysize, "file.bin byte %ld: %zu bytes wrong (%s instead of %s)",
                             body + (long)(done + at), diff_run(got + at, want + at, k - at), g, w);
                    return -1;
                }
                done += k;
            }
        } else if (memmem(buf + off, n, "stubos", 6)) {
            marker = true;
        }
        off += n;
        body += (long)n;
    }
    memmove(buf, buf + off, *have - off);
    *have -= off;
    if (!is_file && !marker) {
        snprintf(why, whysize, "page without the word stubos");
        return -1;
    }
    return 0;
}

static void *http_client(void *arg)
{
    struct http_job *j = arg;
    int fd = connect_tcp(j->host, j->port);
    pthread_barrier_wait(j->start);
    if (fd < 0) {
        j->failed = j->requests;
        snprintf(j->why, sizeof(j->why), "cannot connect");
        return NULL;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    /* dom0 has little memory: small buffers, small stacks. */
    size_t have = 0, size = 16384;
    char *buf = malloc(size);
    bool is_file = !strcmp(j->path, "/file.bin");
    char req[512];
    for (int i = 0; i < j->requests; i++) {
        bool last = i == j->requests - 1;
        int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", j->path,
                         j->host, last ? "Connection: close\r\n" : "");
        if (send_all(fd, req, (size_t)n) < 0 ||
            read_response(fd, buf, size, &have, is_file, j->why, sizeof(j->why)) < 0) {
            j->failed += j->requests - i;
            break;
        }
        j->ok++;
    }
    free(buf);
    close(fd);
    return NULL;
}

static int do_http(const char *host, const char *port, const char *path, int clients, int requests)
{
    struct http_job *jobs = calloc((size_t)clients, sizeof(*jobs));
    pthread_t *threads = calloc((size_t)clients, sizeof(*threads));
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)clients);
    double t0 = now_s();
    for (int i = 0; i < clients; i++) {
        jobs[i] = (struct http_job){host, port, path, requests, &start, 0, 0, ""};
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, 64 * 1024);
        if (pthread_create(&threads[i], &attr, http_client, &jobs[i]) != 0) {
            fprintf(stderr, "nettest: cannot create client thread %d\n", i);
            exit(1);
        }
    }
    int ok = 0, failed = 0;
    const char *why = "";
    for (int i = 0; i < clients; i++) {
        pthread_join(threads[i], NULL);
        ok += jobs[i].ok;
        failed += jobs[i].failed;
        if (jobs[i].failed && !*why)
            why = jobs[i].why;
    }
    double t = now_s() - t0;
    return result(failed == 0 && ok == clients * requests,
                  "http: %d clients x %d requests of %s: %d ok, %d failed%s%s, %.2f s, %.1f req/s",
                  clients, requests, path, ok, failed, *why ? ": " : "", why, t,
                  t > 0 ? ok / t : 0.0);
}

/* ---- fpucheck ----
 * A program's vector registers must survive everything that can happen
 * between two of its instructions: Linux switching tasks, Xen switching
 * vCPUs (dom0 and a guest share the one CPU of the lab). Load 16 distinct
 * values, spin without touching them, store them back and compare; once
 * with legacy SSE instructions, once with AVX (VEX-encoded) ones. */
#if defined(__x86_64__)
#define VEC_REGS 16
static uint8_t vec_in[VEC_REGS][32] __attribute__((aligned(32)));
static uint8_t vec_out[VEC_REGS][32] __attribute__((aligned(32)));

#define VEC_16(op)                                                                                 \
    op(0) op(1) op(2) op(3) op(4) op(5) op(6) op(7) op(8) op(9) op(10) op(11) op(12) op(13) op(14) \
        op(15)
#define SSE_LOAD(i) "movdqu " #i "*32(%[in]), %%xmm" #i "\n\t"
#define SSE_STORE(i) "movdqu %%xmm" #i ", " #i "*32(%[out])\n\t"
#define AVX_LOAD(i) "vmovdqu " #i "*32(%[in]), %%ymm" #i "\n\t"
#define AVX_STORE(i) "vmovdqu %%ymm" #i ", " #i "*32(%[out])\n\t"
#define VEC_CLOBBERS                                                                               \
    "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",      \
        "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

static void vec_round_sse(unsigned long spins)
{
    __asm__ volatile(VEC_16(SSE_LOAD) "1: pause\n\tdec %[n]\n\tjnz 1b\n\t" VEC_16(SSE_STORE)
                     : [n] "+r"(spins)
                     : [in] "r"(vec_in), [out] "r"(vec_out)
                     : VEC_CLOBBERS);
}

static void vec_round_avx(unsigned long spins)
{
    __asm__ volatile(
        VEC_16(AVX_LOAD) "1: pause\n\tdec %[n]\n\tjnz 1b\n\t" VEC_16(AVX_STORE) "vzeroupper\n\t"
        : [n] "+r"(spins)
        : [in] "r"(vec_in), [out] "r"(vec_out)
        : VEC_CLOBBERS);
}

static int do_fpucheck(double seconds)
{
    bool avx = __builtin_cpu_supports("avx");
    unsigned long rounds[2] = {0, 0}, bad[2] = {0, 0};
    char first[200] = "";
    uint32_t x = 0x9e3779b9u;
    double t0 = now_s();
    while (now_s() - t0 < seconds) {
        for (int kind = 0; kind < (avx ? 2 : 1); kind++) {
            size_t width = kind ? 32 : 16;
            for (size_t r = 0; r < VEC_REGS; r++)
                for (size_t b = 0; b < 32; b++) {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    vec_in[r][b] = (uint8_t)x;
                }
            memset(vec_out, 0, sizeof(vec_out));
            if (kind)
                vec_round_avx(200000);
            else
                vec_round_sse(200000);
            rounds[kind]++;
            for (size_t r = 0; r < VEC_REGS; r++) {
                if (first_diff(vec_in[r], vec_out[r], width) == width)
                    continue;
                if (!bad[kind]++) {
                    char got[65] = "", want[65] = "";
                    for (size_t b = 0; b < width; b++) {
                        sprintf(got + 2 * b, "%02x", vec_out[r][b]);
                        sprintf(want + 2 * b, "%02x", vec_in[r][b]);
                    }
                    snprintf(first, sizeof(first), "; first: %s%zu held %s, loaded %s",
                             kind ? "ymm" : "xmm", r, got, want);
                }
                break;
            }
        }
    }
    return result(bad[0] + bad[1] == 0,
                  "fpucheck: %lu SSE rounds, %lu changed; %lu AVX rounds%s, %lu changed%s",
                  rounds[0], bad[0], rounds[1], avx ? "" : " (no AVX)", bad[1], first);
}
#else
static int do_fpucheck(double seconds)
{
    (void)seconds;
    printf("fpucheck: x86_64 only\n");
    if (test_name)
        printf("TEST %s SKIP: fpucheck is x86_64 only\n", test_name);
    return 0;
}
#endif

/* A crash report good enough to find the line with addr2line. */
static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    void *frames[32];
    char msg[96];
    (void)ctx;
    int n = snprintf(msg, sizeof(msg), "nettest: signal %d at address %p; backtrace:\n", sig,
                     si->si_addr);
    write(2, msg, (size_t)n);
    backtrace_symbols_fd(frames, backtrace(frames, 32), 2);
    _exit(70);
}

static void usage(void)
{
    fprintf(stderr, "usage: nettest [-t NAME] echo|sink|source HOST PORT BYTES\n"
                    "       nettest [-t NAME] udp HOST PORT COUNT\n"
                    "       nettest [-t NAME] http HOST PORT PATH CLIENTS REQUESTS\n"
                    "       nettest [-t NAME] fpucheck SECONDS\n");
    exit(64);
}

int main(int argc, char **argv)
{
    int i = 1;
    if (argc > 2 && !strcmp(argv[1], "-t")) {
        test_name = argv[2];
        i = 3;
    }
    if (argc - i == 3 && !strcmp(argv[i], "genfile")) {
        /* nettest genfile PATH BYTES: write the /file.bin stream, for tests of other servers */
        FILE *f = fopen(argv[i + 1], "wb");
        struct stream st;
        uint8_t b[4096];
        stream_init(&st, FILE_SEED);
        for (long left = atol(argv[i + 2]); f && left > 0; left -= (long)sizeof(b)) {
            stream_fill(&st, b, sizeof(b));
            fwrite(b, 1, left < (long)sizeof(b) ? (size_t)left : sizeof(b), f);
        }
        return f && fclose(f) == 0 ? 0 : 1;
    }
    crc32_init();
    if (argc - i == 2 && !strcmp(argv[i], "fpucheck"))
        return do_fpucheck(atof(argv[i + 1]));
    if (argc - i < 4)
        usage();
    struct sigaction sa = {.sa_sigaction = on_fault, .sa_flags = SA_SIGINFO};
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    crc32_init();
    const char *mode = argv[i], *host = argv[i + 1], *port = argv[i + 2];
    if (!strcmp(mode, "echo"))
        return do_echo(host, port, strtoull(argv[i + 3], NULL, 0));
    if (!strcmp(mode, "sink"))
        return do_sink(host, port, strtoull(argv[i + 3], NULL, 0));
    if (!strcmp(mode, "source"))
        return do_source(host, port, strtoull(argv[i + 3], NULL, 0));
    if (!strcmp(mode, "udp"))
        return do_udp(host, port, atoi(argv[i + 3]));
    if (!strcmp(mode, "http") && argc - i == 6)
        return do_http(host, port, argv[i + 3], atoi(argv[i + 4]), atoi(argv[i + 5]));
    usage();
}
