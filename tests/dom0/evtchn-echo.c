/* The guest end of evtchn-pingpong, played by a dom0 process: offer an
 * unbound event-channel port to DOMID and answer each notification on it
 * with one back. With DOMID 0 the channel has dom0 at both ends, so
 * `evtchn-pingpong 0 PORT N` against it measures dom0's own round trip
 * through Xen: the baseline for the guest <-> dom0 round trip (make bench).
 *
 *   evtchn-echo DOMID COUNT   prints "EVTCHN-PORT P", answers COUNT
 *                             notifications (or stops after 10 s without one)
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
        if (poll(&p, 1, IDLE_LIMIT_MS) <= 0)
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
