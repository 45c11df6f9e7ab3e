/* dom0 side of the event-channel tests: bind to a port a guest offered us
 * and bounce notifications with it through /dev/xen/evtchn.
 *
 *   evtchn-pingpong DOMID PORT COUNT
 *
 * Sends COUNT pings, each only after the previous pong arrived, so no two
 * notifications can merge; reports lost pongs (timeouts) and the round-trip
 * latency. Prints TEST lines for the test runner. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
/* The Linux uapi header uses domid_t without defining it. */
typedef uint16_t domid_t;
#include <xen/evtchn.h>

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Wait up to timeout_ms for our port to fire; 1 fired, 0 timeout, -1 error. */
static int wait_for_port(int fd, unsigned port, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int rc = poll(&p, 1, timeout_ms);
    if (rc <= 0)
        return rc;
    unsigned fired;
    if (read(fd, &fired, sizeof(fired)) != sizeof(fired))
        return -1;
    /* Unmask it again: the driver masks a port when it reports it. */
    if (write(fd, &fired, sizeof(fired)) != sizeof(fired))
        return -1;
    return fired == port ? 1 : 0;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s DOMID PORT COUNT\n", argv[0]);
        return 64;
    }
    unsigned domid = strtoul(argv[1], NULL, 0), remote = strtoul(argv[2], NULL, 0);
    int count = atoi(argv[3]);
    int fd = open("/dev/xen/evtchn", O_RDWR);
    if (fd < 0) {
        printf("TEST evtchn-dom0-bind FAIL: open /dev/xen/evtchn: %s\n", strerror(errno));
        return 1;
    }
    struct ioctl_evtchn_bind_interdomain bind = {.remote_domain = domid, .remote_port = remote};
    int port = ioctl(fd, IOCTL_EVTCHN_BIND_INTERDOMAIN, &bind);
    if (port < 0) {
        printf("TEST evtchn-dom0-bind FAIL: bind d%u port %u: %s\n", domid, remote, strerror(errno));
        return 1;
    }
    printf("TEST evtchn-dom0-bind PASS\n");
    /* Xen marks our end pending when we bind (a notification may have been
     * lost while the port was unbound); consume that before pinging, or it
     * would pass for the first pong. */
    wait_for_port(fd, port, 200);

    uint64_t *rtt = calloc(count, sizeof(*rtt));
    int pongs = 0, lost = 0, stray = 0;
    for (int i = 0; i < count && lost < 3; i++) {
        struct ioctl_evtchn_notify notify = {.port = port};
        uint64_t t0 = now_ns();
        ioctl(fd, IOCTL_EVTCHN_NOTIFY, &notify);
        int rc = wait_for_port(fd, port, 2000);
        if (rc == 1) {
            rtt[pongs++] = now_ns() - t0;
        } else if (rc == 0) {
            lost++;
        } else {
            stray++;
        }
    }
    /* Any further event now would be a duplicate pong. */
    int extra = wait_for_port(fd, port, 300) == 1;
    qsort(rtt, pongs, sizeof(*rtt), compare_u64);
    printf("evtchn: %d pings, %d pongs, %d lost, %d extra; round trip median %llu ns\n", count,
           pongs, lost, extra, pongs ? (unsigned long long)rtt[pongs / 2] : 0ULL);
    if (pongs == count && !extra && !stray)
        printf("TEST evtchn-dom0-pingpong PASS\n");
    else
        printf("TEST evtchn-dom0-pingpong FAIL: %d/%d pongs, %d extra, %d errors\n", pongs, count,
               extra, stray);
    printf("BENCH evtchn_rtt_ns %llu\n", pongs ? (unsigned long long)rtt[pongs / 2] : 0ULL);
    return 0;
}
