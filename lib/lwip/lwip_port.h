/* Private interfaces between the files of the lwIP port (lib/lwip/). */
#ifndef STUBOS_LWIP_PORT_H
#define STUBOS_LWIP_PORT_H

#include <stdint.h>

/* sys_arch.c: mix more entropy (MAC addresses, boot time) into LWIP_RAND. */
void stubos_lwip_seed_random(uint64_t seed);

/* net.c: start the stack if nobody did yet (sockets call this). */
void net_ensure_started(void);

#endif
