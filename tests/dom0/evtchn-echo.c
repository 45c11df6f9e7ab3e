/* The guest end of evtchn-pingpong, played by a Linux process: offer an
 * unbound event-channel port to DOMID and answer each notification on it
 * with one back. In dom0 with DOMID 0 the channel has dom0 at both ends, so
 * `evtchn-pingpong 0 PORT N` against it measures dom0's own round trip
 * through Xen; in the Linux domU of `make bench` (tests/lab/linux-domu) it
 * is that domU's side of the guest <-> dom0 baseline.
 *
 *   evtchn-echo DOMID COUNT   prints "EVTCHN-PORT P", answers COUNT
 *                             notifications (waits up to 60 s for the first:
 *                             the peer binds once it has read P from a log;
 *                             then stops after 10 s without one)
 *
 * Exit status: 0 answered COUNT, 1 an error or the idle limit, 64 usage. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
/* The Linux uapi header uses domid_t without defining it. */
typedef uint16_t domid_t;
#include <xen/evtchn.h>

#define FIRST_PING_LIMIT_MS 60000
#define IDLE_LIMIT_MS 10000

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s DOMID COUNT\n", argv[0]);
        return 64;
    }
    unsigned domid = strtoul(argv[1], NULL, 0);
    long count = atol(argv[2]);
    int fd = open("/dev/xen/evtchn", O_RDWR);
    if (fd < 0) {
        fprintf(stderr, "evtchn-echo: open /dev/xen/evtchn: %s\n", strerror(errno));
        return 1;
    }
    struct ioctl_evtchn_bind_unbound_port offer = {.remote_domain = domid};
    int port = ioctl(fd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &offer);
    if (port < 0) {
        fprintf(stderr, "evtchn-echo: offer a port to d%u: %s\n", domid, strerror(errno));
        return 1;
    }
    printf("EVTCHN-PORT %d\n", port);
    fflush(stdout);

    long answered = 0;
    while (answered < count) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, answered ? IDLE_LIMIT_MS : FIRST_PING_LIMIT_MS) <= 0)
            break;
        unsigned fired;
        if (read(fd, &fired, sizeof(fired)) != sizeof(fired))
            break;
        /* The driver masks a port when it reports it: unmask before answering,
         * so the next ping cannot be lost. */
        if (write(fd, &fired, sizeof(fired)) != sizeof(fired))
            break;
        if (fired != (unsigned)port)
            continue;
        struct ioctl_evtchn_notify pong = {.port = port};
        if (ioctl(fd, IOCTL_EVTCHN_NOTIFY, &pong) < 0)
            break;
        answered++;
    }
    fprintf(stderr, "evtchn-echo: answered %ld of %ld\n", answered, count);
    return answered == count ? 0 : 1;
}
