/* IPv4 configuration of a vif, from the words of the domain's command line
 * (xl extra=) or the "ip" the toolstack wrote for the vif (xl vif spec
 * ip=...). Pure functions over strings: no lwIP, no kernel state, so the
 * host unit tests can feed them anything (tests/unit/lwip_netcfg.c).
 *
 * Command-line words (the unsuffixed ones apply to the first vif, the ones
 * suffixed with ".<vif id>" to that vif and win over the unsuffixed):
 *   ip=A.B.C.D[/PREFIX]   static address; the prefix may also come from
 *   netmask=A.B.C.D       netmask=, else the address's class (A /8, B /16,
 *                         C /24, as Linux's ip= does)
 *   gw=A.B.C.D            default gateway (first vif with one wins)
 *   ip=dhcp               ask DHCP even though xenstore has an address
 *   ip=off                leave IPv4 unconfigured on this vif
 *   dns=A.B.C.D[,A.B.C.D] name servers (global, no suffix)
 * Precedence per vif: command line, then xenstore "ip", then DHCP.
 * Addresses are in host byte order. */
#ifndef STUBOS_LWIP_NETCFG_H
#define STUBOS_LWIP_NETCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum netcfg_method {
    NETCFG_DHCP,
    NETCFG_STATIC,
    NETCFG_OFF,
};

struct netcfg_ipv4 {
    enum netcfg_method method;
    uint32_t addr, netmask, gw; /* STATIC only; gw 0 = none */
    const char *source;         /* "command line", "xenstore" or "default" */
};

#define NETCFG_MAX_DNS 2

/* "A.B.C.D": exactly four decimal parts 0..255, nothing after. 0 or -EINVAL. */
int netcfg_parse_ipv4(const char *s, uint32_t *addr);

/* "A.B.C.D" or "A.B.C.D/N" (0 <= N <= 32); *has_prefix tells which. */
int netcfg_parse_addr_prefix(const char *s, uint32_t *addr, uint32_t *mask, bool *has_prefix);

/* A netmask is valid if its one bits are contiguous from the top. */
bool netcfg_mask_valid(uint32_t mask);

/* The classful default netmask of an address. */
uint32_t netcfg_classful_mask(uint32_t addr);

/* Decide the configuration of vif vif_id (first: the domain's first vif)
 * from the command-line words and the toolstack's ip (NULL if none; only its
 * first space-separated address is used). Returns 0, or -EINVAL with a
 * message in err when a word is malformed (cfg then holds what the other
 * sources say, so the caller can report and carry on). */
int netcfg_for_vif(char *const *words, int nwords, unsigned vif_id, bool first, const char *xs_ip,
                   struct netcfg_ipv4 *cfg, char *err, size_t errlen);

/* dns= servers from the command line; returns how many (0..NETCFG_MAX_DNS)
 * or -EINVAL with a message in err. */
int netcfg_dns(char *const *words, int nwords, uint32_t *servers, char *err, size_t errlen);

#endif
