/* Compares minios/format.c against the host C library's snprintf.
 *
 * The bulk is generated: for every conversion and length modifier, a set of
 * edge values, each formatted with every combination of the flags "-+ #0",
 * a set of widths and precisions (literal and '*', including negative '*'
 * values). One TEST line per (conversion, length, value) group; a group
 * passes only if every spec in it matches byte for byte, return value
 * included. Hand-written cases cover mixed formats, truncation and the
 * kernel-specific rule for unknown conversions. */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <minios/format.h>

#include "unit_test.h"

#define OUT_SIZE 2048

static unsigned long comparisons;

/* Printable form of n bytes (NULs and controls escaped) for FAIL lines. */
static const char *show(const char *s, int n)
{
    static char bufs[4][OUT_SIZE * 4];
    static int which;
    char *out = bufs[which++ % 4];
    size_t o = 0;

    if (n > OUT_SIZE - 1)
        n = OUT_SIZE - 1;
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            out[o++] = (char)c;
        else
            o += (size_t)sprintf(out + o, "\\x%02x", c);
    }
    out[o] = '\0';
    return out;
}

struct mismatch {
    unsigned long count;
    char first[OUT_SIZE * 6];
};

/* Formats with both implementations and records the first difference. */
static bool __attribute__((format(printf, 2, 3))) cmp(struct mismatch *mm, const char *fmt, ...)
{
    char ours[OUT_SIZE], libc[OUT_SIZE];
    va_list a, b;
    int n_ours, n_libc;

    memset(ours, 0x5a, sizeof(ours));
    memset(libc, 0x5a, sizeof(libc));
    va_start(a, fmt);
    va_copy(b, a);
    n_ours = kvsnprintf(ours, sizeof(ours), fmt, a);
    n_libc = vsnprintf(libc, sizeof(libc), fmt, b);
    va_end(b);
    va_end(a);
    comparisons++;

    if (n_ours == n_libc && n_libc >= 0 && n_libc < OUT_SIZE &&
        memcmp(ours, libc, (size_t)n_libc + 1) == 0)
        return true;
    if (mm->count++ == 0)
        snprintf(mm->first, sizeof(mm->first), "fmt \"%s\": ours [%s] (%d), libc [%s] (%d)", fmt,
                 show(ours, n_ours < OUT_SIZE && n_ours >= 0 ? n_ours : OUT_SIZE - 1), n_ours,
                 show(libc, n_libc < OUT_SIZE && n_libc >= 0 ? n_libc : OUT_SIZE - 1), n_libc);
    return false;
}

/* ---------------- generated table ---------------- */

enum arg_kind {
    A_INT,
    A_UINT,
    A_LONG,
    A_ULONG,
    A_LLONG,
    A_ULLONG,
    A_SIZE,
    A_PTRDIFF,
    A_INTMAX,
    A_UINTMAX,
    A_STR,
    A_PTR,
    A_NONE,
};

struct arg {
    enum arg_kind kind;
    const char *label;
    union {
        int i;
        unsigned u;
        long l;
        unsigned long ul;
        long long ll;
        unsigned long long ull;
        size_t z;
        ptrdiff_t t;
        intmax_t j;
        uintmax_t uj;
        const char *s;
        const void *p;
    } v;
};

/* Star arguments: which of width/precision come from '*', and their values. */
struct stars {
    int which; /* bit 0: width, bit 1: precision */
    int width;
    int prec;
};

#define CALL_WITH_STARS(mm, fmt, st, val)                                                          \
    ((st)->which == 0   ? cmp(mm, fmt, val)                                                        \
     : (st)->which == 1 ? cmp(mm, fmt, (st)->width, val)                                           \
     : (st)->which == 2 ? cmp(mm, fmt, (st)->prec, val)                                            \
                        : cmp(mm, fmt, (st)->width, (st)->prec, val))

/* -Wformat cannot see through the generated strings; silence the
 * "too many arguments" style checks it does not perform anyway. */
static void run_one(struct mismatch *mm, const char *fmt, const struct stars *st,
                    const struct arg *a)
{
    switch (a->kind) {
    case A_INT:
        CALL_WITH_STARS(mm, fmt, st, a->v.i);
        break;
    case A_UINT:
        CALL_WITH_STARS(mm, fmt, st, a->v.u);
        break;
    case A_LONG:
        CALL_WITH_STARS(mm, fmt, st, a->v.l);
        break;
    case A_ULONG:
        CALL_WITH_STARS(mm, fmt, st, a->v.ul);
        break;
    case A_LLONG:
        CALL_WITH_STARS(mm, fmt, st, a->v.ll);
        break;
    case A_ULLONG:
        CALL_WITH_STARS(mm, fmt, st, a->v.ull);
        break;
    case A_SIZE:
        CALL_WITH_STARS(mm, fmt, st, a->v.z);
        break;
    case A_PTRDIFF:
        CALL_WITH_STARS(mm, fmt, st, a->v.t);
        break;
    case A_INTMAX:
        CALL_WITH_STARS(mm, fmt, st, a->v.j);
        break;
    case A_UINTMAX:
        CALL_WITH_STARS(mm, fmt, st, a->v.uj);
        break;
    case A_STR:
        CALL_WITH_STARS(mm, fmt, st, a->v.s);
        break;
    case A_PTR:
        CALL_WITH_STARS(mm, fmt, st, a->v.p);
        break;
    case A_NONE:
        CALL_WITH_STARS(mm, fmt, st, 0);
        break; /* "%%": extra arg is ignored */
    }
}

static const char *const literal_widths[] = {"", "1", "6", "25"};
static const int star_widths[] = {-9, 0, 9};
static const char *const literal_precs[] = {"", ".", ".0", ".1", ".4", ".22"};
static const int star_precs[] = {-1, 0, 3};

/* Every flag subset x width x precision for one conversion and value;
 * with_stars selects the specs where width and/or precision come from '*'
 * (the others use literal digits only). */
static void run_group_part(const char *length, char conv, const struct arg *a, bool with_stars)
{
    static const char flag_chars[] = "-+ #0";
    struct mismatch mm = {0};
    unsigned long before = comparisons;
    char name[128];
    size_t nw = ARRAY_SIZE(literal_widths) + ARRAY_SIZE(star_widths);
    size_t np = ARRAY_SIZE(literal_precs) + ARRAY_SIZE(star_precs);

    for (unsigned flags = 0; flags < 32; flags++) {
        for (size_t wi = 0; wi < nw; wi++) {
            for (size_t pi = 0; pi < np; pi++) {
                struct stars st = {0};
                char fmt[64];
                size_t n = 0;
                bool starred = wi >= ARRAY_SIZE(literal_widths) || pi >= ARRAY_SIZE(literal_precs);

                if (starred != with_stars)
                    continue;

                fmt[n++] = '%';
                for (unsigned f = 0; f < 5; f++) {
                    if (flags & (1u << f))
                        fmt[n++] = flag_chars[f];
                }
                if (wi < ARRAY_SIZE(literal_widths)) {
                    n += (size_t)sprintf(fmt + n, "%s", literal_widths[wi]);
                } else {
                    fmt[n++] = '*';
                    st.which |= 1;
                    st.width = star_widths[wi - ARRAY_SIZE(literal_widths)];
                }
                if (pi < ARRAY_SIZE(literal_precs)) {
                    n += (size_t)sprintf(fmt + n, "%s", literal_precs[pi]);
                } else {
                    n += (size_t)sprintf(fmt + n, ".*");
                    st.which |= 2;
                    st.prec = star_precs[pi - ARRAY_SIZE(literal_precs)];
                }
                sprintf(fmt + n, "%s%c|", length, conv); /* '|' shows trailing padding */
                run_one(&mm, fmt, &st, a);
            }
        }
    }
    snprintf(name, sizeof(name), "fmt_%s%c_%s%s", length, conv, a->label,
             with_stars ? "_star" : "");
    unit_check(name, mm.count == 0, "%lu of %lu specs differ; first: %s", mm.count,
               comparisons - before, mm.first);
}

static void run_group(const char *length, char conv, const struct arg *a)
{
    run_group_part(length, conv, a, false);
    run_group_part(length, conv, a, true);
}

#define ARG(kind_, field, value, label_)                                                           \
    {                                                                                              \
        .kind = kind_, .label = label_, .v.field = value                                           \
    }

static void run_signed_tables(void)
{
    static const struct arg ints[] = {
        ARG(A_INT, i, 0, "0"),
        ARG(A_INT, i, 1, "1"),
        ARG(A_INT, i, -1, "-1"),
        ARG(A_INT, i, 42, "42"),
        ARG(A_INT, i, -42, "-42"),
        ARG(A_INT, i, 123456789, "123456789"),
        ARG(A_INT, i, INT_MAX, "INT_MAX"),
        ARG(A_INT, i, INT_MIN, "INT_MIN"),
    };
    static const struct arg chars[] = {
        ARG(A_INT, i, 0, "0"),     ARG(A_INT, i, 127, "127"), ARG(A_INT, i, -128, "-128"),
        ARG(A_INT, i, 255, "255"), ARG(A_INT, i, 300, "300"), ARG(A_INT, i, -1, "-1"),
    };
    static const struct arg shorts[] = {
        ARG(A_INT, i, 0, "0"),           ARG(A_INT, i, 32767, "32767"),
        ARG(A_INT, i, -32768, "-32768"), ARG(A_INT, i, 65535, "65535"),
        ARG(A_INT, i, 70000, "70000"),
    };
    static const struct arg longs[] = {
        ARG(A_LONG, l, 0, "0"),
        ARG(A_LONG, l, -1, "-1"),
        ARG(A_LONG, l, LONG_MAX, "LONG_MAX"),
        ARG(A_LONG, l, LONG_MIN, "LONG_MIN"),
    };
    static const struct arg llongs[] = {
        ARG(A_LLONG, ll, 0, "0"),
        ARG(A_LLONG, ll, 5, "5"),
        ARG(A_LLONG, ll, -1234567890123LL, "-1234567890123"),
        ARG(A_LLONG, ll, LLONG_MAX, "LLONG_MAX"),
        ARG(A_LLONG, ll, LLONG_MIN, "LLONG_MIN"),
    };
    static const struct arg sizes[] = {
        ARG(A_SIZE, z, 0, "0"),
        ARG(A_SIZE, z, 77, "77"),
        ARG(A_SIZE, z, (size_t)-5, "-5"),
        ARG(A_SIZE, z, SIZE_MAX / 2, "SSIZE_MAX"),
    };
    static const struct arg ptrdiffs[] = {
        ARG(A_PTRDIFF, t, 0, "0"),
        ARG(A_PTRDIFF, t, -3, "-3"),
        ARG(A_PTRDIFF, t, PTRDIFF_MAX, "PTRDIFF_MAX"),
        ARG(A_PTRDIFF, t, PTRDIFF_MIN, "PTRDIFF_MIN"),
    };
    static const struct arg intmaxes[] = {
        ARG(A_INTMAX, j, 0, "0"),
        ARG(A_INTMAX, j, 99, "99"),
        ARG(A_INTMAX, j, INTMAX_MAX, "INTMAX_MAX"),
        ARG(A_INTMAX, j, INTMAX_MIN, "INTMAX_MIN"),
    };
    static const struct {
        const char *length;
        const struct arg *args;
        size_t n;
    } tables[] = {
        {"", ints, ARRAY_SIZE(ints)},          {"hh", chars, ARRAY_SIZE(chars)},
        {"h", shorts, ARRAY_SIZE(shorts)},     {"l", longs, ARRAY_SIZE(longs)},
        {"ll", llongs, ARRAY_SIZE(llongs)},    {"z", sizes, ARRAY_SIZE(sizes)},
        {"t", ptrdiffs, ARRAY_SIZE(ptrdiffs)}, {"j", intmaxes, ARRAY_SIZE(intmaxes)},
    };

    for (size_t t = 0; t < ARRAY_SIZE(tables); t++) {
        for (size_t v = 0; v < tables[t].n; v++) {
            run_group(tables[t].length, 'd', &tables[t].args[v]);
            /* %i is the same conversion: one value per table is enough. */
            if (v == tables[t].n - 1)
                run_group(tables[t].length, 'i', &tables[t].args[v]);
        }
    }
}

static void run_unsigned_tables(void)
{
    static const struct arg uints[] = {
        ARG(A_UINT, u, 0, "0"),
        ARG(A_UINT, u, 1, "1"),
        ARG(A_UINT, u, 8, "8"),
        ARG(A_UINT, u, 255, "255"),
        ARG(A_UINT, u, 0xdeadbeef, "0xdeadbeef"),
        ARG(A_UINT, u, UINT_MAX, "UINT_MAX"),
    };
    static const struct arg uchars[] = {
        ARG(A_UINT, u, 0, "0"),
        ARG(A_UINT, u, 255, "255"),
        ARG(A_UINT, u, 256, "256"),
        ARG(A_UINT, u, 0x1ff, "0x1ff"),
    };
    static const struct arg ushorts[] = {
        ARG(A_UINT, u, 0, "0"),
        ARG(A_UINT, u, 65535, "65535"),
        ARG(A_UINT, u, 0x12345, "0x12345"),
    };
    static const struct arg ulongs[] = {
        ARG(A_ULONG, ul, 0, "0"),
        ARG(A_ULONG, ul, 0x123456789abcUL, "0x123456789abc"),
        ARG(A_ULONG, ul, ULONG_MAX, "ULONG_MAX"),
    };
    static const struct arg ullongs[] = {
        ARG(A_ULLONG, ull, 0, "0"),
        ARG(A_ULLONG, ull, 1, "1"),
        ARG(A_ULLONG, ull, 01234567ULL, "01234567"),
        ARG(A_ULLONG, ull, ULLONG_MAX, "ULLONG_MAX"),
    };
    static const struct arg sizes[] = {
        ARG(A_SIZE, z, 0, "0"),
        ARG(A_SIZE, z, 4096, "4096"),
        ARG(A_SIZE, z, SIZE_MAX, "SIZE_MAX"),
    };
    static const struct arg ptrdiffs[] = {
        ARG(A_PTRDIFF, t, 0, "0"),
        ARG(A_PTRDIFF, t, -1, "-1"),
        ARG(A_PTRDIFF, t, 1000, "1000"),
    };
    static const struct arg uintmaxes[] = {
        ARG(A_UINTMAX, uj, 0, "0"),
        ARG(A_UINTMAX, uj, 0xfedcba9876543210ULL, "0xfedcba9876543210"),
        ARG(A_UINTMAX, uj, UINTMAX_MAX, "UINTMAX_MAX"),
    };
    static const struct {
        const char *length;
        const struct arg *args;
        size_t n;
    } tables[] = {
        {"", uints, ARRAY_SIZE(uints)},        {"hh", uchars, ARRAY_SIZE(uchars)},
        {"h", ushorts, ARRAY_SIZE(ushorts)},   {"l", ulongs, ARRAY_SIZE(ulongs)},
        {"ll", ullongs, ARRAY_SIZE(ullongs)},  {"z", sizes, ARRAY_SIZE(sizes)},
        {"t", ptrdiffs, ARRAY_SIZE(ptrdiffs)}, {"j", uintmaxes, ARRAY_SIZE(uintmaxes)},
    };
    static const char convs[] = "uxXo";

    for (size_t t = 0; t < ARRAY_SIZE(tables); t++) {
        for (size_t c = 0; c < sizeof(convs) - 1; c++) {
            for (size_t v = 0; v < tables[t].n; v++)
                run_group(tables[t].length, convs[c], &tables[t].args[v]);
        }
    }
}

static void run_char_string_pointer_tables(void)
{
    static int local;
    static const struct arg chars[] = {
        ARG(A_INT, i, 'a', "a"), ARG(A_INT, i, ' ', "space"),   ARG(A_INT, i, '%', "percent"),
        ARG(A_INT, i, 0, "NUL"), ARG(A_INT, i, 0x1ff, "0x1ff"), ARG(A_INT, i, -1, "-1"),
    };
    static const struct arg strings[] = {
        ARG(A_STR, s, "", "empty"),
        ARG(A_STR, s, "x", "x"),
        ARG(A_STR, s, "hello", "hello"),
        ARG(A_STR, s, "(null)", "literal_null"),
        ARG(A_STR, s, "a string longer than every width used here", "long"),
        ARG(A_STR, s, NULL, "NULL"),
    };
    static const struct arg pointers[] = {
        ARG(A_PTR, p, NULL, "NULL"),
        ARG(A_PTR, p, (void *)1, "1"),
        ARG(A_PTR, p, (void *)0xdeadbeefUL, "0xdeadbeef"),
        ARG(A_PTR, p, (void *)UINTPTR_MAX, "UINTPTR_MAX"),
        ARG(A_PTR, p, &local, "static"),
    };
    static const struct arg none = ARG(A_NONE, i, 0, "none");

    for (size_t v = 0; v < ARRAY_SIZE(chars); v++)
        run_group("", 'c', &chars[v]);
    for (size_t v = 0; v < ARRAY_SIZE(strings); v++)
        run_group("", 's', &strings[v]);
    for (size_t v = 0; v < ARRAY_SIZE(pointers); v++)
        run_group("", 'p', &pointers[v]);
    run_group("", '%', &none);
}

/* ---------------- hand-written cases ---------------- */

#define CMP_CHECK(name, ...)                                                                       \
    do {                                                                                           \
        struct mismatch mm_ = {0};                                                                 \
        bool ok_ = cmp(&mm_, __VA_ARGS__);                                                         \
        unit_check(name, ok_, "%s", mm_.first);                                                    \
    } while (0)

static void run_mixed_formats(void)
{
    const char *s = "str";
    int x = -17;
    /* Kept out of the literal so -Wformat does not object to repeated flags. */
    const char *repeated = "%--5d|%++d|%  d|%##x|%00005d";

    CMP_CHECK("mixed_all_conversions", "a%db%ic%ud%xe%Xf%og%ch%si%pj%%k", -5, 6, 7u, 255u, 255u, 8u,
              'q', s, (void *)&x);
    CMP_CHECK("mixed_lengths", "%hhd %hd %ld %lld %zu %td %jd %hhx %hX %lo %llx %zx %jx", 200,
              40000, -1L, LLONG_MIN, (size_t)123, (ptrdiff_t)-4, INTMAX_MAX, 0x1ffu, 0x12345u,
              ULONG_MAX, ULLONG_MAX, SIZE_MAX, UINTMAX_MAX);
    CMP_CHECK("mixed_stars", "[%*.*d][%-*s][%.*s][%*c]", 8, 3, x, 6, s, 2, s, -4, 'z');
    CMP_CHECK("no_conversions", "plain text, no conversions");
    CMP_CHECK("empty_string_arg", "%s", "");
    CMP_CHECK("percent_run", "%%%%%% %d%%", 3);
    CMP_CHECK("wide_width", "%300d|%-300s|%0300x", 1, s, 0xabcu);
    CMP_CHECK("wide_precision", "%.300d|%.300o", -1, 1u);
    CMP_CHECK("star_int_min_precision", "%.*d|%.*s", INT_MIN, 5, INT_MIN, s);
    CMP_CHECK("repeated_flags", repeated, 1, 2, 3, 4u, 5);
    CMP_CHECK("nul_char_mid", "a%cb%5cc", 0, 0);
    CMP_CHECK("many_args", "%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%d%s", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
              12, 13, 14, 15, 16, s);
}

/* Truncation: every buffer size from 0 to past the full length. */
static void run_truncation(void)
{
    static const char *const fmts[] = {"%d", "%s|%x", "%-10s|", "%08.3d", "%p", "abc%%def"};
    unsigned long bad = 0;
    char why[256] = "";

    for (size_t f = 0; f < ARRAY_SIZE(fmts); f++) {
        char full[128];
        int len;

        switch (f) {
        case 0:
            len = snprintf(full, sizeof(full), fmts[f], INT_MIN);
            break;
        case 1:
            len = snprintf(full, sizeof(full), fmts[f], "hello", 0xbeefu);
            break;
        case 2:
            len = snprintf(full, sizeof(full), fmts[f], "ab");
            break;
        case 3:
            len = snprintf(full, sizeof(full), fmts[f], -7);
            break;
        case 4:
            len = snprintf(full, sizeof(full), fmts[f], (void *)0x1234);
            break;
        default:
            len = snprintf(full, sizeof(full), fmts[f]);
            break;
        }
        for (size_t size = 0; size <= (size_t)len + 2; size++) {
            char buf[130];
            int n;

            memset(buf, 0x7e, sizeof(buf));
            switch (f) {
            case 0:
                n = ksnprintf(buf, size, fmts[f], INT_MIN);
                break;
            case 1:
                n = ksnprintf(buf, size, fmts[f], "hello", 0xbeefu);
                break;
            case 2:
                n = ksnprintf(buf, size, fmts[f], "ab");
                break;
            case 3:
                n = ksnprintf(buf, size, fmts[f], -7);
                break;
            case 4:
                n = ksnprintf(buf, size, fmts[f], (void *)0x1234);
                break;
            default:
                n = ksnprintf(buf, size, fmts[f]);
                break;
            }
            comparisons++;
            size_t kept = size ? MIN(size - 1, (size_t)len) : 0;
            /* Prefix kept, NUL right after it, nothing written at buf[size]. */
            bool ok = n == len && memcmp(buf, full, kept) == 0 &&
                      (size == 0 || buf[kept] == '\0') && buf[size] == 0x7e;
            if (!ok && bad++ == 0)
                snprintf(why, sizeof(why), "fmt \"%s\" size %zu: returned %d (want %d), got [%s]",
                         fmts[f], size, n, len, show(buf, (int)kept));
        }
    }
    unit_check("truncation_all_sizes", bad == 0, "%lu bad; first: %s", bad, why);

    /* size 0 with a NULL buffer only measures. */
    int n = ksnprintf(NULL, 0, "%s-%d", "measure", 12345);
    unit_check("size0_null_buffer", n == 13, "returned %d, want 13", n);
}

/* Kernel rule: unknown conversions are copied literally and consume no
 * argument, so the following conversions still see the right values. */
static void run_unknown_conversions(void)
{
    static const struct {
        const char *name;
        const char *fmt;
        const char *want;
    } cases[] = {
        {"unknown_plain", "%y|%d", "%y|42"},
        {"unknown_flags_width", "%-08.3y|%d", "%-08.3y|42"},
        {"unknown_star_not_consumed", "%*y|%d", "%*y|42"},
        {"unknown_star_prec_not_consumed", "%.*y|%d", "%.*y|42"},
        {"unknown_with_length", "%lly|%d", "%lly|42"},
        {"float_not_supported", "%f|%d", "%f|42"},
        {"percent_n_not_supported", "%n|%d", "%n|42"},
        {"wide_char_not_supported", "%lc|%d", "%lc|42"},
        {"wide_string_not_supported", "%ls|%d", "%ls|42"},
        {"long_double_length", "%Ld|%d", "%Ld|42"},
        {"positional_not_supported", "%1$d|%d", "%1$d|42"},
        {"trailing_percent", "%d|%", "42|%"},
        {"trailing_flags", "%d|%-0", "42|%-0"},
        {"trailing_width_prec", "%d|%5.", "42|%5."},
        {"trailing_length", "%d|%ll", "42|%ll"},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char buf[64];
        int n = ksnprintf(buf, sizeof(buf), cases[i].fmt, 42);
        comparisons++;
        unit_check(cases[i].name,
                   strcmp(buf, cases[i].want) == 0 && n == (int)strlen(cases[i].want),
                   "fmt \"%s\": got [%s] (%d), want [%s]", cases[i].fmt, buf, n, cases[i].want);
    }
}

struct sink_log {
    size_t bytes;
    size_t calls;
    bool saw_nul;
    char text[256];
};

static void log_sink(void *ctx, const char *s, size_t n)
{
    struct sink_log *log = ctx;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\0')
            log->saw_nul = true;
        if (log->bytes + i < sizeof(log->text) - 1)
            log->text[log->bytes + i] = s[i];
    }
    log->bytes += n;
    log->calls++;
}

static int call_format_v(struct sink_log *log, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = format_v(log_sink, log, fmt, ap);
    va_end(ap);
    return n;
}

static void run_sink(void)
{
    struct sink_log log = {0};
    int n = call_format_v(&log, "%s=%5d%-3c|%%", "key", 7, 'v');

    log.text[MIN(log.bytes, sizeof(log.text) - 1)] = '\0';
    unit_check("format_v_sink",
               n == 14 && log.bytes == 14 && !log.saw_nul &&
                   strcmp(log.text, "key=    7v  |%") == 0,
               "returned %d, sink got %zu bytes [%s] nul=%d", n, log.bytes, log.text, log.saw_nul);

    struct sink_log big = {0};
    n = call_format_v(&big, "%10000d", 1);
    unit_check("format_v_wide_padding", n == 10000 && big.bytes == 10000,
               "returned %d, sink got %zu bytes", n, big.bytes);
}

int main(void)
{
    printf("test_format: deterministic table (no random seed needed)\n");
    run_signed_tables();
    run_unsigned_tables();
    run_char_string_pointer_tables();
    run_mixed_formats();
    run_truncation();
    run_unknown_conversions();
    run_sink();
    printf("test_format: %lu individual format comparisons\n", comparisons);
    return unit_finish("test_format");
}
