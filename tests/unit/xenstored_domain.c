/* xenstored core: domains. INTRODUCE through the transport (new, again
 * with the same page = rebind, again with another = EINVAL, transport
 * failure), IS_DOMAIN_INTRODUCED, RELEASE, shutdown and destruction seen
 * by xsd_domains_check (@releaseDomain once per shutdown, RESUME re-arms
 * it), a destroyed domain's nodes and permissions passing to dom0, and
 * xsd_connect / xsd_conn_close. */
#include <stdio.h>
#include <string.h>

#include "xenstored_test.h"

static bool introduced(struct xt_client *c, const char *domid)
{
    struct xt_msg rep;
    return xt_reqs(c, XS_IS_DOMAIN_INTRODUCED, 0, &rep, domid, NULL) == 0 &&
           strcmp(rep.payload, "T") == 0;
}

static void test_introduce_release(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *d0 = xt_connect(srv, 0);
    xt_watch(d0, "@introduceDomain", "in");
    xt_watch(d0, "@releaseDomain", "out");
    xt_clear_events(d0);

    int rc = xt_reqs(d0, XS_INTRODUCE, 0, NULL, "5", "4096", "17", "", NULL);
    unit_check("domain-introduce",
               rc == 0 && xt_world.introduced == 1 && xt_world.last_mfn == 4096 &&
                   xt_world.last_port == 17,
               "%d", rc);
    unit_check("domain-introduce-event", xt_has_event(d0, "@introduceDomain in"), "no event");
    unit_check("domain-is-introduced", introduced(d0, "5") && !introduced(d0, "6"), "wrong");
    struct xt_client *g = xt_client_of(5);
    xt_mkdir(d0, 0, "/local/domain/5");
    xt_set_perms(d0, 0, "/local/domain/5", "n5");
    rc = xt_write(g, 0, "name", "guest");
    unit_check("domain-introduced-can-talk", g && rc == 0, "%d", rc);

    rc = xt_reqs(d0, XS_INTRODUCE, 0, NULL, "5", "4096", "18", NULL);
    unit_check("domain-reintroduce-rebinds",
               rc == 0 && xt_world.rebinds == 1 && xt_world.last_port == 18, "%d", rc);
    rc = xt_reqs(d0, XS_INTRODUCE, 0, NULL, "5", "8192", "18", NULL);
    unit_check("domain-reintroduce-other-page", rc == -EINVAL, "%d", rc);

    xt_world.introduce_error = -EFAULT;
    rc = xt_reqs(d0, XS_INTRODUCE, 0, NULL, "6", "1", "2", NULL);
    xt_world.introduce_error = 0;
    unit_check("domain-introduce-transport-error", rc == -EIO && !introduced(d0, "6"), "%d", rc);

    xt_clear_events(d0);
    rc = xt_reqs(d0, XS_RELEASE, 0, NULL, "5", NULL);
    unit_check("domain-release",
               rc == 0 && xt_world.released == 1 && !introduced(d0, "5") && !xt_client_alive(g),
               "%d", rc);
    unit_check("domain-release-event", xt_has_event(d0, "@releaseDomain out"), "no event");
    rc = xt_reqs(d0, XS_RELEASE, 0, NULL, "5", NULL);
    unit_check("domain-release-twice", rc == -ENOENT, "%d", rc);
    char v[32];
    rc = xt_read(d0, 0, "/local/domain/5/name", v, sizeof(v));
    unit_check("domain-release-keeps-nodes", rc == 0 && strcmp(v, "guest") == 0, "%d", rc);
    rc = xt_reqs(d0, XS_INTRODUCE, 0, NULL, "5", "4096", "19", NULL);
    unit_check("domain-introduce-after-release", rc == 0 && introduced(d0, "5"), "%d", rc);
    xt_check(srv, "domain-introduce-consistent");
    xt_server_free(srv);
}

static void test_death(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *d0 = xt_connect(srv, 0);
    xt_reqs(d0, XS_INTRODUCE, 0, NULL, "5", "1", "2", NULL);
    xt_reqs(d0, XS_INTRODUCE, 0, NULL, "6", "1", "2", NULL);
    struct xt_client *g5 = xt_client_of(5), *g6 = xt_client_of(6);
    xt_mkdir(d0, 0, "/local/domain/5");
    xt_set_perms(d0, 0, "/local/domain/5", "n5");
    xt_write(g5, 0, "data/a", "1");
    xt_write(d0, 0, "/backend/5", "b");
    xt_set_perms(d0, 0, "/backend/5", "n0,r5,b6");
    xt_watch(d0, "@releaseDomain", "rel");
    xt_watch(g6, "/local/domain/5", "w6"); /* the guest's own area is not readable */
    xt_clear_events(d0);

    xsd_domains_check(srv);
    unit_check("domain-check-running-quiet", xt_nevents(d0) == 0, "%u", xt_nevents(d0));
    xt_world.state[5] = XSD_DOMAIN_SHUTDOWN;
    xsd_domains_check(srv);
    xsd_domains_check(srv);
    unit_check("domain-shutdown-event-once",
               xt_event(d0, (char[64]){0}, 64) && xt_nevents(d0) == 0 && xt_client_alive(g5), "%u",
               xt_nevents(d0));
    xt_reqs(d0, XS_RESUME, 0, NULL, "5", NULL);
    xsd_domains_check(srv);
    unit_check("domain-resume-rearms", xt_nevents(d0) == 1, "%u", xt_nevents(d0));
    xt_clear_events(d0);

    xt_world.state[5] = XSD_DOMAIN_GONE;
    xsd_domains_check(srv);
    unit_check("domain-gone",
               xt_nevents(d0) == 1 && !xt_client_alive(g5) && !introduced(d0, "5") &&
                   xt_world.released == 1,
               "%u events", xt_nevents(d0));
    char perms[64];
    xt_get_perms(d0, 0, "/local/domain/5/data/a", perms, sizeof(perms));
    unit_check("domain-gone-nodes-to-dom0", strcmp(perms, "n0") == 0, "'%s'", perms);
    xt_get_perms(d0, 0, "/backend/5", perms, sizeof(perms));
    unit_check("domain-gone-acl-dropped", strcmp(perms, "n0,b6") == 0, "'%s'", perms);
    xt_clear_events(d0);
    xsd_domains_check(srv);
    unit_check("domain-gone-once", xt_nevents(d0) == 0, "%u", xt_nevents(d0));

    /* the domid comes back as a new domain: it inherits nothing */
    xt_world.state[5] = XSD_DOMAIN_RUNNING;
    xt_reqs(d0, XS_INTRODUCE, 0, NULL, "5", "9", "2", NULL);
    struct xt_client *n5 = xt_client_of(5);
    int rc = xt_read(n5, 0, "/backend/5", NULL, 0);
    unit_check("domain-reused-domid-no-access", rc == -EACCES, "%d", rc);

    /* the transport closes a connection by itself */
    xt_close(g6);
    unit_check("domain-conn-close", !introduced(d0, "6"), "still introduced");
    struct xsd_conn *c;
    rc = xsd_connect(srv, 0, NULL, &c);
    int rc2 = xsd_connect(srv, 0x7ff0, NULL, &c);
    unit_check("domain-connect-errors", rc == -EEXIST && rc2 == -EINVAL, "%d %d", rc, rc2);
    xt_check(srv, "domain-death-consistent");
    xt_server_free(srv);
}

int main(void)
{
    test_introduce_release();
    test_death();
    return unit_finish("xenstored_domain");
}
