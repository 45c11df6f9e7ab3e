/* strtold() for targets whose long double is IEEE quad (aarch64).
 *
 * newlib 3.3.0 converts through its x87 80-bit routine (_strtorx_l) for
 * every target without _LDBL_EQ_DBL, and stores that 10-byte format into
 * the 16-byte quad: on aarch64 strtold("2.5") and scanf("%Lf") give
 * garbage (0). Until there is a real quad converter, go through double:
 * correctly rounded to double's precision, and values beyond double's
 * range overflow (HUGE_VALL, ERANGE) or underflow (0, ERANGE) early.
 * Defining the three names newlib's strtold.o defines keeps it out of the
 * link. On x86_64 (x87 long double) newlib's own is right and is used. */
#include <float.h>
#include <locale.h>
#include <stdlib.h>

#if LDBL_MANT_DIG == 113
long double _strtold_r(struct _reent *r, const char *restrict s, char **restrict end)
{
    return _strtod_r(r, s, end);
}

long double strtold_l(const char *restrict s, char **restrict end, locale_t loc)
{
    (void)loc; /* only the C locale's decimal point exists here */
    return _strtod_r(_REENT, s, end);
}

long double strtold(const char *restrict s, char **restrict end)
{
    return _strtod_r(_REENT, s, end);
}
#endif
