/*
 * newlib smoke test: exercises the parts of libc.a/libm.a that pull in the OS
 * layer (stdio -> write/fstat/isatty, malloc -> sbrk, time -> gettimeofday,
 * fopen -> open + errno, exit -> _exit) plus the configure options we rely on
 * (long long, long double and C99 printf formats).  Prints one line per check
 * and "N passed, N failed" at the end; exit status 0 only if all passed.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int passed, failed;

static void check(int ok, const char *what, const char *got)
{
	printf("%s %-24s %s\n", ok ? "ok  " : "FAIL", what, got);
	ok ? passed++ : failed++;
}

static void check_fmt(const char *what, const char *want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void check_fmt(const char *what, const char *want, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	check(strcmp(buf, want) == 0, what, buf);
}

static int ctor_ran;
__attribute__((constructor)) static void ctor(void) { ctor_ran = 1; }

static void bye(void) { printf("atexit handler ran\n"); }

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int main(void)
{
	char buf[64];

	check(ctor_ran, "constructor", ctor_ran ? "ran" : "did not run");

	check_fmt("printf %d %s", "42 newlib", "%d %s", 42, "newlib");
	check_fmt("io-long-long", "-5 1099511627776", "%lld %llu", -5LL, 1ULL << 40);
	check_fmt("c99 %hhd %zu %jd", "-1 7 -9", "%hhd %zu %jd", (signed char)255, (size_t)7, (intmax_t)-9);
	check_fmt("PRIx64", "deadbeefcafe", "%" PRIx64, (uint64_t)0xdeadbeefcafeULL);
	check_fmt("%.3f %g %e", "3.142 0.0001 1.500000e+10", "%.3f %g %e", 3.14159, 1e-4, 1.5e10);
	check_fmt("io-long-double %Lf", "1.250000", "%Lf", 1.25L);
	check_fmt("c99 %a", "0x1p+3", "%a", 8.0);

	double d = strtod("3.25e2", NULL);
	snprintf(buf, sizeof buf, "%g", d);
	check(d == 325.0, "strtod", buf);

	/* libm; printed values are rounded so the check is exact */
	double m = sqrt(2.0) * sin(1.0) + pow(2.0, 10) + floor(exp(log(7.5)));
	snprintf(buf, sizeof buf, "%.6f", m);
	check(strcmp(buf, "1032.190020") == 0, "libm sqrt/sin/pow/exp", buf);

	/* malloc: big enough to need several sbrk() calls */
	size_t n = 100000;
	int *v = malloc(n * sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = (int)((i * 7919) % n);
	qsort(v, n, sizeof *v, cmp_int);
	int sorted = v != NULL;
	for (size_t i = 1; sorted && i < n; i++)
		sorted = v[i - 1] <= v[i];
	v = realloc(v, 2 * n * sizeof *v);
	free(v);
	check(sorted, "malloc/qsort/realloc", sorted ? "100000 ints sorted" : "bad");

	/* the OS layer's errno reaches the caller */
	errno = 0;
	FILE *f = fopen("/no/such/file", "r");
	snprintf(buf, sizeof buf, "%s errno=%d", f ? "opened?!" : "NULL", errno);
	check(f == NULL && errno == ENOENT, "fopen -> open, errno", buf);

	time_t t = time(NULL);
	snprintf(buf, sizeof buf, "%lld", (long long)t);
	check(t > 1600000000, "time -> gettimeofday", buf);

	jmp_buf jb;
	volatile int jumped = 0;
	if (setjmp(jb) == 0) {
		jumped = 1;
		longjmp(jb, 7);
	}
	check(jumped == 1, "setjmp/longjmp", "returned");

	atexit(bye);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
