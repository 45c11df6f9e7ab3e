/* netfront connection management: the xenbus handshake (through the shared
 * frontend helper), ring and buffer set-up, and tear-down. */
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/format.h>
#include <minios/mm.h>
#include <minios/string.h>
#include <minios/time.h>
#include "netfront.h"

#define CONNECT_TIMEOUT_NS (10 * NSEC_PER_SEC)

int netfront_list(unsigned *ids, unsigned max)
{
    return frontend_list("vif", ids, max);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* "00:16:3e:12:34:56" */
static int parse_mac(const char *s, uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);
        if (lo < 0 || (i < 5 && s[2] != ':') || (i == 5 && s[2] != '\0'))
            return -EINVAL;
        mac[i] = (uint8_t)(hi << 4 | lo);
        s += 3;
    }
    return 0;
}

static int grant_new_page(struct netfront *nf, bool readonly, void **page, grant_ref_t *ref)
{
    *page = pages_alloc(0);
    if (!*page)
        return -ENOMEM;
    memset(*page, 0, PAGE_SIZE);
    int rc = gnttab_grant_page(nf->fe.backend_id, *page, readonly, ref);
    if (rc < 0) {
        pages_free(*page, 0);
        *page = NULL;
    }
    return rc;
}

/* Give back a granted page, unless the backend still uses it: then leak
 * it rather than let the memory be reused under the backend's feet. */
static void release_page(void **page, grant_ref_t ref)
{
    if (!*page)
        return;
    if (gnttab_end_access(ref) == 0)
        pages_free(*page, 0);
    *page = NULL;
}

static int setup_rings(struct netfront *nf)
{
    void *page;
    int rc = grant_new_page(nf, false, &page, &nf->tx_ring_ref);
    if (rc < 0)
        return rc;
    SHARED_RING_INIT((netif_tx_sring_t *)page);
    FRONT_RING_INIT(&nf->tx, (netif_tx_sring_t *)page, PAGE_SIZE);

    rc = grant_new_page(nf, false, &page, &nf->rx_ring_ref);
    if (rc < 0)
        return rc;
    SHARED_RING_INIT((netif_rx_sring_t *)page);
    FRONT_RING_INIT(&nf->rx, (netif_rx_sring_t *)page, PAGE_SIZE);

    for (unsigned i = 0; i < NETFRONT_TX_BUFS / 2; i++) {
        rc = grant_new_page(nf, true, &nf->tx_pages[i], &nf->tx_grefs[i]);
        if (rc < 0)
            return rc;
    }
    for (unsigned i = 0; i < NETFRONT_RX_BUFS; i++) {
        rc = grant_new_page(nf, false, &nf->rx_pages[i], &nf->rx_grefs[i]);
        if (rc < 0)
            return rc;
    }
    netfront_init_tx_ids(nf);
    return evtchn_alloc_unbound(nf->fe.backend_id, netfront_event, nf, &nf->port);
}

static void free_rings(struct netfront *nf)
{
    if (nf->port)
        evtchn_close(nf->port);
    nf->port = 0;
    for (unsigned i = 0; i < NETFRONT_TX_BUFS / 2; i++)
        release_page(&nf->tx_pages[i], nf->tx_grefs[i]);
    for (unsigned i = 0; i < NETFRONT_RX_BUFS; i++)
        release_page(&nf->rx_pages[i], nf->rx_grefs[i]);
    void *tx = nf->tx.sring, *rx = nf->rx.sring;
    release_page(&tx, nf->tx_ring_ref);
    release_page(&rx, nf->rx_ring_ref);
    nf->tx.sring = NULL;
    nf->rx.sring = NULL;
}

static int publish(struct frontend *fe, xenbus_transaction_t xbt, void *arg)
{
    struct netfront *nf = arg;
    char path[FRONTEND_PATH_MAX + 32];
    static const char *const flags[] = {
        "request-rx-copy", "feature-rx-notify", "feature-no-csum-offload",
    };
#define WRITE(key, fmt, val)                                                           \
    do {                                                                               \
        ksnprintf(path, sizeof(path), "%s/" key, fe->node);                            \
        int rc_ = xenbus_printf(xbt, path, fmt, val);                                  \
        if (rc_ < 0)                                                                   \
            return rc_;                                                                \
    } while (0)
    WRITE("tx-ring-ref", "%u", nf->tx_ring_ref);
    WRITE("rx-ring-ref", "%u", nf->rx_ring_ref);
    WRITE("event-channel", "%u", nf->port);
#undef WRITE
    for (unsigned i = 0; i < ARRAY_SIZE(flags); i++) {
        ksnprintf(path, sizeof(path), "%s/%s", fe->node, flags[i]);
        int rc = xenbus_write(xbt, path, "1");
        if (rc < 0)
            return rc;
    }
    return 0;
}

static void backend_state_changed(const char *path, const char *token, void *arg)
{
    struct netfront *nf = arg;
    (void)path;
    (void)token;
    if (!nf->connected)
        return;
    XenbusState s = frontend_backend_state(&nf->fe);
    if (s == XenbusStateClosing || s == XenbusStateClosed || s == XenbusStateUnknown) {
        printk("netfront vif%u: backend is going away (state %d)\n", nf->id, (int)s);
        nf->connected = false;
        waitq_wake_all(&nf->tx_space);
        if (nf->disconnect_hook)
            nf->disconnect_hook(nf, nf->disconnect_arg);
    }
}

static int connect(struct netfront *nf)
{
    char *mac = NULL;
    int rc = frontend_read(&nf->fe, "mac", &mac);
    if (rc < 0 || parse_mac(mac, nf->mac) < 0) {
        printk("netfront vif%u: bad or missing mac \"%s\"\n", nf->id, mac ? mac : "");
        kfree(mac);
        return rc < 0 ? rc : -EINVAL;
    }
    kfree(mac);

    XenbusState s;
    rc = frontend_wait_backend(&nf->fe, (1u << XenbusStateInitWait) | (1u << XenbusStateConnected),
                               monotonic_ns() + CONNECT_TIMEOUT_NS, &s);
    if (rc < 0) {
        printk("netfront vif%u: backend not ready (state %d)\n", nf->id, (int)s);
        return rc;
    }
    rc = setup_rings(nf);
    if (rc < 0) {
        printk("netfront vif%u: cannot set up rings (%d)\n", nf->id, rc);
        return rc;
    }
    rc = frontend_publish(&nf->fe, publish, nf, XenbusStateConnected);
    if (rc < 0) {
        printk("netfront vif%u: cannot publish ring details (%d)\n", nf->id, rc);
        return rc;
    }
    rc = frontend_wait_backend(&nf->fe, 1u << XenbusStateConnected,
                               monotonic_ns() + CONNECT_TIMEOUT_NS, &s);
    if (rc < 0) {
        printk("netfront vif%u: backend did not connect (state %d)\n", nf->id, (int)s);
        return rc;
    }
    frontend_read_backend(&nf->fe, "ip", &nf->ip); /* optional */
    netfront_post_all_rx(nf);
    nf->connected = true;
    char path[FRONTEND_PATH_MAX + 16], token[40];
    ksnprintf(path, sizeof(path), "%s/state", nf->fe.backend);
    ksnprintf(token, sizeof(token), "netfront-close:%u", nf->id);
    xenbus_watch_add(path, token, backend_state_changed, nf);
    return 0;
}

static void disconnect(struct netfront *nf)
{
    char path[FRONTEND_PATH_MAX + 16], token[40];
    ksnprintf(path, sizeof(path), "%s/state", nf->fe.backend);
    ksnprintf(token, sizeof(token), "netfront-close:%u", nf->id);
    xenbus_watch_remove(path, token);
    nf->connected = false;
    if (nf->thread) {
        nf->stopping = true;
        waitq_wake_all(&nf->work);
        thread_join(nf->thread);
        nf->thread = NULL;
    }
    frontend_close(&nf->fe);
    free_rings(nf);
}

struct netfront *netfront_open(unsigned id, netfront_rx_fn rx, void *arg)
{
    struct netfront *nf = kzalloc(sizeof(*nf));
    if (!nf) {
        printk("netfront vif%u: out of memory\n", id);
        return NULL;
    }
    nf->id = id;
    nf->rx_fn = rx;
    nf->rx_arg = arg;
    waitq_init(&nf->tx_space);
    waitq_init(&nf->work);
    int rc = xenbus_init();
    if (rc == 0)
        rc = frontend_open(&nf->fe, "vif", id);
    if (rc == 0)
        rc = connect(nf);
    if (rc == 0) {
        char name[THREAD_NAME_LEN];
        ksnprintf(name, sizeof(name), "netfront%u", id);
        nf->thread = thread_create(name, netfront_thread, nf);
        rc = nf->thread ? 0 : -ENOMEM;
    }
    if (rc < 0) {
        disconnect(nf);
        kfree(nf->ip);
        kfree(nf);
        return NULL;
    }
    printk("netfront vif%u: connected, mac %02x:%02x:%02x:%02x:%02x:%02x, backend d%u%s%s\n", id,
           nf->mac[0], nf->mac[1], nf->mac[2], nf->mac[3], nf->mac[4], nf->mac[5],
           nf->fe.backend_id, nf->ip ? ", ip " : "", nf->ip ? nf->ip : "");
    return nf;
}

void netfront_close(struct netfront *nf)
{
    if (!nf)
        return;
    disconnect(nf);
    kfree(nf->ip);
    kfree(nf);
}

void netfront_set_disconnect_hook(struct netfront *nf, void (*hook)(struct netfront *nf, void *arg),
                                  void *arg)
{
    nf->disconnect_hook = hook;
    nf->disconnect_arg = arg;
}
