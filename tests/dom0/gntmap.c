/* dom0 side of the grant-table tests: map one page a guest granted us
 * through Linux's /dev/xen/gntdev, use it, unmap it.
 *
 *   gntmap DOMID REF read                   map read-only, print the start
 *   gntmap DOMID REF write PATTERN          map, write PATTERN (and a NUL) at 0
 *   gntmap DOMID REF hold SECONDS [PATTERN] map, write PATTERN if given, keep
 *                                           the mapping SECONDS, then unmap
 *   gntmap DOMID REF bench COUNT            map+touch+unmap COUNT times, print
 *                                           "BENCH gnt_map_unmap_per_s N"
 *
 * gntdev works in two steps: an ioctl registers the grant and returns an
 * offset into the device; mmap() of that offset makes the mapping (Xen's
 * GNTTABOP_map_grant_ref, read-only if the vma is). munmap() undoes it, a
 * second ioctl forgets the grant.
 *
 * Exit status: 0 done, 1 a step failed (the message names it), 64 usage. */
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
/* The Linux uapi header uses Xen's types without defining them. */
typedef uint16_t domid_t;
typedef uint32_t grant_ref_t;
#include <xen/gntdev.h>

#define PAGE_SIZE 4096
#define READ_BYTES 64

struct grant_map {
    int fd;
    uint64_t index; /* gntdev's offset for mmap and unmap */
    char *page;
};

static int usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s DOMID REF read\n"
            "       %s DOMID REF write PATTERN\n"
            "       %s DOMID REF hold SECONDS [PATTERN]\n"
            "       %s DOMID REF bench COUNT\n",
            prog, prog, prog, prog);
    return 64;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (errno || end == s || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

static int map_grant(struct grant_map *m, unsigned domid, unsigned ref, int writable)
{
    m->fd = open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
    if (m->fd < 0) {
        perror("gntmap: open /dev/xen/gntdev");
        return -1;
    }
    struct ioctl_gntdev_map_grant_ref op = {.count = 1};
    op.refs[0].domid = domid;
    op.refs[0].ref = ref;
    if (ioctl(m->fd, IOCTL_GNTDEV_MAP_GRANT_REF, &op) < 0) {
        perror("gntmap: IOCTL_GNTDEV_MAP_GRANT_REF");
        close(m->fd);
        return -1;
    }
    m->index = op.index;
    int prot = PROT_READ | (writable ? PROT_WRITE : 0);
    m->page = mmap(NULL, PAGE_SIZE, prot, MAP_SHARED, m->fd, (off_t)m->index);
    if (m->page == MAP_FAILED) {
        fprintf(stderr, "gntmap: mmap of grant %u from domain %u (%s): %s\n", ref, domid,
                writable ? "read-write" : "read-only", strerror(errno));
        struct ioctl_gntdev_unmap_grant_ref un = {.index = m->index, .count = 1};
        ioctl(m->fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &un);
        close(m->fd);
        return -1;
    }
    return 0;
}

static int unmap_grant(struct grant_map *m)
{
    int rc = 0;
    if (munmap(m->page, PAGE_SIZE) < 0) {
        perror("gntmap: munmap");
        rc = -1;
    }
    struct ioctl_gntdev_unmap_grant_ref un = {.index = m->index, .count = 1};
    if (ioctl(m->fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &un) < 0) {
        perror("gntmap: IOCTL_GNTDEV_UNMAP_GRANT_REF");
        rc = -1;
    }
    close(m->fd);
    return rc;
}

/* The page's first bytes up to a NUL, non-printable ones as '.'. */
static void print_start(const volatile char *page)
{
    char text[READ_BYTES + 1];
    int n = 0;
    while (n < READ_BYTES && page[n]) {
        char c = page[n];
        text[n++] = (c >= 0x20 && c < 0x7f) ? c : '.';
    }
    text[n] = '\0';
    printf("read: %s\n", text);
}

static void write_pattern(volatile char *page, const char *pattern)
{
    size_t n = strlen(pattern);
    if (n >= PAGE_SIZE)
        n = PAGE_SIZE - 1;
    for (size_t i = 0; i < n; i++)
        page[i] = pattern[i];
    page[n] = '\0';
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The benchmark: the full cost a backend pays per granted page it touches. */
static int bench(unsigned domid, unsigned ref, unsigned long count)
{
    double t0 = now_s();
    for (unsigned long i = 0; i < count; i++) {
        struct grant_map m;
        if (map_grant(&m, domid, ref, 0) < 0)
            return 1;
        volatile char c = m.page[0];
        (void)c;
        if (unmap_grant(&m) < 0)
            return 1;
    }
    double secs = now_s() - t0;
    printf("BENCH gnt_map_unmap_per_s %.0f\n", (double)count / secs);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long domid, ref, seconds = 0;
    if (argc < 4 || parse_uint(argv[1], 0x7fef, &domid) || parse_uint(argv[2], UINT32_MAX, &ref))
        return usage(argv[0]);
    const char *mode = argv[3], *pattern = NULL;
    if (!strcmp(mode, "bench") && argc == 5) {
        unsigned long count;
        if (parse_uint(argv[4], 10000000, &count))
            return usage(argv[0]);
        return bench((unsigned)domid, (unsigned)ref, count);
    }
    if (!strcmp(mode, "read") && argc == 4) {
        /* nothing more to parse */
    } else if (!strcmp(mode, "write") && argc == 5) {
        pattern = argv[4];
    } else if (!strcmp(mode, "hold") && (argc == 5 || argc == 6)) {
        if (parse_uint(argv[4], 3600, &seconds))
            return usage(argv[0]);
        pattern = argc == 6 ? argv[5] : NULL;
    } else {
        return usage(argv[0]);
    }

    struct grant_map m;
    if (map_grant(&m, (unsigned)domid, (unsigned)ref, strcmp(mode, "read") != 0) < 0)
        return 1;
    if (!strcmp(mode, "read"))
        print_start(m.page);
    if (pattern) {
        write_pattern(m.page, pattern);
        printf("wrote: %s\n", pattern);
    }
    if (!strcmp(mode, "hold")) {
        printf("holding grant %lu of domain %lu for %lu s\n", ref, domid, seconds);
        fflush(stdout);
        sleep((unsigned)seconds);
    }
    if (unmap_grant(&m) < 0)
        return 1;
    printf("unmapped grant %lu of domain %lu\n", ref, domid);
    return 0;
}
