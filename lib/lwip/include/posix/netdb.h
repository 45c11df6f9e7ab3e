/* Name and service lookup. getaddrinfo() takes numeric IPv4/IPv6
 * addresses and numeric ports; other names go to DNS when a server is
 * known (dns= on the command line, or from DHCP). */
#ifndef STUBOS_NETDB_H
#define STUBOS_NETDB_H

#include <sys/socket.h>
#include "lwip/netdb.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AI_ADDRCONFIG
#define AI_ADDRCONFIG 0x20
#endif

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **res);
void freeaddrinfo(struct addrinfo *ai);
const char *gai_strerror(int err);
struct hostent *gethostbyname(const char *name);

#ifdef __cplusplus
}
#endif

#endif
