/* The server object: creation, teardown, statistics, the self-check. */
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/mm.h>
#include <minios/string.h>

#include "conn.h"
#include "domain.h"
#include "server.h"
#include "txn.h"

#define TREE_BUCKETS 256

void server_internal_error(struct xsd_server *srv, const char *what)
{
    srv->stats.internal_errors++;
    printk("xenstored: internal error: %s\n", what);
}

static struct xsd_node *special_new(const char *path)
{
    static const struct xsd_perm dom0_only = {.domid = 0, .access = XSD_PERM_NONE};
    struct xsd_node *n = node_new(path, strlen(path));
    if (n && node_set_perms(n, &dom0_only, 1) < 0) {
        node_free(n);
        n = NULL;
    }
    return n;
}

struct xsd_server *xsd_server_new(const struct xsd_transport *transport)
{
    struct xsd_server *srv = kzalloc(sizeof(*srv));
    if (!srv)
        return NULL;
    list_init(&srv->conns);
    quota_init(srv);
    if (transport)
        srv->transport = *transport;
    srv->special[XSD_SPECIAL_INTRODUCE] = special_new(XSD_SPECIAL_INTRODUCE_PATH);
    srv->special[XSD_SPECIAL_RELEASE] = special_new(XSD_SPECIAL_RELEASE_PATH);
    if (!srv->special[XSD_SPECIAL_INTRODUCE] || !srv->special[XSD_SPECIAL_RELEASE] ||
        map_init(&srv->tree, TREE_BUCKETS) < 0 || tree_init(srv) < 0) {
        xsd_server_free(srv);
        return NULL;
    }
    return srv;
}

void xsd_server_free(struct xsd_server *srv)
{
    if (!srv)
        return;
    while (!list_empty(&srv->conns))
        conn_destroy(list_first_entry(&srv->conns, struct xsd_conn, link));
    map_destroy(&srv->tree, true);
    for (unsigned s = 0; s < XSD_SPECIAL_COUNT; s++)
        node_free(srv->special[s]);
    domains_free(srv);
    kfree(srv);
}

void xsd_set_priv_domid(struct xsd_server *srv, uint16_t domid)
{
    srv->priv_domid = domid;
    srv->has_priv_domid = true;
}

void xsd_set_logging(struct xsd_server *srv, bool on)
{
    srv->log_requests = on;
}

void xsd_get_stats(const struct xsd_server *srv, struct xsd_stats *stats)
{
    *stats = srv->stats;
    stats->nodes = srv->tree.count;
    stats->connections = srv->nconns;
    stats->domains = srv->ndomains;
}

static int check_conn(const struct xsd_conn *conn)
{
    uint32_t watches = 0, txns = 0, replies = 0, event_bytes = 0;
    struct list_head *pos;
    list_for_each(pos, &conn->watches) watches++;
    list_for_each(pos, &conn->txns) txns++;
    for (const struct xsd_msg *m = conn->out_head; m; m = m->next) {
        if (m->reply)
            replies++;
        else
            event_bytes += m->len;
    }
    if (watches != conn->nwatches || txns != conn->ntxns || replies != conn->out_replies ||
        event_bytes != conn->out_event_bytes || !conn->domain || conn->domain->conn != conn) {
        printk("xenstored: store check: dom%u: connection counters wrong\n", conn->domid);
        return -EIO;
    }
    return 0;
}

int xsd_check(struct xsd_server *srv)
{
    int rc = tree_check(srv);
    struct list_head *pos;
    list_for_each(pos, &srv->conns)
    {
        if (rc == 0)
            rc = check_conn(list_entry(pos, struct xsd_conn, link));
    }
    return rc;
}
