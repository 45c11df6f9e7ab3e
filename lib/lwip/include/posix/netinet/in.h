/* Internet addresses (struct in_addr, sockaddr_in, IPPROTO_*, htons ...):
 * lwIP's definitions, see <sys/socket.h>. */
#ifndef STUBOS_NETINET_IN_H
#define STUBOS_NETINET_IN_H

#include <sys/socket.h>

#endif
