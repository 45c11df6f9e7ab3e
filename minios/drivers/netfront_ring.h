/* netfront internals shared by the data path (netfront.c), the xenbus glue
 * (netfront_xenbus.c) and the response checks (netfront_check.c, pure
 * logic, also built into the host unit tests). */
#ifndef MINIOS_DRIVERS_NETFRONT_RING_H
#define MINIOS_DRIVERS_NETFRONT_RING_H

#include <minios/types.h>
#include <minios/xen.h>
#include <xen/io/netif.h>

#define NETFRONT_TX_BUFS 64    /* half a page each: two frames per page */
#define NETFRONT_RX_BUFS 128   /* one page each */
#define NETFRONT_TX_BUF_SIZE 2048
#define NETFRONT_MAX_RX_FRAME 1514 /* no jumbo frames: MTU 1500 */
#define PAGE_SIZE_BYTES 4096u

/* What we know about each posted buffer, to check responses against. */
struct netfront_slots {
    bool tx_busy[NETFRONT_TX_BUFS];
    bool rx_posted[NETFRONT_RX_BUFS];
};

/* Outcome of checking one response: use it, drop it (a per-packet error the
 * backend reported) or stop the vif (the backend broke the protocol). */
enum netfront_verdict { NF_ACCEPT, NF_DROP, NF_BROKEN };

/* Check an RX response copied out of the ring. On NF_ACCEPT the frame is
 * at offset..offset+status of buffer id. why gets a reason otherwise. */
enum netfront_verdict netfront_check_rx(const struct netfront_slots *slots,
                                        const struct netif_rx_response *rsp, const char **why);

/* Check a TX response: NF_ACCEPT (sent), NF_DROP (backend refused this
 * packet: the slot is still freed) or NF_BROKEN. */
enum netfront_verdict netfront_check_tx(const struct netfront_slots *slots,
                                        const struct netif_tx_response *rsp, const char **why);

/* A response producer index the backend wrote is sane if it does not claim
 * more responses than requests we produced. */
bool netfront_rsp_prod_ok(RING_IDX rsp_cons, RING_IDX rsp_prod, RING_IDX req_prod);

#endif
