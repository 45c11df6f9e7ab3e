/* xenstored core: transactions. Isolation (own writes visible inside,
 * nothing outside until commit, repeatable reads), conflicts (write/write,
 * read/write, directory/create, rm/write, absent/create) and their
 * absence for disjoint paths, abort, protocol errors, quotas, watches
 * firing only at commit, RESET_WATCHES, and allocation failures inside a
 * transaction. */
#include <stdio.h>
#include <string.h>

#include "xenstored_test.h"

static char buf[4096];

static void test_isolation(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *a = xt_connect(srv, 0);
    struct xt_client *b = xt_connect(srv, 1);
    xt_write(a, 0, "/t/x", "old");
    xt_set_perms(a, 0, "/t", "b0");
    xt_set_perms(a, 0, "/t/x", "b0");

    uint32_t tx;
    int rc = xt_start(a, &tx);
    unit_check("txn-start", rc == 0 && tx != 0, "%d tx %u", rc, tx);
    xt_write(a, tx, "/t/x", "new");
    xt_write(a, tx, "/t/y/z", "created");
    xt_read(a, tx, "/t/x", buf, sizeof(buf));
    unit_check("txn-sees-own-write", strcmp(buf, "new") == 0, "'%s'", buf);
    xt_dir(a, tx, "/t", buf, sizeof(buf));
    unit_check("txn-sees-own-create", strcmp(buf, "x,y") == 0, "'%s'", buf);
    xt_read(a, 0, "/t/x", buf, sizeof(buf));
    unit_check("txn-outside-sees-old", strcmp(buf, "old") == 0, "'%s'", buf);
    rc = xt_read(b, 0, "/t/y/z", buf, sizeof(buf));
    unit_check("txn-other-conn-sees-nothing", rc == -ENOENT, "%d", rc);
    rc = xt_end(a, tx, true);
    xt_read(b, 0, "/t/x", buf, sizeof(buf));
    unit_check("txn-commit-visible", rc == 0 && strcmp(buf, "new") == 0, "%d '%s'", rc, buf);
    rc = xt_read(a, tx, "/t/x", buf, sizeof(buf));
    unit_check("txn-id-gone-after-end", rc == -ENOENT, "%d", rc);

    /* abort */
    xt_start(a, &tx);
    xt_write(a, tx, "/t/x", "aborted");
    xt_rm(a, tx, "/t/y");
    rc = xt_end(a, tx, false);
    xt_read(a, 0, "/t/x", buf, sizeof(buf));
    int rc2 = xt_read(a, 0, "/t/y/z", NULL, 0);
    unit_check("txn-abort-discards", rc == 0 && strcmp(buf, "new") == 0 && rc2 == 0, "%d %d", rc,
               rc2);

    /* repeatable read, then the conflict it implies */
    xt_start(a, &tx);
    xt_read(a, tx, "/t/x", buf, sizeof(buf));
    xt_write(b, 0, "/t/x", "changed-outside");
    xt_read(a, tx, "/t/x", buf, sizeof(buf));
    unit_check("txn-repeatable-read", strcmp(buf, "new") == 0, "'%s'", buf);
    rc = xt_end(a, tx, true);
    unit_check("txn-read-write-conflict", rc == -EAGAIN, "%d", rc);

    /* a read-only transaction with nothing changed commits */
    xt_start(a, &tx);
    xt_read(a, tx, "/t/x", buf, sizeof(buf));
    rc = xt_end(a, tx, true);
    unit_check("txn-read-only-commits", rc == 0, "%d", rc);
    xt_check(srv, "txn-isolation-consistent");
    xt_server_free(srv);
}

/* Two clients, a transaction on one, an interfering change on the other:
 * does the commit conflict? */
static void conflict_case(const char *name, const char *setup_path, char tx_op, const char *tx_path,
                          char other_op, const char *other_path, bool want_conflict)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *a = xt_connect(srv, 0);
    struct xt_client *b = xt_connect(srv, 1);
    xsd_set_priv_domid(srv, 1); /* b may change anything too */
    xt_write(a, 0, "/c/base/leaf", "v");
    xt_write(a, 0, "/c/other", "o");
    if (setup_path)
        xt_write(a, 0, setup_path, "s");
    xt_set_perms(a, 0, "/c", "b0");
    uint32_t tx;
    xt_start(a, &tx);
    int rc = 0;
    switch (tx_op) {
    case 'r':
        rc = xt_read(a, tx, tx_path, buf, sizeof(buf));
        break;
    case 'w':
        rc = xt_write(a, tx, tx_path, "tx");
        break;
    case 'd':
        rc = xt_dir(a, tx, tx_path, buf, sizeof(buf));
        break;
    case 'x':
        rc = xt_rm(a, tx, tx_path);
        break;
    }
    (void)rc;
    switch (other_op) {
    case 'w':
        xt_write(b, 0, other_path, "b");
        break;
    case 'x':
        xt_rm(b, 0, other_path);
        break;
    case 'p':
        xt_set_perms(a, 0, other_path, "b0,r1");
        break;
    }
    rc = xt_end(a, tx, true);
    char full[64];
    snprintf(full, sizeof(full), "txn-conflict-%s", name);
    unit_check(full, want_conflict ? rc == -EAGAIN : rc == 0, "commit %d", rc);
    snprintf(full, sizeof(full), "txn-conflict-%s-consistent", name);
    xt_check(srv, full);
    xt_server_free(srv);
}

static void test_conflicts(void)
{
    conflict_case("write-write", NULL, 'w', "/c/base/leaf", 'w', "/c/base/leaf", true);
    conflict_case("read-write", NULL, 'r', "/c/base/leaf", 'w', "/c/base/leaf", true);
    conflict_case("disjoint", NULL, 'w', "/c/base/leaf", 'w', "/c/other", false);
    conflict_case("dir-vs-create", NULL, 'd', "/c/base", 'w', "/c/base/new", true);
    conflict_case("dir-vs-child-value", NULL, 'd', "/c/base", 'w', "/c/base/leaf", false);
    conflict_case("absent-vs-create", NULL, 'r', "/c/nothing", 'w', "/c/nothing", true);
    conflict_case("create-vs-create", NULL, 'w', "/c/new/x", 'w', "/c/new/y", true);
    conflict_case("rm-vs-inner-write", "/c/base/deep/er", 'x', "/c/base", 'w', "/c/base/deep/er",
                  true);
    conflict_case("write-vs-rm", NULL, 'w', "/c/base/leaf", 'x', "/c/base", true);
    conflict_case("read-vs-perms", NULL, 'r', "/c/base/leaf", 'p', "/c/base/leaf", true);
    conflict_case("write-vs-sibling-create", NULL, 'w', "/c/base/leaf", 'w', "/c/base/sib", false);
}

static void test_protocol(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *a = xt_connect(srv, 0);
    struct xt_msg rep;
    int rc = xt_read(a, 12345, "/", buf, sizeof(buf));
    unit_check("txn-unknown-id", rc == -ENOENT, "%d", rc);
    rc = xt_end(a, 0, true);
    unit_check("txn-end-without-txn", rc == -ENOENT, "%d", rc);
    uint32_t tx;
    xt_start(a, &tx);
    rc = xt_reqs(a, XS_TRANSACTION_START, tx, &rep, "", NULL);
    unit_check("txn-start-inside-txn", rc == -EBUSY, "%d", rc);
    rc = xt_reqs(a, XS_TRANSACTION_END, tx, &rep, "X", NULL);
    unit_check("txn-end-bad-arg", rc == -EINVAL, "%d", rc);
    rc = xt_req(a, XS_TRANSACTION_END, tx, "T", 1, &rep);
    unit_check("txn-end-unterminated", rc == -EINVAL, "%d", rc);
    rc = xt_write(a, tx, "/still", "open");
    unit_check("txn-survives-bad-end", rc == 0, "%d", rc);
    /* watches ignore tx_id */
    rc = xt_reqs(a, XS_WATCH, 777, &rep, "/w", "tok", NULL);
    unit_check("txn-watch-ignores-txid", rc == 0 && rep.tx_id == 777, "%d", rc);
    /* a second connection cannot use our transaction */
    struct xt_client *b = xt_connect(srv, 3);
    rc = xt_read(b, tx, "/", buf, sizeof(buf));
    unit_check("txn-other-conn-enoent", rc == -ENOENT, "%d", rc);
    /* two transactions on one connection are independent */
    uint32_t tx2;
    xt_start(a, &tx2);
    rc = xt_read(a, tx2, "/still", buf, sizeof(buf));
    unit_check("txn-two-independent", tx2 != tx && rc == -ENOENT, "%u %u %d", tx, tx2, rc);
    xt_write(a, tx2, "/still", "other");
    rc = xt_end(a, tx, true);
    int rc2 = xt_end(a, tx2, true);
    unit_check("txn-first-commit-wins", rc == 0 && rc2 == -EAGAIN, "%d %d", rc, rc2);
    /* RESET_WATCHES drops transactions */
    xt_start(a, &tx);
    rc = xt_reqs(a, XS_RESET_WATCHES, 0, &rep, "", NULL);
    rc2 = xt_end(a, tx, true);
    unit_check("txn-reset-watches-drops", rc == 0 && rc2 == -ENOENT, "%d %d", rc, rc2);
    xt_check(srv, "txn-protocol-consistent");
    xt_server_free(srv);
}

static void test_watches_at_commit(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *a = xt_connect(srv, 0);
    struct xt_client *w = xt_connect(srv, 2);
    xt_write(a, 0, "/ev/keep", "k");
    xt_write(a, 0, "/ev/gone/inner", "g");
    xt_set_perms(a, 0, "/ev", "r0");
    xt_set_perms(a, 0, "/ev/keep", "r0");
    xt_set_perms(a, 0, "/ev/gone", "r0");
    xt_set_perms(a, 0, "/ev/gone/inner", "r0");
    xt_watch(w, "/ev", "all");
    xt_watch(w, "/ev/gone/inner", "inner");
    xt_clear_events(w);
    uint32_t tx;
    xt_start(a, &tx);
    xt_write(a, tx, "/ev/keep", "k2");
    xt_write(a, tx, "/ev/new/leaf", "n");
    xt_rm(a, tx, "/ev/gone");
    unit_check("txn-no-events-before-commit", xt_nevents(w) == 0, "%u events", xt_nevents(w));
    xt_end(a, tx, true);
    bool ok = xt_has_event(w, "/ev/keep all") && xt_has_event(w, "/ev/new/leaf all") &&
              xt_has_event(w, "/ev/gone all") && xt_has_event(w, "/ev/gone/inner inner") &&
              !xt_has_event(w, "/ev/new all");
    unit_check("txn-events-at-commit", ok && xt_nevents(w) == 4, "%u events", xt_nevents(w));
    xt_clear_events(w);
    xt_start(a, &tx);
    xt_write(a, tx, "/ev/keep", "k3");
    xt_end(a, tx, false);
    unit_check("txn-no-events-on-abort", xt_nevents(w) == 0, "%u", xt_nevents(w));
    xt_check(srv, "txn-watch-consistent");
    xt_server_free(srv);
}

static void test_quota(void)
{
    struct xsd_server *srv = xt_server();
    struct xt_client *d0 = xt_connect(srv, 0);
    struct xt_client *g = xt_connect(srv, 4);
    xt_mkdir(d0, 0, "/local/domain/4");
    xt_set_perms(d0, 0, "/local/domain/4", "b4");
    uint32_t tx[12];
    int rc = 0, n;
    for (n = 0; n < 12 && rc == 0; n++)
        rc = xt_start(g, &tx[n]);
    unit_check("txn-quota-transactions", rc == -ENOSPC && n == 11, "%d after %d", rc, n);
    for (int i = 0; i < 10; i++)
        xt_end(g, tx[i], false);
    for (n = 0; n < 12; n++)
        xt_start(d0, &tx[n]);
    unit_check("txn-quota-dom0-unlimited", xt_start(d0, &tx[0]) == 0, "dom0 limited");

    xsd_quota_set(srv, "transaction-nodes", 8);
    uint32_t t;
    xt_start(g, &t);
    rc = 0;
    char path[64];
    for (n = 0; n < 20 && rc == 0; n++) {
        snprintf(path, sizeof(path), "n%d", n);
        rc = xt_write(g, t, path, "x");
    }
    unit_check("txn-quota-nodes-touched", rc == -ENOSPC, "%d after %d", rc, n);
    xt_end(g, t, false);

    /* node quota across two transactions: the second commit fails */
    xsd_quota_set(srv, "transaction-nodes", 1024);
    xt_mkdir(g, 0, "a");
    xt_mkdir(g, 0, "b");
    xsd_quota_set(srv, "nodes", 8); /* 3 owned already: /local/domain/4, a, b */
    uint32_t t1, t2;
    xt_start(g, &t1);
    xt_start(g, &t2);
    int a1 = 0, a2 = 0;
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "a/%d", i);
        a1 |= xt_write(g, t1, path, "x");
        snprintf(path, sizeof(path), "b/%d", i);
        a2 |= xt_write(g, t2, path, "x");
    }
    int c1 = xt_end(g, t1, true), c2 = xt_end(g, t2, true);
    unit_check("txn-quota-nodes-at-commit", a1 == 0 && a2 == 0 && c1 == 0 && c2 == -ENOSPC,
               "%d %d %d %d", a1, a2, c1, c2);

    xsd_quota_set(srv, "transaction-memory", 3000);
    xt_start(g, &t);
    char big[1500];
    memset(big, 'm', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    rc = xt_write(g, t, "a/0", big);
    int rc2 = xt_write(g, t, "a/1", big);
    unit_check("txn-quota-memory", rc == 0 && rc2 == -ENOSPC, "%d %d", rc, rc2);
    xt_end(g, t, false);
    xt_check(srv, "txn-quota-consistent");
    xt_server_free(srv);
}

/* Allocation failures inside a transaction never half-apply an operation:
 * the transaction either has the whole change or none of it, and a commit
 * gives exactly what the transaction saw. */
static void test_enomem(void)
{
    bool ok = true;
    int n;
    for (n = 0; n < 300 && ok; n++) {
        struct xsd_server *srv = xt_server();
        struct xt_client *a = xt_connect(srv, 0);
        xt_write(a, 0, "/e/one/two", "2");
        xt_write(a, 0, "/e/three", "3");
        uint32_t tx;
        xt_start(a, &tx);
        xt_fail_alloc_at(n);
        int r1 = xt_rm(a, tx, "/e/one");
        int r2 = xt_write(a, tx, "/e/four/five", "5");
        xt_fail_alloc_at(-1);
        int c = xt_end(a, tx, true);
        bool one_gone = xt_read(a, 0, "/e/one/two", NULL, 0) == -ENOENT &&
                        xt_read(a, 0, "/e/one", NULL, 0) == -ENOENT;
        bool one_there = xt_read(a, 0, "/e/one/two", NULL, 0) == 0;
        bool five = xt_read(a, 0, "/e/four/five", NULL, 0) == 0;
        bool four = xt_read(a, 0, "/e/four", NULL, 0) == 0;
        ok = c == 0 && (r1 == 0 ? one_gone : (r1 == -ENOMEM && one_there)) &&
             (r2 == 0 ? five : (r2 == -ENOMEM && !five && !four));
        struct xsd_stats s;
        xsd_get_stats(srv, &s);
        ok = ok && xsd_check(srv) == 0 && s.internal_errors == 0;
        if (!ok)
            printf("  failing allocation %d: rm %d write %d commit %d\n", n, r1, r2, c);
        bool done = r1 == 0 && r2 == 0;
        xt_server_free(srv);
        if (done)
            break;
    }
    unit_check("txn-enomem-all-or-nothing", ok && n < 300, "n %d", n);
}

int main(void)
{
    test_isolation();
    test_conflicts();
    test_protocol();
    test_watches_at_commit();
    test_quota();
    test_enomem();
    return unit_finish("xenstored_txn");
}
