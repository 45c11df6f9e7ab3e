/* The unprivileged side of the xenstore conformance test: a guest that
 * runs a fixed list of xenstore operations as an ordinary domain and
 * prints one line per operation ("XSG <what> => <result>"), so that the
 * transcripts against C xenstored and against stubdom/xenstore can be
 * compared. Our own domid prints as "G" (it differs between the runs).
 *
 * The dom0 hook (conformance.sh) prepares /xsconf/g with permissions, then
 * writes data/xsconf-go; midway we write data/xsconf-phase = "watching"
 * and wait for data/xsconf-phase2 (the hook has written the nodes we
 * watch); at the end data/xsconf-phase = "finished", and we wait for
 * data/xsconf-exit before powering off. */
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/format.h>
#include <minios/kernel.h>
#include <minios/mm.h>
#include <minios/sched.h>
#include <minios/string.h>
#include <minios/time.h>
#include <minios/xenbus.h>

#define G "/xsconf/g"
/* the hook's own part comes first and takes minutes under TCG */
#define WAIT_NS (400 * NSEC_PER_SEC)
#define QUIET_NS (500 * NSEC_PER_MSEC)

static int self;

static const char *errname(int rc)
{
    static char buf[16];
    switch (-rc) {
    case EINVAL: return "EINVAL";
    case EACCES: return "EACCES";
    case EEXIST: return "EEXIST";
    case EISDIR: return "EISDIR";
    case ENOENT: return "ENOENT";
    case ENOMEM: return "ENOMEM";
    case ENOSPC: return "ENOSPC";
    case EIO: return "EIO";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ENOSYS: return "ENOSYS";
    case EROFS: return "EROFS";
    case EBUSY: return "EBUSY";
    case EAGAIN: return "EAGAIN";
    case EISCONN: return "EISCONN";
    case E2BIG: return "E2BIG";
    case EPERM: return "EPERM";
    case EDQUOT: return "EQUOTA";
    default: ksnprintf(buf, sizeof(buf), "errno%d", -rc); return buf;
    }
}

static void result(const char *what, int rc)
{
    if (rc < 0)
        printk("XSG %s => ERR %s\n", what, errname(rc));
    else
        printk("XSG %s => ok\n", what);
}

static void op_read(xenbus_transaction_t t, const char *path)
{
    char *v;
    int rc = xenbus_read(t, path, &v);
    if (rc < 0) {
        printk("XSG read %s => ERR %s\n", path, errname(rc));
        return;
    }
    printk("XSG read %s => \"%s\"\n", path, v);
    kfree(v);
}

static void op_write(xenbus_transaction_t t, const char *path, const char *value)
{
    char what[160];
    ksnprintf(what, sizeof(what), "write %s %s", path, value[0] ? value : "-");
    result(what, xenbus_write(t, path, value));
}

static void op_mkdir(const char *path)
{
    char what[160];
    ksnprintf(what, sizeof(what), "mkdir %s", path);
    result(what, xenbus_mkdir(XBT_NIL, path));
}

static void op_rm(const char *path)
{
    char what[160];
    ksnprintf(what, sizeof(what), "rm %s", path);
    result(what, xenbus_rm(XBT_NIL, path));
}

static void op_dir(const char *path)
{
    char **names;
    unsigned n;
    int rc = xenbus_directory(XBT_NIL, path, &names, &n);
    if (rc < 0) {
        printk("XSG dir %s => ERR %s\n", path, errname(rc));
        return;
    }
    printk("XSG dir %s => %u:", path, n);
    for (unsigned i = 0; i < n; i++)
        printk(" %s", names[i]);
    printk("\n");
    kfree(names);
}

static void put_perm(const struct xs_perm *p)
{
    if (p->domid == self)
        printk(" %cG", (char)p->access);
    else
        printk(" %c%u", (char)p->access, p->domid);
}

static void op_getperms(const char *path)
{
    struct xs_perm *p;
    unsigned n;
    int rc = xenbus_get_perms(XBT_NIL, path, &p, &n);
    if (rc < 0) {
        printk("XSG getperms %s => ERR %s\n", path, errname(rc));
        return;
    }
    printk("XSG getperms %s =>", path);
    for (unsigned i = 0; i < n; i++)
        put_perm(&p[i]);
    printk("\n");
    kfree(p);
}

static void op_setperms(const char *path, const struct xs_perm *p, unsigned n)
{
    printk("XSG setperms %s", path);
    for (unsigned i = 0; i < n; i++)
        put_perm(&p[i]);
    int rc = xenbus_set_perms(XBT_NIL, path, p, n);
    if (rc < 0)
        printk(" => ERR %s\n", errname(rc));
    else
        printk(" => ok\n");
}

/* Wait until path holds want (we watch it through q). */
static int wait_value(struct xenbus_event_queue *q, const char *path, const char *want)
{
    uint64_t end = monotonic_ns() + WAIT_NS;
    for (;;) {
        char *v;
        if (xenbus_read(XBT_NIL, path, &v) == 0) {
            bool ok = strcmp(v, want) == 0;
            kfree(v);
            if (ok)
                return 0;
        }
        struct xenbus_event *ev;
        if (xenbus_event_wait(q, end, &ev) < 0)
            return -ETIMEDOUT;
        kfree(ev);
    }
}

/* Print the events of q that arrive until QUIET_NS pass without one,
 * sorted by path then token (the order across watches is not specified). */
static void drain(const char *what, struct xenbus_event_queue *q)
{
    char lines[32][96];
    unsigned n = 0;
    for (;;) {
        struct xenbus_event *ev;
        if (xenbus_event_wait(q, monotonic_ns() + QUIET_NS, &ev) < 0)
            break;
        if (n < 32)
            ksnprintf(lines[n++], sizeof(lines[0]), "%s %s", ev->path, ev->token);
        kfree(ev);
    }
    for (unsigned i = 1; i < n; i++)
        for (unsigned j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
            char tmp[96];
            memcpy(tmp, lines[j], sizeof(tmp));
            memcpy(lines[j], lines[j - 1], sizeof(tmp));
            memcpy(lines[j - 1], tmp, sizeof(tmp));
        }
    printk("XSG events %s => %u event(s)", what, n);
    for (unsigned i = 0; i < n; i++)
        printk(" [%s]", lines[i]);
    printk("\n");
}

static void transactions(void)
{
    xenbus_transaction_t t;
    int rc = xenbus_transaction_start(&t);
    result("tstart", rc);
    if (rc < 0)
        return;
    op_read(t, G "/readable");
    op_write(t, G "/both/tx", "in-tx");
    op_read(t, G "/both/tx");
    op_read(XBT_NIL, G "/both/tx");
    op_write(t, G "/readable", "no");
    result("tend commit", xenbus_transaction_end(t, false));
    op_read(XBT_NIL, G "/both/tx");

    /* the transactions quota: start until one fails, then end them all */
    xenbus_transaction_t open[16];
    unsigned n = 0;
    while (n < 16 && (rc = xenbus_transaction_start(&open[n])) == 0)
        n++;
    printk("XSG tstart until failure => %u started, then %s\n", n, rc < 0 ? errname(rc) : "none");
    for (unsigned i = 0; i < n; i++)
        xenbus_transaction_end(open[i], true);
}

static void watches(struct xenbus_event_queue *q)
{
    result("watch " G "/private", xenbus_watch_add_queue(G "/private", "priv", q));
    result("watch " G "/readable", xenbus_watch_add_queue(G "/readable", "read", q));
    result("watch " G "/absent-denied", xenbus_watch_add_queue(G "/private/absent", "pabs", q));
    result("watch data/xsconf-rel", xenbus_watch_add_queue("data/xsconf-rel", "rel", q));
    drain("initial", q);
    op_write(XBT_NIL, "data/xsconf-rel", "x");
    drain("after own relative write", q);
}

/* the watch quota: add watches until one fails, then remove them */
static void watch_quota(struct xenbus_event_queue *q)
{
    char token[16];
    unsigned n = 0;
    int rc = 0;
    while (n < 200) {
        ksnprintf(token, sizeof(token), "q%u", n);
        if ((rc = xenbus_watch_add_queue("data/wq", token, q)) < 0)
            break;
        n++;
    }
    printk("XSG watch until failure => %u added, then %s\n", n, rc < 0 ? errname(rc) : "none");
    for (unsigned i = 0; i < n; i++) {
        ksnprintf(token, sizeof(token), "q%u", i);
        xenbus_watch_remove("data/wq", token);
    }
    xenbus_event_queue_flush(q);
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    static struct xenbus_event_queue q, sync;
    xenbus_event_queue_init(&q);
    xenbus_event_queue_init(&sync);
    self = xenbus_get_domid();
    if (self < 0 || xenbus_watch_add_queue("data/xsconf-go", "go", &sync) < 0 ||
        wait_value(&sync, "data/xsconf-go", "1") < 0) {
        printk("XSG setup failed (domid %d)\n", self);
        return 1;
    }
    xenbus_watch_add_queue("data/xsconf-phase2", "phase2", &sync);
    printk("XSG start\n");

    /* reads and writes against the permissions the hook set */
    op_read(XBT_NIL, G "/private");
    op_read(XBT_NIL, G "/private/absent");
    op_read(XBT_NIL, G "/absent");
    op_read(XBT_NIL, G "/readable");
    op_read(XBT_NIL, G "/readable/absent");
    op_write(XBT_NIL, G "/readable", "no");
    op_write(XBT_NIL, G "/readable/child", "no");
    op_write(XBT_NIL, G "/writable", "yes");
    op_read(XBT_NIL, G "/writable");
    op_read(XBT_NIL, G "/both");
    op_write(XBT_NIL, G "/both", "mine");
    op_read(XBT_NIL, G "/both");
    op_write(XBT_NIL, G "/both/new", "child");
    op_getperms(G "/both/new");
    op_mkdir(G "/both/dir");
    op_mkdir(G "/private/dir");
    op_dir(G "/both");
    op_dir(G "/private");
    op_dir(G "/readable");
    op_read(XBT_NIL, G "/everyone");
    op_write(XBT_NIL, G "/everyone", "no");
    op_rm(G "/readable");
    op_rm(G "/both/new");
    op_rm(G "/both/absent");
    op_rm(G "/private/absent");
    op_read(XBT_NIL, "/local/domain/0/name");
    op_read(XBT_NIL, "/local/domain/0");
    op_write(XBT_NIL, "/xsconf-guest-top", "no");
    op_read(XBT_NIL, "/");
    op_read(XBT_NIL, "data/xsconf-go");

    /* permissions */
    op_getperms(G "/readable");
    op_getperms(G "/private");
    op_getperms(G "/everyone");
    op_getperms("data");
    op_setperms(G "/readable", (struct xs_perm[]){{0, XS_ACCESS_BOTH}}, 1);
    op_setperms(G "/owned", (struct xs_perm[]){{(uint16_t)self, XS_ACCESS_READ}, {0, XS_ACCESS_WRITE}}, 2);
    op_getperms(G "/owned");
    op_setperms(G "/owned", (struct xs_perm[]){{0, XS_ACCESS_NONE}}, 1);
    op_getperms(G "/owned");
    op_setperms(G "/owned", (struct xs_perm[]){{(uint16_t)self, XS_ACCESS_NONE}, {7, XS_ACCESS_READ},
                                               {8, XS_ACCESS_READ}, {9, XS_ACCESS_READ},
                                               {10, XS_ACCESS_READ}, {11, XS_ACCESS_READ},
                                               {12, XS_ACCESS_READ}}, 7);
    op_getperms(G "/owned");
    op_write(XBT_NIL, G "/owned/sub", "s");
    op_getperms(G "/owned/sub");

    /* node size quota (C's default: 2048 bytes) */
    static char big[2600];
    memset(big, 'v', 2000);
    big[2000] = '\0';
    result("write data/big 2000 bytes", xenbus_write(XBT_NIL, "data/big", big));
    memset(big, 'v', 2500);
    big[2500] = '\0';
    result("write data/big 2500 bytes", xenbus_write(XBT_NIL, "data/big", big));

    transactions();
    watches(&q);

    xenbus_write(XBT_NIL, "data/xsconf-phase", "watching");
    if (wait_value(&sync, "data/xsconf-phase2", "1") < 0)
        printk("XSG the hook never wrote data/xsconf-phase2\n");
    drain("after dom0 wrote private and readable", &q);
    result("unwatch " G "/readable", xenbus_watch_remove(G "/readable", "read"));
    watch_quota(&q);

    printk("XSG end\n");
    /* stay until the hook is done: it is stopped once we are gone */
    xenbus_watch_add_queue("data/xsconf-exit", "exit", &sync);
    xenbus_write(XBT_NIL, "data/xsconf-phase", "finished");
    wait_value(&sync, "data/xsconf-exit", "1");
    return 0;
}
