/* The file-descriptor table (see fd.h). With cooperative threads nothing
 * here can be interrupted by another thread, so the table needs no lock;
 * callers hold a reference across operations that may block. */
#include <errno.h>

#include "fd.h"

struct fd_slot {
    struct libc_file *file; /* NULL: descriptor free */
    bool cloexec;
};

static struct fd_slot fd_table[LIBC_FD_MAX];

static bool fd_valid(int fd)
{
    return fd >= 0 && fd < LIBC_FD_MAX;
}

void file_hold(struct libc_file *f)
{
    f->refs++;
}

void file_put(struct libc_file *f)
{
    if (--f->refs == 0 && f->ops->release)
        f->ops->release(f);
}

int fd_install(struct libc_file *f, int min_fd)
{
    if (!fd_valid(min_fd))
        return -EINVAL;
    for (int fd = min_fd; fd < LIBC_FD_MAX; fd++) {
        if (!fd_table[fd].file) {
            file_hold(f);
            f->fds++;
            fd_table[fd].file = f;
            fd_table[fd].cloexec = false;
            return fd;
        }
    }
    return -EMFILE;
}

struct libc_file *fd_file(int fd)
{
    return fd_valid(fd) ? fd_table[fd].file : NULL;
}

int fd_close(int fd)
{
    struct libc_file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    /* Free the slot before releasing: a release that blocks (flushing)
     * must not let another thread see a half-closed descriptor. */
    fd_table[fd].file = NULL;
    if (--f->fds == 0 && f->refs > 1 && f->ops->closed)
        f->ops->closed(f);
    file_put(f);
    return 0;
}

int fd_dup(int fd, int min_fd)
{
    struct libc_file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    return fd_install(f, min_fd);
}

int fd_dup2(int fd, int newfd)
{
    struct libc_file *f = fd_file(fd);
    if (!f || !fd_valid(newfd))
        return -EBADF;
    if (newfd == fd)
        return newfd;
    file_hold(f); /* closing newfd may block: keep f alive meanwhile */
    /* A loop: if closing blocked, another thread may have reused newfd. */
    while (fd_table[newfd].file)
        fd_close(newfd);
    fd_table[newfd].file = f; /* our hold becomes the descriptor's reference */
    f->fds++;
    fd_table[newfd].cloexec = false;
    return newfd;
}

int fd_get_cloexec(int fd)
{
    if (!fd_file(fd))
        return -EBADF;
    return fd_table[fd].cloexec;
}

int fd_set_cloexec(int fd, bool cloexec)
{
    if (!fd_file(fd))
        return -EBADF;
    fd_table[fd].cloexec = cloexec;
    return 0;
}

int fd_count(void)
{
    int n = 0;
    for (int fd = 0; fd < LIBC_FD_MAX; fd++)
        n += fd_table[fd].file != NULL;
    return n;
}
