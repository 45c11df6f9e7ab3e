/* ioctl() for sockets: FIONREAD (bytes ready to read) and FIONBIO (set or
 * clear O_NONBLOCK). Other files answer ENOTTY. */
#ifndef STUBOS_SYS_IOCTL_H
#define STUBOS_SYS_IOCTL_H

#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

int ioctl(int fd, unsigned long request, ...);

#ifdef __cplusplus
}
#endif

#endif
