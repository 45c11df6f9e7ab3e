/* A small HTTP/1.1 server: GET and HEAD, persistent connections (and
 * pipelined requests), Content-Length on every response. One thread per
 * connection; an idle connection is closed after HTTP_IDLE_S seconds.
 *
 *   /, /status    the status page (made per request)
 *   /index.html   a static page
 *   /file.bin     1 MiB of deterministic bytes (content.c) */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "netsvc.h"

#define HTTP_REQ_MAX 4096
#define HTTP_IDLE_S 30
#define STATUS_PAGE_MAX 8192

struct request {
    char method[8];
    char target[256];
    int minor; /* HTTP/1.<minor> */
    bool keep_alive;
    long content_length; /* body we must skip */
};

struct response {
    int status;
    const char *reason;
    const char *type;
    const void *body;
    size_t len;
    const char *extra; /* more header lines, or NULL */
};

/* End of the header block in buf (index past "\r\n\r\n"), or 0. */
static size_t header_end(const char *buf, size_t len)
{
    for (size_t i = 3; i < len; i++)
        if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r')
            return i + 1;
    return 0;
}

/* Parse "METHOD target HTTP/1.x" and the headers we care about.
 * 0, or the status code of the error to answer. */
static int parse_request(char *buf, size_t len, struct request *r)
{
    buf[len - 1] = '\0'; /* the final '\n': the block is now a C string */
    char *line_end = strstr(buf, "\r\n");
    *line_end = '\0';
    char version[16];
    if (sscanf(buf, "%7s %255s %15s", r->method, r->target, version) != 3)
        return 400;
    if (strncmp(version, "HTTP/1.", 7) != 0 || (version[7] != '0' && version[7] != '1') ||
        version[8] != '\0')
        return 505;
    r->minor = version[7] - '0';
    r->keep_alive = r->minor == 1;
    r->content_length = 0;
    for (char *h = line_end + 2; *h;) {
        char *next = strstr(h, "\r\n");
        if (!next)
            break;
        *next = '\0';
        if (!strncasecmp(h, "Connection:", 11)) {
            const char *v = h + 11 + strspn(h + 11, " \t");
            if (!strncasecmp(v, "close", 5))
                r->keep_alive = false;
            else if (!strncasecmp(v, "keep-alive", 10))
                r->keep_alive = true;
        } else if (!strncasecmp(h, "Content-Length:", 15)) {
            r->content_length = strtol(h + 15, NULL, 10);
            if (r->content_length < 0)
                return 400;
        } else if (!strncasecmp(h, "Transfer-Encoding:", 18)) {
            return 501; /* no chunked request bodies */
        }
        h = next + 2;
    }
    return 0;
}

static int send_response(int fd, const struct request *r, const struct response *res,
                         bool keep_alive)
{
    char head[512];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 %d %s\r\n"
                     "Server: stubos-netsvc\r\n"
                     "Content-Type: %s\r\n"
                     "Content-Length: %zu\r\n"
                     "Connection: %s\r\n"
                     "%s"
                     "\r\n",
                     res->status, res->reason, res->type, res->len,
                     keep_alive ? "keep-alive" : "close", res->extra ? res->extra : "");
    bool head_only = r && !strcmp(r->method, "HEAD");
    if (netsvc_send_all(fd, head, (size_t)n) < 0)
        return -1;
    if (!head_only && res->len && netsvc_send_all(fd, res->body, res->len) < 0)
        return -1;
    return 0;
}

static int send_error(int fd, const struct request *r, int status, const char *reason)
{
    char body[128];
    int n = snprintf(body, sizeof(body), "%d %s\n", status, reason);
    struct response res = {status, reason,    "text/plain",
                           body,   (size_t)n, status == 405 ? "Allow: GET, HEAD\r\n" : NULL};
    netsvc_stats.http_errors++;
    send_response(fd, r, &res, false);
    return -1; /* errors close the connection */
}

/* Answer one parsed request; -1 to close the connection. */
static int answer(int fd, struct request *r)
{
    netsvc_stats.http_requests++;
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
        return send_error(fd, r, 405, "Method Not Allowed");
    char *query = strchr(r->target, '?');
    if (query)
        *query = '\0';
    struct response res = {200, "OK", "text/html; charset=utf-8", NULL, 0, NULL};
    char *page = NULL;
    if (!strcmp(r->target, "/") || !strcmp(r->target, "/status")) {
        page = malloc(STATUS_PAGE_MAX);
        if (!page)
            return send_error(fd, r, 503, "Service Unavailable");
        res.len = netsvc_status_page(page, STATUS_PAGE_MAX);
        res.body = page;
        res.extra = "Cache-Control: no-store\r\n";
    } else if (!strcmp(r->target, "/index.html")) {
        res.body = netsvc_index_html;
        res.len = strlen(netsvc_index_html);
    } else if (!strcmp(r->target, "/file.bin")) {
        res.type = "application/octet-stream";
        res.body = netsvc_file();
        res.len = NETSVC_FILE_SIZE;
    } else {
        return send_error(fd, r, 404, "Not Found");
    }
    int rc = send_response(fd, r, &res, r->keep_alive);
    free(page);
    return rc == 0 && r->keep_alive ? 0 : -1;
}

void svc_http(int fd)
{
    char *buf = malloc(HTTP_REQ_MAX);
    size_t have = 0;
    struct timeval idle = {HTTP_IDLE_S, 0};
    int one = 1;
    if (!buf)
        return;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof(idle));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    for (;;) {
        size_t end;
        while ((end = header_end(buf, have)) == 0) {
            if (have == HTTP_REQ_MAX) {
                send_error(fd, NULL, 431, "Request Header Fields Too Large");
                goto out;
            }
            ssize_t n = recv(fd, buf + have, HTTP_REQ_MAX - have, 0);
            if (n <= 0)
                goto out; /* closed, reset or idle too long */
            netsvc_stats.bytes_in += (uint64_t)n;
            have += (size_t)n;
        }
        struct request r;
        int status = parse_request(buf, end, &r);
        if (status) {
            send_error(fd, NULL, status,
                       status == 505 ? "HTTP Version Not Supported" : "Bad Request");
            goto out;
        }
        if (r.content_length > 0) {
            send_error(fd, &r, 413, "Content Too Large"); /* GET/HEAD carry no body here */
            goto out;
        }
        if (answer(fd, &r) < 0)
            goto out;
        /* Keep what followed (a pipelined request) for the next round. */
        memmove(buf, buf + end, have - end);
        have -= end;
    }
out:
    free(buf);
}
