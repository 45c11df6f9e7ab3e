/* poll() and select() over the descriptor table.
 *
 * Each kind of file reports its readiness through ops->poll (fd.h); a file
 * without one is always ready. A poller scans its descriptors and, when
 * none is ready, sleeps until some file calls libc_poll_notify() (sockets
 * do, from lwIP's event callback), its timeout passes, or -- when one of
 * its files cannot notify (ops->poll_by_timer: the console has no input
 * event) -- a short interval passes. A generation counter closes the race
 * between the scan and the sleep. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>

#include <minios/sched.h>
#include <minios/time.h>

#include "fd.h"
#include "internal.h"

#define POLL_TIMER_NS (10 * NSEC_PER_MSEC)

static struct waitq poll_waiters = WAITQ_INIT(poll_waiters);
static volatile unsigned long poll_generation;

void libc_poll_notify(void)
{
    poll_generation++;
    waitq_wake_all(&poll_waiters);
}

/* One pass over fds: fills revents, returns how many are ready; *by_timer
 * tells whether one of the files must be re-polled on a timer. */
static int scan(struct pollfd *fds, nfds_t n, bool *by_timer)
{
    int ready = 0;
    *by_timer = false;
    for (nfds_t i = 0; i < n; i++) {
        fds[i].revents = 0;
        if (fds[i].fd < 0)
            continue;
        struct libc_file *f = fd_file(fds[i].fd);
        short r;
        if (!f) {
            r = POLLNVAL;
        } else if (f->ops->poll) {
            r = f->ops->poll(f, fds[i].events);
            *by_timer |= f->ops->poll_by_timer;
        } else {
            r = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
        }
        fds[i].revents = (short)(r & (fds[i].events | POLLERR | POLLHUP | POLLNVAL));
        ready += fds[i].revents != 0;
    }
    return ready;
}

/* Scan until something is ready or deadline_ns passes (0: never; a
 * deadline in the past: scan once). */
static int poll_until(struct pollfd *fds, nfds_t n, uint64_t deadline_ns, bool once)
{
    for (;;) {
        unsigned long gen = poll_generation;
        bool by_timer;
        int ready = scan(fds, n, &by_timer);
        if (ready || once)
            return ready;
        uint64_t now = monotonic_ns();
        if (deadline_ns && now >= deadline_ns)
            return 0;
        uint64_t wake = deadline_ns;
        if (by_timer && (!wake || wake > now + POLL_TIMER_NS))
            wake = now + POLL_TIMER_NS;
        wait_event_deadline(&poll_waiters, poll_generation != gen, wake);
    }
}

int poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
    if (n > LIBC_FD_MAX * 4u)
        return libc_fail(EINVAL);
    uint64_t deadline = timeout_ms > 0 ? monotonic_ns() + (uint64_t)timeout_ms * NSEC_PER_MSEC : 0;
    return poll_until(fds, n, deadline, timeout_ms == 0);
}

/* What select's three sets mean in poll terms (as Linux counts them). */
#define SELECT_READ (POLLIN | POLLRDNORM | POLLHUP | POLLERR)
#define SELECT_WRITE (POLLOUT | POLLWRNORM | POLLERR)
#define SELECT_EXCEPT (POLLPRI)

int select(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *tv)
{
    struct pollfd fds[LIBC_FD_MAX];
    nfds_t n = 0;
    if (nfds < 0 || nfds > LIBC_FD_MAX ||
        (tv && (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)))
        return libc_fail(EINVAL);
    for (int fd = 0; fd < nfds; fd++) {
        short events = 0;
        if (rd && FD_ISSET(fd, rd))
            events |= POLLIN;
        if (wr && FD_ISSET(fd, wr))
            events |= POLLOUT;
        if (ex && FD_ISSET(fd, ex))
            events |= POLLPRI;
        if (!events)
            continue;
        if (!fd_file(fd))
            return libc_fail(EBADF);
        fds[n].fd = fd;
        fds[n].events = events;
        n++;
    }
    uint64_t deadline = 0;
    bool once = tv && tv->tv_sec == 0 && tv->tv_usec == 0;
    if (tv && !once)
        deadline = monotonic_ns() + (uint64_t)tv->tv_sec * NSEC_PER_SEC +
                   (uint64_t)tv->tv_usec * NSEC_PER_USEC;
    poll_until(fds, n, deadline, once);

    int count = 0;
    for (int fd = 0; fd < nfds; fd++) {
        if (rd)
            FD_CLR(fd, rd);
        if (wr)
            FD_CLR(fd, wr);
        if (ex)
            FD_CLR(fd, ex);
    }
    for (nfds_t i = 0; i < n; i++) {
        short r = fds[i].revents;
        if (rd && (fds[i].events & POLLIN) && (r & SELECT_READ))
            FD_SET(fds[i].fd, rd), count++;
        if (wr && (fds[i].events & POLLOUT) && (r & SELECT_WRITE))
            FD_SET(fds[i].fd, wr), count++;
        if (ex && (fds[i].events & POLLPRI) && (r & SELECT_EXCEPT))
            FD_SET(fds[i].fd, ex), count++;
    }
    if (tv && !once) {
        /* Linux updates the timeout to the time not slept. */
        uint64_t now = monotonic_ns(), left = deadline > now ? deadline - now : 0;
        tv->tv_sec = (time_t)(left / NSEC_PER_SEC);
        tv->tv_usec = (suseconds_t)(left % NSEC_PER_SEC / NSEC_PER_USEC);
    }
    return count;
}
