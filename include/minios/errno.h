/* Kernel error numbers. Functions return 0 or a negative value from this list.
 * The values match newlib's <errno.h> so the POSIX layer can pass them through. */
#ifndef MINIOS_ERRNO_H
#define MINIOS_ERRNO_H

#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define EBADF 9
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOSPC 28
#define EROFS 30
#define EPIPE 32
#define ERANGE 34
#define EDEADLK 45
#define ENOSYS 88
#define ENOTEMPTY 90
#define ELOOP 92
#define EOPNOTSUPP 95
#define ENOBUFS 105
#define ENAMETOOLONG 91
#define ENOTSUP 134
#define EOVERFLOW 139
#define ETIMEDOUT 116
#define ECONNRESET 104
#define EPROTO 71
#define EBADMSG 77
#define EALREADY 120
#define EMSGSIZE 122
#define EISCONN 127
#define ENOTCONN 128
#define EDQUOT 132 /* a per-client quota is exceeded */

#endif
