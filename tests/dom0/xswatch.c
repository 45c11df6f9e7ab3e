/* dom0 side of the xenstore watch benchmark: how long a watch event takes
 * to arrive after a write, from a C client speaking the wire protocol over
 * /dev/xen/xenbus (no library).
 *
 *   xswatch PATH COUNT  -> "BENCH xs_watch_latency_us_dom0 N" (median of
 *                          COUNT writes, each timed from sending the WRITE
 *                          until the WATCH_EVENT for PATH is read) and
 *                          "BENCH xs_watch_events_per_s_dom0 N" (COUNT
 *                          write+event rounds over their total time) */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xen/io/xs_wire.h>

#include "xsdev.h"

#define TOKEN "xswatch"

static int fd;
static uint32_t next_id = 1;
/* bytes read from the device and not yet taken as whole messages */
static char in[4 * (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)];
static size_t in_len;

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int send_msg(uint32_t type, const char *a, size_t alen, const char *b, size_t blen)
{
    return xsdev_send(fd, next_id++, type, a, alen, b, blen);
}

/* The next whole message (the device may hand out several at once, or
 * part of one); its type, payload copied to out. -1 on error. */
static int next_msg(char *out, size_t size, size_t *len)
{
    for (;;) {
        if (in_len >= sizeof(struct xsd_sockmsg)) {
            struct xsd_sockmsg h;
            memcpy(&h, in, sizeof(h));
            size_t total = sizeof(h) + h.len;
            if (h.len > XENSTORE_PAYLOAD_MAX)
                return -1;
            if (in_len >= total) {
                *len = h.len < size ? h.len : size;
                memcpy(out, in + sizeof(h), *len);
                memmove(in, in + total, in_len - total);
                in_len -= total;
                return (int)h.type;
            }
        }
        ssize_t n = read(fd, in + in_len, sizeof(in) - in_len);
        if (n <= 0)
            return -1;
        in_len += (size_t)n;
    }
}

static double now_us(void);
static double event_at; /* when wait_for read the event */

/* Read until the reply of type want and (if event) an event for path. */
static int wait_for(uint32_t want, int event, const char *path)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    size_t len;
    int got_reply = 0, got_event = !event;
    while (!got_reply || !got_event) {
        int t = next_msg(buf, sizeof(buf), &len);
        if (t < 0 || t == XS_ERROR)
            return -1;
        if (t == (int)want)
            got_reply = 1;
        else if (t == XS_WATCH_EVENT && len > strlen(path) && strcmp(buf, path) == 0) {
            got_event = 1;
            event_at = now_us();
        }
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s PATH COUNT\n", argv[0]);
        return 64;
    }
    const char *path = argv[1];
    int count = atoi(argv[2]);
    double *lat = calloc((size_t)(count > 0 ? count : 1), sizeof(double));
    fd = open("/dev/xen/xenbus", O_RDWR);
    if (fd < 0 || !lat) {
        perror("open /dev/xen/xenbus");
        return 1;
    }
    size_t plen = strlen(path) + 1;
    /* the node must exist before the watch, so its first event is the initial one */
    if (send_msg(XS_WRITE, path, plen, "0", 1) < 0 || wait_for(XS_WRITE, 0, path) < 0 ||
        send_msg(XS_WATCH, path, plen, TOKEN, sizeof(TOKEN)) < 0 ||
        wait_for(XS_WATCH, 1, path) < 0) {
        fprintf(stderr, "xswatch: cannot set up the watch on %s\n", path);
        return 1;
    }
    double start = now_us();
    for (int i = 0; i < count; i++) {
        double t0 = now_us();
        if (send_msg(XS_WRITE, path, plen, "benchmark-value", 15) < 0 ||
            wait_for(XS_WRITE, 1, path) < 0) {
            fprintf(stderr, "xswatch: write %d failed\n", i);
            return 1;
        }
        lat[i] = event_at - t0;
    }
    double total = now_us() - start;
    qsort(lat, (size_t)count, sizeof(double), cmp_double);
    printf("BENCH xs_watch_latency_us_dom0 %.0f\n", lat[count / 2]);
    printf("BENCH xs_watch_events_per_s_dom0 %.0f\n", count / (total / 1e6));
    return 0;
}
