/* The files there are: the Xen console and a few devices. There is no file
 * system; open() knows the paths below and nothing else (ENOENT).
 *
 *   /dev/console, /dev/tty    the domain's PV console (also fds 0, 1, 2)
 *   /dev/null                 reads end at once, writes vanish
 *   /dev/zero                 reads give zeros, writes vanish
 *   /dev/random, /dev/urandom reads give getentropy() bytes */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <minios/console.h>
#include <minios/sched.h>
#include <minios/time.h>

#include "fd.h"
#include "internal.h"

/* No input wait queue in the kernel's console API: a blocking read polls. */
#define CONSOLE_POLL_NS (10 * NSEC_PER_MSEC)

/* ---- the console ---- */

/* poll() has to take input off the ring to see whether there is any (the
 * kernel console cannot peek): what it took waits here for the next read. */
static char console_ahead[64];
static size_t console_ahead_len;

static size_t console_input(char *buf, size_t n)
{
    if (console_ahead_len == 0)
        return console_read(buf, n);
    size_t got = n < console_ahead_len ? n : console_ahead_len;
    memcpy(buf, console_ahead, got);
    memmove(console_ahead, console_ahead + got, console_ahead_len - got);
    console_ahead_len -= got;
    return got;
}

static short console_poll_op(struct libc_file *f, short events)
{
    (void)f;
    short ready = POLLOUT | POLLWRNORM;
    if (console_ahead_len == 0 && (events & (POLLIN | POLLRDNORM)))
        console_ahead_len = console_read(console_ahead, sizeof(console_ahead));
    if (console_ahead_len)
        ready |= POLLIN | POLLRDNORM;
    return ready;
}

static ssize_t console_read_op(struct libc_file *f, void *buf, size_t n)
{
    if (n == 0)
        return 0;
    for (;;) {
        size_t got = console_input(buf, n);
        if (got > 0) {
            /* A terminal's Enter arrives as '\r': give programs the '\n'
             * they expect (what a Unix tty's ICRNL does). */
            char *c = buf;
            for (size_t i = 0; i < got; i++)
                if (c[i] == '\r')
                    c[i] = '\n';
            return (ssize_t)got;
        }
        if (f->flags & O_NONBLOCK)
            return -EAGAIN;
        sleep_ns(CONSOLE_POLL_NS);
    }
}

static ssize_t console_write_op(struct libc_file *f, const void *buf, size_t n)
{
    /* console_write() may sleep until xenconsoled makes room. newlib's
     * streams have no locks in this build, so another thread may refill
     * the stdio buffer we were handed while we sleep: copy a buffer's
     * worth (BUFSIZ, what stdio flushes at once) before writing it. */
    char chunk[BUFSIZ];
    const char *p = buf;
    (void)f;
    for (size_t done = 0; done < n;) {
        size_t len = n - done < sizeof(chunk) ? n - done : sizeof(chunk);
        memcpy(chunk, p + done, len);
        console_write(chunk, len);
        done += len;
    }
    return (ssize_t)n;
}

static int chardev_stat(struct stat *st, mode_t perm, dev_t rdev)
{
    memset(st, 0, sizeof(*st));
    st->st_mode = S_IFCHR | perm;
    st->st_nlink = 1;
    st->st_rdev = rdev;
    st->st_blksize = BUFSIZ;
    return 0;
}

/* Device numbers as on Linux, for programs that compare them. */
#define DEV_CONSOLE ((5 << 8) | 1)
#define DEV_NULL ((1 << 8) | 3)
#define DEV_ZERO ((1 << 8) | 5)
#define DEV_URANDOM ((1 << 8) | 9)

static int console_stat_op(struct libc_file *f, struct stat *st)
{
    (void)f;
    return chardev_stat(st, 0620, DEV_CONSOLE);
}

static void file_free(struct libc_file *f)
{
    free(f);
}

static const struct libc_file_ops console_ops = {
    .read = console_read_op,
    .write = console_write_op,
    .stat = console_stat_op,
    .release = file_free,
    .poll = console_poll_op,
    .poll_by_timer = true, /* no input event to wait on */
    .is_tty = true,
};

/* ---- /dev/null, /dev/zero, /dev/urandom ---- */

static ssize_t null_read_op(struct libc_file *f, void *buf, size_t n)
{
    (void)f, (void)buf, (void)n;
    return 0;
}

static ssize_t zero_read_op(struct libc_file *f, void *buf, size_t n)
{
    (void)f;
    memset(buf, 0, n);
    return (ssize_t)n;
}

static ssize_t random_read_op(struct libc_file *f, void *buf, size_t n)
{
    (void)f;
    libc_random_fill(buf, n);
    return (ssize_t)n;
}

static ssize_t sink_write_op(struct libc_file *f, const void *buf, size_t n)
{
    (void)f, (void)buf;
    return (ssize_t)n;
}

/* Like Linux: seeking these succeeds and changes nothing. */
static off_t sink_seek_op(struct libc_file *f, off_t offset, int whence)
{
    (void)f, (void)offset, (void)whence;
    return 0;
}

static int null_stat_op(struct libc_file *f, struct stat *st)
{
    (void)f;
    return chardev_stat(st, 0666, DEV_NULL);
}

static int zero_stat_op(struct libc_file *f, struct stat *st)
{
    (void)f;
    return chardev_stat(st, 0666, DEV_ZERO);
}

static int random_stat_op(struct libc_file *f, struct stat *st)
{
    (void)f;
    return chardev_stat(st, 0666, DEV_URANDOM);
}

static const struct libc_file_ops null_ops = {
    .read = null_read_op,
    .write = sink_write_op,
    .seek = sink_seek_op,
    .stat = null_stat_op,
    .release = file_free,
};

static const struct libc_file_ops zero_ops = {
    .read = zero_read_op,
    .write = sink_write_op,
    .seek = sink_seek_op,
    .stat = zero_stat_op,
    .release = file_free,
};

static const struct libc_file_ops random_ops = {
    .read = random_read_op,
    .write = sink_write_op,
    .seek = sink_seek_op,
    .stat = random_stat_op,
    .release = file_free,
};

/* ---- the name space ---- */

static const struct device {
    const char *path;
    const struct libc_file_ops *ops;
} devices[] = {
    {"/dev/console", &console_ops}, {"/dev/tty", &console_ops},   {"/dev/null", &null_ops},
    {"/dev/zero", &zero_ops},       {"/dev/random", &random_ops}, {"/dev/urandom", &random_ops},
};

static const struct device *device_find(const char *path)
{
    for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
        if (strcmp(devices[i].path, path) == 0)
            return &devices[i];
    return NULL;
}

static struct libc_file *file_new(const struct libc_file_ops *ops, int flags)
{
    struct libc_file *f = calloc(1, sizeof(*f));
    if (f) {
        f->ops = ops;
        f->flags = flags;
    }
    return f;
}

struct libc_file *libc_device_open(const char *path, int flags, int *err)
{
    const struct device *dev = device_find(path);
    if (!dev) {
        *err = ENOENT;
        return NULL;
    }
    if (flags & O_DIRECTORY) {
        *err = ENOTDIR;
        return NULL;
    }
    /* O_CREAT, O_TRUNC, O_EXCL mean nothing for an existing device, as on
     * Linux; only the status flags fcntl(F_GETFL) reports are kept. */
    struct libc_file *f = file_new(dev->ops, flags & (O_ACCMODE | O_APPEND | O_NONBLOCK));
    if (!f)
        *err = ENOMEM;
    return f;
}

int libc_path_stat(const char *path, struct stat *st)
{
    const struct device *dev = device_find(path);
    if (dev) {
        struct libc_file f = {.ops = dev->ops};
        return dev->ops->stat(&f, st);
    }
    if (strcmp(path, "/") == 0 || strcmp(path, "/dev") == 0) {
        memset(st, 0, sizeof(*st));
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
        st->st_blksize = BUFSIZ;
        return 0;
    }
    return -ENOENT; /* also for "": POSIX says ENOENT */
}

int libc_stdio_init(void)
{
    /* One open console file behind 0, 1 and 2, as a shell leaves a
     * terminal: O_NONBLOCK set through one of them applies to all. */
    struct libc_file *console = file_new(&console_ops, O_RDWR);
    if (!console)
        return -ENOMEM;
    for (int fd = 0; fd < 3; fd++) {
        int rc = fd_install(console, fd);
        if (rc != fd)
            return rc < 0 ? rc : -EBUSY;
    }
    return 0;
}
