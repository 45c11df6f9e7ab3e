/* netfront data path: posting RX buffers, receiving, transmitting, and
 * reclaiming TX slots. Runs in the vif's thread (RX, TX completions) and
 * in the callers of netfront_xmit; the event handler only wakes the thread.
 * Threads are cooperative, so the rings need no locks between threads. */
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/string.h>
#include "netfront.h"

static void mark_broken(struct netfront *nf, const char *why)
{
    if (nf->broken)
        return;
    nf->broken = true;
    nf->stats.broken = true;
    printk("netfront vif%u: backend broke the ring protocol (%s); vif disabled\n", nf->id, why);
    waitq_wake_all(&nf->tx_space);
}

void netfront_event(evtchn_port_t port, void *data)
{
    struct netfront *nf = data;
    (void)port;
    nf->work_pending = true;
    waitq_wake_all(&nf->work);
}

void netfront_init_tx_ids(struct netfront *nf)
{
    nf->tx_free_count = 0;
    for (unsigned id = NETFRONT_TX_BUFS; id-- > 0;)
        nf->tx_free[nf->tx_free_count++] = (uint16_t)id;
}

static void post_rx(struct netfront *nf, uint16_t id)
{
    struct netif_rx_request *req = RING_GET_REQUEST(&nf->rx, nf->rx.req_prod_pvt);
    req->id = id;
    req->gref = nf->rx_grefs[id];
    nf->rx.req_prod_pvt++;
    nf->slots.rx_posted[id] = true;
}

static void push_rx(struct netfront *nf)
{
    int notify;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->rx, notify);
    if (notify)
        evtchn_send(nf->port);
}

void netfront_post_all_rx(struct netfront *nf)
{
    for (uint16_t id = 0; id < NETFRONT_RX_BUFS; id++)
        post_rx(nf, id);
    push_rx(nf);
}

static void receive(struct netfront *nf)
{
    for (;;) {
        RING_IDX prod = nf->rx.sring->rsp_prod;
        xen_rmb(); /* the index before the responses it covers */
        if (!netfront_rsp_prod_ok(nf->rx.rsp_cons, prod, nf->rx.req_prod_pvt)) {
            mark_broken(nf, "RX response index beyond our requests");
            return;
        }
        for (RING_IDX cons = nf->rx.rsp_cons; cons != prod; cons++) {
            struct netif_rx_response rsp = *RING_GET_RESPONSE(&nf->rx, cons); /* copy once */
            const char *why = NULL;
            enum netfront_verdict v = netfront_check_rx(&nf->slots, &rsp, &why);
            if (v == NF_BROKEN) {
                nf->rx.rsp_cons = cons;
                mark_broken(nf, why);
                return;
            }
            nf->slots.rx_posted[rsp.id] = false;
            if (v == NF_ACCEPT) {
                nf->stats.rx_packets++;
                nf->stats.rx_bytes += (uint64_t)rsp.status;
                if (nf->rx_fn)
                    nf->rx_fn(nf->rx_arg, (char *)nf->rx_pages[rsp.id] + rsp.offset,
                              (size_t)rsp.status);
            } else {
                nf->stats.rx_errors++;
            }
            post_rx(nf, rsp.id);
        }
        nf->rx.rsp_cons = prod;
        push_rx(nf);
        int more;
        RING_FINAL_CHECK_FOR_RESPONSES(&nf->rx, more);
        if (!more)
            return;
    }
}

static void reclaim_tx(struct netfront *nf)
{
    for (;;) {
        RING_IDX prod = nf->tx.sring->rsp_prod;
        xen_rmb();
        if (!netfront_rsp_prod_ok(nf->tx.rsp_cons, prod, nf->tx.req_prod_pvt)) {
            mark_broken(nf, "TX response index beyond our requests");
            return;
        }
        for (RING_IDX cons = nf->tx.rsp_cons; cons != prod; cons++) {
            struct netif_tx_response rsp = *RING_GET_RESPONSE(&nf->tx, cons);
            const char *why = NULL;
            enum netfront_verdict v = netfront_check_tx(&nf->slots, &rsp, &why);
            if (v == NF_BROKEN) {
                nf->tx.rsp_cons = cons;
                mark_broken(nf, why);
                return;
            }
            if (v == NF_DROP)
                nf->stats.tx_errors++;
            nf->slots.tx_busy[rsp.id] = false;
            nf->tx_free[nf->tx_free_count++] = rsp.id;
        }
        nf->tx.rsp_cons = prod;
        int more;
        RING_FINAL_CHECK_FOR_RESPONSES(&nf->tx, more);
        if (!more)
            break;
    }
    waitq_wake_all(&nf->tx_space);
}

void netfront_thread(void *arg)
{
    struct netfront *nf = arg;
    while (!nf->stopping) {
        wait_event(&nf->work, nf->work_pending || nf->stopping);
        nf->work_pending = false;
        if (nf->broken || nf->stopping)
            continue;
        receive(nf);
        if (!nf->broken)
            reclaim_tx(nf);
    }
}

int netfront_xmit(struct netfront *nf, const void *frame, size_t len)
{
    if (len > NETFRONT_MAX_FRAME || len == 0)
        return -EMSGSIZE;
    if (!nf->connected || nf->broken) {
        nf->stats.tx_dropped++;
        return -ENOTCONN;
    }
    if (nf->tx_free_count == 0)
        reclaim_tx(nf);
    wait_event(&nf->tx_space, nf->tx_free_count > 0 || nf->broken || !nf->connected);
    if (nf->broken || !nf->connected) {
        nf->stats.tx_dropped++;
        return -ENOTCONN;
    }
    uint16_t id = nf->tx_free[--nf->tx_free_count];
    unsigned page = id / 2, offset = (id % 2) * NETFRONT_TX_BUF_SIZE;
    memcpy((char *)nf->tx_pages[page] + offset, frame, len);

    struct netif_tx_request *req = RING_GET_REQUEST(&nf->tx, nf->tx.req_prod_pvt);
    req->gref = nf->tx_grefs[page];
    req->offset = (uint16_t)offset;
    req->flags = 0;
    req->id = id;
    req->size = (uint16_t)len;
    nf->tx.req_prod_pvt++;
    nf->slots.tx_busy[id] = true;

    int notify;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->tx, notify);
    if (notify)
        evtchn_send(nf->port);
    nf->stats.tx_packets++;
    nf->stats.tx_bytes += len;
    return 0;
}

void netfront_get_stats(struct netfront *nf, struct netfront_stats *stats)
{
    *stats = nf->stats;
    stats->connected = nf->connected;
}

const uint8_t *netfront_mac(struct netfront *nf)
{
    return nf->mac;
}

unsigned netfront_id(struct netfront *nf)
{
    return nf->id;
}

const char *netfront_ip(struct netfront *nf)
{
    return nf->ip;
}
