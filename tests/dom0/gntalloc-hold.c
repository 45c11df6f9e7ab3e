/* Grant one page of dom0's own memory to DOMID through Linux's
 * /dev/xen/gntalloc and keep it granted for a while. With DOMID 0,
 * `gntmap 0 REF bench N` then maps a page dom0 granted itself: the
 * baseline for dom0 mapping a page our guest granted (make bench).
 *
 *   gntalloc-hold DOMID SECONDS   prints "GNT-REF R", holds the grant
 *                                 SECONDS, then ends it
 *
 * Exit status: 0 done, 1 the grant failed, 64 usage. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xen/gntalloc.h>

#define PAGE_SIZE 4096

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s DOMID SECONDS\n", argv[0]);
        return 64;
    }
    unsigned domid = strtoul(argv[1], NULL, 0);
    unsigned seconds = strtoul(argv[2], NULL, 0);
    int fd = open("/dev/xen/gntalloc", O_RDWR);
    if (fd < 0) {
        fprintf(stderr, "gntalloc-hold: open /dev/xen/gntalloc: %s\n", strerror(errno));
        return 1;
    }
    struct ioctl_gntalloc_alloc_gref op = {
        .domid = domid, .flags = GNTALLOC_FLAG_WRITABLE, .count = 1};
    if (ioctl(fd, IOCTL_GNTALLOC_ALLOC_GREF, &op) < 0) {
        fprintf(stderr, "gntalloc-hold: grant a page to d%u: %s\n", domid, strerror(errno));
        return 1;
    }
    /* Give the page content, so a mapper sees a page it can check. */
    char *page = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)op.index);
    if (page != MAP_FAILED)
        strcpy(page, "granted-by-dom0");
    printf("GNT-REF %u\n", op.gref_ids[0]);
    fflush(stdout);
    sleep(seconds);
    /* Exiting closes the device, and gntalloc then ends the grant. */
    return 0;
}
