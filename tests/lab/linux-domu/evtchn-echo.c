/* Linux domU side of the event-channel baseline: offer dom0 an unbound
 * port through /dev/xen/evtchn, say which on stdout (the console), and
 * answer every notification with one back, as stubos' tests/xen/events
 * guest does for dom0's evtchn-pingpong.
 *
 *   evtchn-echo COUNT      prints "EVTCHN-PORT N"; exits after COUNT pongs,
 *                          or when no ping came for a while
 *
 * Exit status: 0 COUNT pongs sent, 1 an error or a timeout, 64 usage. */
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

/* dom0 binds only after it has found our port in the console log. */
#define FIRST_PING_TIMEOUT_MS 60000
#define NEXT_PING_TIMEOUT_MS 5000

int main(int argc, char **argv)
{
    if (argc != 2 || atoi(argv[1]) <= 0) {
        fprintf(stderr, "usage: %s COUNT\n", argv[0]);
        return 64;
    }
    int count = atoi(argv[1]);
    int fd = open("/dev/xen/evtchn", O_RDWR);
    if (fd < 0) {
        printf("evtchn-echo: open /dev/xen/evtchn: %s\n", strerror(errno));
        return 1;
    }
    struct ioctl_evtchn_bind_unbound_port offer = {.remote_domain = 0};
    int port = ioctl(fd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &offer);
    if (port < 0) {
        printf("evtchn-echo: bind unbound port: %s\n", strerror(errno));
        return 1;
    }
    printf("EVTCHN-PORT %d\n", port);
    fflush(stdout);

    int pongs = 0;
    while (pongs < count) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int rc = poll(&p, 1, pongs ? NEXT_PING_TIMEOUT_MS : FIRST_PING_TIMEOUT_MS);
        if (rc <= 0) {
            printf("evtchn-echo: %s after %d pongs\n", rc ? strerror(errno) : "no ping", pongs);
            return 1;
        }
        unsigned fired;
        if (read(fd, &fired, sizeof(fired)) != sizeof(fired))
            return 1;
        /* The driver masks a port when it reports it: unmask before answering,
         * so the next ping cannot be missed. */
        if (write(fd, &fired, sizeof(fired)) != sizeof(fired))
            return 1;
        if (fired != (unsigned)port)
            continue;
        struct ioctl_evtchn_notify pong = {.port = (unsigned)port};
        if (ioctl(fd, IOCTL_EVTCHN_NOTIFY, &pong) < 0)
            return 1;
        pongs++;
    }
    printf("evtchn-echo: %d pongs\n", pongs);
    close(fd);
    return 0;
}
