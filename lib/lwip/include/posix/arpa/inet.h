/* Address conversion. inet_addr(), inet_aton() and inet_ntoa() are lwIP's
 * macros (IPv4 only, inet_ntoa uses a static buffer); inet_ntop() and
 * inet_pton() handle AF_INET and AF_INET6. */
#ifndef STUBOS_ARPA_INET_H
#define STUBOS_ARPA_INET_H

#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

const char *inet_ntop(int af, const void *src, char *dst, socklen_t size);
int inet_pton(int af, const char *src, void *dst);

#ifdef __cplusplus
}
#endif

#endif
