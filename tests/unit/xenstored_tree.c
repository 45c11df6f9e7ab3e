/* xenstored core: tree operations through the protocol (dom0, so no
 * permission or quota limits): create/read/write/mkdir/rm, children order,
 * path syntax, relative paths, binary values, DIRECTORY_PART with
 * generation counts, very deep paths, and allocation failure at every
 * step of a change (all or nothing). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored_test.h"

static char buf[8192];

static void test_basic(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *d0 = xt_connect(srv, 0);

    unit_check("tree-root-read", xt_read(d0, 0, "/", buf, sizeof(buf)) == 0 && !buf[0],
               "root not readable");
    unit_check("tree-root-dir-empty", xt_dir(d0, 0, "/", buf, sizeof(buf)) == 0 && !buf[0],
               "root has children: %s", buf);
    unit_check("tree-read-missing", xt_read(d0, 0, "/nope", buf, sizeof(buf)) == -ENOENT,
               "missing node readable");

    int rc = xt_write(d0, 0, "/a/b/c", "v");
    unit_check("tree-write-creates-parents", rc == 0, "write: %d", rc);
    rc = xt_read(d0, 0, "/a/b/c", buf, sizeof(buf));
    unit_check("tree-read-back", rc == 0 && strcmp(buf, "v") == 0, "%d '%s'", rc, buf);
    rc = xt_read(d0, 0, "/a/b", buf, sizeof(buf));
    unit_check("tree-parent-empty", rc == 0 && buf[0] == '\0', "%d '%s'", rc, buf);
    xt_dir(d0, 0, "/", buf, sizeof(buf));
    unit_check("tree-dir-root", strcmp(buf, "a") == 0, "'%s'", buf);

    xt_write(d0, 0, "/a/z", "1");
    xt_write(d0, 0, "/a/m", "2");
    xt_write(d0, 0, "/a/b", "3");
    xt_dir(d0, 0, "/a", buf, sizeof(buf));
    unit_check("tree-children-creation-order", strcmp(buf, "b,z,m") == 0, "'%s'", buf);
    xt_read(d0, 0, "/a/b", buf, sizeof(buf));
    unit_check("tree-overwrite", strcmp(buf, "3") == 0, "'%s'", buf);

    rc = xt_mkdir(d0, 0, "/a/b");
    xt_read(d0, 0, "/a/b", buf, sizeof(buf));
    unit_check("tree-mkdir-keeps-value", rc == 0 && strcmp(buf, "3") == 0, "%d '%s'", rc, buf);
    rc = xt_mkdir(d0, 0, "/m/n/o");
    unit_check("tree-mkdir-creates", rc == 0 && xt_read(d0, 0, "/m/n/o", buf, 10) == 0, "%d", rc);

    rc = xt_rm(d0, 0, "/a/b");
    unit_check("tree-rm-subtree",
               rc == 0 && xt_read(d0, 0, "/a/b/c", buf, 10) == -ENOENT &&
                   xt_read(d0, 0, "/a/b", buf, 10) == -ENOENT,
               "rm %d", rc);
    xt_dir(d0, 0, "/a", buf, sizeof(buf));
    unit_check("tree-rm-unlists", strcmp(buf, "z,m") == 0, "'%s'", buf);
    unit_check("tree-rm-absent-parent-exists", xt_rm(d0, 0, "/a/b") == 0, "rm again failed");
    unit_check("tree-rm-absent-no-parent", xt_rm(d0, 0, "/a/b/c") == -ENOENT, "rm deep");
    unit_check("tree-rm-root", xt_rm(d0, 0, "/") == -EINVAL, "rm / accepted");

    /* values are bytes: NULs and nothing inside are fine */
    static const char bin[] = {'/', 'b', 'i', 'n', 0, 'x', 0, 'y', 0};
    struct xt_msg rep;
    rc = xt_req(d0, XS_WRITE, 0, bin, sizeof(bin), NULL);
    int rc2 = xt_reqs(d0, XS_READ, 0, &rep, "/bin", NULL);
    unit_check("tree-binary-value",
               rc == 0 && rc2 == 0 && rep.len == 4 && memcmp(rep.payload, "x\0y\0", 4) == 0,
               "%d %d len %u", rc, rc2, rep.len);
    rc = xt_req(d0, XS_WRITE, 0, "/empty", 7, NULL);
    rc2 = xt_reqs(d0, XS_READ, 0, &rep, "/empty", NULL);
    unit_check("tree-empty-value", rc == 0 && rc2 == 0 && rep.len == 0, "%d %d", rc, rc2);

    xt_check(srv, "tree-basic-consistent");
    xt_server_free(srv);
}

static void test_paths(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *d0 = xt_connect(srv, 0);
    static const struct {
        const char *path;
        int want;
    } cases[] = {
        {"/ok-path_@1", 0}, {"/a/", -EINVAL},    {"//", -EINVAL},        {"/a//b", -EINVAL},
        {"/a b", -EINVAL},  {"/a\x01", -EINVAL}, {"/\xc3\xa4", -EINVAL}, {"/a.b", -EINVAL},
        {"/a:b", -EINVAL},  {"@foo", -EINVAL},   {"", -EINVAL},          {"/a/./b", -EINVAL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = xt_write(d0, 0, cases[i].path, "x");
        char name[64];
        snprintf(name, sizeof(name), "tree-path-syntax-%zu", i);
        unit_check(name, rc == cases[i].want, "'%s': %d, want %d", cases[i].path, rc,
                   cases[i].want);
    }

    /* the longest absolute path: 3072 bytes */
    char *p = malloc(XENSTORE_ABS_PATH_MAX + 2);
    memset(p, 'x', XENSTORE_ABS_PATH_MAX + 1);
    p[0] = '/';
    p[XENSTORE_ABS_PATH_MAX] = '\0';
    int rc = xt_write(d0, 0, p, "long");
    p[XENSTORE_ABS_PATH_MAX] = 'x';
    p[XENSTORE_ABS_PATH_MAX + 1] = '\0';
    int rc2 = xt_write(d0, 0, p, "long");
    unit_check("tree-path-max-length", rc == 0 && rc2 == -EINVAL, "3072: %d, 3073: %d", rc, rc2);
    free(p);

    /* relative paths are below /local/domain/<domid> */
    rc = xt_write(d0, 0, "rel/x", "r0");
    rc2 = xt_read(d0, 0, "/local/domain/0/rel/x", buf, sizeof(buf));
    unit_check("tree-relative-dom0", rc == 0 && rc2 == 0 && strcmp(buf, "r0") == 0, "%d %d", rc,
               rc2);
    xt_write(d0, 0, "/local/domain/7", "");
    xt_set_perms(d0, 0, "/local/domain/7", "b7");
    struct xt_client *d7 = xt_connect(srv, 7);
    rc = xt_write(d7, 0, "data", "seven");
    rc2 = xt_read(d0, 0, "/local/domain/7/data", buf, sizeof(buf));
    unit_check("tree-relative-domU", rc == 0 && rc2 == 0 && strcmp(buf, "seven") == 0, "%d %d", rc,
               rc2);
    unit_check("tree-relative-empty", xt_write(d7, 0, "", "x") == -EINVAL, "empty path");
    xt_check(srv, "tree-paths-consistent");
    xt_server_free(srv);
}

/* A directory too big for one reply: DIRECTORY says E2BIG,
 * DIRECTORY_PART returns it in pieces under one generation. */
static void test_directory_part(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *d0 = xt_connect(srv, 0);
    char path[128], expect[16384] = "";
    size_t elen = 0;
    for (int i = 0; i < 150; i++) {
        snprintf(path, sizeof(path), "/big/child-with-a-rather-long-name-%03d", i);
        xt_write(d0, 0, path, "");
        elen +=
            (size_t)snprintf(expect + elen, sizeof(expect) - elen, "%s%s", i ? "," : "", path + 5);
    }
    int rc = xt_dir(d0, 0, "/big", buf, sizeof(buf));
    unit_check("tree-directory-too-big", rc == -E2BIG, "DIRECTORY: %d", rc);

    char got[16384] = "", gen0[32] = "";
    size_t glen = 0;
    unsigned off = 0, parts = 0;
    bool ok = true, done = false;
    struct xt_msg rep;
    while (!done && ok && parts < 20) {
        char offs[16];
        snprintf(offs, sizeof(offs), "%u", off);
        rc = xt_reqs(d0, XS_DIRECTORY_PART, 0, &rep, "/big", offs, NULL);
        if (rc) {
            ok = false;
            break;
        }
        parts++;
        const char *gen = rep.payload;
        if (!gen0[0])
            snprintf(gen0, sizeof(gen0), "%.30s", gen);
        ok = strcmp(gen, gen0) == 0;
        size_t p = strlen(gen) + 1;
        while (p < rep.len) {
            size_t l = strlen(rep.payload + p);
            if (l == 0) {
                done = true;
                break;
            }
            glen += (size_t)snprintf(got + glen, sizeof(got) - glen, "%s%s", glen ? "," : "",
                                     rep.payload + p);
            off += (unsigned)l + 1;
            p += l + 1;
        }
    }
    unit_check("tree-directory-part", ok && done && parts > 1 && strcmp(got, expect) == 0,
               "rc %d parts %u done %d", rc, parts, done);

    xt_write(d0, 0, "/big/new", "");
    rc = xt_reqs(d0, XS_DIRECTORY_PART, 0, &rep, "/big", "0", NULL);
    unit_check("tree-directory-part-gen-changes", rc == 0 && strcmp(rep.payload, gen0) != 0,
               "gen %s -> %s", gen0, rep.payload);
    rc = xt_reqs(d0, XS_DIRECTORY_PART, 0, &rep, "/big", "999999", NULL);
    size_t gl = strlen(rep.payload) + 1;
    unit_check("tree-directory-part-past-end", rc == 0 && rep.len == gl + 1, "rc %d len %u", rc,
               rep.len);
    rc = xt_reqs(d0, XS_DIRECTORY_PART, 0, &rep, "/big", "x1", NULL);
    unit_check("tree-directory-part-bad-offset", rc == -EINVAL, "rc %d", rc);
    xt_check(srv, "tree-directory-part-consistent");
    xt_server_free(srv);
}

/* 1536 levels: creation and removal must not recurse. */
static void test_deep(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *d0 = xt_connect(srv, 0);
    char *p = malloc(XENSTORE_ABS_PATH_MAX + 1);
    for (int i = 0; i < XENSTORE_ABS_PATH_MAX; i += 2) {
        p[i] = '/';
        p[i + 1] = 'd';
    }
    p[XENSTORE_ABS_PATH_MAX] = '\0';
    int rc = xt_write(d0, 0, p, "deep");
    struct xsd_stats s;
    xsd_get_stats(srv, &s);
    unit_check("tree-deep-create", rc == 0 && s.nodes == 1 + XENSTORE_ABS_PATH_MAX / 2,
               "rc %d nodes %u", rc, s.nodes);
    xt_check(srv, "tree-deep-consistent");
    rc = xt_rm(d0, 0, "/d");
    xsd_get_stats(srv, &s);
    unit_check("tree-deep-rm", rc == 0 && s.nodes == 1, "rc %d nodes %u", rc, s.nodes);
    free(p);
    xt_server_free(srv);
}

/* Snapshot of the whole store as text, for before/after comparisons. */
static void dump(struct xt_client *c, const char *path, char *out, size_t size, size_t *len)
{
    char value[256], children[4096];
    xt_read(c, 0, path, value, sizeof(value));
    *len += (size_t)snprintf(out + *len, size - *len, "%s=%s;", path, value);
    if (xt_dir(c, 0, path, children, sizeof(children)) != 0 || !children[0])
        return;
    char *save, *name = strtok_r(children, ",", &save);
    for (; name; name = strtok_r(NULL, ",", &save)) {
        char child[512];
        snprintf(child, sizeof(child), "%s/%s", strcmp(path, "/") ? path : "", name);
        dump(c, child, out, size, len);
    }
}

/* Fail the n-th allocation of a change for every n: the reply is ENOMEM
 * and the store unchanged, or OK and the change complete. */
static void test_enomem(void)
{
    static const struct {
        const char *name;
        int op; /* 0 write, 1 rm, 2 mkdir */
        const char *path;
    } ops[] = {
        {"write-deep", 0, "/x/y/z/w"},
        {"write-existing", 0, "/base/one"},
        {"rm-subtree", 1, "/base"},
        {"mkdir", 2, "/base/two/three"},
    };
    for (size_t o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
        bool ok = true;
        int n;
        for (n = 0; n < 200 && ok; n++) {
            struct xsd_server *srv = xt_server();
            struct xt_client *d0 = xt_connect(srv, 0);
            xt_write(d0, 0, "/base/one", "1");
            xt_write(d0, 0, "/base/sub/two", "2");
            char before[4096], after[4096];
            size_t bl = 0, al = 0;
            dump(d0, "/", before, sizeof(before), &bl);
            xt_fail_alloc_at(n);
            int rc = ops[o].op == 0   ? xt_write(d0, 0, ops[o].path, "new")
                     : ops[o].op == 1 ? xt_rm(d0, 0, ops[o].path)
                                      : xt_mkdir(d0, 0, ops[o].path);
            xt_fail_alloc_at(-1);
            dump(d0, "/", after, sizeof(after), &al);
            if (rc == -ENOMEM) {
                ok = strcmp(before, after) == 0;
            } else if (rc == 0) {
                char v[64];
                int r2 = xt_read(d0, 0, ops[o].path, v, sizeof(v));
                ok = ops[o].op == 1 ? r2 == -ENOENT : r2 == 0;
                if (ops[o].op == 0)
                    ok = ok && strcmp(v, "new") == 0;
                if (ok) {
                    n = 1000; /* the change needed fewer allocations: done */
                    ok = true;
                }
            } else {
                ok = false;
            }
            struct xsd_stats s;
            xsd_get_stats(srv, &s);
            ok = ok && xsd_check(srv) == 0 && s.internal_errors == 0;
            if (!ok)
                printf("  %s: failing allocation %d: rc %d\n  before %s\n  after  %s\n",
                       ops[o].name, n, rc, before, after);
            xt_server_free(srv);
        }
        char name[64];
        snprintf(name, sizeof(name), "tree-enomem-%s", ops[o].name);
        unit_check(name, ok && n > 1000, "see above (n %d)", n);
    }
}

int main(void)
{
    test_basic();
    test_paths();
    test_directory_part();
    test_deep();
    test_enomem();
    unit_check("tree-no-protocol-violations", xt_protocol_violations == 0, "%u",
               xt_protocol_violations);
    return unit_finish("xenstored_tree");
}
