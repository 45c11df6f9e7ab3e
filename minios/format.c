/* printf-style formatting engine: parse one conversion spec at a time and
 * push the pieces (padding, sign, prefix, digits) to a sink. The output is
 * meant to match glibc's snprintf byte for byte for everything format.h
 * lists, including glibc's choices where C leaves things open ("(null)",
 * "(nil)", '+'/' ' honoured by %p, '0' ignored by %s/%c/%p-nil). */
#include <minios/format.h>

enum fmt_length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

struct fmt_spec {
    bool left;  /* '-' */
    bool plus;  /* '+' */
    bool space; /* ' ' */
    bool alt;   /* '#' */
    bool zero;  /* '0' */
    bool width_star;
    bool prec_star;
    int width; /* 0 when absent */
    int prec;  /* -1 when absent */
    enum fmt_length len;
    char conv; /* conversion character, '\0' if the format ended early */
};

struct fmt_out {
    format_sink_t sink;
    void *ctx;
    size_t count; /* bytes produced so far (can exceed INT_MAX) */
};

#define FMT_INT_MAX 0x7fffffff

static void out_bytes(struct fmt_out *o, const char *s, size_t n)
{
    if (n == 0)
        return;
    o->sink(o->ctx, s, n);
    o->count += n;
}

/* Padding is sent in chunks from a constant buffer so a huge width costs
 * sink calls, not stack. */
static void out_fill(struct fmt_out *o, char c, size_t n)
{
    static const char spaces[32] = "                                ";
    static const char zeros[32] = "00000000000000000000000000000000";
    const char *src = c == '0' ? zeros : spaces;

    while (n > 0) {
        size_t chunk = MIN(n, sizeof(spaces));
        out_bytes(o, src, chunk);
        n -= chunk;
    }
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reads a decimal number, saturating instead of overflowing. */
static const char *parse_uint(const char *p, int *value)
{
    int v = 0;

    while (is_digit(*p)) {
        int d = *p - '0';
        v = v > (FMT_INT_MAX - d) / 10 ? FMT_INT_MAX : v * 10 + d;
        p++;
    }
    *value = v;
    return p;
}

static const char *parse_flags(const char *p, struct fmt_spec *s)
{
    for (;; p++) {
        switch (*p) {
        case '-':
            s->left = true;
            break;
        case '+':
            s->plus = true;
            break;
        case ' ':
            s->space = true;
            break;
        case '#':
            s->alt = true;
            break;
        case '0':
            s->zero = true;
            break;
        default:
            return p;
        }
    }
}

static const char *parse_length(const char *p, enum fmt_length *len)
{
    switch (*p) {
    case 'h':
        if (p[1] == 'h') {
            *len = LEN_HH;
            return p + 2;
        }
        *len = LEN_H;
        return p + 1;
    case 'l':
        if (p[1] == 'l') {
            *len = LEN_LL;
            return p + 2;
        }
        *len = LEN_L;
        return p + 1;
    case 'z':
        *len = LEN_Z;
        return p + 1;
    case 't':
        *len = LEN_T;
        return p + 1;
    case 'j':
        *len = LEN_J;
        return p + 1;
    default:
        *len = LEN_NONE;
        return p;
    }
}

/* Parses the spec after '%'. Returns the position just past it (past the
 * conversion character, or at the terminating NUL if the format ended).
 * Consumes no arguments: '*' is only noted, so an unknown conversion can be
 * copied through without touching the va_list. */
static const char *parse_spec(const char *p, struct fmt_spec *s)
{
    *s = (struct fmt_spec){.prec = -1};

    p = parse_flags(p, s);
    if (*p == '*') {
        s->width_star = true;
        p++;
    } else {
        p = parse_uint(p, &s->width);
    }
    if (*p == '.') {
        p++;
        if (*p == '*') {
            s->prec_star = true;
            p++;
        } else {
            p = parse_uint(p, &s->prec); /* "." alone means 0 */
        }
    }
    p = parse_length(p, &s->len);
    s->conv = *p;
    return *p ? p + 1 : p;
}

static bool is_known_conversion(const struct fmt_spec *s)
{
    switch (s->conv) {
    case 'd':
    case 'i':
    case 'u':
    case 'x':
    case 'X':
    case 'o':
    case '%':
        return true;
    case 'c':
    case 's':
    case 'p':
        /* %lc/%ls would be wide characters, which the kernel lacks:
         * printing them literally beats misreading the argument. */
        return s->len == LEN_NONE;
    default:
        return false;
    }
}

/* Fetches '*' width and precision, in that order, like C does. */
static void fetch_star_args(struct fmt_spec *s, va_list *ap)
{
    if (s->width_star) {
        int w = va_arg(*ap, int);
        if (w < 0) {
            s->left = true;
            w = w == -FMT_INT_MAX - 1 ? FMT_INT_MAX : -w;
        }
        s->width = w;
    }
    if (s->prec_star) {
        int prec = va_arg(*ap, int);
        s->prec = prec < 0 ? -1 : prec; /* negative means "no precision" */
    }
}

static intmax_t fetch_signed(enum fmt_length len, va_list *ap)
{
    switch (len) {
    case LEN_HH:
        return (signed char)va_arg(*ap, int);
    case LEN_H:
        return (short)va_arg(*ap, int);
    case LEN_L:
        return va_arg(*ap, long);
    case LEN_LL:
        return va_arg(*ap, long long);
    case LEN_Z:
        return (long)va_arg(*ap, size_t); /* signed size_t: long on LP64 */
    case LEN_T:
        return va_arg(*ap, ptrdiff_t);
    case LEN_J:
        return va_arg(*ap, intmax_t);
    default:
        return va_arg(*ap, int);
    }
}

static uintmax_t fetch_unsigned(enum fmt_length len, va_list *ap)
{
    switch (len) {
    case LEN_HH:
        return (unsigned char)va_arg(*ap, unsigned int);
    case LEN_H:
        return (unsigned short)va_arg(*ap, unsigned int);
    case LEN_L:
        return va_arg(*ap, unsigned long);
    case LEN_LL:
        return va_arg(*ap, unsigned long long);
    case LEN_Z:
        return va_arg(*ap, size_t);
    case LEN_T:
        return (size_t)va_arg(*ap, ptrdiff_t); /* unsigned ptrdiff_t */
    case LEN_J:
        return va_arg(*ap, uintmax_t);
    default:
        return va_arg(*ap, unsigned int);
    }
}

/* Pads s (n bytes) to the spec's width with spaces: %s, %c, "(nil)". */
static void emit_padded(struct fmt_out *o, const struct fmt_spec *s, const char *str, size_t n)
{
    size_t pad = (size_t)s->width > n ? (size_t)s->width - n : 0;

    if (!s->left)
        out_fill(o, ' ', pad);
    out_bytes(o, str, n);
    if (s->left)
        out_fill(o, ' ', pad);
}

struct number {
    uintmax_t magnitude;
    bool negative;
    bool signed_conv; /* '+' and ' ' only apply to these (and %p) */
    unsigned base;
    bool upper;
    bool force_hex_prefix; /* %p: "0x" even though '#' was not given */
};

/* Writes the digits right-aligned into buf; returns how many. */
static size_t number_digits(const struct number *num, int prec, char *buf, size_t size)
{
    const char *digit_chars = num->upper ? "0123456789ABCDEF" : "0123456789abcdef";
    uintmax_t v = num->magnitude;
    size_t n = 0;

    if (v == 0 && prec == 0)
        return 0; /* C: zero with precision 0 has no digits at all */
    do {
        buf[size - 1 - n++] = digit_chars[v % num->base];
        v /= num->base;
    } while (v != 0);
    return n;
}

static void emit_number(struct fmt_out *o, const struct fmt_spec *s, const struct number *num)
{
    char digits[3 * sizeof(uintmax_t)]; /* enough for octal */
    size_t ndigits = number_digits(num, s->prec, digits, sizeof(digits));
    char prefix[3];
    size_t nprefix = 0;
    size_t prec_zeros = 0;
    size_t body, pad;

    if (num->negative)
        prefix[nprefix++] = '-';
    else if (num->signed_conv && s->plus)
        prefix[nprefix++] = '+';
    else if (num->signed_conv && s->space)
        prefix[nprefix++] = ' ';

    if (num->base == 16 && (s->alt || num->force_hex_prefix) && num->magnitude != 0) {
        prefix[nprefix++] = '0';
        prefix[nprefix++] = num->upper ? 'X' : 'x';
    }

    if (s->prec > 0 && (size_t)s->prec > ndigits)
        prec_zeros = (size_t)s->prec - ndigits;
    /* '#' with %o: the first digit printed must be a zero. */
    if (num->base == 8 && s->alt && prec_zeros == 0 &&
        (ndigits == 0 || digits[sizeof(digits) - ndigits] != '0'))
        prec_zeros = 1;

    body = nprefix + prec_zeros + ndigits;
    pad = (size_t)s->width > body ? (size_t)s->width - body : 0;

    /* '0' pads between prefix and digits, but '-' and a precision win. */
    if (s->zero && !s->left && s->prec < 0) {
        prec_zeros += pad;
        pad = 0;
    }
    if (!s->left)
        out_fill(o, ' ', pad);
    out_bytes(o, prefix, nprefix);
    out_fill(o, '0', prec_zeros);
    out_bytes(o, digits + sizeof(digits) - ndigits, ndigits);
    if (s->left)
        out_fill(o, ' ', pad);
}

static size_t bounded_strlen(const char *str, int prec)
{
    size_t n = 0;

    while ((prec < 0 || n < (size_t)prec) && str[n] != '\0')
        n++;
    return n;
}

static void emit_string(struct fmt_out *o, const struct fmt_spec *s, const char *str)
{
    if (str == NULL) {
        /* glibc prints "(null)" only when the precision leaves room for all of it. */
        str = s->prec < 0 || s->prec >= 6 ? "(null)" : "";
    }
    emit_padded(o, s, str, bounded_strlen(str, s->prec));
}

static void emit_pointer(struct fmt_out *o, const struct fmt_spec *s, const void *ptr)
{
    struct number num = {
        .magnitude = (uintptr_t)ptr,
        .signed_conv = true, /* glibc honours '+' and ' ' for %p */
        .base = 16,
        .force_hex_prefix = true,
    };

    if (ptr == NULL) {
        emit_padded(o, s, "(nil)", 5);
        return;
    }
    emit_number(o, s, &num);
}

static void emit_integer(struct fmt_out *o, const struct fmt_spec *s, va_list *ap)
{
    struct number num = {.base = 10};

    switch (s->conv) {
    case 'd':
    case 'i': {
        intmax_t v = fetch_signed(s->len, ap);
        num.negative = v < 0;
        /* Negate in unsigned arithmetic so INTMAX_MIN does not overflow. */
        num.magnitude = num.negative ? -(uintmax_t)v : (uintmax_t)v;
        num.signed_conv = true;
        break;
    }
    case 'o':
        num.base = 8;
        num.magnitude = fetch_unsigned(s->len, ap);
        break;
    case 'x':
    case 'X':
        num.base = 16;
        num.upper = s->conv == 'X';
        num.magnitude = fetch_unsigned(s->len, ap);
        break;
    default: /* 'u' */
        num.magnitude = fetch_unsigned(s->len, ap);
        break;
    }
    emit_number(o, s, &num);
}

static void emit_conversion(struct fmt_out *o, struct fmt_spec *s, va_list *ap)
{
    fetch_star_args(s, ap);
    switch (s->conv) {
    case '%':
        out_bytes(o, "%", 1); /* glibc ignores flags and width here */
        break;
    case 'c': {
        char c = (char)va_arg(*ap, int);
        emit_padded(o, s, &c, 1);
        break;
    }
    case 's':
        emit_string(o, s, va_arg(*ap, const char *));
        break;
    case 'p':
        emit_pointer(o, s, va_arg(*ap, const void *));
        break;
    default:
        emit_integer(o, s, ap);
        break;
    }
}

int format_v(format_sink_t sink, void *ctx, const char *fmt, va_list ap)
{
    struct fmt_out o = {.sink = sink, .ctx = ctx};
    va_list args;
    const char *p = fmt;

    /* A local copy so helpers can take its address portably (va_list may
     * be an array type that decays when passed as a parameter). */
    va_copy(args, ap);
    while (*p != '\0') {
        const char *start = p;
        struct fmt_spec spec;

        while (*p != '\0' && *p != '%')
            p++;
        out_bytes(&o, start, (size_t)(p - start));
        if (*p == '\0')
            break;

        start = p;
        p = parse_spec(p + 1, &spec);
        if (is_known_conversion(&spec))
            emit_conversion(&o, &spec, &args);
        else
            out_bytes(&o, start, (size_t)(p - start)); /* literally, no argument */
    }
    va_end(args);
    return o.count > FMT_INT_MAX ? FMT_INT_MAX : (int)o.count;
}

struct buf_sink {
    char *buf;
    size_t size; /* room for text, excluding the NUL */
    size_t pos;
};

static void buf_sink_write(void *ctx, const char *s, size_t n)
{
    struct buf_sink *b = ctx;
    size_t room = b->pos < b->size ? b->size - b->pos : 0;
    size_t copy = MIN(n, room);

    for (size_t i = 0; i < copy; i++)
        b->buf[b->pos + i] = s[i];
    b->pos += copy;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct buf_sink b = {.buf = buf, .size = size > 0 ? size - 1 : 0};
    int n = format_v(buf_sink_write, &b, fmt, ap);

    if (size > 0)
        buf[b.pos] = '\0';
    return n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
