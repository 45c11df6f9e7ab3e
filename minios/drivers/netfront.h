/* netfront's private state, shared by netfront.c (data path) and
 * netfront_xenbus.c (connection set-up and tear-down). */
#ifndef MINIOS_DRIVERS_NETFRONT_H
#define MINIOS_DRIVERS_NETFRONT_H

#include <minios/events.h>
#include <minios/frontend.h>
#include <minios/gnttab.h>
#include <minios/netfront.h>
#include <minios/sched.h>
#include "netfront_ring.h"

struct netfront {
    struct frontend fe;
    unsigned id;
    uint8_t mac[6];
    char *ip;

    netif_tx_front_ring_t tx;
    netif_rx_front_ring_t rx;
    grant_ref_t tx_ring_ref, rx_ring_ref;
    evtchn_port_t port;

    /* TX: NETFRONT_TX_BUFS half-page buffers, granted read-only once. */
    void *tx_pages[NETFRONT_TX_BUFS / 2];
    grant_ref_t tx_grefs[NETFRONT_TX_BUFS / 2];
    uint16_t tx_free[NETFRONT_TX_BUFS]; /* stack of free TX ids */
    unsigned tx_free_count;
    struct waitq tx_space;

    /* RX: one page per buffer, granted writable once, reposted after use. */
    void *rx_pages[NETFRONT_RX_BUFS];
    grant_ref_t rx_grefs[NETFRONT_RX_BUFS];

    struct netfront_slots slots;
    netfront_rx_fn rx_fn;
    void *rx_arg;
    void (*disconnect_hook)(struct netfront *nf, void *arg);
    void *disconnect_arg;

    struct thread *thread;
    struct waitq work;
    volatile bool work_pending;
    volatile bool stopping;
    bool connected;
    bool broken;
    struct netfront_stats stats;
};

/* netfront.c */
void netfront_event(evtchn_port_t port, void *data);
void netfront_thread(void *arg);
void netfront_post_all_rx(struct netfront *nf);
void netfront_init_tx_ids(struct netfront *nf);

#endif
