/* netsvc: the network service stub domain. Small TCP/UDP services over
 * POSIX sockets (lwIP underneath), one thread per connection:
 *
 *   TCP 7    echo      sends back what it receives; logs bytes and CRC-32
 *   TCP 9    discard   swallows everything; logs bytes and throughput
 *   TCP 19   chargen   RFC 864 lines until the client closes
 *   UDP 7    echo      each datagram back to its sender
 *   TCP 80   HTTP/1.1  "/" a status page, "/index.html" a page and
 *                      "/file.bin" a 1 MiB file, both held in memory
 *
 * Port numbers can be moved with words on the command line (xl extra=):
 * http_port=8080 echo_port=7007 ... ; the network words ip= gw= ... are
 * the stack's (see lib/lwip/netcfg.h). */
#ifndef NETSVC_H
#define NETSVC_H

#include <stddef.h>
#include <stdint.h>

/* Counters shown on the status page. Threads are cooperative, so plain
 * increments are safe. */
struct netsvc_stats {
    uint64_t started_ns;
    unsigned long connections[4]; /* by service: echo discard chargen http */
    unsigned long active;
    unsigned long http_requests, http_errors;
    unsigned long udp_datagrams;
    uint64_t bytes_in, bytes_out;
};
extern struct netsvc_stats netsvc_stats;

enum service { SVC_ECHO, SVC_DISCARD, SVC_CHARGEN, SVC_HTTP };

/* main.c: run fn(fd) in a new detached thread for an accepted connection
 * (closes fd itself if no thread can be made). */
void netsvc_spawn(void (*fn)(int fd), int fd);
/* A listening TCP socket on port (IPv4 and IPv6 wildcard), or -1. */
int netsvc_listen(int port);
/* "198.18.0.1:40000" for a socket's peer. */
void netsvc_peer_name(int fd, char *buf, size_t size);
/* send() all of buf; 0, or -1 when the peer is gone. */
int netsvc_send_all(int fd, const void *buf, size_t len);

/* services.c */
void svc_echo(int fd);
void svc_discard(int fd);
void svc_chargen(int fd);
void *svc_udp_echo(void *port);

/* http.c */
void svc_http(int fd);

/* content.c */
uint32_t crc32_update(uint32_t crc, const void *buf, size_t len); /* crc starts at 0 */
#define NETSVC_FILE_SIZE (1024 * 1024)
const uint8_t *netsvc_file(void); /* NETSVC_FILE_SIZE bytes, see content.c */
void netsvc_content_init(void);
extern const char netsvc_index_html[];
/* Format the status page into buf; returns its length. */
size_t netsvc_status_page(char *buf, size_t size);

#endif
