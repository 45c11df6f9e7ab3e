/* POSIX sockets as file descriptors, on lwIP's socket layer.
 *
 * A socket is a libc file (lib/libc/fd.h) whose private part is the index
 * of an lwIP socket; socket() & co. find it through the descriptor table
 * and call the matching lwip_*() function, which sets errno itself. The
 * file's O_NONBLOCK flag (fcntl, SOCK_NONBLOCK) is passed down per call.
 *
 * poll()/select() (lib/libc/poll.c) ask each socket for its readiness,
 * read from lwIP's per-socket event counters, and sleep until an event:
 * every lwIP netconn of ours reports its events through sock_event(),
 * which runs lwIP's own handler and then libc_poll_notify().
 *
 * close() while other threads wait in recv()/accept() on the same socket
 * wakes them: they fail with EBADF (sock_closed). lwIP would leave them
 * asleep on a mailbox that its close frees (it only supports that with
 * LWIP_NETCONN_FULLDUPLEX, which needs per-thread semaphores), so the
 * lwIP socket is closed only when the last of them has left. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lwip/api.h"
#include "lwip/netbuf.h"
#include "lwip/netdb.h"
#include "lwip/if_api.h"
#include "lwip/priv/sockets_priv.h"
#include "lwip/sockets.h"
#include "lwip/tcpip.h"

#include "../libc/fd.h"
#include "../libc/internal.h"
#include "lwip_port.h"
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

struct sock_file {
    struct libc_file file;
    int s;              /* lwIP socket */
    bool lwip_nonblock; /* what lwIP was last told (FIONBIO) */
    bool closed;        /* its last descriptor was closed during a call */
    int receivers;      /* threads in a call that may wait for data or a connection */
};

/* lwIP's "connection aborted" mailbox message (api_msg.c): a receiver that
 * fetches it returns ERR_ABRT without touching the connection's state. */
extern const u8_t netconn_aborted;

static const struct libc_file_ops sock_ops;

/* ---- events ---- */

static netconn_callback lwip_event_handler; /* lwIP's, static in sockets.c */

static void sock_event(struct netconn *conn, enum netconn_evt evt, u16_t len)
{
    lwip_event_handler(conn, evt, len);
    if (evt == NETCONN_EVT_RCVPLUS || evt == NETCONN_EVT_SENDPLUS || evt == NETCONN_EVT_ERROR)
        libc_poll_notify();
}

/* Route the netconn's events through sock_event (accepted connections
 * inherit the callback of their listener, so they come hooked). */
static void hook_events(int s)
{
    struct lwip_sock *sock = lwip_socket_dbg_get_socket(s);
    if (!sock || !sock->conn || sock->conn->callback == sock_event)
        return;
    lwip_event_handler = sock->conn->callback;
    sock->conn->callback = sock_event;
}

/* ---- the file ---- */

static struct sock_file *to_sock(struct libc_file *f)
{
    return (struct sock_file *)f;
}

/* Tell lwIP about O_NONBLOCK when it changed (blocking accept/connect). */
static void sync_nonblock(struct sock_file *sf)
{
    bool want = (sf->file.flags & O_NONBLOCK) != 0;
    if (want != sf->lwip_nonblock) {
        u32_t on = want;
        lwip_ioctl(sf->s, (long)FIONBIO, &on);
        sf->lwip_nonblock = want;
    }
}

static int io_flags(struct sock_file *sf, int flags)
{
    return (sf->file.flags & O_NONBLOCK) ? flags | MSG_DONTWAIT : flags;
}

/* lwIP's -1-and-errno convention to the file ops' negative errno. */
static ssize_t neg_errno(ssize_t rc)
{
    return rc < 0 ? -(errno ? errno : EIO) : rc;
}

static ssize_t sock_read(struct libc_file *f, void *buf, size_t n)
{
    struct sock_file *sf = to_sock(f);
    sf->receivers++;
    ssize_t rc = neg_errno(lwip_recv(sf->s, buf, n, io_flags(sf, 0)));
    sf->receivers--;
    return sf->closed ? -EBADF : rc;
}

static ssize_t sock_write(struct libc_file *f, const void *buf, size_t n)
{
    struct sock_file *sf = to_sock(f);
    return neg_errno(lwip_send(sf->s, buf, n, io_flags(sf, 0)));
}

static int sock_stat(struct libc_file *f, struct stat *st)
{
    (void)f;
    memset(st, 0, sizeof(*st));
    st->st_mode = S_IFSOCK | 0777;
    st->st_nlink = 1;
    st->st_blksize = TCP_MSS;
    return 0;
}

/* The last descriptor is gone but threads still wait in this socket: put
 * one wake-up per waiting thread into the mailbox it sleeps on. A TCP
 * receiver or acceptor gets lwIP's "aborted" message; a UDP/raw receiver
 * an empty datagram (its mailbox carries nothing else). Whatever they
 * fetch, they fail with EBADF (sf->closed). Messages nobody takes are
 * freed by lwIP's close. */
static void sock_closed(struct libc_file *f)
{
    struct sock_file *sf = to_sock(f);
    sf->closed = true;
    LOCK_TCPIP_CORE();
    struct lwip_sock *sock = lwip_socket_dbg_get_socket(sf->s);
    struct netconn *conn = sock ? sock->conn : NULL;
    for (int i = 0; conn && i < sf->receivers; i++) {
        bool tcp = NETCONNTYPE_GROUP(netconn_type(conn)) == NETCONN_TCP;
        if (tcp && sys_mbox_valid(&conn->acceptmbox)) {
            if (sys_mbox_trypost(&conn->acceptmbox, (void *)&netconn_aborted) != ERR_OK)
                break; /* full: nobody sleeps on it */
        } else if (tcp && sys_mbox_valid(&conn->recvmbox)) {
            if (sys_mbox_trypost(&conn->recvmbox, (void *)&netconn_aborted) != ERR_OK)
                break;
        } else if (sys_mbox_valid(&conn->recvmbox)) {
            struct netbuf *nb = netbuf_new();
            if (!nb || !netbuf_alloc(nb, 0) || sys_mbox_trypost(&conn->recvmbox, nb) != ERR_OK) {
                if (nb)
                    netbuf_delete(nb);
                break;
            }
        }
    }
    UNLOCK_TCPIP_CORE();
}

static void sock_release(struct libc_file *f)
{
    struct sock_file *sf = to_sock(f);
    lwip_close(sf->s);
    free(sf);
}

static short sock_poll(struct libc_file *f, short events)
{
    struct lwip_sock *sock = lwip_socket_dbg_get_socket(to_sock(f)->s);
    short ready = 0;
    (void)events;
    if (!sock)
        return POLLNVAL;
    if (sock->lastdata.pbuf || sock->rcvevent > 0)
        ready |= POLLIN | POLLRDNORM;
    if (sock->sendevent)
        ready |= POLLOUT | POLLWRNORM;
    if (sock->errevent)
        ready |= POLLERR;
    return ready;
}

static const struct libc_file_ops sock_ops = {
    .read = sock_read,
    .write = sock_write,
    .stat = sock_stat,
    .release = sock_release,
    .poll = sock_poll,
    .closed = sock_closed,
};

/* Give lwIP socket s a descriptor; closes s on failure. */
static int install(int s, int type_flags)
{
    struct sock_file *sf = calloc(1, sizeof(*sf));
    if (!sf) {
        lwip_close(s);
        return libc_fail(ENOMEM);
    }
    sf->file.ops = &sock_ops;
    sf->file.flags = O_RDWR | ((type_flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0);
    sf->s = s;
    hook_events(s);
    int fd = fd_install(&sf->file, 0);
    if (fd < 0) {
        sock_release(&sf->file);
        return libc_fail(-fd);
    }
    if (type_flags & SOCK_CLOEXEC)
        fd_set_cloexec(fd, true);
    return fd;
}

/* The socket behind fd, held for the call; NULL with errno set. */
static struct sock_file *hold(int fd)
{
    struct libc_file *f = fd_file(fd);
    if (!f) {
        libc_fail(EBADF);
        return NULL;
    }
    if (f->ops != &sock_ops) {
        libc_fail(ENOTSOCK);
        return NULL;
    }
    file_hold(f);
    return to_sock(f);
}

/* Drop the hold; pass on lwIP's result and errno (EBADF if the descriptor
 * was closed meanwhile). */
static long put(struct sock_file *sf, long rc)
{
    int err = errno;
    if (sf->closed && rc < 0)
        err = EBADF;
    file_put(&sf->file);
    if (rc < 0)
        libc_fail(err);
    return rc;
}

/* A receiving call (may sleep until data or a connection comes): counted
 * for sock_closed; what it got after the close is dropped. */
static long receiving(struct sock_file *sf, long rc)
{
    sf->receivers--;
    return sf->closed ? -1 : rc;
}
#define RECEIVE(sf, call) (sf->receivers++, receiving(sf, (call)))

/* ---- the calls ---- */

int socket(int domain, int type, int protocol)
{
    int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
    net_ensure_started();
    int s = lwip_socket(domain, type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC), protocol);
    if (s < 0)
        return libc_fail(errno);
    return install(s, flags);
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct sock_file *sf = hold(fd);
    return sf ? put(sf, lwip_bind(sf->s, addr, len)) : -1;
}

int listen(int fd, int backlog)
{
    struct sock_file *sf = hold(fd);
    return sf ? put(sf, lwip_listen(sf->s, backlog)) : -1;
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
    if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
        return libc_fail(EINVAL);
    struct sock_file *sf = hold(fd);
    if (!sf)
        return -1;
    sync_nonblock(sf);
    sf->receivers++;
    int s = lwip_accept(sf->s, addr, len);
    sf->receivers--;
    if (sf->closed && s >= 0) {
        lwip_close(s); /* closed while waiting: a connection that came meanwhile goes too */
        s = -1;
    }
    if (put(sf, s) < 0)
        return -1;
    return install(s, flags);
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    return accept4(fd, addr, len, 0);
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct sock_file *sf = hold(fd);
    if (!sf)
        return -1;
    sync_nonblock(sf);
    return put(sf, lwip_connect(sf->s, addr, len));
}

int shutdown(int fd, int how)
{
    struct sock_file *sf = hold(fd);
    return sf ? put(sf, lwip_shutdown(sf->s, how)) : -1;
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
    struct sock_file *sf = hold(fd);
    return sf ? put(sf, lwip_getsockname(sf->s, addr, len)) : -1;
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
    struct sock_file *sf = hold(fd);
    return sf ? put(sf, lwip_getpeername(sf->s, addr, len)) : -1;
}

int setsockopt(int fd, int level, int name, const void *value, socklen_t len)
{
    struct sock_file *sf = hold(fd);
    return sf ? put(sf, lwip_setsockopt(sf->s, level, name, value, len)) : -1;
}

int getsockopt(int fd, int level, int name, void *value, socklen_t *len)
{
    struct sock_file *sf = hold(fd);
    return sf ? put(sf, lwip_getsockopt(sf->s, level, name, value, len)) : -1;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    struct sock_file *sf = hold(fd);
    return sf ? put(sf, lwip_send(sf->s, buf, len, io_flags(sf, flags))) : -1;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
    struct sock_file *sf = hold(fd);
    return sf ? put(sf, RECEIVE(sf, lwip_recv(sf->s, buf, len, io_flags(sf, flags)))) : -1;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
               socklen_t tolen)
{
    struct sock_file *sf = hold(fd);
    return sf ? put(sf, lwip_sendto(sf->s, buf, len, io_flags(sf, flags), to, tolen)) : -1;
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
                 socklen_t *fromlen)
{
    struct sock_file *sf = hold(fd);
    return sf ? put(sf,
                    RECEIVE(sf, lwip_recvfrom(sf->s, buf, len, io_flags(sf, flags), from, fromlen)))
              : -1;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    struct sock_file *sf = hold(fd);
    return sf ? put(sf, lwip_sendmsg(sf->s, msg, io_flags(sf, flags))) : -1;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
    struct sock_file *sf = hold(fd);
    return sf ? put(sf, RECEIVE(sf, lwip_recvmsg(sf->s, msg, io_flags(sf, flags)))) : -1;
}

int ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    struct libc_file *f = fd_file(fd);
    if (!f)
        return libc_fail(EBADF);
    if (f->ops != &sock_ops)
        return libc_fail(ENOTTY);
    if (request == (unsigned long)FIONBIO) {
        /* The file's flag is the truth; lwIP follows it lazily. */
        if (*(int *)arg)
            f->flags |= O_NONBLOCK;
        else
            f->flags &= ~O_NONBLOCK;
        return 0;
    }
    struct sock_file *sf = hold(fd);
    return put(sf, lwip_ioctl(sf->s, (long)request, arg));
}

/* ---- names and addresses ---- */

const char *inet_ntop(int af, const void *src, char *dst, socklen_t size)
{
    return lwip_inet_ntop(af, src, dst, size);
}

int inet_pton(int af, const char *src, void *dst)
{
    return lwip_inet_pton(af, src, dst);
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **res)
{
    net_ensure_started(); /* names need the DNS client */
    return lwip_getaddrinfo(node, service, hints, res);
}

void freeaddrinfo(struct addrinfo *ai)
{
    lwip_freeaddrinfo(ai);
}

const char *gai_strerror(int err)
{
    switch (err) {
    case 0:
        return "Success";
    case EAI_NONAME:
        return "Name or service not known";
    case EAI_SERVICE:
        return "Service not supported";
    case EAI_FAIL:
        return "Non-recoverable failure in name resolution";
    case EAI_MEMORY:
        return "Memory allocation failure";
    case EAI_FAMILY:
        return "Address family not supported";
    default:
        return "Unknown error";
    }
}

struct hostent *gethostbyname(const char *name)
{
    net_ensure_started();
    return lwip_gethostbyname(name);
}

unsigned int if_nametoindex(const char *name)
{
    return lwip_if_nametoindex(name);
}

char *if_indextoname(unsigned int index, char *name)
{
    return lwip_if_indextoname(index, name);
}
