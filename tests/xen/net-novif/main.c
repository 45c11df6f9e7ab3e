/* Sockets without a vif: the domain has no network interface, says so, and
 * the POSIX socket calls still work over loopback (127.0.0.1 and ::1):
 * TCP and UDP, names and addresses, options, non-blocking mode, poll() and
 * select() over sockets and the console together, many threads talking
 * at once with every byte checked, and close() waking threads blocked in
 * recv()/read()/accept()/recvfrom() on the same socket. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <minios/time.h>
#include <stubos/net.h>

static int failures;

#define CHECK(name, cond, ...)                                                                     \
    do {                                                                                           \
        if (cond) {                                                                                \
            printf("TEST %s PASS\n", name);                                                        \
        } else {                                                                                   \
            failures++;                                                                            \
            printf("TEST %s FAIL: ", name);                                                        \
            printf(__VA_ARGS__);                                                                   \
            printf(" (errno %d %s)\n", errno, strerror(errno));                                    \
        }                                                                                          \
    } while (0)

static uint64_t ms_now(void)
{
    return monotonic_ns() / 1000000;
}

static struct sockaddr_in loopback4(int port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

/* A listening TCP socket on 127.0.0.1, port chosen by the stack. */
static int tcp_listener(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = loopback4(0);
    socklen_t len = sizeof(a);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 64) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0)
        return -1;
    *port = ntohs(a.sin_port);
    return fd;
}

static void test_getaddrinfo(void)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo("127.0.0.1", "8080", &hints, &res);
    struct sockaddr_in *a = res ? (struct sockaddr_in *)res->ai_addr : NULL;
    CHECK("getaddrinfo-ipv4",
          rc == 0 && res && res->ai_family == AF_INET &&
              a->sin_addr.s_addr == htonl(INADDR_LOOPBACK) && ntohs(a->sin_port) == 8080,
          "rc %d (%s)", rc, gai_strerror(rc));
    if (res)
        freeaddrinfo(res);
    res = NULL;
    rc = getaddrinfo("::1", "443", &hints, &res);
    CHECK("getaddrinfo-ipv6",
          rc == 0 && res && res->ai_family == AF_INET6 &&
              ntohs(((struct sockaddr_in6 *)res->ai_addr)->sin6_port) == 443,
          "rc %d (%s)", rc, gai_strerror(rc));
    if (res)
        freeaddrinfo(res);
    res = NULL;
    hints.ai_flags = AI_NUMERICHOST;
    rc = getaddrinfo("no.such.host", "80", &hints, &res);
    CHECK("getaddrinfo-numeric-only", rc != 0 && res == NULL, "rc %d", rc);
    char buf[INET6_ADDRSTRLEN];
    struct in6_addr a6;
    CHECK("inet-pton-ntop",
          inet_pton(AF_INET6, "fe80::1:2", &a6) == 1 &&
              inet_ntop(AF_INET6, &a6, buf, sizeof(buf)) && !strcasecmp(buf, "fe80::1:2"),
          "got %s", buf);
}

static void test_tcp(void)
{
    int port, lfd = tcp_listener(&port);
    CHECK("tcp-listen", lfd >= 0 && port > 0, "port %d", port);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = loopback4(port);
    CHECK("tcp-connect", connect(c, (struct sockaddr *)&a, sizeof(a)) == 0, "connect");
    struct sockaddr_in peer, mine;
    socklen_t plen = sizeof(peer), mlen = sizeof(mine);
    int s = accept(lfd, (struct sockaddr *)&peer, &plen);
    getsockname(c, (struct sockaddr *)&mine, &mlen);
    CHECK("tcp-accept", s >= 0 && peer.sin_port == mine.sin_port, "accept %d", s);

    char buf[64];
    ssize_t n = send(c, "ping", 4, 0);
    ssize_t m = recv(s, buf, sizeof(buf), 0);
    CHECK("tcp-send-recv", n == 4 && m == 4 && !memcmp(buf, "ping", 4), "%zd %zd", n, m);
    n = write(s, "pong!", 5);
    m = read(c, buf, sizeof(buf));
    CHECK("tcp-read-write", n == 5 && m == 5 && !memcmp(buf, "pong!", 5), "%zd %zd", n, m);

    int type = 0, err = -1, nodelay = 1, got = 0;
    socklen_t len = sizeof(type);
    getsockopt(c, SOL_SOCKET, SO_TYPE, &type, &len);
    len = sizeof(err);
    getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len);
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &nodelay, sizeof(nodelay));
    len = sizeof(got);
    getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &got, &len);
    CHECK("tcp-sockopts", type == SOCK_STREAM && err == 0 && got != 0, "type %d err %d nodelay %d",
          type, err, got);

    CHECK("tcp-shutdown", shutdown(c, SHUT_WR) == 0 && recv(s, buf, sizeof(buf), 0) == 0,
          "no EOF after shutdown");
    CHECK("tcp-half-open", send(s, "x", 1, 0) == 1 && recv(c, buf, 1, 0) == 1, "other way");
    close(c);
    close(s);

    /* A non-blocking listener and connection. */
    fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK);
    errno = 0;
    CHECK("accept-nonblock",
          accept(lfd, NULL, NULL) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK),
          "accept did not say EAGAIN");
    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int rc = connect(c, (struct sockaddr *)&a, sizeof(a));
    struct pollfd p = {c, POLLOUT, 0};
    CHECK("connect-nonblock",
          (rc == 0 || errno == EINPROGRESS) && poll(&p, 1, 2000) == 1 && (p.revents & POLLOUT),
          "rc %d revents %x", rc, p.revents);
    p = (struct pollfd){lfd, POLLIN, 0};
    s = poll(&p, 1, 2000) == 1 ? accept(lfd, NULL, NULL) : -1;
    CHECK("poll-listener", s >= 0, "no connection to accept");
    errno = 0;
    CHECK("recv-nonblock",
          recv(c, buf, sizeof(buf), 0) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK),
          "recv did not say EAGAIN");
    int avail = -1;
    send(s, "abc", 3, 0);
    p = (struct pollfd){c, POLLIN, 0};
    poll(&p, 1, 2000);
    CHECK("ioctl-fionread", ioctl(c, FIONREAD, &avail) == 0 && avail == 3, "avail %d", avail);
    close(c);
    close(s);
    close(lfd);

    errno = 0;
    CHECK("not-a-socket", send(1, "x", 1, 0) < 0 && errno == ENOTSOCK, "send on stdout");
    errno = 0;
    CHECK("bad-fd", recv(200, buf, 1, 0) < 0 && errno == EBADF, "recv on fd 200");
}

static void test_udp_and_poll(void)
{
    int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a1 = loopback4(0), a2 = loopback4(0), from;
    socklen_t len = sizeof(a1);
    bind(u1, (struct sockaddr *)&a1, sizeof(a1));
    getsockname(u1, (struct sockaddr *)&a1, &len);
    bind(u2, (struct sockaddr *)&a2, sizeof(a2));
    len = sizeof(a2);
    getsockname(u2, (struct sockaddr *)&a2, &len);

    /* Nothing to read yet: only stdout is ready. */
    struct pollfd p[3] = {{0, POLLIN, 0}, {1, POLLOUT, 0}, {u2, POLLIN, 0}};
    int n = poll(p, 3, 100);
    CHECK("poll-console-only", n == 1 && p[1].revents == POLLOUT && !p[0].revents && !p[2].revents,
          "n %d revents %x %x %x", n, p[0].revents, p[1].revents, p[2].revents);
    uint64_t t0 = ms_now();
    n = poll(p, 1, 300); /* stdin alone: nothing types on the console */
    uint64_t waited = ms_now() - t0;
    CHECK("poll-timeout", n == 0 && waited >= 290 && waited < 2000, "n %d after %llu ms", n,
          (unsigned long long)waited);

    char buf[32];
    ssize_t k = sendto(u1, "datagram", 8, 0, (struct sockaddr *)&a2, sizeof(a2));
    poll(&p[2], 1, 2000); /* loopback delivers through the tcpip thread */
    n = poll(p, 3, 0);
    CHECK("poll-socket-and-console",
          k == 8 && n == 2 && (p[2].revents & POLLIN) && (p[1].revents & POLLOUT),
          "sent %zd, n %d revents %x", k, n, p[2].revents);
    len = sizeof(from);
    k = recvfrom(u2, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
    CHECK("udp-recvfrom",
          k == 8 && !memcmp(buf, "datagram", 8) && from.sin_port == a1.sin_port &&
              from.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
          "got %zd", k);

    /* select: stdin and the socket for reading, stdout for writing. */
    fd_set rd, wr;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(0, &rd);
    FD_SET(u2, &rd);
    FD_SET(1, &wr);
    struct timeval tv = {0, 100000};
    n = select(u2 + 1, &rd, NULL, NULL, &tv);
    CHECK("select-timeout", n == 0 && !FD_ISSET(u2, &rd), "n %d", n);
    FD_SET(0, &rd);
    FD_SET(u2, &rd);
    sendto(u1, "again", 5, 0, (struct sockaddr *)&a2, sizeof(a2));
    tv = (struct timeval){2, 0};
    n = select(u2 + 1, &rd, NULL, NULL, &tv); /* the datagram arrives */
    FD_SET(0, &rd);
    FD_SET(u2, &rd);
    tv = (struct timeval){0, 0};
    n = select(u2 + 1, &rd, &wr, NULL, &tv);
    CHECK("select-socket-and-console",
          n == 2 && FD_ISSET(u2, &rd) && FD_ISSET(1, &wr) && !FD_ISSET(0, &rd), "n %d", n);
    recv(u2, buf, sizeof(buf), 0);
    close(u1);
    close(u2);
}

/* A blocked poll() wakes when another thread makes a socket readable. */
static int wake_fd;
static struct sockaddr_in wake_addr;

static void *poke(void *arg)
{
    (void)arg;
    usleep(200000);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    sendto(u, "wake", 4, 0, (struct sockaddr *)&wake_addr, sizeof(wake_addr));
    close(u);
    return NULL;
}

static void test_poll_wakeup(void)
{
    wake_fd = socket(AF_INET, SOCK_DGRAM, 0);
    wake_addr = loopback4(0);
    socklen_t len = sizeof(wake_addr);
    bind(wake_fd, (struct sockaddr *)&wake_addr, sizeof(wake_addr));
    getsockname(wake_fd, (struct sockaddr *)&wake_addr, &len);
    pthread_t t;
    pthread_create(&t, NULL, poke, NULL);
    struct pollfd p[2] = {{0, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    uint64_t t0 = ms_now();
    int n = poll(p, 2, 5000);
    uint64_t waited = ms_now() - t0;
    CHECK("poll-wakes-on-socket", n == 1 && (p[1].revents & POLLIN) && waited < 3000,
          "n %d after %llu ms", n, (unsigned long long)waited);
    pthread_join(t, NULL);
    close(wake_fd);
}

/* ---- many threads at once: every byte checked ---- */
#define STRESS_CLIENTS 32
#define STRESS_ROUNDS 40
static int stress_port;
static int stress_bad, stress_done;

static void fill(char *buf, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        buf[i] = (char)(seed >> 16);
    }
}

static void *stress_server(void *arg)
{
    int fd = (int)(long)arg;
    char buf[2048];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 0)
            break;
        if (send(fd, buf, (size_t)n, 0) != n)
            break;
    }
    close(fd);
    return NULL;
}

static void *stress_acceptor(void *arg)
{
    int lfd = (int)(long)arg;
    for (int i = 0; i < STRESS_CLIENTS; i++) {
        int fd = accept(lfd, NULL, NULL);
        pthread_t t;
        if (fd >= 0 && pthread_create(&t, NULL, stress_server, (void *)(long)fd) == 0)
            pthread_detach(t);
    }
    return NULL;
}

static void *stress_client(void *arg)
{
    unsigned id = (unsigned)(long)arg;
    struct sockaddr_in a = loopback4(stress_port);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        stress_bad++;
        return NULL;
    }
    char out[1500], in[1500];
    for (int r = 0; r < STRESS_ROUNDS; r++) {
        size_t len = 100 + (id * 37 + (unsigned)r * 101) % 1400;
        fill(out, len, id * 1000 + (unsigned)r);
        if (send(fd, out, len, 0) != (ssize_t)len) {
            stress_bad++;
            break;
        }
        size_t got = 0;
        while (got < len) {
            ssize_t n = recv(fd, in + got, len - got, 0);
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        if (got != len || memcmp(in, out, len)) {
            size_t i = 0;
            while (i < got && in[i] == out[i])
                i++;
            printf("stress: client %u round %d: %zu of %zu bytes, first difference at %zu\n", id, r,
                   got, len, i);
            stress_bad++;
            break;
        }
    }
    close(fd);
    stress_done++;
    return NULL;
}

static void test_stress(void)
{
    int lfd = tcp_listener(&stress_port);
    pthread_t acc, clients[STRESS_CLIENTS];
    pthread_create(&acc, NULL, stress_acceptor, (void *)(long)lfd);
    for (int i = 0; i < STRESS_CLIENTS; i++)
        pthread_create(&clients[i], NULL, stress_client, (void *)(long)i);
    for (int i = 0; i < STRESS_CLIENTS; i++)
        pthread_join(clients[i], NULL);
    pthread_join(acc, NULL);
    close(lfd);
    CHECK("tcp-threads", stress_bad == 0 && stress_done == STRESS_CLIENTS, "%d clients, %d failed",
          stress_done, stress_bad);
}

/* ---- close() wakes threads blocked in the same socket ---- */
enum blocked_call { IN_RECV, IN_READ, IN_ACCEPT, IN_RECVFROM };

struct blocked {
    enum blocked_call call;
    int fd;
    volatile bool done;
    long rc;
    int err;
};

static void *block_in(void *arg)
{
    struct blocked *b = arg;
    char buf[64];
    switch (b->call) {
    case IN_RECV:
        b->rc = recv(b->fd, buf, sizeof(buf), 0);
        break;
    case IN_READ:
        b->rc = read(b->fd, buf, sizeof(buf));
        break;
    case IN_ACCEPT:
        b->rc = accept(b->fd, NULL, NULL);
        break;
    case IN_RECVFROM:
        b->rc = recvfrom(b->fd, buf, sizeof(buf), 0, NULL, NULL);
        break;
    }
    b->err = errno;
    b->done = true;
    return NULL;
}

/* Start a thread blocked in call on fd, close fd, and check the thread
 * comes back with EBADF. */
static void check_close_wakes(const char *name, enum blocked_call call, int fd)
{
    struct blocked *b = calloc(1, sizeof(*b)); /* kept if the thread never wakes */
    b->call = call;
    b->fd = fd;
    pthread_t t;
    pthread_create(&t, NULL, block_in, b);
    usleep(100000);
    bool blocked = !b->done;
    uint64_t t0 = ms_now();
    close(fd);
    while (!b->done && ms_now() - t0 < 3000)
        usleep(10000);
    errno = b->err;
    CHECK(name, blocked && b->done && b->rc == -1 && b->err == EBADF, "%s; returned %ld",
          !blocked  ? "the call did not block"
          : b->done ? "woke"
                    : "still asleep 3 s after close()",
          b->rc);
    if (b->done) {
        pthread_join(t, NULL);
        free(b);
    }
}

static void test_close_wakes(void)
{
    int port, lfd = tcp_listener(&port);
    struct sockaddr_in a = loopback4(port);
    int c1 = socket(AF_INET, SOCK_STREAM, 0), c2 = socket(AF_INET, SOCK_STREAM, 0);
    connect(c1, (struct sockaddr *)&a, sizeof(a));
    connect(c2, (struct sockaddr *)&a, sizeof(a));
    int s1 = accept(lfd, NULL, NULL), s2 = accept(lfd, NULL, NULL);
    check_close_wakes("close-wakes-recv", IN_RECV, s1);
    check_close_wakes("close-wakes-read", IN_READ, s2);
    close(c1);
    close(c2);
    close(lfd);

    /* A listener that never had a connection, so that only it holds its
     * port: once the woken accept has let go of it, a socket without
     * SO_REUSEADDR can bind that port again. */
    int lport, l2 = tcp_listener(&lport);
    check_close_wakes("close-wakes-accept", IN_ACCEPT, l2);
    struct sockaddr_in la = loopback4(lport);
    int again = socket(AF_INET, SOCK_STREAM, 0);
    CHECK("close-frees-listener",
          again >= 0 && bind(again, (struct sockaddr *)&la, sizeof(la)) == 0, "port %d still taken",
          lport);
    close(again);

    int u = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in ua = loopback4(0);
    bind(u, (struct sockaddr *)&ua, sizeof(ua));
    check_close_wakes("close-wakes-recvfrom", IN_RECVFROM, u);
}

int main(void)
{
    int n = net_init();
    CHECK("no-vif", n == 0 && net_if_count() == 0, "net_init returned %d", n);
    test_getaddrinfo();
    test_tcp();
    test_udp_and_poll();
    test_poll_wakeup();
    test_stress();
    test_close_wakes();
    return failures ? 1 : 0;
}
