/* The libxenstore side of the xenstore conformance test: a small command
 * interpreter run in dom0, linked against Debian's libxenstore. It reads
 * one operation per line from stdin and prints one normalized result line
 * per operation, so that the transcripts of two servers (C xenstored and
 * stubdom/xenstore) can be compared with diff.
 *
 * Lines: words separated by blanks; "-" is the empty string; "%HH" is a
 * byte in hex (%00 a NUL, %20 a blank); "*N" alone is N 'x' bytes.
 *
 *   conn N                       use connection N (opened on first use)
 *   read|mkdir|rm|dir|getperms TX PATH
 *   write TX PATH VALUE          TX: "-" or a name given to tstart
 *   setperms TX PATH PERM...     PERM in text form: n0 r5 w3 b2
 *   tstart NAME | tend NAME commit|abort
 *   watch PATH TOKEN | unwatch PATH TOKEN   (wire protocol on a device
 *                                handle of the connection's own, see below)
 *   events                       the watch events that arrive until 400 ms
 *                                pass without one, sorted (the order across
 *                                watches is not specified)
 *   domainpath DOMID | introduced DOMID | control WORD...
 *   raw TYPE TXNAME PAYLOAD      one request written as-is to its own
 *                                /dev/xen/xenbus handle; prints the reply
 *   sh COMMAND...                run a shell command, print its exit status
 *   # ...                        copied to the output (section titles)
 * "$G" / "$V" in a line stand for the guest's / victim's domid
 * (XSCONF_GUEST, XSCONF_VICTIM), and those domids print as G / V.
 *
 * Output: "<line number> <the command> => <result>" with result "ok",
 * "ERR <errno name>", a quoted value, a list ...
 * Uses /dev/xen/xenbus also for libxenstore (XENSTORED_PATH) so that both
 * servers are reached the same way (the ring through dom0's kernel). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xenstore.h>
#include <xen/io/xs_wire.h>

#define MAX_WORDS 16
#define MAX_CONNS 4
#define MAX_TX 16
#define QUIET_MS 400

static struct xs_handle *conns[MAX_CONNS];
static struct xs_handle *xs;
static int cur_conn;
static struct {
    char name[32];
    xs_transaction_t id;
    int conn;
} txs[MAX_TX];
static int raw_fd = -1;

struct word {
    char *s;
    size_t len;
};

static const char *errname(int e)
{
    static char buf[16];
    static const struct {
        int e;
        const char *n;
    } names[] = {
        {EINVAL, "EINVAL"}, {EACCES, "EACCES"}, {EEXIST, "EEXIST"}, {EISDIR, "EISDIR"},
        {ENOENT, "ENOENT"}, {ENOMEM, "ENOMEM"}, {ENOSPC, "ENOSPC"}, {EIO, "EIO"},
        {ENOTEMPTY, "ENOTEMPTY"}, {ENOSYS, "ENOSYS"}, {EROFS, "EROFS"}, {EBUSY, "EBUSY"},
        {EAGAIN, "EAGAIN"}, {EISCONN, "EISCONN"}, {E2BIG, "E2BIG"}, {EPERM, "EPERM"},
        {ENOTDIR, "ENOTDIR"}, {EBADF, "EBADF"}, {ERANGE, "ERANGE"}, {EILSEQ, "EILSEQ"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].e == e)
            return names[i].n;
    snprintf(buf, sizeof(buf), "errno%d", e);
    return buf;
}

/* Printable form of bytes: "\xHH" for anything outside 0x20..0x7e. */
static void put_bytes(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c > 0x7e || c == '\\' || c == '"')
            printf("\\x%02x", c);
        else
            putchar(c);
    }
}

static void put_value(const char *p, size_t n)
{
    if (n > 80) {
        /* long values: length and the first and last bytes only */
        printf("len=%zu \"", n);
        put_bytes(p, 8);
        printf("...");
        put_bytes(p + n - 8, 8);
        putchar('"');
        return;
    }
    putchar('"');
    put_bytes(p, n);
    putchar('"');
}

static void put_err(void)
{
    printf("ERR %s", errname(errno));
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode a word in place (or into a new buffer for *N). */
static void decode(struct word *w)
{
    if (strcmp(w->s, "-") == 0) {
        w->s[0] = '\0';
        w->len = 0;
        return;
    }
    if (w->s[0] == '*' && w->s[1] >= '0' && w->s[1] <= '9') {
        size_t n = strtoul(w->s + 1, NULL, 10);
        char *p = malloc(n + 1);
        memset(p, 'x', n);
        p[n] = '\0';
        w->s = p; /* leaks until exit: a few per run */
        w->len = n;
        return;
    }
    char *in = w->s, *out = w->s;
    while (*in) {
        if (in[0] == '%' && hexval(in[1]) >= 0 && hexval(in[2]) >= 0) {
            *out++ = (char)(hexval(in[1]) * 16 + hexval(in[2]));
            in += 3;
        } else {
            *out++ = *in++;
        }
    }
    *out = '\0';
    w->len = (size_t)(out - w->s);
}

static int find_tx(const char *name, xs_transaction_t *id)
{
    if (strcmp(name, "-") == 0 || name[0] == '\0') {
        *id = XBT_NULL;
        return 0;
    }
    for (int i = 0; i < MAX_TX; i++)
        if (strcmp(txs[i].name, name) == 0) {
            *id = txs[i].id;
            return 0;
        }
    /* an unknown name: a transaction id no connection has */
    *id = (xs_transaction_t)strtoul(name, NULL, 10);
    return 0;
}

static struct xs_handle *open_conn(int n)
{
    if (n < 0 || n >= MAX_CONNS)
        return NULL;
    if (!conns[n])
        conns[n] = xs_open(0);
    return conns[n];
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- watches: over a device handle of their own per connection, in the
 * wire protocol (libxenstore's watch thread is not used: one process, no
 * threads, every read bounded by a timeout so that the test never hangs) */

static int watch_fd[MAX_CONNS] = {-1, -1, -1, -1};
static char wbuf[MAX_CONNS][4 * (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)];
static size_t wlen[MAX_CONNS];
static char *pending[MAX_CONNS][256]; /* events read while waiting for a reply */
static int npending[MAX_CONNS];

static int dev_open(void)
{
    const char *dev = getenv("XENSTORED_PATH");
    return open(dev ? dev : "/dev/xen/xenbus", O_RDWR);
}

/* The next whole message of fd (buffered in buf/len) within ms; its type,
 * or -1 (timeout, error). */
static int next_msg(int fd, char *buf, size_t *len, int ms, char *out, size_t *out_len)
{
    for (;;) {
        if (*len >= sizeof(struct xsd_sockmsg)) {
            struct xsd_sockmsg h;
            memcpy(&h, buf, sizeof(h));
            size_t total = sizeof(h) + h.len;
            if (h.len > XENSTORE_PAYLOAD_MAX)
                return -1;
            if (*len >= total) {
                memcpy(out, buf + sizeof(h), h.len);
                out[h.len] = '\0';
                *out_len = h.len;
                memmove(buf, buf + total, *len - total);
                *len -= total;
                return (int)h.type;
            }
        }
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, ms) <= 0)
            return -1;
        ssize_t n = read(fd, buf + *len, 4 * (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX) - *len);
        if (n <= 0)
            return -1;
        *len += (size_t)n;
    }
}

static void keep_event(int c, const char *payload, size_t len)
{
    const char *path = payload;
    const char *token = memchr(payload, '\0', len) ? payload + strlen(payload) + 1 : "";
    if (token >= payload + len)
        token = "";
    if (npending[c] < 256) {
        size_t l = strlen(path) + strlen(token) + 2;
        pending[c][npending[c]] = malloc(l);
        snprintf(pending[c][npending[c]++], l, "%s %s", path, token);
    }
}

static void do_watch(uint32_t type, struct word *w)
{
    int c = cur_conn;
    char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
    struct xsd_sockmsg *h = (struct xsd_sockmsg *)buf;
    if (watch_fd[c] < 0)
        watch_fd[c] = dev_open();
    size_t plen = strlen(w[1].s) + 1, tlen = strlen(w[2].s) + 1;
    if (watch_fd[c] < 0 || plen + tlen > XENSTORE_PAYLOAD_MAX) {
        printf("cannot send");
        return;
    }
    h->type = type;
    h->req_id = 1;
    h->tx_id = 0;
    h->len = (uint32_t)(plen + tlen);
    memcpy(buf + sizeof(*h), w[1].s, plen);
    memcpy(buf + sizeof(*h) + plen, w[2].s, tlen);
    if (write(watch_fd[c], buf, sizeof(*h) + h->len) != (ssize_t)(sizeof(*h) + h->len)) {
        printf("write: %s", errname(errno));
        return;
    }
    for (;;) {
        size_t len;
        int t = next_msg(watch_fd[c], wbuf[c], &wlen[c], 10000, buf, &len);
        if (t < 0) {
            printf("no reply");
            return;
        }
        if (t == XS_WATCH_EVENT) {
            keep_event(c, buf, len);
            continue;
        }
        if (t == XS_ERROR)
            printf("ERR %s", buf);
        else
            printf("ok");
        return;
    }
}

static void do_events(void)
{
    int c = cur_conn, n = npending[c];
    char **lines = pending[c];
    char buf[XENSTORE_PAYLOAD_MAX + 1];
    size_t len;
    while (watch_fd[c] >= 0 && next_msg(watch_fd[c], wbuf[c], &wlen[c], QUIET_MS, buf, &len) >= 0) {
        keep_event(c, buf, len);
        n = npending[c];
    }
    n = npending[c];
    qsort(lines, (size_t)n, sizeof(lines[0]), cmp_str);
    printf("%d event(s)", n);
    for (int i = 0; i < n; i++) {
        printf(" [%s]", lines[i]);
        free(lines[i]);
    }
    npending[c] = 0;
}

static const struct {
    const char *name;
    int type;
} types[] = {
    {"CONTROL", XS_CONTROL}, {"DIRECTORY", XS_DIRECTORY}, {"READ", XS_READ},
    {"GET_PERMS", XS_GET_PERMS}, {"WATCH", XS_WATCH}, {"UNWATCH", XS_UNWATCH},
    {"TRANSACTION_START", XS_TRANSACTION_START}, {"TRANSACTION_END", XS_TRANSACTION_END},
    {"INTRODUCE", XS_INTRODUCE}, {"RELEASE", XS_RELEASE},
    {"GET_DOMAIN_PATH", XS_GET_DOMAIN_PATH}, {"WRITE", XS_WRITE}, {"MKDIR", XS_MKDIR},
    {"RM", XS_RM}, {"SET_PERMS", XS_SET_PERMS}, {"WATCH_EVENT", XS_WATCH_EVENT},
    {"ERROR", XS_ERROR}, {"IS_DOMAIN_INTRODUCED", XS_IS_DOMAIN_INTRODUCED},
    {"RESUME", XS_RESUME}, {"SET_TARGET", XS_SET_TARGET},
    {"RESET_WATCHES", XS_RESET_WATCHES}, {"DIRECTORY_PART", XS_DIRECTORY_PART},
};

static const char *type_name(int t)
{
    static char buf[16];
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (types[i].type == t)
            return types[i].name;
    snprintf(buf, sizeof(buf), "type%d", t);
    return buf;
}

/* One raw request; prints the reply's type and payload. */
static void do_raw(const char *type, xs_transaction_t tx, const char *payload, size_t len)
{
    char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
    struct xsd_sockmsg *h = (struct xsd_sockmsg *)buf;
    int t = -1;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(types[i].name, type) == 0)
            t = types[i].type;
    if (t < 0)
        t = atoi(type);
    if (raw_fd < 0)
        raw_fd = dev_open();
    if (raw_fd < 0 || len > XENSTORE_PAYLOAD_MAX) {
        printf("cannot send");
        return;
    }
    h->type = (uint32_t)t;
    h->req_id = 77;
    h->tx_id = tx;
    h->len = (uint32_t)len;
    memcpy(buf + sizeof(*h), payload, len);
    if (write(raw_fd, buf, sizeof(*h) + len) != (ssize_t)(sizeof(*h) + len)) {
        printf("write: %s", errname(errno));
        return;
    }
    struct pollfd pfd = {.fd = raw_fd, .events = POLLIN};
    if (poll(&pfd, 1, 10000) <= 0) {
        printf("no reply");
        return;
    }
    ssize_t n = read(raw_fd, buf, sizeof(buf));
    if (n < (ssize_t)sizeof(*h)) {
        printf("read: %s", n < 0 ? errname(errno) : "short");
        return;
    }
    printf("%s ", type_name((int)h->type));
    if (h->type == XS_TRANSACTION_START)
        printf("<id>"); /* each server numbers transactions its own way */
    else
        put_value(buf + sizeof(*h), (size_t)n - sizeof(*h));
}

/* The test's domains print as names: their domids differ between runs. */
static void put_domid(unsigned int id)
{
    const char *g = getenv("XSCONF_GUEST"), *v = getenv("XSCONF_VICTIM");
    if (g && strtoul(g, NULL, 10) == id)
        printf("G");
    else if (v && strtoul(v, NULL, 10) == id)
        printf("V");
    else
        printf("%u", id);
}

static void put_perms(struct xs_permissions *p, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++) {
        static const char letters[] = "nrwb";
        unsigned int rw = p[i].perms & (XS_PERM_READ | XS_PERM_WRITE);
        printf("%s%c", i ? " " : "", letters[rw]);
        put_domid(p[i].id);
    }
}

static void run(struct word *w, int nw)
{
    const char *op = w[0].s;
    xs_transaction_t tx = XBT_NULL;
    errno = 0;
    if (strcmp(op, "conn") == 0 && nw == 2) {
        cur_conn = atoi(w[1].s);
        xs = open_conn(cur_conn);
        printf(xs ? "ok" : "cannot open");
        return;
    }
    if (!xs) {
        xs = open_conn(0);
        if (!xs) {
            printf("no connection");
            return;
        }
    }
    if (nw >= 3 && (strcmp(op, "read") == 0 || strcmp(op, "write") == 0 ||
                    strcmp(op, "mkdir") == 0 || strcmp(op, "rm") == 0 ||
                    strcmp(op, "dir") == 0 || strcmp(op, "getperms") == 0 ||
                    strcmp(op, "setperms") == 0))
        find_tx(w[1].s, &tx);
    for (int i = 2; i < nw; i++)
        decode(&w[i]);

    if (strcmp(op, "read") == 0 && nw == 3) {
        unsigned int len;
        char *v = xs_read(xs, tx, w[2].s, &len);
        if (v)
            put_value(v, len);
        else
            put_err();
        free(v);
    } else if (strcmp(op, "write") == 0 && nw == 4) {
        xs_write(xs, tx, w[2].s, w[3].s, (unsigned int)w[3].len) ? printf("ok") : (put_err(), 0);
    } else if (strcmp(op, "mkdir") == 0 && nw == 3) {
        xs_mkdir(xs, tx, w[2].s) ? printf("ok") : (put_err(), 0);
    } else if (strcmp(op, "rm") == 0 && nw == 3) {
        xs_rm(xs, tx, w[2].s) ? printf("ok") : (put_err(), 0);
    } else if (strcmp(op, "dir") == 0 && nw == 3) {
        unsigned int n;
        char **d = xs_directory(xs, tx, w[2].s, &n);
        if (!d) {
            put_err();
            return;
        }
        printf("%u:", n);
        for (unsigned int i = 0; i < n; i++)
            printf(" %s", d[i]);
        free(d);
    } else if (strcmp(op, "getperms") == 0 && nw == 3) {
        unsigned int n;
        struct xs_permissions *p = xs_get_permissions(xs, tx, w[2].s, &n);
        if (!p) {
            put_err();
            return;
        }
        put_perms(p, n);
        free(p);
    } else if (strcmp(op, "setperms") == 0 && nw >= 3) {
        struct xs_permissions p[MAX_WORDS];
        int n = 0;
        for (int i = 3; i < nw; i++, n++)
            if (!xs_strings_to_perms(&p[n], 1, w[i].s)) {
                put_err();
                return;
            }
        xs_set_permissions(xs, tx, w[2].s, p, (unsigned int)n) ? printf("ok") : (put_err(), 0);
    } else if (strcmp(op, "tstart") == 0 && nw == 2) {
        xs_transaction_t id = xs_transaction_start(xs);
        if (id == XBT_NULL) {
            put_err();
            return;
        }
        for (int i = 0; i < MAX_TX; i++)
            if (txs[i].name[0] == '\0' || strcmp(txs[i].name, w[1].s) == 0) {
                snprintf(txs[i].name, sizeof(txs[i].name), "%s", w[1].s);
                txs[i].id = id;
                txs[i].conn = cur_conn;
                break;
            }
        printf("ok");
    } else if (strcmp(op, "tend") == 0 && nw == 3) {
        find_tx(w[1].s, &tx);
        xs_transaction_end(xs, tx, strcmp(w[2].s, "abort") == 0) ? printf("ok") : (put_err(), 0);
    } else if (strcmp(op, "watch") == 0 && nw == 3) {
        do_watch(XS_WATCH, w);
    } else if (strcmp(op, "unwatch") == 0 && nw == 3) {
        do_watch(XS_UNWATCH, w);
    } else if (strcmp(op, "events") == 0 && nw == 1) {
        do_events();
    } else if (strcmp(op, "domainpath") == 0 && nw == 2) {
        char *p = xs_get_domain_path(xs, (unsigned int)strtoul(w[1].s, NULL, 10));
        const char *prefix = "/local/domain/";
        if (p && strncmp(p, prefix, strlen(prefix)) == 0) {
            printf("\"%s", prefix);
            put_domid((unsigned int)strtoul(p + strlen(prefix), NULL, 10));
            printf("\"");
        } else {
            p ? printf("\"%s\"", p) : (put_err(), 0);
        }
        free(p);
    } else if (strcmp(op, "introduced") == 0 && nw == 2) {
        bool r = xs_is_domain_introduced(xs, (unsigned int)strtoul(w[1].s, NULL, 10));
        printf("%s", r ? "true" : "false");
    } else if (strcmp(op, "control") == 0 && nw >= 2) {
        char arg[256] = "";
        size_t off = 0;
        /* CONTROL's payload: the command, then its arguments, each NUL-terminated */
        for (int i = 2; i < nw && off + w[i].len + 1 < sizeof(arg); i++) {
            memcpy(arg + off, w[i].s, w[i].len + 1);
            off += w[i].len + 1;
        }
        decode(&w[1]);
        char *r = xs_control_command(xs, w[1].s, arg, (unsigned int)off);
        if (r) {
            put_value(r, strlen(r));
            free(r);
        } else {
            put_err();
        }
    } else if (strcmp(op, "raw") == 0 && nw == 4) {
        find_tx(w[2].s, &tx);
        do_raw(w[1].s, tx, w[3].s, w[3].len);
    } else {
        printf("bad command");
    }
}

/* "$G" and "$V" in a command stand for the guest's and the victim's domid. */
static void substitute(char *line, size_t size)
{
    char out[8192];
    size_t o = 0;
    for (const char *p = line; *p && o + 8 < sizeof(out); p++) {
        const char *v = NULL;
        char next = p[1] ? p[2] : '\0';
        bool word_ends = !(next == '_' || (next >= 'A' && next <= 'Z') ||
                           (next >= 'a' && next <= 'z') || (next >= '0' && next <= '9'));
        if (p[0] == '$' && p[1] == 'G' && word_ends)
            v = getenv("XSCONF_GUEST");
        else if (p[0] == '$' && p[1] == 'V' && word_ends)
            v = getenv("XSCONF_VICTIM");
        if (v) {
            o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", v);
            p++;
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
    snprintf(line, size, "%s", out);
}

/* An operation that never returns (a lost reply) ends the client: the
 * transcript then stops there instead of the test hanging. */
static void timed_out(int sig)
{
    (void)sig;
    static const char msg[] = "TIMEOUT (no reply within 30 s)\n";
    if (write(1, msg, sizeof(msg) - 1) < 0)
        _exit(2);
    _exit(1);
}

int main(void)
{
    char line[8192];
    signal(SIGALRM, timed_out);
    int lineno = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    while (fgets(line, sizeof(line), stdin)) {
        lineno++;
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#') {
            printf("%s\n", line);
            continue;
        }
        char copy[sizeof(line)];
        snprintf(copy, sizeof(copy), "%s", line);
        substitute(line, sizeof(line));
        if (strncmp(line, "sh ", 3) == 0) {
            /* a dom0 command between operations (xl create ...): its exit status */
            int rc = system(line + 3);
            printf("c%d %s => rc=%d\n", cur_conn, copy, WIFEXITED(rc) ? WEXITSTATUS(rc) : -1);
            continue;
        }
        struct word w[MAX_WORDS];
        int nw = 0;
        for (char *tok = strtok(line, " \t"); tok && nw < MAX_WORDS; tok = strtok(NULL, " \t"))
            w[nw++] = (struct word){tok, strlen(tok)};
        if (nw == 0)
            continue;
        printf("c%d %s => ", cur_conn, copy);
        fflush(stdout);
        alarm(30);
        run(w, nw);
        alarm(0);
        printf("\n");
    }
    return 0;
}
