/* Host tests for netfront's response checks: a malicious or broken backend
 * (ids out of range, responses for buffers never posted, frames running off
 * their page, producer indices from nowhere) must be caught, never used. */
#include <stdio.h>
#include <string.h>
#include "../../minios/drivers/netfront_ring.h"
#include "unit_test.h"

static struct netfront_slots slots;

static enum netfront_verdict rx(uint16_t id, uint16_t offset, uint16_t flags, int16_t status)
{
    struct netif_rx_response r = {.id = id, .offset = offset, .flags = flags, .status = status};
    const char *why = "";
    return netfront_check_rx(&slots, &r, &why);
}

static enum netfront_verdict tx(uint16_t id, int16_t status)
{
    struct netif_tx_response r = {.id = id, .status = status};
    const char *why = "";
    return netfront_check_tx(&slots, &r, &why);
}

static void check_rx(void)
{
    memset(&slots, 0, sizeof(slots));
    slots.rx_posted[3] = true;
    unit_check("rx-good", rx(3, 0, 0, 60) == NF_ACCEPT, "a posted buffer with 60 bytes");
    unit_check("rx-good-offset", rx(3, 4096 - 1514, 0, 1514) == NF_ACCEPT, "frame ending at page end");
    unit_check("rx-not-posted", rx(4, 0, 0, 60) == NF_BROKEN, "buffer 4 was never posted");
    unit_check("rx-id-range", rx(NETFRONT_RX_BUFS, 0, 0, 60) == NF_BROKEN, "id == count");
    unit_check("rx-id-huge", rx(0xffff, 0, 0, 60) == NF_BROKEN, "id 0xffff");
    unit_check("rx-past-page", rx(3, 4000, 0, 200) == NF_BROKEN, "offset+size > page");
    unit_check("rx-offset-huge", rx(3, 0xffff, 0, 1) == NF_BROKEN, "offset 0xffff");
    unit_check("rx-jumbo", rx(3, 0, 0, 1515) == NF_BROKEN, "1515 bytes without jumbo frames");
    unit_check("rx-status-max", rx(3, 0, 0, 0x7fff) == NF_BROKEN, "status 32767");
    unit_check("rx-error", rx(3, 0, 0, NETIF_RSP_ERROR) == NF_DROP, "backend error is a drop");
    unit_check("rx-zero", rx(3, 0, 0, 0) == NF_DROP, "empty frame is a drop");
    unit_check("rx-more-data", rx(3, 0, NETRXF_more_data, 60) == NF_BROKEN, "no SG negotiated");
    unit_check("rx-extra-info", rx(3, 0, NETRXF_extra_info, 60) == NF_BROKEN, "no GSO negotiated");
    unit_check("rx-csum-flags-ok", rx(3, 0, NETRXF_data_validated, 60) == NF_ACCEPT,
               "data_validated is harmless");
}

static void check_tx(void)
{
    memset(&slots, 0, sizeof(slots));
    slots.tx_busy[7] = true;
    unit_check("tx-good", tx(7, NETIF_RSP_OKAY) == NF_ACCEPT, "in-flight slot, OKAY");
    unit_check("tx-dropped", tx(7, NETIF_RSP_DROPPED) == NF_DROP, "DROPPED frees the slot");
    unit_check("tx-error", tx(7, NETIF_RSP_ERROR) == NF_DROP, "ERROR frees the slot");
    unit_check("tx-not-busy", tx(8, NETIF_RSP_OKAY) == NF_BROKEN, "slot 8 not in flight");
    unit_check("tx-id-range", tx(NETFRONT_TX_BUFS, NETIF_RSP_OKAY) == NF_BROKEN, "id == count");
    unit_check("tx-null-unknown", tx(9, NETIF_RSP_NULL) == NF_BROKEN, "NULL for a free slot");
}

static void check_indices(void)
{
    unit_check("prod-equal", netfront_rsp_prod_ok(10, 10, 20), "nothing new");
    unit_check("prod-some", netfront_rsp_prod_ok(10, 15, 20), "5 of 10 answered");
    unit_check("prod-all", netfront_rsp_prod_ok(10, 20, 20), "all answered");
    unit_check("prod-too-many", !netfront_rsp_prod_ok(10, 21, 20), "more than requested");
    unit_check("prod-backwards", !netfront_rsp_prod_ok(10, 9, 20), "producer went back");
    unit_check("prod-wrap", netfront_rsp_prod_ok(0xfffffff0u, 0x5u, 0x10u), "across 2^32");
    unit_check("prod-wrap-too-many", !netfront_rsp_prod_ok(0xfffffff0u, 0x11u, 0x10u),
               "across 2^32, too many");
    unsigned long long bad = 0;
    unit_srand(0x4e7f);
    for (int i = 0; i < 100000; i++) {
        RING_IDX cons = (RING_IDX)unit_rand(), outstanding = (RING_IDX)unit_rand_below(257);
        RING_IDX req = cons + outstanding, prod = cons + (RING_IDX)unit_rand_below(600);
        bool ok = netfront_rsp_prod_ok(cons, prod, req);
        if (ok != ((RING_IDX)(prod - cons) <= outstanding))
            bad++;
    }
    unit_check("prod-random", bad == 0, "%llu wrong verdicts in 100000", bad);
}

int main(void)
{
    check_rx();
    check_tx();
    check_indices();
    return unit_finish("netfront_check");
}
