/* Validation of netback's responses: pure functions, so they can be tested
 * on the host with hostile inputs (tests/unit/test_netfront_check.c). */
#include "netfront_ring.h"

enum netfront_verdict netfront_check_rx(const struct netfront_slots *slots,
                                        const struct netif_rx_response *rsp, const char **why)
{
    if (rsp->id >= NETFRONT_RX_BUFS) {
        *why = "RX response id out of range";
        return NF_BROKEN;
    }
    if (!slots->rx_posted[rsp->id]) {
        *why = "RX response for a buffer that was not posted";
        return NF_BROKEN;
    }
    /* We negotiated neither scatter-gather nor GSO, so these never come. */
    if (rsp->flags & (NETRXF_more_data | NETRXF_extra_info | NETRXF_gso_prefix)) {
        *why = "RX response uses a feature we did not negotiate";
        return NF_BROKEN;
    }
    if (rsp->status < 0) {
        *why = "backend reported an RX error";
        return NF_DROP;
    }
    if (rsp->status == 0 || rsp->status > NETFRONT_MAX_RX_FRAME) {
        *why = "RX frame size out of range";
        return rsp->status == 0 ? NF_DROP : NF_BROKEN;
    }
    if ((uint32_t)rsp->offset + (uint32_t)rsp->status > PAGE_SIZE_BYTES) {
        *why = "RX frame runs past the end of its page";
        return NF_BROKEN;
    }
    return NF_ACCEPT;
}

enum netfront_verdict netfront_check_tx(const struct netfront_slots *slots,
                                        const struct netif_tx_response *rsp, const char **why)
{
    if (rsp->id >= NETFRONT_TX_BUFS || !slots->tx_busy[rsp->id]) {
        *why = "TX response for a slot that is not in flight";
        return NF_BROKEN;
    }
    if (rsp->status != NETIF_RSP_OKAY) {
        *why = "backend refused a TX packet";
        return NF_DROP;
    }
    return NF_ACCEPT;
}

bool netfront_rsp_prod_ok(RING_IDX rsp_cons, RING_IDX rsp_prod, RING_IDX req_prod)
{
    /* Unsigned ring arithmetic: the new responses must lie between what we
     * consumed and what we requested. */
    return (RING_IDX)(rsp_prod - rsp_cons) <= (RING_IDX)(req_prod - rsp_cons);
}
