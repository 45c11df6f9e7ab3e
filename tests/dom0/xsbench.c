/* dom0 side of the xenstore benchmark: the same sequential reads and
 * writes the guest benchmark does, from a C client in dom0 speaking the
 * wire protocol directly over /dev/xen/xenbus (no library, no process per
 * operation), as the baseline measured in the same lab run.
 *
 *   xsbench PATH COUNT   -> "BENCH xs_write_ops_per_s_dom0 N", "... read ..." */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xen/io/xs_wire.h>

#include "xsdev.h"

static int fd;
static uint32_t next_id = 1;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One request/reply; returns the reply type or -1. */
static int request(uint32_t type, const char *a, size_t alen, const char *b, size_t blen)
{
    char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
    const struct xsd_sockmsg *h = (const struct xsd_sockmsg *)buf;
    if (xsdev_send(fd, next_id++, type, a, alen, b, blen) < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < (ssize_t)sizeof(*h))
        return -1;
    return (int)h->type;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s PATH COUNT\n", argv[0]);
        return 64;
    }
    const char *path = argv[1];
    int count = atoi(argv[2]);
    fd = open("/dev/xen/xenbus", O_RDWR);
    if (fd < 0) {
        perror("open /dev/xen/xenbus");
        return 1;
    }
    size_t plen = strlen(path) + 1;
    double t0 = now_s();
    for (int i = 0; i < count; i++)
        if (request(XS_WRITE, path, plen, "benchmark-value", 15) != XS_WRITE)
            return 1;
    double t1 = now_s();
    for (int i = 0; i < count; i++)
        if (request(XS_READ, path, plen, "", 0) != XS_READ)
            return 1;
    double t2 = now_s();
    printf("BENCH xs_write_ops_per_s_dom0 %.0f\n", count / (t1 - t0));
    printf("BENCH xs_read_ops_per_s_dom0 %.0f\n", count / (t2 - t1));
    return 0;
}
