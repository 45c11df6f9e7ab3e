/* Linux domU side of the grant baseline: grant dom0 one page through
 * /dev/xen/gntalloc, publish the reference in our xenstore home as
 * data/bench-ref, and keep the grant until dom0 writes data/bench-done,
 * as stubos' tests/bench/grants guest does for dom0's gntmap.
 *
 *   gntshare TIMEOUT_S
 *
 * Exit status: 0 dom0 said done, 1 an error or a timeout, 64 usage. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xen/gntalloc.h>
#include <xen/io/xs_wire.h>

#define PAGE_SIZE 4096

static int xs_fd;
static uint32_t xs_req_id = 1;

/* One xenstore request over /dev/xen/xenbus; returns the reply type or -1.
 * Relative paths are relative to our home, /local/domain/<our id>. */
static int xs_request(uint32_t type, const char *path, const char *value)
{
    char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
    struct xsd_sockmsg *h = (struct xsd_sockmsg *)buf;
    size_t plen = strlen(path) + 1, vlen = value ? strlen(value) : 0;
    if (plen + vlen > XENSTORE_PAYLOAD_MAX)
        return -1;
    *h = (struct xsd_sockmsg){.type = type, .req_id = xs_req_id++, .len = (uint32_t)(plen + vlen)};
    memcpy(buf + sizeof(*h), path, plen);
    if (value)
        memcpy(buf + sizeof(*h) + plen, value, vlen);
    if (write(xs_fd, buf, sizeof(*h) + h->len) != (ssize_t)(sizeof(*h) + h->len))
        return -1;
    if (read(xs_fd, buf, sizeof(buf)) < (ssize_t)sizeof(*h))
        return -1;
    return (int)h->type;
}

int main(int argc, char **argv)
{
    if (argc != 2 || atoi(argv[1]) <= 0) {
        fprintf(stderr, "usage: %s TIMEOUT_S\n", argv[0]);
        return 64;
    }
    int timeout_s = atoi(argv[1]);
    xs_fd = open("/dev/xen/xenbus", O_RDWR);
    int gfd = open("/dev/xen/gntalloc", O_RDWR);
    if (xs_fd < 0 || gfd < 0) {
        printf("gntshare: open /dev/xen/%s: %s\n", xs_fd < 0 ? "xenbus" : "gntalloc",
               strerror(errno));
        return 1;
    }
    /* Writable, like the stubos guest's grant (gntmap maps it read-only). */
    struct ioctl_gntalloc_alloc_gref grant = {.domid = 0, .flags = GNTALLOC_FLAG_WRITABLE, .count = 1};
    if (ioctl(gfd, IOCTL_GNTALLOC_ALLOC_GREF, &grant) < 0) {
        printf("gntshare: IOCTL_GNTALLOC_ALLOC_GREF: %s\n", strerror(errno));
        return 1;
    }
    char *page = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, gfd, (off_t)grant.index);
    if (page == MAP_FAILED) {
        printf("gntshare: mmap: %s\n", strerror(errno));
        return 1;
    }
    strcpy(page, "linux domU grant");

    char ref[16];
    snprintf(ref, sizeof(ref), "%u", grant.gref_ids[0]);
    if (xs_request(XS_WRITE, "data/bench-ref", ref) != XS_WRITE) {
        printf("gntshare: cannot write data/bench-ref\n");
        return 1;
    }
    printf("gntshare: granted page as ref %s\n", ref);
    fflush(stdout);
    struct timespec tick = {0, 100 * 1000 * 1000};
    for (int waited = 0; waited < timeout_s * 10; waited++) {
        if (xs_request(XS_READ, "data/bench-done", NULL) == XS_READ) {
            munmap(page, PAGE_SIZE);
            close(gfd); /* ends the grant (gntalloc waits if dom0 still maps it) */
            return 0;
        }
        nanosleep(&tick, NULL);
    }
    printf("gntshare: dom0 did not say done within %d s\n", timeout_s);
    return 1;
}
