/* File system calls: read write open close lseek fstat stat isatty fcntl
 * dup dup2, over the descriptor table (fd.c) and the files of files.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd.h"
#include "internal.h"

/* Look up fd and hold its file across the operation (which may block while
 * another thread closes fd). NULL with errno = EBADF if fd is not open. */
static struct libc_file *hold(int fd)
{
    struct libc_file *f = fd_file(fd);
    if (!f) {
        libc_fail(EBADF);
        return NULL;
    }
    file_hold(f);
    return f;
}

static long done(struct libc_file *f, long rc)
{
    file_put(f);
    return libc_result(rc);
}

/* newlib declares read/write as returning _READ_WRITE_RETURN_TYPE (int
 * here, not ssize_t). */
_READ_WRITE_RETURN_TYPE read(int fd, void *buf, size_t n)
{
    struct libc_file *f = hold(fd);
    if (!f)
        return -1;
    if ((f->flags & O_ACCMODE) == O_WRONLY || !f->ops->read)
        return done(f, -EBADF);
    return done(f, f->ops->read(f, buf, n));
}
LIBC_ALIAS(read);

_READ_WRITE_RETURN_TYPE write(int fd, const void *buf, size_t n)
{
    struct libc_file *f = hold(fd);
    if (!f)
        return -1;
    if ((f->flags & O_ACCMODE) == O_RDONLY || !f->ops->write)
        return done(f, -EBADF);
    return done(f, f->ops->write(f, buf, n));
}
LIBC_ALIAS(write);

off_t lseek(int fd, off_t offset, int whence)
{
    struct libc_file *f = hold(fd);
    if (!f)
        return -1;
    if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
        return done(f, -EINVAL);
    if (!f->ops->seek)
        return done(f, -ESPIPE);
    return done(f, f->ops->seek(f, offset, whence));
}
LIBC_ALIAS(lseek);

int fstat(int fd, struct stat *st)
{
    struct libc_file *f = hold(fd);
    if (!f)
        return -1;
    return done(f, f->ops->stat(f, st));
}
LIBC_ALIAS(fstat);

int stat(const char *path, struct stat *st)
{
    return libc_result(libc_path_stat(path, st));
}
LIBC_ALIAS(stat);

int isatty(int fd)
{
    struct libc_file *f = fd_file(fd);
    if (!f)
        return libc_fail(EBADF), 0;
    if (!f->ops->is_tty)
        return libc_fail(ENOTTY), 0;
    return 1;
}
LIBC_ALIAS(isatty);

int open(const char *path, int flags, ...)
{
    int err;
    /* The mode argument (with O_CREAT) is irrelevant: nothing is created. */
    struct libc_file *f = libc_device_open(path, flags, &err);
    if (!f)
        return libc_fail(err);
    int fd = fd_install(f, 0);
    if (fd < 0) {
        f->ops->release(f);
        return libc_fail(-fd);
    }
    if (flags & O_CLOEXEC)
        fd_set_cloexec(fd, true);
    return fd;
}
LIBC_ALIAS(open);

int close(int fd)
{
    return libc_result(fd_close(fd));
}
LIBC_ALIAS(close);

int dup(int fd)
{
    return libc_result(fd_dup(fd, 0));
}

int dup2(int fd, int newfd)
{
    return libc_result(fd_dup2(fd, newfd));
}

/* Status flags fcntl(F_SETFL) may change (Linux: also O_ASYNC, O_DIRECT). */
#define SETFL_MASK (O_APPEND | O_NONBLOCK)

int fcntl(int fd, int cmd, ...)
{
    /* The commands that take an argument take an int. */
    int arg = 0;
    if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC || cmd == F_SETFD || cmd == F_SETFL) {
        va_list ap;
        va_start(ap, cmd);
        arg = va_arg(ap, int);
        va_end(ap);
    }

    struct libc_file *f = fd_file(fd);
    if (!f)
        return libc_fail(EBADF);
    int rc;
    switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        rc = fd_dup(fd, arg);
        if (rc >= 0 && cmd == F_DUPFD_CLOEXEC)
            fd_set_cloexec(rc, true);
        break;
    case F_GETFD:
        rc = fd_get_cloexec(fd) ? FD_CLOEXEC : 0;
        break;
    case F_SETFD:
        rc = fd_set_cloexec(fd, arg & FD_CLOEXEC);
        break;
    case F_GETFL:
        rc = f->flags;
        break;
    case F_SETFL:
        f->flags = (f->flags & ~SETFL_MASK) | (arg & SETFL_MASK);
        rc = 0;
        break;
    default:
        rc = -EINVAL;
        break;
    }
    return libc_result(rc);
}
LIBC_ALIAS(fcntl);
