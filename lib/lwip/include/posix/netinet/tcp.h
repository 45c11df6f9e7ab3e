/* TCP socket options (TCP_NODELAY, TCP_KEEPIDLE ...): lwIP's definitions. */
#ifndef STUBOS_NETINET_TCP_H
#define STUBOS_NETINET_TCP_H

#include <sys/socket.h>

#endif
