/* Host tests for lib/libc/fd.c: descriptor allocation (lowest free first),
 * close/dup reuse, reference counting of shared files, bad descriptors
 * (EBADF), a full table (EMFILE) and the closed hook (last descriptor
 * closed while an operation holds the file). */
#include <errno.h>
#include <stdio.h>

#include "fd.h"
#include "unit_test.h"

static int released;

static void count_release(struct libc_file *f)
{
    (void)f;
    released++;
}

static const struct libc_file_ops test_ops = {.release = count_release};

static int closed;

static void count_closed(struct libc_file *f)
{
    (void)f;
    closed++;
}

static const struct libc_file_ops closing_ops = {.release = count_release, .closed = count_closed};

static void close_all(void)
{
    for (int fd = 0; fd < LIBC_FD_MAX; fd++)
        fd_close(fd);
}

int main(void)
{
    struct libc_file a = {.ops = &test_ops}, b = {.ops = &test_ops};

    /* Lowest free descriptor first. */
    int fa = fd_install(&a, 0), fb = fd_install(&b, 0);
    unit_check("fd-install-lowest", fa == 0 && fb == 1 && fd_count() == 2, "got %d, %d", fa, fb);
    unit_check("fd-lookup", fd_file(0) == &a && fd_file(1) == &b && fd_file(2) == NULL,
               "lookup wrong");
    int fmin = fd_install(&a, 5);
    unit_check("fd-install-min", fmin == 5 && a.refs == 2, "got %d refs %d", fmin, a.refs);

    /* Closing frees the number for reuse; the file lives while referenced. */
    released = 0;
    int rc = fd_close(0);
    unit_check("fd-close", rc == 0 && fd_file(0) == NULL && a.refs == 1 && released == 0,
               "rc %d refs %d released %d", rc, a.refs, released);
    int again = fd_install(&b, 0);
    unit_check("fd-reuse-after-close", again == 0 && fd_file(0) == &b, "got %d", again);
    fd_close(5);
    unit_check("fd-release-last-ref", a.refs == 0 && released == 1, "refs %d released %d", a.refs,
               released);

    /* dup: lowest free, shares the file. */
    int d = fd_dup(1, 0);
    unit_check("fd-dup-lowest", d == 2 && fd_file(2) == &b && b.refs == 3, "got %d refs %d", d,
               b.refs);
    int d7 = fd_dup(1, 7);
    unit_check("fd-dupfd-min", d7 == 7 && fd_file(7) == &b, "got %d", d7);
    unit_check("fd-dup-bad-min", fd_dup(1, LIBC_FD_MAX) == -EINVAL && fd_dup(1, -1) == -EINVAL,
               "out-of-range minimum accepted");

    /* dup2: closes the target first; same fd is a no-op. */
    struct libc_file c = {.ops = &test_ops};
    fd_install(&c, 9);
    released = 0;
    int d2 = fd_dup2(1, 9);
    unit_check("fd-dup2-replaces", d2 == 9 && fd_file(9) == &b && c.refs == 0 && released == 1,
               "got %d c.refs %d released %d", d2, c.refs, released);
    int refs = b.refs;
    unit_check("fd-dup2-same", fd_dup2(1, 1) == 1 && b.refs == refs, "dup2(1,1) changed refs");
    unit_check("fd-dup2-bad",
               fd_dup2(1, LIBC_FD_MAX) == -EBADF && fd_dup2(1, -1) == -EBADF &&
                   fd_dup2(30, 31) == -EBADF && fd_file(31) == NULL,
               "bad dup2 accepted");

    /* close-on-exec is per descriptor and cleared by dup. */
    fd_set_cloexec(1, true);
    int d3 = fd_dup(1, 0);
    unit_check("fd-cloexec",
               fd_get_cloexec(1) == 1 && fd_get_cloexec(d3) == 0 && fd_get_cloexec(40) == -EBADF &&
                   fd_set_cloexec(40, true) == -EBADF,
               "cloexec flags wrong");

    /* Bad descriptors. */
    unit_check("fd-bad-close",
               fd_close(-1) == -EBADF && fd_close(LIBC_FD_MAX) == -EBADF && fd_close(40) == -EBADF,
               "bad close accepted");
    unit_check("fd-bad-lookup",
               fd_file(-1) == NULL && fd_file(LIBC_FD_MAX) == NULL && fd_file(1 << 30) == NULL,
               "bad lookup");
    unit_check("fd-bad-dup", fd_dup(-1, 0) == -EBADF && fd_dup(40, 0) == -EBADF,
               "bad dup accepted");
    unit_check("fd-double-close", fd_close(d3) == 0 && fd_close(d3) == -EBADF,
               "second close succeeded");

    /* A full table. */
    close_all();
    struct libc_file many = {.ops = &test_ops};
    int last = -1;
    for (int i = 0; i < LIBC_FD_MAX; i++)
        last = fd_install(&many, 0);
    unit_check("fd-fill",
               last == LIBC_FD_MAX - 1 && fd_count() == LIBC_FD_MAX && many.refs == LIBC_FD_MAX,
               "last %d count %d", last, fd_count());
    unit_check("fd-full-emfile", fd_install(&many, 0) == -EMFILE && fd_dup(0, 0) == -EMFILE,
               "full table accepted another");
    fd_close(17);
    int refill = fd_dup(3, 0);
    unit_check("fd-full-reuse", refill == 17 && fd_install(&many, 0) == -EMFILE, "got %d", refill);
    released = 0;
    close_all();
    unit_check("fd-close-all", fd_count() == 0 && many.refs == 0 && released == 1,
               "count %d refs %d released %d", fd_count(), many.refs, released);

    /* Closing the last descriptor of a file that an operation still holds
     * (a thread blocked in it) tells the file, once; a dup left open or no
     * operation in flight does not. */
    struct libc_file h = {.ops = &closing_ops};
    int c1 = fd_install(&h, 0), c2 = fd_dup(c1, 0);
    file_hold(&h);
    fd_close(c1);
    unit_check("fd-closed-not-while-dup", closed == 0, "closed %d", closed);
    released = 0;
    fd_close(c2);
    unit_check("fd-closed-last-fd-held", closed == 1 && released == 0 && h.refs == 1,
               "closed %d released %d refs %d", closed, released, h.refs);
    file_put(&h);
    unit_check("fd-closed-then-released", released == 1, "released %d", released);
    fd_close(fd_install(&h, 0));
    unit_check("fd-closed-not-when-idle", closed == 1 && released == 2, "closed %d released %d",
               closed, released);

    return unit_finish("libc_fd");
}
