/*
 * Minimal syscall shim for the newlib smoke test (lib/deps/smoke.sh).
 *
 * It stands in for the kernel glue: every symbol that libc.a leaves undefined
 * for the OS layer is defined here, backed by raw Linux syscalls so the test
 * can run as a user process (x86_64 natively, arm64 under qemu-aarch64).
 *
 * Naming contract of UNPATCHED newlib 3.3.0 (see configure.host):
 *  - x86_64-xen-elf:  default case, MISSING_SYSCALL_NAMES: _read_r() calls read()
 *  - aarch64-xen-elf: syscall_dir=syscalls: libc.a defines read() itself and
 *                     _read_r() calls _read(), so the OS layer provides _read...
 * _exit, _init and _fini keep their names on both.
 *
 * Errors: newlib's _xxx_r() wrappers read the GLOBAL int errno (defined in
 * libc.a, reent.o) after a -1 return and copy it into the reentrancy struct,
 * so the glue sets that variable, not *__errno().
 */
#include <stddef.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>

#undef errno
extern int errno;

#if defined(__aarch64__)
#define GLUE(name) _##name
#else
#define GLUE(name) name
#endif

/* Linux errno values used below (same numbers as newlib's). */
enum { E_NOENT = 2, E_NOMEM = 12, E_INVAL = 22, E_NOSYS = 88 };

#if defined(__x86_64__)
enum { NR_read = 0, NR_write = 1, NR_gettimeofday = 96, NR_exit_group = 231 };
static long linux_syscall(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}
#elif defined(__aarch64__)
enum { NR_read = 63, NR_write = 64, NR_gettimeofday = 169, NR_exit_group = 94 };
static long linux_syscall(long n, long a, long b, long c)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
}
#endif

static long ret_errno(long r)
{
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

static int fail(int e)
{
	errno = e;
	return -1;
}

/* --- the OS layer newlib calls --------------------------------------- */

int GLUE(read)(int fd, void *buf, size_t n)
{
	return (int)ret_errno(linux_syscall(NR_read, fd, (long)buf, (long)n));
}

int GLUE(write)(int fd, const void *buf, size_t n)
{
	return (int)ret_errno(linux_syscall(NR_write, fd, (long)buf, (long)n));
}

int GLUE(open)(const char *path, int flags, ...)
{
	(void)path;
	(void)flags;
	return fail(E_NOENT); /* no file system */
}

int GLUE(close)(int fd)
{
	return fd <= 2 ? 0 : fail(E_INVAL);
}

off_t GLUE(lseek)(int fd, off_t off, int whence)
{
	(void)fd;
	(void)off;
	(void)whence;
	return fail(E_INVAL); /* consoles are not seekable */
}

int GLUE(fstat)(int fd, struct stat *st)
{
	(void)fd;
	st->st_mode = S_IFCHR; /* console: newlib line-buffers stdout */
	return 0;
}

int GLUE(stat)(const char *path, struct stat *st)
{
	(void)path;
	(void)st;
	return fail(E_NOENT);
}

int GLUE(isatty)(int fd)
{
	return fd <= 2;
}

/* A fixed arena: in the kernel this is the page allocator's heap. */
static char heap[4 << 20] __attribute__((aligned(16)));
static size_t heap_used;

void *GLUE(sbrk)(ptrdiff_t incr)
{
	if (incr < 0 ? (size_t)-incr > heap_used : (size_t)incr > sizeof heap - heap_used) {
		errno = E_NOMEM;
		return (void *)-1;
	}
	void *old = heap + heap_used;
	heap_used += incr;
	return old;
}

int GLUE(gettimeofday)(struct timeval *tv, void *tz)
{
	(void)tz;
	return (int)ret_errno(linux_syscall(NR_gettimeofday, (long)tv, 0, 0));
}

clock_t GLUE(times)(struct tms *t)
{
	t->tms_utime = t->tms_stime = t->tms_cutime = t->tms_cstime = 0;
	return 0;
}

int GLUE(getpid)(void)
{
	return 1;
}

int GLUE(kill)(int pid, int sig)
{
	(void)pid;
	(void)sig;
	return fail(E_INVAL);
}

/* Not useful in a unikernel, but referenced by some libc.a members. */
int GLUE(fcntl)(int fd, int cmd, ...) { (void)fd; (void)cmd; return fail(E_NOSYS); }
int GLUE(link)(const char *a, const char *b) { (void)a; (void)b; return fail(E_NOSYS); }
int GLUE(unlink)(const char *p) { (void)p; return fail(E_NOSYS); }
int GLUE(mkdir)(const char *p, mode_t m) { (void)p; (void)m; return fail(E_NOSYS); }
int GLUE(execve)(const char *p, char *const a[], char *const e[]) { (void)p; (void)a; (void)e; return fail(E_NOSYS); }
int GLUE(fork)(void) { return fail(E_NOSYS); }
int GLUE(wait)(int *s) { (void)s; return fail(E_NOSYS); }
int sigprocmask(int how, const void *set, void *old) { (void)how; (void)set; (void)old; return 0; }

/* arc4random's entropy source (a kernel would use a real one). */
int getentropy(void *buf, size_t n)
{
	static unsigned x = 2463534242u;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		((unsigned char *)buf)[i] = (unsigned char)x;
	}
	return 0;
}

void _exit(int code)
{
	for (;;)
		linux_syscall(NR_exit_group, code, 0, 0);
}

/* __libc_init_array/__libc_fini_array call these (HAVE_INIT_FINI). */
void _init(void) {}
void _fini(void) {}

/* --- entry ------------------------------------------------------------- */

extern void __libc_init_array(void);
extern void exit(int) __attribute__((noreturn));
int main(void);

__attribute__((used, noreturn)) static void start_c(void)
{
	__libc_init_array(); /* constructors (.init_array) */
	exit(main());        /* flushes stdio, runs atexit handlers */
}

/* Linux enters with a 16-byte aligned stack; "call" makes it ABI-correct. */
#if defined(__x86_64__)
__asm__(".globl _start\n_start:\n\txor %ebp, %ebp\n\tand $-16, %rsp\n\tcall start_c\n\thlt\n");
#elif defined(__aarch64__)
__asm__(".globl _start\n_start:\n\tmov x29, #0\n\tmov x30, #0\n\tbl start_c\n");
#endif
