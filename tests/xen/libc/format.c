/* printf/scanf formats (long long, long double, %a ...) and the string to
 * number conversions at their edges. */
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static void printf_formats(void)
{
    char buf[128];

    snprintf(buf, sizeof(buf), "%d|%5d|%-5d|%05d|%+d|%x|%X|%#o|%c|%%|%s|%.3s", -42, 42, 42, 42, 42,
             0xbeef, 0xbeef, 8, 'z', "str", "abcdef");
    check_str("printf-int", buf, "-42|   42|42   |00042|+42|beef|BEEF|010|z|%|str|abc");

    snprintf(buf, sizeof(buf), "%lld|%llu|%llx|%ld", LLONG_MIN, ULLONG_MAX, 0x123456789abcdefULL,
             LONG_MAX);
    check_str("printf-long-long", buf,
              "-9223372036854775808|18446744073709551615|123456789abcdef|9223372036854775807");

    snprintf(buf, sizeof(buf), "%zu|%zd|%jd|%" PRIu64 "|%hhu|%hd|%*d|%.*f", (size_t)123,
             (ssize_t)-5, (intmax_t)-7, UINT64_C(1) << 40, (unsigned char)300, (short)70000, 4, 7,
             2, 3.14159);
    check_str("printf-c99-lengths", buf, "123|-5|-7|1099511627776|44|4464|   7|3.14");

    snprintf(buf, sizeof(buf), "%f|%.2f|%e|%.3E|%g|%g|%g", 1.5, -0.005, 12345.678, 0.00012345,
             100000.0, 1000000.0, 0.0001);
    check_str("printf-double", buf, "1.500000|-0.01|1.234568e+04|1.234E-04|100000|1e+06|0.0001");

    snprintf(buf, sizeof(buf), "%f|%F|%f|%e", INFINITY, -INFINITY, NAN, -0.0);
    check_str("printf-special", buf, "inf|-INF|nan|-0.000000e+00");

    /* 57 significant bits: exact in long double (64 or 113), not in double. */
    long double big = 12345678901234567.125L;
    snprintf(buf, sizeof(buf), "%.3Lf|%Lg|%.20Lg", big, 1.5L, 1.0L / 3.0L);
#if LDBL_MANT_DIG == 64 /* x87 extended: 1/3 is ...3334 at 20 digits */
    check_str("printf-long-double", buf, "12345678901234567.125|1.5|0.33333333333333333334");
#else /* IEEE quad (arm64) */
    check_str("printf-long-double", buf, "12345678901234567.125|1.5|0.33333333333333333333");
#endif

    snprintf(buf, sizeof(buf), "%a|%a|%a|%A|%.2a", 1.0, -2.5, 0.1, 255.5, 1.0 / 3.0);
    check_str("printf-hex-float", buf, "0x1p+0|-0x1.4p+1|0x1.999999999999ap-4|0X1.FFP+7|0x1.55p-2");

    snprintf(buf, sizeof(buf), "%La", 1.0L);
    check("printf-hex-long-double", strcmp(buf, "0x8p-3") == 0 || strcmp(buf, "0x1p+0") == 0,
          "got \"%s\"", buf);

    const char *volatile ten = "0123456789"; /* hidden from gcc's truncation warning */
    int n = snprintf(buf, 8, "%s", ten);
    check("printf-truncation", n == 10 && strcmp(buf, "0123456") == 0, "returned %d, buf \"%s\"", n,
          buf);

    int pos = 0;
    snprintf(buf, sizeof(buf), "abc%ndef", &pos);
    check("printf-percent-n", pos == 3, "%%n stored %d", pos);
}

static void scanf_formats(void)
{
    int i = 0, cnt = 0;
    unsigned x = 0, o = 0;
    long long ll = 0;
    unsigned long long ull = 0;
    double d = 0;
    long double ld = 0;
    char word[16] = "", set[16] = "";

    int r = sscanf("  -42 0x1f 077 -9223372036854775808 18446744073709551615 3.25 hello abcXYZ",
                   "%d %x %o %lld %llu %lf %15s %15[a-z]%n", &i, &x, &o, &ll, &ull, &d, word, set,
                   &cnt);
    check("scanf-basic",
          r == 8 && i == -42 && x == 0x1f && o == 077 && ll == LLONG_MIN && ull == ULLONG_MAX &&
              d == 3.25 && strcmp(word, "hello") == 0 && strcmp(set, "abc") == 0 && cnt == 71,
          "r=%d i=%d x=%x o=%o ll=%lld ull=%llu d=%g word=%s set=%s n=%d", r, i, x, o, ll, ull, d,
          word, set, cnt);

    /* (newlib's scanf reads decimal floats only: no hex input for %a.) On
     * x87, %Lf keeps all 57 bits; lib/libc/strtold.c gives aarch64's quad
     * long double only double precision. */
    double e = 0;
#if LDBL_MANT_DIG == 64
    const long double want_ld = 12345678901234567.125L;
#else
    const long double want_ld = 12345678901234567.125;
#endif
    r = sscanf("12345678901234567.125 3.0 -1e-3", "%Lf %la %le", &ld, &d, &e);
    check("scanf-long-double", r == 3 && ld == want_ld && d == 3.0 && e == -1e-3,
          "r=%d ld=%.3Lf d=%g e=%g", r, ld, d, e);

    long long li = 0;
    r = sscanf("0x7fffffffffffffff 010", "%lli %i", &li, &i);
    check("scanf-base-detect", r == 2 && li == LLONG_MAX && i == 8, "r=%d li=%lld i=%d", r, li, i);

    r = sscanf("abc", "%d", &i);
    check("scanf-no-match", r == 0, "returned %d", r);
    r = sscanf("", "%d", &i);
    check("scanf-eof", r == EOF, "returned %d", r);
}

static void strtod_edges(void)
{
    char *end;
    errno = 0;
    double v = strtod("1e308", &end);
    check("strtod-max", v == 1e308 && errno == 0 && *end == '\0', "v=%g errno=%d", v, errno);

    errno = 0;
    v = strtod("1e309", &end);
    check("strtod-overflow", v == HUGE_VAL && errno == ERANGE, "v=%g errno=%d", v, errno);

    errno = 0;
    v = strtod("-1e309", NULL);
    check("strtod-overflow-neg", v == -HUGE_VAL && errno == ERANGE, "v=%g errno=%d", v, errno);

    errno = 0;
    v = strtod("1e-400", &end);
    check("strtod-underflow", v == 0.0 && errno == ERANGE, "v=%g errno=%d", v, errno);

    errno = 0;
    v = strtod("4.9406564584124654e-324", &end); /* the smallest subnormal */
    check("strtod-subnormal", v == 4.9406564584124654e-324 && v > 0, "v=%g", v);

    v = strtod("0x1p-2", &end);
    check("strtod-hex", v == 0.25 && *end == '\0', "v=%g", v);

    v = strtod("  -INFINITY", &end);
    double nan_v = strtod("nan(123)", NULL);
    check("strtod-inf-nan", isinf(v) && v < 0 && *end == '\0' && isnan(nan_v), "v=%g nan=%g", v,
          nan_v);

    const char *s = "  12.5abc";
    v = strtod(s, &end);
    check("strtod-endptr", v == 12.5 && end == s + 6, "v=%g end at %d", v, (int)(end - s));

    s = "xyz";
    v = strtod(s, &end);
    check("strtod-no-digits", v == 0.0 && end == s, "v=%g end moved %d", v, (int)(end - s));

    /* Correct rounding at a halfway case. */
    v = strtod("9007199254740993", NULL); /* 2^53 + 1: ties to even = 2^53 */
    check("strtod-rounding", v == 9007199254740992.0, "v=%.17g", v);

    float f = strtof("3.4028235e38", NULL);
    long double ld = strtold("-12345.5", &end);
#if LDBL_MANT_DIG == 64 /* beyond double's range: x87 long double only */
    long double big = strtold("1.18973149535723176502e+4932", NULL);
#else
    long double big = 1e4932L;
#endif
    check("strtof-strtold",
          f == FLT_MAX && ld == -12345.5L && *end == '\0' && isfinite(big) && big > 1e4931L,
          "f=%g ld=%Lg", (double)f, ld);
}

static void strtol_edges(void)
{
    char *end;
    errno = 0;
    long v = strtol("9223372036854775807", &end, 10);
    check("strtol-max", v == LONG_MAX && errno == 0, "v=%ld errno=%d", v, errno);

    errno = 0;
    v = strtol("9223372036854775808", &end, 10);
    check("strtol-overflow", v == LONG_MAX && errno == ERANGE && *end == '\0', "v=%ld errno=%d", v,
          errno);

    errno = 0;
    v = strtol("-9223372036854775809", &end, 10);
    check("strtol-underflow", v == LONG_MIN && errno == ERANGE, "v=%ld errno=%d", v, errno);

    check("strtol-base0",
          strtol("0x7f", NULL, 0) == 127 && strtol("010", NULL, 0) == 8 &&
              strtol("-10", NULL, 0) == -10,
          "base 0 detection wrong");
    check("strtol-base36", strtol("zZ", NULL, 36) == 1295 && strtol("101", NULL, 2) == 5,
          "bases wrong");

    const char *s = "  +42xyz";
    v = strtol(s, &end, 10);
    check("strtol-endptr", v == 42 && end == s + 5, "v=%ld end %d", v, (int)(end - s));
    s = "xyz";
    v = strtol(s, &end, 10);
    check("strtol-no-digits", v == 0 && end == s, "v=%ld", v);

    errno = 0;
    unsigned long u = strtoul("-1", NULL, 10);
    check("strtoul-negative", u == ULONG_MAX && errno == 0, "u=%lu errno=%d", u, errno);

    errno = 0;
    unsigned long long ull = strtoull("18446744073709551616", NULL, 10);
    check("strtoull-overflow", ull == ULLONG_MAX && errno == ERANGE, "ull=%llu errno=%d", ull,
          errno);
    long long ll = strtoll("-0x8000000000000000", NULL, 16);
    check("strtoll-min-hex", ll == LLONG_MIN, "ll=%lld", ll);

    errno = 0;
    v = strtol("12", NULL, 1); /* invalid base */
    check("strtol-bad-base", v == 0 && errno == EINVAL, "v=%ld errno=%d", v, errno);
    check("atoi-atol", atoi("  -123abc") == -123 && atol("99") == 99 && atoll("-5") == -5,
          "atoi family wrong");
}

void test_format(void)
{
    printf_formats();
    scanf_formats();
    strtod_edges();
    strtol_edges();
}
