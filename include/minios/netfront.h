/* netfront: the PV network frontend.
 *
 * Each vif is a pair of shared rings with the backend (Linux xen-netback in
 * a driver domain): on the TX ring we post packets (a grant of the page
 * holding the frame, offset, size) and the backend answers with a status;
 * on the RX ring we post empty pages (grants the backend may write) and the
 * backend answers with where it copied each received frame ("rx-copy").
 * One event channel signals both rings. Received frames are handed to the
 * application's callback in the vif's own thread, never in upcall context.
 *
 * Responses are untrusted: every id, offset and size is checked, and a
 * response that does not fit marks the vif broken (it stops, with a clear
 * message) instead of touching memory it does not own. */
#ifndef MINIOS_NETFRONT_H
#define MINIOS_NETFRONT_H

#include <minios/types.h>

#define NETFRONT_MAX_FRAME 1514 /* Ethernet header + 1500 bytes MTU */

struct netfront;

/* Called in the vif's thread for every received Ethernet frame; the data
 * is only valid during the call. */
typedef void (*netfront_rx_fn)(void *arg, const void *frame, size_t len);

struct netfront_stats {
    uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
    uint64_t tx_packets, tx_bytes, tx_dropped, tx_errors;
    bool connected, broken;
};

/* The vif ids (device/vif/<id>) of this domain, ascending; returns the count. */
int netfront_list(unsigned *ids, unsigned max);

/* Connect vif id and start receiving. NULL on failure (with a printk
 * saying why). */
struct netfront *netfront_open(unsigned id, netfront_rx_fn rx, void *arg);

/* Queue one Ethernet frame (without FCS) for sending. Blocks while the TX
 * ring is full. 0, -EMSGSIZE for an oversized frame, -ENOTCONN when the vif
 * is closed or broken. */
int netfront_xmit(struct netfront *nf, const void *frame, size_t len);

/* Disconnect from the backend and free everything. */
void netfront_close(struct netfront *nf);

void netfront_get_stats(struct netfront *nf, struct netfront_stats *stats);
const uint8_t *netfront_mac(struct netfront *nf); /* 6 bytes */
unsigned netfront_id(struct netfront *nf);

/* The "ip" the toolstack configured for this vif (xl vif spec ip=...), or
 * NULL. May hold several space-separated addresses. */
const char *netfront_ip(struct netfront *nf);

/* Register for "the backend went away" (Closing/Closed, e.g. xl
 * network-detach): called in the xenbus watch thread. */
void netfront_set_disconnect_hook(struct netfront *nf, void (*hook)(struct netfront *nf, void *arg),
                                  void *arg);

#endif
