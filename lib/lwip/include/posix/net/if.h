/* Interface names and indexes (lwIP netifs: "lo0", "en1" ...). */
#ifndef STUBOS_NET_IF_H
#define STUBOS_NET_IF_H

#include <sys/socket.h>
#include "lwip/if_api.h"

#ifdef __cplusplus
extern "C" {
#endif

unsigned int if_nametoindex(const char *name);
char *if_indextoname(unsigned int index, char *name);

#ifdef __cplusplus
}
#endif

#endif
