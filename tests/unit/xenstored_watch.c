/* xenstored core: watches. The initial event, matching on the path and
 * below, "/" and special paths, removals firing watches inside the removed
 * subtree, relative watches reported relative, duplicates and UNWATCH,
 * RESET_WATCHES, the permission filter, @introduceDomain/@releaseDomain,
 * the watch quota and the event-bytes limit. */
#include <stdio.h>
#include <string.h>

#include "xenstored_test.h"

static char ev[4200];

static bool next_is(struct xt_client *c, const char *want)
{
    if (!xt_event(c, ev, sizeof(ev)))
        return false;
    if (strcmp(ev, want) != 0) {
        printf("  event '%s', want '%s'\n", ev, want);
        return false;
    }
    return true;
}

static void test_matching(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *d0 = xt_connect(srv, 0);
    struct xt_client *w = xt_connect(srv, 3);
    xsd_set_priv_domid(srv, 3); /* the watcher may read everything here */

    int rc = xt_watch(w, "/a/b", "tok");
    unit_check("watch-initial-event", rc == 0 && next_is(w, "/a/b tok") && xt_nevents(w) == 0,
               "rc %d", rc);
    xt_write(d0, 0, "/a/b", "1");
    unit_check("watch-fires-on-path", next_is(w, "/a/b tok"), "no event");
    xt_write(d0, 0, "/a/b/c/d", "1");
    unit_check("watch-fires-below", next_is(w, "/a/b/c/d tok") && xt_nevents(w) == 0, "%u events",
               xt_nevents(w));
    xt_write(d0, 0, "/a/bc", "1");
    xt_write(d0, 0, "/a", "1");
    unit_check("watch-not-sibling-or-parent", xt_nevents(w) == 0, "%u events", xt_nevents(w));
    xt_set_perms(d0, 0, "/a/b/c", "r0");
    unit_check("watch-fires-on-perms", next_is(w, "/a/b/c tok"), "no event");
    xt_mkdir(d0, 0, "/a/b/c");
    unit_check("watch-mkdir-existing-silent", xt_nevents(w) == 0, "%u", xt_nevents(w));
    xt_rm(d0, 0, "/a/b/nothing");
    unit_check("watch-rm-absent-silent", xt_nevents(w) == 0, "%u", xt_nevents(w));

    /* several watches, several tokens, same path */
    xt_watch(w, "/a/b", "tok2");
    xt_watch(w, "/", "root");
    xt_clear_events(w);
    xt_write(d0, 0, "/a/b/x", "1");
    unit_check("watch-all-matching-fire",
               xt_has_event(w, "/a/b/x tok") && xt_has_event(w, "/a/b/x tok2") &&
                   xt_has_event(w, "/a/b/x root") && xt_nevents(w) == 3,
               "%u events", xt_nevents(w));
    xt_clear_events(w);

    /* removal: the root fires for watchers above it, every removed node
     * for watches set exactly on it */
    xt_watch(w, "/a/b/c/d", "deep");
    xt_watch(w, "/a/b/none", "absent");
    xt_clear_events(w);
    xt_rm(d0, 0, "/a/b");
    bool ok = xt_has_event(w, "/a/b tok") && xt_has_event(w, "/a/b tok2") &&
              xt_has_event(w, "/a/b root") && xt_has_event(w, "/a/b/c/d deep") &&
              !xt_has_event(w, "/a/b/none absent");
    unit_check("watch-rm-subtree", ok && xt_nevents(w) == 4, "%u events", xt_nevents(w));
    xt_clear_events(w);

    rc = xt_watch(w, "/a/b", "tok");
    unit_check("watch-duplicate", rc == -EEXIST, "%d", rc);
    rc = xt_unwatch(w, "/a/b", "tok");
    int rc2 = xt_unwatch(w, "/a/b", "tok");
    unit_check("watch-unwatch", rc == 0 && rc2 == -ENOENT, "%d %d", rc, rc2);
    xt_write(d0, 0, "/a/b", "again");
    unit_check("watch-unwatched-silent",
               !xt_has_event(w, "/a/b tok") && xt_has_event(w, "/a/b tok2"), "events wrong");
    xt_clear_events(w);
    rc = xt_reqs(w, XS_RESET_WATCHES, 0, NULL, "", NULL);
    xt_write(d0, 0, "/a/b", "again2");
    unit_check("watch-reset", rc == 0 && xt_nevents(w) == 0, "%d %u", rc, xt_nevents(w));

    /* "/" does not see special events; special watches see only theirs */
    xt_watch(w, "/", "root");
    xt_watch(w, "@introduceDomain", "intro");
    xt_clear_events(w);
    rc = xt_reqs(d0, XS_INTRODUCE, 0, NULL, "9", "1234", "5", NULL);
    unit_check("watch-special-introduce",
               rc == 0 && next_is(w, "@introduceDomain intro") && xt_nevents(w) == 0,
               "rc %d, %u events", rc, xt_nevents(w));
    xt_write(d0, 0, "/x", "1");
    unit_check("watch-special-not-on-writes", next_is(w, "/x root") && xt_nevents(w) == 0, "%u",
               xt_nevents(w));

    /* event for a long path and a long token still fits, or is dropped */
    char token[3000];
    memset(token, 't', sizeof(token) - 1);
    token[sizeof(token) - 1] = '\0';
    xt_watch(w, "/l", token);
    xt_clear_events(w);
    char path[1200] = "/l/";
    memset(path + 3, 'p', sizeof(path) - 4);
    path[sizeof(path) - 1] = '\0';
    xt_write(d0, 0, path, "1");
    struct xsd_stats s;
    xsd_get_stats(srv, &s);
    unit_check("watch-oversized-event-dropped", s.events_dropped == 1, "dropped %lu",
               (unsigned long)s.events_dropped);
    xt_check(srv, "watch-matching-consistent");
    xt_server_free(srv);
}

static void test_relative(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *d0 = xt_connect(srv, 0);
    struct xt_client *g = xt_connect(srv, 5);
    xt_mkdir(d0, 0, "/local/domain/5/device");
    xt_set_perms(d0, 0, "/local/domain/5", "b5");
    xt_set_perms(d0, 0, "/local/domain/5/device", "b5");
    int rc = xt_watch(g, "device", "rel");
    unit_check("watch-relative-initial", rc == 0 && next_is(g, "device rel"), "%d", rc);
    xt_write(d0, 0, "/local/domain/5/device/vif/0/state", "4");
    unit_check("watch-relative-event", next_is(g, "device/vif/0/state rel"), "wrong event");
    xt_watch(g, "/local/domain/5/device", "abs");
    xt_clear_events(g);
    xt_write(d0, 0, "/local/domain/5/device/x", "4");
    unit_check("watch-absolute-same-node",
               xt_has_event(g, "device/x rel") && xt_has_event(g, "/local/domain/5/device/x abs"),
               "events wrong");
    rc = xt_unwatch(g, "device", "rel");
    unit_check("watch-relative-unwatch", rc == 0, "%d", rc);
    rc = xt_unwatch(g, "/local/domain/5/device", "abs");
    unit_check("watch-relative-absolute-unwatch", rc == 0, "%d", rc);
    xt_check(srv, "watch-relative-consistent");
    xt_server_free(srv);
}

static void test_permissions(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *d0 = xt_connect(srv, 0);
    struct xt_client *g = xt_connect(srv, 5);
    xt_write(d0, 0, "/pub/x", "1");
    xt_write(d0, 0, "/priv/x", "1");
    xt_set_perms(d0, 0, "/pub", "r0");
    xt_set_perms(d0, 0, "/pub/x", "r0");
    xt_set_perms(d0, 0, "/priv", "n0");
    xt_set_perms(d0, 0, "/priv/x", "n0");
    xt_watch(g, "/", "root");
    xt_clear_events(g);
    xt_write(d0, 0, "/pub/x", "2");
    xt_write(d0, 0, "/priv/x", "2");
    unit_check("watch-perm-filter", next_is(g, "/pub/x root") && xt_nevents(g) == 0, "%u",
               xt_nevents(g));
    /* losing read access still reports the change that took it away */
    xt_set_perms(d0, 0, "/pub/x", "n0");
    unit_check("watch-perm-old-perms-count", next_is(g, "/pub/x root"), "no event");
    /* a removal is reported when the parent is readable */
    xt_rm(d0, 0, "/pub/x");
    unit_check("watch-perm-rm-readable-parent", next_is(g, "/pub/x root"), "no event");

    /* special events need privilege or read access on the special node */
    xt_watch(g, "@releaseDomain", "rel");
    xt_clear_events(g);
    xt_connect(srv, 8);
    xt_reqs(d0, XS_RELEASE, 0, NULL, "8", NULL);
    unit_check("watch-special-denied", xt_nevents(g) == 0, "%u", xt_nevents(g));
    xt_set_perms(d0, 0, "@releaseDomain", "n0,r5");
    xt_connect(srv, 8);
    xt_reqs(d0, XS_RELEASE, 0, NULL, "8", NULL);
    unit_check("watch-special-granted", next_is(g, "@releaseDomain rel"), "no event");
    xt_check(srv, "watch-perms-consistent");
    xt_server_free(srv);
}

static void test_limits(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *d0 = xt_connect(srv, 0);
    struct xt_client *g = xt_connect(srv, 6);
    char tok[16];
    int rc = 0, n;
    for (n = 0; n < 200 && rc == 0; n++) {
        snprintf(tok, sizeof(tok), "t%d", n);
        rc = xt_watch(g, "/q", tok);
    }
    unit_check("watch-quota", rc == -E2BIG && n == 129, "%d after %d", rc, n);
    xt_reqs(g, XS_RESET_WATCHES, 0, NULL, "", NULL);
    xt_clear_events(g);

    /* a guest that reads no events: they pile up to event-bytes, then drop */
    xsd_quota_set(srv, "event-bytes", 1000);
    xt_write(d0, 0, "/q", "");
    xt_set_perms(d0, 0, "/q", "r0");
    xt_watch(g, "/q", "tok");
    xt_clear_events(g);
    xt_hold(g, true);
    for (int i = 0; i < 100; i++) {
        char path[32];
        snprintf(path, sizeof(path), "/q/%d", i);
        xt_write(d0, 0, path, "x");
    }
    struct xsd_stats s;
    xsd_get_stats(srv, &s);
    xt_hold(g, false);
    unsigned got = xt_nevents(g);
    unit_check("watch-event-bytes-drop", s.events_dropped + got == 100 && got > 10 && got < 50,
               "dropped %lu, got %u", (unsigned long)s.events_dropped, got);
    xt_clear_events(g);
    xt_write(d0, 0, "/q/after", "x");
    unit_check("watch-events-resume", xt_nevents(g) == 1, "%u", xt_nevents(g));
    xt_check(srv, "watch-limits-consistent");
    xt_server_free(srv);
}

int main(void)
{
    test_matching();
    test_relative();
    test_permissions();
    test_limits();
    return unit_finish("xenstored_watch");
}
