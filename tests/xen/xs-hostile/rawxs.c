/* Raw xenstore ring client (see rawxs.h). Indices are read from the page
 * every time: we are the misbehaving side here, not the one to protect. */
#include <minios/arch.h>
#include <minios/errno.h>
#include <minios/events.h>
#include <minios/sched.h>
#include <minios/string.h>
#include <minios/time.h>
#include <minios/xs_codec.h>

#include "rawxs.h"

static struct xenstore_domain_interface *intf;
static evtchn_port_t port;
static struct waitq ring_wait = WAITQ_INIT(ring_wait);
static uint32_t next_req_id = 1;

static void ring_event(evtchn_port_t p, void *data)
{
    (void)p;
    (void)data;
    waitq_wake_all(&ring_wait);
}

int rawxs_open(void)
{
    if (!boot_info.xenstore_ring)
        return -ENODEV;
    intf = boot_info.xenstore_ring;
    port = boot_info.xenstore_evtchn;
    /* The kernel's client finds no ring and gives up at once. */
    boot_info.xenstore_ring = NULL;
    return evtchn_bind(port, ring_event, NULL);
}

struct xenstore_domain_interface *rawxs_intf(void)
{
    return intf;
}

void rawxs_notify(void)
{
    evtchn_send(port);
}

static bool flagged(void)
{
    return READ_ONCE(intf->error) != XENSTORE_ERROR_NONE;
}

uint32_t rawxs_space(void)
{
    int free = xs_ring_free(READ_ONCE(intf->req_cons), READ_ONCE(intf->req_prod));
    return free < 0 ? 0 : (uint32_t)free;
}

int rawxs_put(const void *buf, uint32_t len, uint64_t deadline)
{
    const char *p = buf;
    while (len) {
        if (flagged())
            return -EPIPE;
        XENSTORE_RING_IDX prod = READ_ONCE(intf->req_prod);
        int n = xs_ring_put(intf->req, READ_ONCE(intf->req_cons), prod, p, len);
        if (n > 0) {
            wmb(); /* the bytes before the index */
            WRITE_ONCE(intf->req_prod, prod + (uint32_t)n);
            rawxs_notify();
            p += n;
            len -= (uint32_t)n;
            continue;
        }
        if (n < 0)
            return -EIO;
        if (wait_event_deadline(&ring_wait, flagged() || rawxs_space() > 0, deadline))
            return -ETIMEDOUT;
    }
    return 0;
}

int rawxs_send(uint32_t type, uint32_t req_id, uint32_t tx_id, const void *payload,
               uint32_t len, uint64_t deadline)
{
    struct xsd_sockmsg hdr = {.type = type, .req_id = req_id, .tx_id = tx_id, .len = len};
    int rc = rawxs_put(&hdr, sizeof(hdr), deadline);
    if (rc == 0 && len)
        rc = rawxs_put(payload, len, deadline);
    return rc;
}

static uint32_t queued(void)
{
    int n = xs_ring_queued(READ_ONCE(intf->rsp_cons), READ_ONCE(intf->rsp_prod));
    return n < 0 ? 0 : (uint32_t)n;
}

/* Exactly len bytes out of the reply ring. */
static int take(void *dst, uint32_t len, uint64_t deadline)
{
    char *p = dst;
    while (len) {
        XENSTORE_RING_IDX cons = READ_ONCE(intf->rsp_cons);
        XENSTORE_RING_IDX prod = READ_ONCE(intf->rsp_prod);
        rmb(); /* the index before the bytes */
        int n = xs_ring_get(intf->rsp, cons, prod, p, len);
        if (n < 0)
            return -EIO;
        if (n > 0) {
            mb(); /* done reading before giving the space back */
            WRITE_ONCE(intf->rsp_cons, cons + (uint32_t)n);
            rawxs_notify();
            p += n;
            len -= (uint32_t)n;
            continue;
        }
        if (flagged())
            return -EPIPE;
        if (wait_event_deadline(&ring_wait, flagged() || queued() > 0, deadline))
            return -ETIMEDOUT;
    }
    return 0;
}

int rawxs_get(struct rawxs_msg *m, uint64_t deadline)
{
    int rc = take(&m->hdr, sizeof(m->hdr), deadline);
    if (rc)
        return rc;
    if (m->hdr.len > XENSTORE_PAYLOAD_MAX)
        return -EBADMSG;
    rc = take(m->body, m->hdr.len, deadline);
    if (rc)
        return rc;
    m->body[m->hdr.len] = '\0';
    return 0;
}

int rawxs_call(uint32_t type, uint32_t tx_id, const void *payload, uint32_t len,
               struct rawxs_msg *m, uint64_t deadline)
{
    uint32_t id = next_req_id++;
    int rc = rawxs_send(type, id, tx_id, payload, len, deadline);
    while (rc == 0) {
        rc = rawxs_get(m, deadline);
        if (rc == 0 && m->hdr.type != XS_WATCH_EVENT)
            return m->hdr.req_id == id ? 0 : -EPROTO;
    }
    return rc;
}

uint32_t rawxs_wait_error(uint64_t deadline)
{
    wait_event_deadline(&ring_wait, flagged(), deadline);
    return READ_ONCE(intf->error);
}

int rawxs_reconnect(uint64_t deadline)
{
    WRITE_ONCE(intf->connection, XENSTORE_RECONNECT);
    mb();
    rawxs_notify();
    return wait_event_deadline(&ring_wait, READ_ONCE(intf->connection) == XENSTORE_CONNECTED,
                               deadline);
}

bool rawxs_is_error(const struct rawxs_msg *m, const char *err)
{
    if (m->hdr.type != XS_ERROR)
        return false;
    return !err || !strcmp(m->body, err);
}
