/* The process around main(): argv and environment from xl's extra=, the
 * descriptor table and its devices, and the calls that cannot work in a
 * stub domain failing cleanly. test.cfg passes
 *     extra = "LIBC_TEST=yes GREETING='hello world' -- PATH=/not/env second" */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

extern char **environ;

static void args_env(void)
{
    check("argv-after-env",
          test_argc == 3 && strcmp(test_argv[1], "PATH=/not/env") == 0 &&
              strcmp(test_argv[2], "second") == 0 && test_argv[3] == NULL,
          "argc %d argv[1] \"%s\"", test_argc, test_argc > 1 ? test_argv[1] : "");
    const char *t = getenv("LIBC_TEST"), *g = getenv("GREETING");
    int n = 0;
    while (environ[n])
        n++;
    check("environ-from-cmdline",
          t && strcmp(t, "yes") == 0 && g && strcmp(g, "hello world") == 0 && n == 2 &&
              !getenv("PATH"),
          "LIBC_TEST=%s GREETING=%s, %d entries", t ? t : "(unset)", g ? g : "(unset)", n);
    int rc = setenv("NEW_VAR", "1", 0);
    int rc2 = setenv("LIBC_TEST", "no", 1);
    unsetenv("GREETING");
    check("setenv-unsetenv",
          rc == 0 && rc2 == 0 && strcmp(getenv("NEW_VAR"), "1") == 0 &&
              strcmp(getenv("LIBC_TEST"), "no") == 0 && !getenv("GREETING"),
          "setenv %d %d", rc, rc2);
}

static void files(void)
{
    check("std-fds-tty", isatty(0) && isatty(1) && isatty(2), "isatty %d %d %d", isatty(0),
          isatty(1), isatty(2));
    int w = write(1, "libc test: write(1) works\n", 26);
    check("write-stdout", w == 26, "write returned %d", w);

    int fd = open("/dev/null", O_RDWR);
    char buf[16] = "x";
    errno = 0;
    int tty = isatty(fd);
    int tty_errno = errno;
    check("open-dev-null",
          fd == 3 && write(fd, "abc", 3) == 3 && read(fd, buf, sizeof(buf)) == 0 && tty == 0 &&
              tty_errno == ENOTTY,
          "fd %d tty %d errno %d", fd, tty, tty_errno);
    struct stat st;
    check("fstat-devices",
          fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && fstat(1, &st) == 0 && S_ISCHR(st.st_mode) &&
              stat("/dev/zero", &st) == 0 && stat("/", &st) == 0 && S_ISDIR(st.st_mode),
          "fstat/stat failed");

    int d = dup(1);
    int d2 = dup2(fd, 10);
    int flags = fcntl(d, F_GETFL);
    int dupfd = fcntl(1, F_DUPFD, 20);
    check("dup-dup2-fcntl",
          d == 4 && d2 == 10 && (flags & O_ACCMODE) == O_RDWR && dupfd == 20 &&
              fcntl(10, F_SETFD, FD_CLOEXEC) == 0 && fcntl(10, F_GETFD) == FD_CLOEXEC,
          "dup %d dup2 %d flags %#x dupfd %d", d, d2, flags, dupfd);
    close(dupfd);
    close(d2);
    close(d);
    close(fd);
    int reused = open("/dev/zero", O_RDONLY);
    memset(buf, 1, sizeof(buf));
    check("fd-reuse-dev-zero",
          reused == 3 && read(reused, buf, 8) == 8 && buf[0] == 0 && buf[7] == 0 && buf[8] == 1,
          "fd %d", reused);
    errno = 0;
    int wr = write(reused, "x", 1);
    check("write-readonly-ebadf", wr == -1 && errno == EBADF, "write %d errno %d", wr, errno);
    close(reused);

    errno = 0;
    int bad = close(42);
    int bad_errno = errno;
    errno = 0;
    int rbad = read(-1, buf, 1);
    check("bad-fd-ebadf", bad == -1 && bad_errno == EBADF && rbad == -1 && errno == EBADF,
          "close %d/%d read %d/%d", bad, bad_errno, rbad, errno);
    errno = 0;
    int nofile = open("/etc/passwd", O_RDONLY);
    check("open-enoent", nofile == -1 && errno == ENOENT, "open %d errno %d", nofile, errno);
    errno = 0;
    off_t off = lseek(1, 0, SEEK_CUR);
    check("lseek-tty-espipe", off == -1 && errno == ESPIPE, "lseek %ld errno %d", (long)off, errno);

    /* Fill the table: EMFILE, then everything can be closed again. */
    enum { MAX_TRY = 1024 };
    static int fds[MAX_TRY];
    int n = 0;
    long open_max = sysconf(_SC_OPEN_MAX);
    errno = 0;
    while (n < MAX_TRY && (fds[n] = open("/dev/null", O_WRONLY)) >= 0)
        n++;
    int full_errno = errno;
    for (int i = 0; i < n; i++)
        close(fds[i]);
    check("open-emfile", n == open_max - 3 && full_errno == EMFILE,
          "%d opened (OPEN_MAX %ld), errno %d", n, open_max, full_errno);

    FILE *f = fopen("/dev/null", "w");
    int pr = f ? fprintf(f, "%d %s\n", 42, "words") : -1;
    check("fopen-fprintf", f && pr == 9 && fclose(f) == 0, "fopen %p fprintf %d", (void *)f, pr);
    unsigned char rnd[32] = {0};
    int zeros = 0;
    int ge = getentropy(rnd, sizeof(rnd));
    for (size_t i = 0; i < sizeof(rnd); i++)
        zeros += rnd[i] == 0;
    errno = 0;
    check("getentropy", ge == 0 && zeros < 8 && getentropy(rnd, 257) == -1 && errno == EIO,
          "rc %d, %d zero bytes", ge, zeros);
}

static void unsupported(void)
{
    errno = 0;
    pid_t p = fork();
    check("fork-enosys", p == -1 && errno == ENOSYS, "fork %d errno %d", (int)p, errno);
    char *argv[] = {"x", NULL};
    errno = 0;
    check("execve-enosys", execve("/bin/sh", argv, environ) == -1 && errno == ENOSYS, "errno %d",
          errno);
    errno = 0;
    int status;
    check("wait-enosys", wait(&status) == -1 && errno == ENOSYS, "errno %d", errno);
    errno = 0;
    check("kill-other-enosys", kill(2, SIGTERM) == -1 && errno == ENOSYS, "errno %d", errno);
    check("kill-self-sig0", kill(getpid(), 0) == 0 && kill(getpid(), SIGCHLD) == 0,
          "signal 0/SIGCHLD to self failed");
    errno = 0;
    check("link-enosys", link("/a", "/b") == -1 && errno == ENOSYS, "errno %d", errno);
    errno = 0;
    check("unlink-mkdir-enosys",
          unlink("/a") == -1 && errno == ENOSYS && mkdir("/d", 0755) == -1 && errno == ENOSYS,
          "errno %d", errno);
    errno = 0;
    check("system-fails", system("ls") != 0 || errno != 0, "system() pretended to work");
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    check("sigprocmask",
          sigprocmask(SIG_BLOCK, &set, &old) == 0 && sigprocmask(SIG_SETMASK, &old, &set) == 0 &&
              sigismember(&set, SIGINT),
          "sigprocmask failed");
    check("sysconf",
          sysconf(_SC_PAGESIZE) == 4096 && sysconf(_SC_NPROCESSORS_ONLN) == 1 &&
              sysconf(_SC_OPEN_MAX) >= 64 && getpagesize() == 4096,
          "pagesize %ld", sysconf(_SC_PAGESIZE));
}

void test_posix(void)
{
    args_env();
    files();
    unsupported();
}
