/* xenstored core: permissions. The access function and the parser by
 * table, then the rules through the protocol: who may read, write, create,
 * remove, change permissions; what an absent path reveals; inheritance and
 * ownership of new nodes; special nodes; SET_TARGET. */
#include <stdio.h>
#include <string.h>

#include "perms.h"
#include "xenstored_test.h"

#define R XSD_PERM_READ
#define W XSD_PERM_WRITE
#define O XSD_PERM_OWNER
#define ALL (R | W | O)

static void test_access_table(void)
{
    static const struct {
        const char *what;
        struct xsd_perm p[4];
        unsigned n;
        struct xsd_caller c;
        unsigned want;
    } cases[] = {
        {"dom0-always", {{5, 0}}, 1, {.domid = 0, .privileged = true}, ALL},
        {"priv-always", {{5, 0}}, 1, {.domid = 9, .privileged = true}, ALL},
        {"owner-full", {{5, 0}}, 1, {.domid = 5}, ALL},
        {"owner-ignores-acl", {{5, 0}, {5, 0}}, 2, {.domid = 5}, ALL},
        {"default-none", {{5, 0}}, 1, {.domid = 6}, 0},
        {"default-read", {{5, R}}, 1, {.domid = 6}, R},
        {"default-write", {{5, W}}, 1, {.domid = 6}, W},
        {"default-both", {{5, R | W}}, 1, {.domid = 6}, R | W},
        {"acl-read", {{5, 0}, {6, R}}, 2, {.domid = 6}, R},
        {"acl-none-beats-default", {{5, R | W}, {6, 0}}, 2, {.domid = 6}, 0},
        {"acl-other-domain", {{5, 0}, {7, R}}, 2, {.domid = 6}, 0},
        {"acl-first-match", {{5, 0}, {6, W}, {6, R}}, 3, {.domid = 6}, W},
        {"target-owner", {{5, 0}}, 1, {.domid = 6, .has_target = true, .target = 5}, ALL},
        {"target-acl", {{0, 0}, {5, R}}, 2, {.domid = 6, .has_target = true, .target = 5}, R},
        {"target-own-acl-first",
         {{0, 0}, {6, W}, {5, R}},
         3,
         {.domid = 6, .has_target = true, .target = 5},
         W},
        {"target-unset-ignored", {{5, 0}}, 1, {.domid = 6, .target = 5}, 0},
        {"no-entries", {{0, 0}}, 0, {.domid = 6}, 0},
        {"no-entries-priv", {{0, 0}}, 0, {.domid = 0, .privileged = true}, ALL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned got = perms_access(cases[i].p, cases[i].n, &cases[i].c);
        char name[64];
        snprintf(name, sizeof(name), "perms-access-%s", cases[i].what);
        unit_check(name, got == cases[i].want, "got %#x want %#x", got, cases[i].want);
    }
}

static void test_parse_table(void)
{
    static const struct {
        const char *text;
        int rc;
        uint16_t domid;
        uint8_t access;
    } cases[] = {
        {"n0", 0, 0, 0},           {"r5", 0, 5, R},          {"w65535", 0, 65535, W},
        {"b123", 0, 123, R | W},   {"r00007", 0, 7, R},      {"r", -EINVAL, 0, 0},
        {"", -EINVAL, 0, 0},       {"x5", -EINVAL, 0, 0},    {"R5", -EINVAL, 0, 0},
        {"r65536", -EINVAL, 0, 0}, {"r-1", -EINVAL, 0, 0},   {"r 5", -EINVAL, 0, 0},
        {"r5 ", -EINVAL, 0, 0},    {"r0x10", -EINVAL, 0, 0}, {"r1234567", -EINVAL, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct xsd_perm p = {0, 0};
        int rc = perm_parse(cases[i].text, strlen(cases[i].text), &p);
        bool ok =
            rc == cases[i].rc && (rc || (p.domid == cases[i].domid && p.access == cases[i].access));
        char name[64];
        snprintf(name, sizeof(name), "perms-parse-%zu", i);
        unit_check(name, ok, "'%s': rc %d domid %u access %u", cases[i].text, rc, p.domid,
                   p.access);
        if (rc == 0) {
            char out[XSD_PERM_TEXT_MAX];
            int n = perm_format(&p, out, sizeof(out));
            snprintf(name, sizeof(name), "perms-format-%zu", i);
            char canon[16];
            snprintf(canon, sizeof(canon), "%c%u", cases[i].text[0], (unsigned)p.domid);
            unit_check(name, n > 0 && strcmp(out, canon) == 0, "'%s'", out);
        }
    }
}

/* One row: client dom `who` does `op` on `path`; expected result. */
struct row {
    const char *what;
    int who;
    char op; /* r read, w write, m mkdir, x rm, d dir, g get perms, s set perms */
    const char *path;
    const char *arg;
    int want;
};

static void run_rows(struct xsd_server *srv, const struct row *rows, size_t n)
{
    char buf[256];
    for (size_t i = 0; i < n; i++) {
        const struct row *r = &rows[i];
        struct xt_client *c = xt_client_of((uint16_t)r->who);
        int rc = -999;
        switch (r->op) {
        case 'r':
            rc = xt_read(c, 0, r->path, buf, sizeof(buf));
            break;
        case 'w':
            rc = xt_write(c, 0, r->path, r->arg ? r->arg : "v");
            break;
        case 'm':
            rc = xt_mkdir(c, 0, r->path);
            break;
        case 'x':
            rc = xt_rm(c, 0, r->path);
            break;
        case 'd':
            rc = xt_dir(c, 0, r->path, buf, sizeof(buf));
            break;
        case 'g':
            rc = xt_get_perms(c, 0, r->path, buf, sizeof(buf));
            if (rc == 0 && r->arg && strcmp(buf, r->arg) != 0)
                rc = -1000;
            break;
        case 's':
            rc = xt_set_perms(c, 0, r->path, r->arg);
            break;
        }
        char name[80];
        snprintf(name, sizeof(name), "perms-rule-%s", r->what);
        unit_check(name, rc == r->want, "dom%d %c %s: %d, want %d (%s)", r->who, r->op, r->path, rc,
                   r->want, rc == -1000 ? buf : "");
    }
    xt_check(srv, "perms-rules-consistent");
}

static void test_rules(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *d0 = xt_connect(srv, 0);
    xt_connect(srv, 5);
    xt_connect(srv, 6);
    /* The toolstack's layout: /local/domain/5 owned by dom0, readable by 5;
     * /local/domain/5/data owned by 5. */
    xt_write(d0, 0, "/local/domain/5/data/x", "1");
    xt_set_perms(d0, 0, "/local/domain/5", "n0,r5");
    xt_set_perms(d0, 0, "/local/domain/5/data", "n5");
    xt_set_perms(d0, 0, "/local/domain/5/data/x", "n5");
    xt_write(d0, 0, "/shared", "s");
    xt_set_perms(d0, 0, "/shared", "r0,w6");
    xt_write(d0, 0, "/secret/inner", "i");
    xt_set_perms(d0, 0, "/secret", "n0");
    xt_set_perms(d0, 0, "/secret/inner", "n0,r6");

    static const struct row rows[] = {
        {"dom0-reads-anything", 0, 'r', "/local/domain/5/data/x", NULL, 0},
        {"owner-reads", 5, 'r', "/local/domain/5/data/x", NULL, 0},
        {"other-cannot-read", 6, 'r', "/local/domain/5/data/x", NULL, -EACCES},
        {"acl-read-only-reads", 5, 'r', "/local/domain/5", NULL, 0},
        {"acl-read-only-no-write", 5, 'w', "/local/domain/5", NULL, -EACCES},
        {"acl-read-only-no-create", 5, 'w', "/local/domain/5/newdir", NULL, -EACCES},
        {"acl-read-only-no-mkdir", 5, 'm', "/local/domain/5/newdir", NULL, -EACCES},
        {"owner-creates-below", 5, 'w', "/local/domain/5/data/y/z", NULL, 0},
        {"new-node-owned-by-creator", 0, 'g', "/local/domain/5/data/y/z", "n5", 0},
        {"relative-create", 5, 'w', "data/rel", NULL, 0},
        {"default-read-everyone", 5, 'r', "/shared", NULL, 0},
        {"acl-write-only-writes", 6, 'w', "/shared", "new", 0},
        {"write-only-cannot-list", 6, 'd', "/shared", NULL, -EACCES},
        {"write-only-creates", 6, 'w', "/shared/by6", NULL, 0},
        {"inherits-acl-owned-by-6", 0, 'g', "/shared/by6", "r6,w6", 0},
        {"default-read-no-write", 5, 'w', "/shared", NULL, -EACCES},
        {"absent-under-readable-enoent", 5, 'r', "/shared/none", NULL, -ENOENT},
        {"absent-under-unreadable-eacces", 6, 'r', "/local/domain/5/data/none", NULL, -EACCES},
        {"absent-deep-unreadable-eacces", 5, 'r', "/secret/a/b/c", NULL, -EACCES},
        {"acl-on-child-of-unreadable", 6, 'r', "/secret/inner", NULL, 0},
        {"rm-needs-write", 5, 'x', "/shared", NULL, -EACCES},
        {"rm-absent-under-unwritable", 5, 'x', "/shared/none", NULL, -EACCES},
        {"rm-own-subtree", 5, 'x', "/local/domain/5/data/y", NULL, 0},
        {"rm-absent-own-dir", 5, 'x', "/local/domain/5/data/none", NULL, 0},
        {"getperms-needs-read", 6, 'g', "/local/domain/5/data", NULL, -EACCES},
        {"setperms-not-owner", 6, 's', "/shared", "r0,b6", -EACCES},
        {"setperms-owner-acl", 5, 's', "/local/domain/5/data/x", "n5,r6", 0},
        {"setperms-acl-effective", 6, 'r', "/local/domain/5/data/x", NULL, 0},
        {"setperms-owner-change-eperm", 5, 's', "/local/domain/5/data/x", "n6", -EPERM},
        {"setperms-dom0-changes-owner", 0, 's', "/local/domain/5/data/x", "b6", 0},
        {"setperms-new-owner", 6, 'w', "/local/domain/5/data/x", NULL, 0},
        {"setperms-old-owner-lost-it", 5, 's', "/local/domain/5/data/x", "n5", -EACCES},
        {"setperms-bad-letter", 0, 's', "/shared", "x0", -EINVAL},
        {"setperms-bad-domid", 0, 's', "/shared", "r70000", -EINVAL},
        {"setperms-absent", 0, 's', "/nothing", "r0", -ENOENT},
        /* the host transport knows no domain from 0x8000 up */
        {"setperms-owner-not-a-domain", 0, 's', "/shared", "b32768", -ENOENT},
        /* GET_PERMS takes no special path (C xenstored: EINVAL) */
        {"special-getperms-dom0", 0, 'g', "@releaseDomain", NULL, -EINVAL},
        {"special-getperms-guest", 5, 'g', "@releaseDomain", NULL, -EINVAL},
        {"special-setperms-guest", 5, 's', "@introduceDomain", "r5", -EACCES},
        {"special-setperms-dom0", 0, 's', "@introduceDomain", "n0,r5", 0},
        {"special-getperms-granted", 5, 'g', "@introduceDomain", NULL, -EINVAL},
        {"special-unknown", 0, 'g', "@other", NULL, -EINVAL},
        {"special-not-a-node", 0, 'r', "@releaseDomain", NULL, -EINVAL},
    };
    run_rows(srv, rows, sizeof(rows) / sizeof(rows[0]));

    /* SET_TARGET: 7 (a device model) acts for 5. */
    struct xt_client *d7 = xt_connect(srv, 7);
    int rc = xt_reqs(d0, XS_SET_TARGET, 0, NULL, "7", "5", NULL);
    unit_check("perms-set-target", rc == 0, "%d", rc);
    char buf[64];
    xt_write(d0, 0, "/local/domain/5/data/x", "five");
    xt_set_perms(d0, 0, "/local/domain/5/data/x", "n5");
    rc = xt_read(d7, 0, "/local/domain/5/data/x", buf, sizeof(buf));
    unit_check("perms-target-owner-access", rc == 0 && strcmp(buf, "five") == 0, "%d", rc);
    rc = xt_set_perms(d7, 0, "/local/domain/5/data/x", "n5,r7");
    unit_check("perms-target-may-set-perms", rc == 0, "%d", rc);
    rc = xt_read(d7, 0, "/local/domain/5", buf, sizeof(buf));
    unit_check("perms-target-inherits-acl", rc == 0, "%d", rc);
    rc = xt_read(d7, 0, "/local/domain/5/data/x/../x", buf, sizeof(buf));
    unit_check("perms-dotdot-is-invalid", rc == -EINVAL, "%d", rc);
    rc = xt_reqs(xt_client_of(5), XS_SET_TARGET, 0, NULL, "5", "7", NULL);
    unit_check("perms-set-target-guest", rc == -EACCES, "%d", rc);
    rc = xt_reqs(d0, XS_SET_TARGET, 0, NULL, "7", "99", NULL);
    unit_check("perms-set-target-unknown", rc == -ENOENT, "%d", rc);

    /* perms quota and the unprivileged limit on list length */
    rc = xt_set_perms(xt_client_of(5), 0, "/local/domain/5/data", "n5,r1,r2,r3,r4,r6");
    unit_check("perms-quota", rc == -ENOSPC, "%d", rc);
    rc = xt_set_perms(d0, 0, "/local/domain/5/data", "n5,r1,r2,r3,r4,r6,r7,r8");
    unit_check("perms-quota-dom0-unlimited", rc == 0, "%d", rc);
    xt_check(srv, "perms-consistent");
    xt_server_free(srv);
}

int main(void)
{
    test_access_table();
    test_parse_table();
    test_rules();
    return unit_finish("xenstored_perms");
}
