/* dom0 side of the "guest maps a foreign grant" test: grant a guest two of
 * our pages through Linux's /dev/xen/gntalloc -- one it may write, one
 * read-only -- and watch the writable one for the guest's answer.
 *
 *   gntoffer DOMID SECONDS
 *
 * Both pages start with OFFER_TEXT. We print "offer: rw REF ro REF" (the
 * hook publishes the refs in the guest's xenstore home), then wait up to
 * SECONDS for the guest to put GUEST_TEXT at the start of the writable
 * page, print "dom0 saw: GUEST_TEXT", and answer with ACK_TEXT at ACK_AT,
 * which the guest reads through its mapping. The grants end when we close
 * gntalloc (Linux defers that while the guest still maps a page).
 *
 * Exit status: 0 done, 1 a step failed or the guest wrote nothing, 64 usage. */
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

#define PAGE_SIZE 4096
#define OFFER_TEXT "offered-by-dom0"
#define GUEST_TEXT "written-by-guest"
#define ACK_TEXT "ack-by-dom0"
#define ACK_AT 2048
#define LINGER_S 5 /* keep the grants a little after the ack */

/* Grant one page to domid (writable or not); returns its mapping. */
static volatile char *offer_page(int fd, unsigned domid, int writable, unsigned *ref)
{
    struct ioctl_gntalloc_alloc_gref op = {
        .domid = (uint16_t)domid,
        .flags = writable ? GNTALLOC_FLAG_WRITABLE : 0,
        .count = 1,
    };
    if (ioctl(fd, IOCTL_GNTALLOC_ALLOC_GREF, &op) < 0) {
        printf("gntoffer: IOCTL_GNTALLOC_ALLOC_GREF: %s\n", strerror(errno));
        return NULL;
    }
    char *page = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)op.index);
    if (page == MAP_FAILED) {
        printf("gntoffer: mmap: %s\n", strerror(errno));
        return NULL;
    }
    strcpy(page, OFFER_TEXT);
    *ref = op.gref_ids[0];
    return page;
}

static int starts_with(const volatile char *p, const char *text)
{
    while (*text)
        if (*p++ != *text++)
            return 0;
    return *p == '\0';
}

int main(int argc, char **argv)
{
    if (argc != 3 || atoi(argv[1]) <= 0 || atoi(argv[2]) <= 0) {
        fprintf(stderr, "usage: %s DOMID SECONDS\n", argv[0]);
        return 64;
    }
    unsigned domid = (unsigned)atoi(argv[1]);
    int seconds = atoi(argv[2]);
    int fd = open("/dev/xen/gntalloc", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        printf("gntoffer: open /dev/xen/gntalloc: %s\n", strerror(errno));
        return 1;
    }
    unsigned rw_ref, ro_ref;
    volatile char *rw = offer_page(fd, domid, 1, &rw_ref);
    volatile char *ro = rw ? offer_page(fd, domid, 0, &ro_ref) : NULL;
    if (!ro)
        return 1;
    printf("offer: rw %u ro %u\n", rw_ref, ro_ref);
    fflush(stdout);

    struct timespec tick = {0, 20 * 1000 * 1000};
    for (int i = 0; !starts_with(rw, GUEST_TEXT); i++) {
        if (i >= seconds * 50) {
            printf("gntoffer: the guest wrote nothing within %d s\n", seconds);
            return 1;
        }
        nanosleep(&tick, NULL);
    }
    printf("dom0 saw: %s\n", GUEST_TEXT);
    strcpy((char *)rw + ACK_AT, ACK_TEXT);
    printf("dom0 read-only page %s\n", starts_with(ro, OFFER_TEXT) ? "unchanged" : "CHANGED");
    fflush(stdout);
    sleep(LINGER_S);
    close(fd);
    return 0;
}
