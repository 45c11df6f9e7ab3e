/* Bringing up the network: the tcpip thread, one lwIP netif per vif, and
 * each vif's addresses (netcfg.h decides which).
 *
 * Data path of a vif (see also lwipopts.h):
 *   receive: netfront thread -> vif_rx() copies the frame into a pbuf ->
 *            tcpip_input() queues it -> tcpip thread runs ethernet_input()
 *   send:    any thread holding the core lock -> etharp/ethip6 ->
 *            vif_linkoutput() -> netfront_xmit() (may sleep for ring space)
 * netfront copies each frame into its own granted buffers, so a pbuf chain
 * is flattened into one per-vif buffer first (under the core lock, so one
 * buffer per vif is enough). */
#include <minios/arch.h>
#include <minios/cmdline.h>
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/format.h>
#include <minios/mm.h>
#include <minios/netfront.h>
#include <minios/sched.h>
#include <minios/time.h>
#include <minios/xenbus.h>
#include <xen/io/xenbus.h>

#include <string.h>

#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"

#include "lwip_port.h"
#include "netcfg.h"
#include "stubos/net.h"

#define CMDLINE_MAX_WORDS 64
#define DHCP_WAIT_DEFAULT_S 10

struct vif {
    struct netif netif;
    struct netfront *nf;
    unsigned id;
    struct netcfg_ipv4 cfg;
    volatile bool attached;  /* netif added: received frames go to lwIP */
    volatile bool gone;      /* the backend closed: detach at the next scan */
    uint64_t rx_dropped;     /* frames we could not hand to lwIP */
    uint32_t shown_ipv4;     /* last IPv4 address printed */
    uint8_t shown_ip6_valid; /* bit i: ip6_addr[i] printed as valid */
    uint8_t txbuf[NETFRONT_MAX_FRAME];
};

/* One slot per vif id ever seen; a slot is never freed (frames queued for
 * the tcpip thread may still name its netif), a re-attached id reuses it. */
static struct vif *vifs[NET_MAX_VIFS];
static int vif_slots;

/* The command line, split once: hot-plugged vifs are configured from it too. */
static char **cmd_words;
static int cmd_nwords;

/* Hot-plug: watch device/vif for new vifs; netfront's disconnect hook
 * flags vifs whose backend went away. One thread does the work. */
static struct xenbus_event_queue hotplug_events;
static volatile bool hotplug_pending;

static struct mutex start_lock = {NULL, WAITQ_INIT(start_lock.waiters)};
static bool started;
static int start_result;
static struct waitq config_changed = WAITQ_INIT(config_changed);

/* ---- the netif driver ---- */

static err_t vif_linkoutput(struct netif *netif, struct pbuf *p)
{
    struct vif *v = netif->state;
    const void *frame = p->payload;
    if (!v->nf)
        return ERR_IF; /* detached */
    if (p->next) {
        if (p->tot_len > sizeof(v->txbuf)) {
            LINK_STATS_INC(link.lenerr);
            return ERR_BUF;
        }
        pbuf_copy_partial(p, v->txbuf, p->tot_len, 0);
        frame = v->txbuf;
    }
    int rc = netfront_xmit(v->nf, frame, p->tot_len);
    if (rc < 0) {
        LINK_STATS_INC(link.drop);
        return rc == -EMSGSIZE ? ERR_BUF : ERR_IF;
    }
    LINK_STATS_INC(link.xmit);
    return ERR_OK;
}

/* Runs in the tcpip thread: frames queued before a detach are dropped. */
static err_t vif_input(struct pbuf *p, struct netif *netif)
{
    struct vif *v = netif->state;
    if (!v->attached) {
        pbuf_free(p);
        return ERR_OK;
    }
    return ethernet_input(p, netif);
}

/* Called by netfront, in the vif's thread, for every received frame. */
static void vif_rx(void *arg, const void *frame, size_t len)
{
    struct vif *v = arg;
    if (!v->attached)
        return; /* not in lwIP (yet, or any more): nobody to give it to */
    if (len > 0xffff) {
        v->rx_dropped++;
        return;
    }
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
    if (!p) {
        v->rx_dropped++;
        LINK_STATS_INC(link.memerr);
        return;
    }
    pbuf_take(p, frame, (u16_t)len);
    if (tcpip_inpkt(p, &v->netif, vif_input) != ERR_OK) {
        pbuf_free(p); /* the tcpip mailbox is full: drop like a full NIC queue */
        v->rx_dropped++;
        LINK_STATS_INC(link.drop);
        return;
    }
    LINK_STATS_INC(link.recv);
}

static err_t vif_netif_init(struct netif *netif)
{
    struct vif *v = netif->state;
    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->mtu = 1500;
#if LWIP_IPV6
    netif->mtu6 = 1500;
#endif
    netif->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(netif->hwaddr, netfront_mac(v->nf), ETH_HWADDR_LEN);
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
                   NETIF_FLAG_IGMP | NETIF_FLAG_MLD6;
    netif->output = etharp_output;
    netif->output_ip6 = ethip6_output;
    netif->linkoutput = vif_linkoutput;
    return ERR_OK;
}

/* ---- reporting (runs in the tcpip thread or under the core lock) ---- */

static void print_ipv4(struct vif *v)
{
    struct netif *n = &v->netif;
    char a[IP4ADDR_STRLEN_MAX], m[IP4ADDR_STRLEN_MAX], g[IP4ADDR_STRLEN_MAX];
    ip4addr_ntoa_r(netif_ip4_addr(n), a, sizeof(a));
    ip4addr_ntoa_r(netif_ip4_netmask(n), m, sizeof(m));
    ip4addr_ntoa_r(netif_ip4_gw(n), g, sizeof(g));
    printk("net: vif%u %c%c%u: IPv4 %s netmask %s gw %s (%s)\n", v->id, n->name[0], n->name[1],
           n->num, a, m, ip4_addr_isany_val(*netif_ip4_gw(n)) ? "none" : g,
           v->cfg.method == NETCFG_DHCP ? "dhcp" : v->cfg.source);
}

static void vif_status_changed(struct netif *netif)
{
    struct vif *v = netif->state;
    uint32_t now = ip4_addr_get_u32(netif_ip4_addr(netif));
    if (now != v->shown_ipv4 && now != 0)
        print_ipv4(v);
    v->shown_ipv4 = now;
    for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++) {
        bool valid = ip6_addr_isvalid(netif_ip6_addr_state(netif, i));
        if (valid && !(v->shown_ip6_valid & (1u << i))) {
            char a[IP6ADDR_STRLEN_MAX];
            ip6addr_ntoa_r(netif_ip6_addr(netif, i), a, sizeof(a));
            printk("net: vif%u %c%c%u: IPv6 %s%s\n", v->id, netif->name[0], netif->name[1],
                   netif->num, a, i == 0 ? " (link-local)" : "");
        }
        if (valid)
            v->shown_ip6_valid |= (uint8_t)(1u << i);
        else
            v->shown_ip6_valid &= (uint8_t) ~(1u << i);
    }
    waitq_wake_all(&config_changed);
}

/* netfront: the backend is closing (xl network-detach ...). Runs in the
 * xenbus watch thread: flag the vif and let the hot-plug thread detach it. */
static void vif_backend_gone(struct netfront *nf, void *arg)
{
    struct vif *v = arg;
    (void)nf;
    v->gone = true;
    hotplug_pending = true;
    waitq_wake_all(&hotplug_events.wait);
}

/* ---- set-up ---- */

static void ip4_from_host(ip4_addr_t *a, uint32_t host_order)
{
    ip4_addr_set_u32(a, lwip_htonl(host_order));
}

/* The slot of vif id, made on first use; NULL if all slots are taken. */
static struct vif *vif_slot(unsigned id)
{
    for (int i = 0; i < vif_slots; i++)
        if (vifs[i]->id == id)
            return vifs[i];
    if (vif_slots == NET_MAX_VIFS)
        return NULL;
    struct vif *v = kzalloc(sizeof(*v));
    if (v) {
        v->id = id;
        vifs[vif_slots++] = v;
    }
    return v;
}

/* Connect vif v and add it to lwIP with its addresses. 0 or -1. */
static int vif_attach(struct vif *v, bool first)
{
    unsigned id = v->id;
    v->gone = false;
    v->shown_ipv4 = 0;
    v->shown_ip6_valid = 0;
    v->nf = netfront_open(id, vif_rx, v);
    if (!v->nf) {
        printk("net: vif%u: cannot connect; skipping it\n", id);
        return -1;
    }
    const uint8_t *mac = netfront_mac(v->nf);
    uint64_t seed = 0;
    for (int i = 0; i < 6; i++)
        seed = seed << 8 | mac[i];
    stubos_lwip_seed_random(seed ^ monotonic_ns());

    char err[96];
    if (netcfg_for_vif(cmd_words, cmd_nwords, id, first, netfront_ip(v->nf), &v->cfg, err,
                       sizeof(err)) < 0)
        printk("net: vif%u: %s; ignoring it\n", id, err);

    ip4_addr_t addr, mask, gw;
    ip4_addr_set_zero(&addr);
    ip4_addr_set_zero(&mask);
    ip4_addr_set_zero(&gw);
    if (v->cfg.method == NETCFG_STATIC) {
        ip4_from_host(&addr, v->cfg.addr);
        ip4_from_host(&mask, v->cfg.netmask);
        ip4_from_host(&gw, v->cfg.gw);
    }

    LOCK_TCPIP_CORE();
    if (!netif_add(&v->netif, &addr, &mask, &gw, v, vif_netif_init, tcpip_input)) {
        UNLOCK_TCPIP_CORE();
        printk("net: vif%u: lwIP refused the interface\n", id);
        netfront_close(v->nf);
        v->nf = NULL;
        return -1;
    }
    netif_set_status_callback(&v->netif, vif_status_changed);
    netif_create_ip6_linklocal_address(&v->netif, 1);
    netif_set_ip6_autoconfig_enabled(&v->netif, 1);
    v->attached = true;
    netif_set_up(&v->netif);
    netif_set_link_up(&v->netif);
    if (v->cfg.method == NETCFG_DHCP && dhcp_start(&v->netif) != ERR_OK)
        printk("net: vif%u: cannot start DHCP\n", id);
    /* The default route: the first vif, or the first one with a gateway. */
    if (!netif_default || (v->cfg.gw && ip4_addr_isany_val(*netif_ip4_gw(netif_default))))
        netif_set_default(&v->netif);
    UNLOCK_TCPIP_CORE();

    netfront_set_disconnect_hook(v->nf, vif_backend_gone, v);
    if (v->cfg.method == NETCFG_DHCP)
        printk("net: vif%u %c%c%u: IPv4 by DHCP (no address on the command line or in xenstore)\n",
               id, v->netif.name[0], v->netif.name[1], v->netif.num);
    else if (v->cfg.method == NETCFG_OFF)
        printk("net: vif%u %c%c%u: IPv4 off (ip=off)\n", id, v->netif.name[0], v->netif.name[1],
               v->netif.num);
    waitq_wake_all(&config_changed);
    return 0;
}

/* Take vif v out of lwIP and disconnect it (its backend is going away). */
static void vif_detach(struct vif *v)
{
    LOCK_TCPIP_CORE();
    v->attached = false; /* frames still queued for the tcpip thread are dropped */
    if (v->cfg.method == NETCFG_DHCP) {
        dhcp_stop(&v->netif);
        dhcp_cleanup(&v->netif);
    }
    netif_set_link_down(&v->netif);
    netif_remove(&v->netif); /* also moves the default route away */
    if (!netif_default)
        for (int i = 0; i < vif_slots; i++)
            if (vifs[i]->attached) {
                netif_set_default(&vifs[i]->netif);
                break;
            }
    struct netfront *nf = v->nf;
    v->nf = NULL; /* linkoutput refuses from now on */
    UNLOCK_TCPIP_CORE();
    netfront_close(nf);
    printk("net: vif%u: detached (its backend closed)\n", v->id);
    waitq_wake_all(&config_changed);
}

/* Detach vifs whose backend left; attach new vifs (frontend state
 * Initialising: the toolstack just made it). */
static void hotplug_scan(void)
{
    for (int i = 0; i < vif_slots; i++)
        if (vifs[i]->attached && vifs[i]->gone)
            vif_detach(vifs[i]);
    unsigned ids[NET_MAX_VIFS];
    int n = netfront_list(ids, NET_MAX_VIFS);
    for (int i = 0; i < n; i++) {
        char path[40];
        long state = 0;
        struct vif *v = vif_slot(ids[i]);
        if (!v || v->attached)
            continue;
        ksnprintf(path, sizeof(path), "device/vif/%u/state", ids[i]);
        if (xenbus_read_int(XBT_NIL, path, &state) < 0 || state != XenbusStateInitialising)
            continue;
        printk("net: vif%u: attached while running\n", ids[i]);
        vif_attach(v, false);
    }
}

static void hotplug_thread(void *arg)
{
    (void)arg;
    for (;;) {
        wait_event(&hotplug_events.wait, !list_empty(&hotplug_events.events) || hotplug_pending);
        hotplug_pending = false;
        xenbus_event_queue_flush(&hotplug_events);
        hotplug_scan();
    }
}

static void hotplug_start(void)
{
    struct thread *t;
    xenbus_event_queue_init(&hotplug_events);
    if (xenbus_watch_add_queue("device/vif", "net-hotplug", &hotplug_events) < 0 ||
        !(t = thread_create("net-hotplug", hotplug_thread, NULL))) {
        printk("net: no vif hot-plug (xenstore watch or thread failed)\n");
        return;
    }
    thread_detach(t);
}

static void set_dns(char *const *words, int nwords)
{
    uint32_t servers[NETCFG_MAX_DNS];
    char err[96];
    int n = netcfg_dns(words, nwords, servers, err, sizeof(err));
    if (n < 0)
        printk("net: %s; ignoring it\n", err);
    LOCK_TCPIP_CORE();
    for (int i = 0; i < n; i++) {
        ip_addr_t a;
        ip_addr_set_ip4_u32_val(a, lwip_htonl(servers[i]));
        dns_setserver((u8_t)i, &a);
    }
    UNLOCK_TCPIP_CORE();
}

/* dhcp_wait=SECONDS from the command line, else the default. */
static uint32_t dhcp_wait_s(char *const *words, int nwords)
{
    uint32_t s = DHCP_WAIT_DEFAULT_S;
    for (int i = 0; i < nwords; i++) {
        if (strncmp(words[i], "dhcp_wait=", 10) != 0)
            continue;
        const char *p = words[i] + 10;
        uint32_t v = 0;
        while (*p >= '0' && *p <= '9' && v < 100000)
            v = v * 10 + (uint32_t)(*p++ - '0');
        if (*p == '\0' && p != words[i] + 10)
            s = v;
    }
    return s;
}

static void tcpip_ready(void *arg)
{
    sem_up(arg);
}

static int start(void)
{
    struct semaphore ready;
    sem_init(&ready, 0);
    tcpip_init(tcpip_ready, &ready);
    sem_down(&ready);

    /* The command line, split like the kernel splits argv (kept: hot-plugged
     * vifs are configured from it too). */
    size_t len = strlen(boot_info.cmdline);
    char *buf = kmalloc(len + 1);
    cmd_words = kmalloc(CMDLINE_MAX_WORDS * sizeof(char *));
    if (buf && cmd_words) {
        memcpy(buf, boot_info.cmdline, len + 1);
        cmd_nwords = cmdline_split(buf, cmd_words, CMDLINE_MAX_WORDS);
        if (cmd_nwords < 0)
            cmd_nwords = 0; /* the kernel already complained about it */
    }
    set_dns(cmd_words, cmd_nwords);

    unsigned ids[NET_MAX_VIFS];
    int n = xenbus_init() == 0 ? netfront_list(ids, NET_MAX_VIFS) : 0;
    if (n <= 0) {
        printk("net: no network interface: this domain has no vif (add vif = [ ... ] to its "
               "xl config); only loopback (127.0.0.1, ::1) works\n");
    }
    int up = 0;
    for (int i = 0; i < n; i++) {
        struct vif *v = vif_slot(ids[i]);
        if (v && vif_attach(v, i == 0) == 0)
            up++;
    }
    if (xenbus_init() == 0)
        hotplug_start();

    uint32_t wait_s = dhcp_wait_s(cmd_words, cmd_nwords);
    if (net_wait_configured(wait_s * 1000) < 0)
        printk("net: no DHCP answer after %u s; carrying on (the address may still come)\n",
               (unsigned)wait_s);
    return up;
}

int net_init(void)
{
    mutex_lock(&start_lock);
    if (!started) {
        start_result = start();
        started = true;
    }
    mutex_unlock(&start_lock);
    return start_result;
}

void net_ensure_started(void)
{
    if (!started)
        net_init();
}

/* ---- queries ---- */

static bool vif_configured(const struct vif *v)
{
    return v->cfg.method != NETCFG_DHCP || !ip4_addr_isany_val(*netif_ip4_addr(&v->netif));
}

static bool all_configured(void)
{
    for (int i = 0; i < vif_slots; i++)
        if (vifs[i]->attached && !vif_configured(vifs[i]))
            return false;
    return true;
}

/* The i-th attached vif, or NULL. */
static struct vif *attached_vif(int i)
{
    for (int k = 0; k < vif_slots; k++)
        if (vifs[k]->attached && i-- == 0)
            return vifs[k];
    return NULL;
}

int net_wait_configured(uint32_t timeout_ms)
{
    uint64_t deadline = monotonic_ns() + (uint64_t)timeout_ms * NSEC_PER_MSEC;
    if (timeout_ms == 0)
        return all_configured() ? 0 : -ETIMEDOUT;
    return wait_event_deadline(&config_changed, all_configured(), deadline);
}

int net_if_count(void)
{
    int n = 0;
    for (int i = 0; i < vif_slots; i++)
        n += vifs[i]->attached;
    return n;
}

int net_if_get(int i, struct net_if_info *info)
{
    struct vif *v = i >= 0 ? attached_vif(i) : NULL;
    if (!v)
        return -ENOENT;
    struct netif *n = &v->netif;
    struct netfront_stats st;
    memset(info, 0, sizeof(*info));
    info->vif_id = v->id;
    info->name[0] = n->name[0];
    info->name[1] = n->name[1];
    ksnprintf(info->name + 2, sizeof(info->name) - 2, "%u", n->num);
    memcpy(info->mac, n->hwaddr, 6);
    info->link_up = netif_is_link_up(n);
    switch (v->cfg.method) {
    case NETCFG_STATIC:
        info->method =
            !strcmp(v->cfg.source, "xenstore") ? "static (xenstore)" : "static (command line)";
        break;
    case NETCFG_DHCP:
        info->method = "dhcp";
        break;
    default:
        info->method = "off";
        break;
    }
    info->ipv4 = ip4_addr_get_u32(netif_ip4_addr(n));
    info->netmask = ip4_addr_get_u32(netif_ip4_netmask(n));
    info->gw = ip4_addr_get_u32(netif_ip4_gw(n));
    int k = 0;
    for (int j = 0; j < LWIP_IPV6_NUM_ADDRESSES && k < 2; j++)
        if (ip6_addr_isvalid(netif_ip6_addr_state(n, j)))
            ip6addr_ntoa_r(netif_ip6_addr(n, j), info->ipv6[k++], sizeof(info->ipv6[0]));
    netfront_get_stats(v->nf, &st);
    info->rx_packets = st.rx_packets;
    info->rx_bytes = st.rx_bytes;
    info->rx_dropped = st.rx_dropped + v->rx_dropped;
    info->tx_packets = st.tx_packets;
    info->tx_bytes = st.tx_bytes;
    info->tx_dropped = st.tx_dropped;
    return 0;
}

static size_t format_proto(char *buf, size_t size, const char *name, const struct stats_proto *p)
{
    int n = ksnprintf(buf, size,
                      "%-6s xmit %u recv %u drop %u chkerr %u lenerr %u memerr %u rterr %u "
                      "proterr %u err %u\n",
                      name, (unsigned)p->xmit, (unsigned)p->recv, (unsigned)p->drop,
                      (unsigned)p->chkerr, (unsigned)p->lenerr, (unsigned)p->memerr,
                      (unsigned)p->rterr, (unsigned)p->proterr, (unsigned)p->err);
    return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size ? size - 1 : 0;
}

size_t net_stats_format(char *buf, size_t size)
{
    static const struct {
        const char *name;
        const struct stats_proto *p;
    } protos[] = {
        {"link", &lwip_stats.link}, {"etharp", &lwip_stats.etharp}, {"ip", &lwip_stats.ip},
        {"ip6", &lwip_stats.ip6},   {"icmp", &lwip_stats.icmp},     {"icmp6", &lwip_stats.icmp6},
        {"nd6", &lwip_stats.nd6},   {"udp", &lwip_stats.udp},       {"tcp", &lwip_stats.tcp},
    };
    size_t len = 0;
    if (size)
        buf[0] = '\0';
    for (size_t i = 0; i < ARRAY_SIZE(protos) && len + 1 < size; i++)
        len += format_proto(buf + len, size - len, protos[i].name, protos[i].p);
    return len;
}
