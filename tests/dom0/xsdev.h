/* Sending one xenstore request over Linux's /dev/xen/xenbus, shared by the
 * dom0 tools that speak the wire protocol directly (xsbench, xswatch).
 * Header-only: each tests/dom0 C file is built alone into one static tool. */
#ifndef XSDEV_H
#define XSDEV_H

#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <xen/io/xs_wire.h>

/* One message "a" "b" of TYPE outside any transaction; 0 or -1. */
static int xsdev_send(int fd, uint32_t req_id, uint32_t type,
                      const char *a, size_t alen, const char *b, size_t blen)
{
    char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
    struct xsd_sockmsg *h = (struct xsd_sockmsg *)buf;
    if (alen + blen > XENSTORE_PAYLOAD_MAX)
        return -1;
    h->type = type;
    h->req_id = req_id;
    h->tx_id = 0;
    h->len = (uint32_t)(alen + blen);
    memcpy(buf + sizeof(*h), a, alen);
    memcpy(buf + sizeof(*h) + alen, b, blen);
    return write(fd, buf, sizeof(*h) + h->len) == (ssize_t)(sizeof(*h) + h->len) ? 0 : -1;
}

#endif
