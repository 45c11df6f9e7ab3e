/* BSD sockets for stubos applications built with "<name>_NET := lwip".
 *
 * The types and constants are lwIP's (struct sockaddr has a BSD-style
 * sa_len byte); the functions are the POSIX ones, implemented in
 * lib/lwip/sockets.c on lwIP's socket layer, and a socket is an ordinary
 * file descriptor: read/write/close/fcntl(O_NONBLOCK)/poll/select work on it. */
#ifndef STUBOS_SYS_SOCKET_H
#define STUBOS_SYS_SOCKET_H

#include <sys/types.h>
#include <poll.h> /* ours first, so lwIP does not define its own struct pollfd */
#include "lwip/sockets.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Flags or'ed into socket()'s type (values as on Linux). */
#define SOCK_NONBLOCK 0x800
#define SOCK_CLOEXEC 0x80000

int socket(int domain, int type, int protocol);
int bind(int fd, const struct sockaddr *addr, socklen_t len);
int listen(int fd, int backlog);
int accept(int fd, struct sockaddr *addr, socklen_t *len);
int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
int connect(int fd, const struct sockaddr *addr, socklen_t len);
int shutdown(int fd, int how);
int getsockname(int fd, struct sockaddr *addr, socklen_t *len);
int getpeername(int fd, struct sockaddr *addr, socklen_t *len);
int setsockopt(int fd, int level, int name, const void *value, socklen_t len);
int getsockopt(int fd, int level, int name, void *value, socklen_t *len);
ssize_t send(int fd, const void *buf, size_t len, int flags);
ssize_t recv(int fd, void *buf, size_t len, int flags);
ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
               socklen_t tolen);
ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
                 socklen_t *fromlen);
ssize_t sendmsg(int fd, const struct msghdr *msg, int flags);
ssize_t recvmsg(int fd, struct msghdr *msg, int flags);

#ifdef __cplusplus
}
#endif

#endif
