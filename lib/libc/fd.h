/* The file-descriptor table: small integers naming open files.
 *
 * An open file (struct libc_file, "open file description" in POSIX words)
 * is shared by every descriptor dup()ed from it and carries the status
 * flags and offset; a descriptor only adds its own close-on-exec flag.
 * Files are reference counted: the last close calls ops->release.
 *
 * This file and fd.c use nothing but the C library's headers, so the host
 * unit test (tests/unit/libc_fd.c) builds them unchanged. */
#ifndef LIBC_FD_H
#define LIBC_FD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define LIBC_FD_MAX 256 /* descriptors 0 .. LIBC_FD_MAX-1 (a server has many sockets) */

struct stat;
struct libc_file;

/* What a kind of file can do. Each returns a count/offset/0 or a negative
 * errno. A NULL seek means the file is not seekable (ESPIPE). */
struct libc_file_ops {
    ssize_t (*read)(struct libc_file *f, void *buf, size_t n);
    ssize_t (*write)(struct libc_file *f, const void *buf, size_t n);
    off_t (*seek)(struct libc_file *f, off_t offset, int whence);
    int (*stat)(struct libc_file *f, struct stat *st);
    void (*release)(struct libc_file *f); /* last reference gone: free f */
    /* poll()/select() (poll.c): which POLL* bits of events hold now, plus
     * POLLERR/POLLHUP whenever they hold; must not block. NULL: always
     * ready to read and write. A file whose readiness changes calls
     * libc_poll_notify() so sleeping pollers look again; one that cannot
     * (nothing to hook on, like console input) sets poll_by_timer and is
     * re-polled every few milliseconds instead. */
    short (*poll)(struct libc_file *f, short events);
    /* Optional: the last descriptor of f was closed while operations still
     * hold it (threads blocked in it); wake them, so that they fail. */
    void (*closed)(struct libc_file *f);
    bool poll_by_timer;
    bool is_tty;
};

struct libc_file {
    const struct libc_file_ops *ops;
    int refs;  /* descriptors + in-flight operations holding it */
    int fds;   /* descriptors alone */
    int flags; /* open() flags: access mode, O_APPEND, O_NONBLOCK */
    off_t offset;
};

/* Install f (which starts with refs == 0 or more) at the lowest free
 * descriptor >= min_fd, taking one reference. Returns the descriptor,
 * -EMFILE if none is free, -EINVAL if min_fd is out of range. */
int fd_install(struct libc_file *f, int min_fd);

/* The file behind fd, or NULL if fd is not open. No reference is taken:
 * use file_hold() before anything that may block. */
struct libc_file *fd_file(int fd);

/* Close fd: 0 or -EBADF. The file is released with its last reference. */
int fd_close(int fd);

/* dup()/fcntl(F_DUPFD): lowest free descriptor >= min_fd sharing fd's file.
 * -EBADF, -EINVAL (min_fd out of range) or -EMFILE. */
int fd_dup(int fd, int min_fd);

/* dup2(): make newfd refer to fd's file, closing newfd first if open.
 * Returns newfd, or -EBADF for a bad fd or newfd out of range. */
int fd_dup2(int fd, int newfd);

/* The close-on-exec flag (kept for fcntl; there is no exec). */
int fd_get_cloexec(int fd);               /* 0/1 or -EBADF */
int fd_set_cloexec(int fd, bool cloexec); /* 0 or -EBADF */

/* Number of open descriptors. */
int fd_count(void);

/* Readiness of some file may have changed: wake every poll()/select() so
 * it scans again (poll.c). Cheap; safe from any context. */
void libc_poll_notify(void);

void file_hold(struct libc_file *f);
void file_put(struct libc_file *f); /* drops a reference; may release f */

#endif
