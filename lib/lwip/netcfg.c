/* Parsing the network configuration words (see netcfg.h). */
#include "netcfg.h"

#define EINVAL_ 22 /* -EINVAL without pulling in an errno header (host tests) */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Decimal number of at most max_digits digits at *s; advances *s. */
static int parse_decimal(const char **s, int max_digits, unsigned *out)
{
    unsigned v = 0;
    int digits = 0;
    while (is_digit(**s)) {
        if (++digits > max_digits)
            return -EINVAL_;
        v = v * 10 + (unsigned)(**s - '0');
        (*s)++;
    }
    if (digits == 0)
        return -EINVAL_;
    *out = v;
    return 0;
}

/* Four dotted parts at *s; advances *s past them. */
static int parse_quad(const char **s, uint32_t *addr)
{
    uint32_t a = 0;
    for (int i = 0; i < 4; i++) {
        unsigned part;
        if (parse_decimal(s, 3, &part) < 0 || part > 255)
            return -EINVAL_;
        a = a << 8 | part;
        if (i < 3 && *(*s)++ != '.')
            return -EINVAL_;
    }
    *addr = a;
    return 0;
}

int netcfg_parse_ipv4(const char *s, uint32_t *addr)
{
    uint32_t a;
    if (!s || parse_quad(&s, &a) < 0 || *s != '\0')
        return -EINVAL_;
    *addr = a;
    return 0;
}

static uint32_t prefix_to_mask(unsigned prefix)
{
    return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
}

int netcfg_parse_addr_prefix(const char *s, uint32_t *addr, uint32_t *mask, bool *has_prefix)
{
    uint32_t a;
    if (!s || parse_quad(&s, &a) < 0)
        return -EINVAL_;
    *has_prefix = false;
    if (*s == '/') {
        unsigned prefix;
        s++;
        if (parse_decimal(&s, 2, &prefix) < 0 || prefix > 32)
            return -EINVAL_;
        *mask = prefix_to_mask(prefix);
        *has_prefix = true;
    }
    if (*s != '\0')
        return -EINVAL_;
    *addr = a;
    return 0;
}

bool netcfg_mask_valid(uint32_t mask)
{
    uint32_t inverted = ~mask;
    return (inverted & (inverted + 1)) == 0; /* ones, then only zeros */
}

uint32_t netcfg_classful_mask(uint32_t addr)
{
    if ((addr >> 31) == 0)
        return 0xff000000u; /* class A */
    if ((addr >> 30) == 2)
        return 0xffff0000u; /* class B */
    return 0xffffff00u;     /* class C (and anything above, which is no host address) */
}

/* ---- command-line words ---- */

static void set_err(char *err, size_t errlen, const char *what, const char *word)
{
    size_t n = 0;
    if (!err || errlen == 0)
        return;
    for (const char *parts[] = {what, " \"", word, "\"", NULL}, **p = parts; *p; p++)
        for (const char *c = *p; *c && n + 1 < errlen; c++)
            err[n++] = *c;
    err[n] = '\0';
}

/* If word is "<key>=..." (key given as name and optional ".<id>" suffix),
 * return the value. */
static const char *match_key(const char *word, const char *name, bool suffixed, unsigned id)
{
    while (*name)
        if (*word++ != *name++)
            return 0;
    if (suffixed) {
        unsigned got;
        if (*word++ != '.' || parse_decimal(&word, 5, &got) < 0 || got != id)
            return 0;
    }
    return *word == '=' ? word + 1 : 0;
}

/* The last value of key for this vif: suffixed words beat unsuffixed ones
 * (which count only for the first vif). */
static const char *find_value(char *const *words, int nwords, const char *name, unsigned id,
                              bool first)
{
    const char *plain = 0, *suffixed = 0;
    for (int i = 0; i < nwords; i++) {
        const char *v;
        if ((v = match_key(words[i], name, true, id)))
            suffixed = v;
        else if (first && (v = match_key(words[i], name, false, 0)))
            plain = v;
    }
    return suffixed ? suffixed : plain;
}

static bool str_eq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* The address word: "A.B.C.D[/N]", "dhcp" or "off". 0 or -EINVAL. */
static int parse_ip_word(const char *ip, struct netcfg_ipv4 *cfg, bool *has_prefix)
{
    *has_prefix = false;
    if (str_eq(ip, "dhcp") || str_eq(ip, "off")) {
        cfg->method = str_eq(ip, "dhcp") ? NETCFG_DHCP : NETCFG_OFF;
        return 0;
    }
    if (netcfg_parse_addr_prefix(ip, &cfg->addr, &cfg->netmask, has_prefix) < 0)
        return -EINVAL_;
    cfg->method = NETCFG_STATIC;
    return 0;
}

/* The first space-separated word of the toolstack's ip, in buf. */
static const char *first_word(const char *s, char *buf, size_t size)
{
    size_t n = 0;
    while (*s == ' ')
        s++;
    while (s[n] && s[n] != ' ') {
        if (n + 1 == size)
            return 0; /* too long to be an address */
        buf[n] = s[n];
        n++;
    }
    buf[n] = '\0';
    return buf;
}

int netcfg_for_vif(char *const *words, int nwords, unsigned vif_id, bool first, const char *xs_ip,
                   struct netcfg_ipv4 *cfg, char *err, size_t errlen)
{
    const char *ip = find_value(words, nwords, "ip", vif_id, first);
    const char *mask = find_value(words, nwords, "netmask", vif_id, first);
    const char *gw = find_value(words, nwords, "gw", vif_id, first);
    char xs_first[40];
    bool has_prefix = false;
    int rc = 0;

    if (err && errlen)
        err[0] = '\0';
    cfg->method = NETCFG_DHCP;
    cfg->addr = cfg->netmask = cfg->gw = 0;
    cfg->source = "default";

    /* The address: command line first, then xenstore. */
    if (ip && parse_ip_word(ip, cfg, &has_prefix) == 0) {
        cfg->source = "command line";
    } else {
        if (ip) {
            set_err(err, errlen, "bad ip=", ip);
            rc = -EINVAL_;
        }
        const char *x = xs_ip ? first_word(xs_ip, xs_first, sizeof(xs_first)) : 0;
        if (xs_ip && (!x || (x[0] && netcfg_parse_addr_prefix(x, &cfg->addr, &cfg->netmask,
                                                              &has_prefix) < 0))) {
            if (rc == 0)
                set_err(err, errlen, "bad address in the vif's xenstore ip", xs_ip);
            rc = -EINVAL_;
            cfg->method = NETCFG_DHCP;
        } else if (x && x[0]) {
            cfg->method = NETCFG_STATIC;
            cfg->source = "xenstore";
        }
    }
    if (cfg->method != NETCFG_STATIC) {
        cfg->addr = cfg->netmask = 0;
        return rc;
    }

    /* Netmask: a /prefix on the address, else netmask=, else the class. */
    if (!has_prefix) {
        uint32_t m;
        if (mask && (netcfg_parse_ipv4(mask, &m) < 0 || !netcfg_mask_valid(m))) {
            if (rc == 0)
                set_err(err, errlen, "bad netmask=", mask);
            rc = -EINVAL_;
            mask = 0;
        }
        cfg->netmask = mask ? m : netcfg_classful_mask(cfg->addr);
    }
    if (gw && netcfg_parse_ipv4(gw, &cfg->gw) < 0) {
        if (rc == 0)
            set_err(err, errlen, "bad gw=", gw);
        rc = -EINVAL_;
        cfg->gw = 0;
    }
    return rc;
}

int netcfg_dns(char *const *words, int nwords, uint32_t *servers, char *err, size_t errlen)
{
    const char *v = find_value(words, nwords, "dns", 0, true);
    int n = 0;
    if (err && errlen)
        err[0] = '\0';
    if (!v)
        return 0;
    const char *s = v;
    while (n < NETCFG_MAX_DNS) {
        uint32_t a;
        if (parse_quad(&s, &a) < 0 || (*s != '\0' && *s != ',')) {
            set_err(err, errlen, "bad dns=", v);
            return -EINVAL_;
        }
        servers[n++] = a;
        if (*s++ == '\0')
            return n;
    }
    set_err(err, errlen, "too many servers in dns=", v);
    return -EINVAL_;
}
