/* xenstored core: quotas. Node count (and its accounting through creates,
 * removals, owner changes and transactions), node size, path length,
 * "outstanding" flow control, CONTROL quota, and that dom0 is exempt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored_test.h"

static char buf[4096];

/* A guest with /local/domain/<id> owned by itself. */
static struct xt_client *guest(struct xsd_server *srv, struct xt_client *d0, uint16_t domid)
{
    char path[64], perm[16];
    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    snprintf(perm, sizeof(perm), "n%u", domid);
    xt_mkdir(d0, 0, path);
    xt_set_perms(d0, 0, path, perm);
    return xt_connect(srv, domid);
}

static unsigned owned(struct xt_client *d0, uint16_t domid)
{
    char arg[8];
    struct xt_msg rep;
    snprintf(arg, sizeof(arg), "%u", domid);
    if (xt_reqs(d0, XS_CONTROL, 0, &rep, "quota", arg, NULL) != 0)
        return 0;
    const char *p = strstr(rep.payload, "nodes");
    return p ? (unsigned)strtoul(p + 5, NULL, 10) : 0;
}

static void test_nodes(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *d0 = xt_connect(srv, 0);
    struct xt_client *g = guest(srv, d0, 5);
    xsd_quota_set(srv, "nodes", 10);
    unit_check("quota-nodes-counted", owned(d0, 5) == 1, "%u", owned(d0, 5));
    int rc = 0, n;
    char path[32];
    for (n = 0; n < 20 && rc == 0; n++) {
        snprintf(path, sizeof(path), "n%d", n);
        rc = xt_write(g, 0, path, "x");
    }
    unit_check("quota-nodes-limit", rc == -ENOSPC && n == 10 && owned(d0, 5) == 10,
               "%d after %d, owned %u", rc, n, owned(d0, 5));
    rc = xt_write(g, 0, "deep/a/b", "x");
    unit_check("quota-nodes-multi-level", rc == -ENOSPC && owned(d0, 5) == 10, "%d", rc);
    xt_rm(g, 0, "n0");
    xt_rm(g, 0, "n1");
    rc = xt_write(g, 0, "deep/a", "x");
    unit_check("quota-nodes-freed-by-rm", rc == 0 && owned(d0, 5) == 10, "%d owned %u", rc,
               owned(d0, 5));
    /* dom0 writes below the guest's nodes: owned by the guest, not limited */
    rc = xt_write(d0, 0, "/local/domain/5/deep/a/b/c", "x");
    unit_check("quota-nodes-dom0-exempt", rc == 0 && owned(d0, 5) == 12, "%d owned %u", rc,
               owned(d0, 5));
    /* an owner change moves the count */
    xt_set_perms(d0, 0, "/local/domain/5/deep/a/b/c", "n0");
    unit_check("quota-nodes-chown", owned(d0, 5) == 11, "owned %u", owned(d0, 5));
    xt_rm(d0, 0, "/local/domain/5/deep");
    unit_check("quota-nodes-rm-by-dom0", owned(d0, 5) == 8, "owned %u", owned(d0, 5));
    xt_check(srv, "quota-nodes-consistent");
    xt_server_free(srv);
}

static void test_sizes(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *d0 = xt_connect(srv, 0);
    struct xt_client *g = guest(srv, d0, 5);
    char *big = malloc(4000);
    memset(big, 'v', 3000);
    big[2048] = '\0';
    int rc = xt_write(g, 0, "v", big);
    big[2049 - 1] = 'v';
    big[2049] = '\0';
    int rc2 = xt_write(g, 0, "v", big);
    unit_check("quota-node-size", rc == 0 && rc2 == -ENOSPC, "%d %d", rc, rc2);
    rc = xt_write(d0, 0, "/local/domain/5/v", big);
    unit_check("quota-node-size-dom0-exempt", rc == 0, "%d", rc);
    /* the children list counts too */
    xt_write(g, 0, "dir/x", "");
    xsd_quota_set(srv, "node-size", 40);
    rc = 0;
    int n;
    for (n = 0; n < 20 && rc == 0; n++) {
        char path[64];
        snprintf(path, sizeof(path), "dir/child%d", n);
        rc = xt_write(g, 0, path, "");
    }
    unit_check("quota-node-size-children", rc == -ENOSPC && n > 2 && n < 10, "%d after %d", rc, n);

    /* path-max below /local/domain/<id>/: 204 components "aaaaaaaaa/", then 8 or 9 more */
    xsd_quota_set(srv, "node-size", 2048);
    size_t l = 0;
    for (int i = 0; i < 204; i++, l += 10)
        memcpy(big + l, "aaaaaaaaa/", 10);
    memcpy(big + l, "bbbbbbbb", 9);
    rc = xt_write(g, 0, big, "");
    memcpy(big + l, "ccccccccc", 10);
    rc2 = xt_write(g, 0, big, "");
    unit_check("quota-path-max", strlen(big) == 2049 && rc == 0 && rc2 == -EINVAL, "%d %d", rc,
               rc2);
    free(big);
    xt_check(srv, "quota-sizes-consistent");
    xt_server_free(srv);
}

/* A guest that sends requests but never reads replies is stopped after
 * "outstanding" of them; it resumes once it reads. */
static void test_outstanding(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *d0 = xt_connect(srv, 0);
    struct xt_client *g = guest(srv, d0, 5);
    char stream[100 * 32];
    size_t len = 0;
    for (int i = 0; i < 100; i++) {
        struct xsd_sockmsg h = {.type = XS_GET_DOMAIN_PATH, .req_id = (uint32_t)i, .len = 2};
        memcpy(stream + len, &h, sizeof(h));
        memcpy(stream + len + sizeof(h), "5", 2);
        len += sizeof(h) + 2;
    }
    xt_hold(g, true);
    int took = xt_feed(g, stream, len);
    unit_check("quota-outstanding-stops-input", took == 20 * 18, "took %d", took);
    /* meanwhile dom0 is served normally */
    int rc = xt_write(d0, 0, "/other", "x");
    unit_check("quota-outstanding-others-unaffected", rc == 0, "%d", rc);
    const void *data;
    size_t n = xsd_conn_output(xt_conn(g), &data);
    xsd_conn_output_done(xt_conn(g), n); /* read one reply */
    int took2 = xt_feed(g, stream + took, len - (size_t)took);
    unit_check("quota-outstanding-resumes", took2 == 18, "took %d", took2);
    xt_hold(g, false);
    xt_check(srv, "quota-outstanding-consistent");
    xt_server_free(srv);
}

static void test_control(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *d0 = xt_connect(srv, 0);
    struct xt_client *g = guest(srv, d0, 5);
    struct xt_msg rep;
    int rc = xt_reqs(d0, XS_CONTROL, 0, &rep, "quota", NULL);
    unit_check("quota-control-list",
               rc == 0 && strstr(rep.payload, "nodes") && strstr(rep.payload, "1000") &&
                   strstr(rep.payload, "outstanding"),
               "%d '%s'", rc, rep.payload);
    rc = xt_reqs(d0, XS_CONTROL, 0, &rep, "quota", "set", "watches", "3", NULL);
    uint32_t v = 0;
    xsd_quota_get(srv, "watches", &v);
    unit_check("quota-control-set", rc == 0 && v == 3, "%d %u", rc, v);
    rc = xt_reqs(d0, XS_CONTROL, 0, &rep, "quota", "set", "bogus", "3", NULL);
    int rc2 = xt_reqs(d0, XS_CONTROL, 0, &rep, "quota", "set", "nodes", "-1", NULL);
    int rc3 = xt_reqs(d0, XS_CONTROL, 0, &rep, "quota", "set", "outstanding", "0", NULL);
    unit_check("quota-control-set-invalid", rc == -EINVAL && rc2 == -EINVAL && rc3 == -EINVAL,
               "%d %d %d", rc, rc2, rc3);
    rc = xt_reqs(d0, XS_CONTROL, 0, &rep, "quota", "5", NULL);
    unit_check("quota-control-domain", rc == 0 && strstr(rep.payload, "domain 5: connected"),
               "%d '%s'", rc, rep.payload);
    rc = xt_reqs(d0, XS_CONTROL, 0, &rep, "quota", "4444", NULL);
    unit_check("quota-control-unknown-domain", rc == -ENOENT, "%d", rc);
    rc = xt_reqs(g, XS_CONTROL, 0, &rep, "quota", "set", "nodes", "999999", NULL);
    unit_check("quota-control-guest-denied", rc == -EACCES, "%d", rc);
    int w1 = xt_watch(g, "/a", "1"), w2 = xt_watch(g, "/a", "2"), w3 = xt_watch(g, "/a", "3"),
        w4 = xt_watch(g, "/a", "4");
    unit_check("quota-control-set-effective", !w1 && !w2 && !w3 && w4 == -E2BIG, "%d", w4);
    (void)buf;
    xt_check(srv, "quota-control-consistent");
    xt_server_free(srv);
}

int main(void)
{
    test_nodes();
    test_sizes();
    test_outstanding();
    test_control();
    return unit_finish("xenstored_quota");
}
