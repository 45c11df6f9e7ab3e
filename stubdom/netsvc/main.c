/* netsvc start-up: bring up the network, start one listener thread per TCP
 * service and the UDP echo thread, then wait (xl shutdown ends us). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <minios/time.h>
#include <stubos/net.h>

#include "netsvc.h"

struct netsvc_stats netsvc_stats;

struct service_def {
    const char *name;
    const char *port_word; /* command-line word that moves it */
    int port;
    void (*fn)(int fd);
};

static struct service_def services[] = {
    [SVC_ECHO] = {"echo", "echo_port", 7, svc_echo},
    [SVC_DISCARD] = {"discard", "discard_port", 9, svc_discard},
    [SVC_CHARGEN] = {"chargen", "chargen_port", 19, svc_chargen},
    [SVC_HTTP] = {"http", "http_port", 80, svc_http},
};

struct conn {
    void (*fn)(int fd);
    int fd;
};

static void *conn_thread(void *arg)
{
    struct conn c = *(struct conn *)arg;
    free(arg);
    netsvc_stats.active++;
    c.fn(c.fd);
    close(c.fd);
    netsvc_stats.active--;
    return NULL;
}

void netsvc_spawn(void (*fn)(int fd), int fd)
{
    struct conn *c = malloc(sizeof(*c));
    pthread_t t;
    if (c) {
        c->fn = fn;
        c->fd = fd;
        if (pthread_create(&t, NULL, conn_thread, c) == 0) {
            pthread_detach(t);
            return;
        }
        free(c);
    }
    fprintf(stderr, "netsvc: no memory for a connection thread; closing it\n");
    close(fd);
}

int netsvc_listen(int port)
{
    int one = 1;
    /* One IPv6 socket bound to :: takes IPv4 connections too (lwIP does
     * dual-stack when IPV6_V6ONLY is off); plain IPv4 if that fails. */
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    if (fd >= 0) {
        struct sockaddr_in6 a6;
        memset(&a6, 0, sizeof(a6));
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)port);
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *)&a6, sizeof(a6)) == 0 && listen(fd, 64) == 0)
            return fd;
        close(fd);
    }
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 64) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

void netsvc_peer_name(int fd, char *buf, size_t size)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char addr[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *a = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &a->sin_addr, addr, sizeof(addr));
            port = ntohs(a->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
            static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
            const uint8_t *b = (const uint8_t *)&a->sin6_addr;
            if (!memcmp(b, v4mapped, sizeof(v4mapped))) /* IPv4 client of the dual-stack socket */
                inet_ntop(AF_INET, b + 12, addr, sizeof(addr));
            else
                inet_ntop(AF_INET6, &a->sin6_addr, addr, sizeof(addr));
            port = ntohs(a->sin6_port);
        }
    }
    snprintf(buf, size, "%s:%d", addr, port);
}

int netsvc_send_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
        netsvc_stats.bytes_out += (uint64_t)n;
    }
    return 0;
}

static void *listener(void *arg)
{
    struct service_def *svc = arg;
    int lfd = netsvc_listen(svc->port);
    if (lfd < 0) {
        printf("netsvc: %s: cannot listen on port %d (%s)\n", svc->name, svc->port,
               strerror(errno));
        return NULL;
    }
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            /* Out of descriptors or memory: let connections finish. */
            if (errno == EMFILE || errno == ENFILE || errno == ENOMEM || errno == ENOBUFS)
                usleep(10000);
            continue;
        }
        netsvc_stats.connections[svc - services]++;
        netsvc_spawn(svc->fn, fd);
    }
    return NULL;
}

/* "<word>=<number>" among argv moves a service to another port. */
static int port_from_args(int argc, char **argv, const char *word, int dflt)
{
    size_t n = strlen(word);
    for (int i = 1; i < argc; i++)
        if (!strncmp(argv[i], word, n) && argv[i][n] == '=') {
            int p = atoi(argv[i] + n + 1);
            if (p > 0 && p < 65536)
                return p;
            printf("netsvc: ignoring bad %s\n", argv[i]);
        }
    return dflt;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    netsvc_stats.started_ns = monotonic_ns();
    netsvc_content_init();

    int vifs = net_init();
    if (vifs < 0) {
        printf("netsvc: the network stack did not start (%d)\n", vifs);
        return 1;
    }
    if (vifs == 0)
        printf("netsvc: no vif: serving on loopback only\n");

    pthread_t t;
    for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
        services[i].port = port_from_args(argc, argv, services[i].port_word, services[i].port);
        if (pthread_create(&t, NULL, listener, &services[i]) != 0) {
            printf("netsvc: cannot start %s\n", services[i].name);
            return 1;
        }
        pthread_detach(t);
    }
    static int udp_port;
    udp_port = port_from_args(argc, argv, "udp_echo_port", 7);
    if (pthread_create(&t, NULL, svc_udp_echo, &udp_port) == 0)
        pthread_detach(t);

    printf("netsvc: ready: echo %d, discard %d, chargen %d, http %d (tcp), echo %d (udp)\n",
           services[SVC_ECHO].port, services[SVC_DISCARD].port, services[SVC_CHARGEN].port,
           services[SVC_HTTP].port, udp_port);
    for (;;)
        sleep(3600); /* the services run in their threads; xl shutdown ends the domain */
}
