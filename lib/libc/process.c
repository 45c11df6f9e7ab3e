/* The process: one per domain, pid 1, no children, no other processes.
 * _exit ends the domain; kill only reaches ourselves; fork, execve, wait
 * and the file-system calls that need a file system fail with ENOSYS. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <minios/arch.h>
#include <minios/console.h>
#include <minios/kernel.h>
#include <minios/mm.h>
#include <xen/sched.h>

#include "fd.h"
#include "internal.h"

#define OUR_PID 1

/* The end of exit() (after the atexit handlers, destructors and the stdio
 * flush), or called directly, which flushes nothing (POSIX). */
void _exit(int status)
{
    /* As a parent would see it: the low 8 bits. */
    printk("stubos: exit status %d, powering off\n", status & 0xff);
    domain_shutdown(SHUTDOWN_poweroff);
}

pid_t getpid(void)
{
    return OUR_PID;
}
LIBC_ALIAS(getpid);

pid_t getppid(void)
{
    return 0; /* started by Xen, not by a process */
}

/* What a signal does when nobody handles it (newlib's raise() calls kill()
 * only for SIG_DFL). */
static bool signal_ignored_by_default(int sig)
{
    switch (sig) {
    case SIGCHLD:
    case SIGURG:
    case SIGCONT:
#ifdef SIGWINCH
    case SIGWINCH:
#endif
    /* no job control: stopping would hang the domain for good */
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
        return true;
    default:
        return false;
    }
}

static bool signal_is_crash(int sig)
{
    return sig == SIGQUIT || sig == SIGILL || sig == SIGTRAP || sig == SIGABRT || sig == SIGBUS ||
           sig == SIGFPE || sig == SIGSEGV || sig == SIGSYS;
}

int kill(pid_t pid, int sig)
{
    if (sig < 0 || sig >= NSIG)
        return libc_fail(EINVAL);
    /* 0 and -1 name a group that holds just us. */
    if (pid != OUR_PID && pid != 0 && pid != -1)
        return libc_fail(ENOSYS);
    if (sig == 0 || signal_ignored_by_default(sig))
        return 0;
    /* Like an uncaught signal: no atexit handlers, no stdio flush. What
     * would dump core crashes the domain (xl's on_crash applies). */
    printk("stubos: killed by signal %d (%s)\n", sig, strsignal(sig));
    if (signal_is_crash(sig))
        domain_shutdown(SHUTDOWN_crash);
    printk("stubos: exit status %d, powering off\n", 128 + sig);
    domain_shutdown(SHUTDOWN_poweroff);
}
LIBC_ALIAS(kill);

/* No signal is ever delivered asynchronously, so the mask only has to be
 * remembered (one for the process; there is nothing to deliver per thread). */
static sigset_t blocked;

int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
    sigset_t next = blocked;
    if (set) {
        switch (how) {
        case SIG_BLOCK:
            next |= *set;
            break;
        case SIG_UNBLOCK:
            next &= ~*set;
            break;
        case SIG_SETMASK:
            next = *set;
            break;
        default:
            return EINVAL;
        }
    }
    if (old)
        *old = blocked;
    /* SIGKILL and SIGSTOP cannot be blocked. (Bit n is signal n, as in
     * newlib's sigaddset().) */
    blocked = next & ~((1UL << SIGKILL) | (1UL << SIGSTOP));
    return 0;
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    int rc = pthread_sigmask(how, set, old);
    return rc ? libc_fail(rc) : 0;
}

/* ---- no other processes, no file system ---- */

pid_t fork(void)
{
    return libc_fail(ENOSYS);
}
LIBC_ALIAS(fork);

int execve(const char *path, char *const argv[], char *const envp[])
{
    (void)path, (void)argv, (void)envp;
    return libc_fail(ENOSYS);
}
LIBC_ALIAS(execve);

pid_t wait(int *status)
{
    (void)status;
    return libc_fail(ENOSYS);
}
LIBC_ALIAS(wait);

int link(const char *old, const char *new)
{
    (void)old, (void)new;
    return libc_fail(ENOSYS);
}
LIBC_ALIAS(link);

int unlink(const char *path)
{
    (void)path;
    return libc_fail(ENOSYS);
}
LIBC_ALIAS(unlink);

int mkdir(const char *path, mode_t mode)
{
    (void)path, (void)mode;
    return libc_fail(ENOSYS);
}
LIBC_ALIAS(mkdir);

char *getcwd(char *buf, size_t size)
{
    if (!buf || size < 2) {
        libc_fail(buf ? ERANGE : EINVAL);
        return NULL;
    }
    return strcpy(buf, "/");
}

/* ---- limits ---- */

int getpagesize(void)
{
    return (int)PAGE_SIZE;
}

long sysconf(int name)
{
    switch (name) {
    case _SC_PAGESIZE:
        return (long)PAGE_SIZE;
    case _SC_CLK_TCK:
        return CLOCKS_PER_SEC;
    case _SC_OPEN_MAX:
        return LIBC_FD_MAX;
    case _SC_NPROCESSORS_CONF:
    case _SC_NPROCESSORS_ONLN:
        return 1;
    case _SC_PHYS_PAGES:
        return (long)(boot_info.ram_bytes / PAGE_SIZE);
    case _SC_AVPHYS_PAGES:
        return (long)pages_free_count();
    case _SC_THREAD_KEYS_MAX:
        return PTHREAD_KEYS_MAX;
    case _SC_THREAD_STACK_MIN:
        return PTHREAD_STACK_MIN;
    case _SC_ARG_MAX:
        return 1024; /* xl's extra= ends up in a 1 KiB buffer */
    case _SC_MONOTONIC_CLOCK:
        return _POSIX_MONOTONIC_CLOCK;
    default:
        return libc_fail(EINVAL);
    }
}
