/* xenstored core: a long random differential test against a tiny model.
 *
 * The model is a flat array of (path, value, creation sequence) with the
 * protocol's rules written the obvious way: WRITE and MKDIR create missing
 * parents, RM removes a subtree (absent is fine if the parent exists),
 * DIRECTORY lists children in creation order. Two privileged clients send
 * random requests on a small tree (paths /a/b/c over three letters, so
 * they collide often), sometimes inside transactions.
 *
 * Outside transactions every result must equal the model's. A transaction
 * is checked for serializability: when its commit succeeds, replaying its
 * operations on the model at commit time must give exactly the results it
 * got; when it fails with EAGAIN, something must have changed since it
 * started. A watcher on "/" must see an event for every change outside
 * transactions. The store is self-checked as we go. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored_test.h"

#define MAXN 256
#define LOG_MAX 64

struct mnode {
    char path[24];
    char value[12];
    unsigned long seq;
    bool used;
};

struct model {
    struct mnode n[MAXN];
    unsigned long seq;
    unsigned long version; /* bumped by every change */
};

static int m_find(const struct model *m, const char *path)
{
    for (int i = 0; i < MAXN; i++) {
        if (m->n[i].used && strcmp(m->n[i].path, path) == 0)
            return i;
    }
    return -1;
}

static void parent_of(const char *path, char *out)
{
    strcpy(out, path);
    char *slash = strrchr(out, '/');
    if (slash == out)
        out[1] = '\0';
    else
        *slash = '\0';
}

static int m_create(struct model *m, const char *path)
{
    int i = m_find(m, path);
    if (i >= 0)
        return i;
    char parent[24];
    parent_of(path, parent);
    m_create(m, parent);
    for (i = 0; i < MAXN && m->n[i].used; i++)
        ;
    if (i == MAXN)
        abort();
    snprintf(m->n[i].path, sizeof(m->n[i].path), "%s", path);
    m->n[i].value[0] = '\0';
    m->n[i].seq = ++m->seq;
    m->n[i].used = true;
    return i;
}

static bool below(const char *path, const char *top)
{
    size_t l = strlen(top);
    return strncmp(path, top, l) == 0 && (path[l] == '\0' || path[l] == '/');
}

/* Children of path in creation order, as "a,b". */
static void m_children(const struct model *m, const char *path, char *out)
{
    out[0] = '\0';
    unsigned long last = 0;
    for (;;) {
        int best = -1;
        for (int i = 0; i < MAXN; i++) {
            if (!m->n[i].used || m->n[i].seq <= last || strcmp(m->n[i].path, "/") == 0)
                continue;
            char parent[24];
            parent_of(m->n[i].path, parent);
            if (strcmp(parent, path) == 0 && (best < 0 || m->n[i].seq < m->n[best].seq))
                best = i;
        }
        if (best < 0)
            return;
        last = m->n[best].seq;
        if (out[0])
            strcat(out, ",");
        strcat(out, strrchr(m->n[best].path, '/') + 1);
    }
}

enum op { OP_WRITE, OP_MKDIR, OP_RM, OP_READ, OP_DIR };

/* Apply op to the model; returns the result (rc) and text (value / list). */
static int m_apply(struct model *m, enum op op, const char *path, const char *value, char *text)
{
    int i = m_find(m, path);
    text[0] = '\0';
    switch (op) {
    case OP_WRITE:
        i = m_create(m, path);
        snprintf(m->n[i].value, sizeof(m->n[i].value), "%s", value);
        m->version++;
        return 0;
    case OP_MKDIR:
        if (i < 0) {
            m_create(m, path);
            m->version++;
        }
        return 0;
    case OP_RM: {
        if (strcmp(path, "/") == 0)
            return -EINVAL;
        if (i < 0) {
            char parent[24];
            parent_of(path, parent);
            return m_find(m, parent) >= 0 ? 0 : -ENOENT;
        }
        for (int j = 0; j < MAXN; j++) {
            if (m->n[j].used && below(m->n[j].path, path))
                m->n[j].used = false;
        }
        m->version++;
        return 0;
    }
    case OP_READ:
        if (i < 0)
            return -ENOENT;
        strcpy(text, m->n[i].value);
        return 0;
    case OP_DIR:
        if (i < 0)
            return -ENOENT;
        m_children(m, path, text);
        return 0;
    }
    return -EINVAL;
}

static int s_apply(struct xt_client *c, uint32_t tx, enum op op, const char *path,
                   const char *value, char *text)
{
    text[0] = '\0';
    switch (op) {
    case OP_WRITE:
        return xt_write(c, tx, path, value);
    case OP_MKDIR:
        return xt_mkdir(c, tx, path);
    case OP_RM:
        return xt_rm(c, tx, path);
    case OP_READ:
        return xt_read(c, tx, path, text, 64);
    case OP_DIR:
        return xt_dir(c, tx, path, text, 256);
    }
    return -EINVAL;
}

struct logged {
    enum op op;
    char path[24], value[12], text[256];
    int rc;
};

struct client_state {
    struct xt_client *c;
    uint32_t tx; /* 0: none open */
    unsigned long version_at_start;
    struct logged log[LOG_MAX];
    unsigned nlog;
};

static void random_path(char *out)
{
    int depth = 1 + (int)unit_rand_below(4);
    out[0] = '\0';
    for (int d = 0; d < depth; d++) {
        size_t l = strlen(out);
        out[l] = '/';
        out[l + 1] = (char)('a' + unit_rand_below(3));
        out[l + 2] = '\0';
    }
}

static unsigned failures;
static void fail(unsigned long step, const char *fmt, const char *a, int x, int y)
{
    if (failures++ < 10) {
        printf("  step %lu: ", step);
        printf(fmt, a, x, y);
        printf("\n");
    }
}

static void run(unsigned long long seed, unsigned long steps, unsigned long *commits,
                unsigned long *conflicts)
{
    unit_srand(seed);
    struct xsd_server *srv = xt_server();
    struct client_state cs[2] = {{.c = xt_connect(srv, 0)}, {.c = xt_connect(srv, 1)}};
    xsd_set_priv_domid(srv, 1);
    struct xt_client *watcher = cs[0].c; /* dom0 sees every event */
    struct model *m = calloc(1, sizeof(*m));
    strcpy(m->n[0].path, "/");
    m->n[0].used = true;
    xt_watch(watcher, "/", "all");
    xt_clear_events(watcher);

    for (unsigned long step = 0; step < steps; step++) {
        struct client_state *s = &cs[unit_rand_below(2)];
        unsigned r = (unsigned)unit_rand_below(100);
        if (r < 6 && !s->tx) {
            if (xt_start(s->c, &s->tx) != 0)
                fail(step, "%stransaction start failed %d %d", "", 0, 0);
            s->version_at_start = m->version;
            s->nlog = 0;
            continue;
        }
        if (s->tx && (r < 10 || s->nlog == LOG_MAX)) {
            bool commit = unit_rand_below(4) != 0;
            int rc = xt_end(s->c, s->tx, commit);
            s->tx = 0;
            xt_clear_events(watcher);
            if (!commit) {
                if (rc)
                    fail(step, "%sabort: %d %d", "", rc, 0);
                continue;
            }
            if (rc == -EAGAIN) {
                (*conflicts)++;
                if (m->version == s->version_at_start)
                    fail(step, "%sspurious conflict %d %d", "", rc, 0);
                continue;
            }
            if (rc) {
                fail(step, "%scommit: %d %d", "", rc, 0);
                continue;
            }
            (*commits)++;
            for (unsigned i = 0; i < s->nlog; i++) {
                struct logged *l = &s->log[i];
                char text[256];
                int mrc = m_apply(m, l->op, l->path, l->value, text);
                if (mrc != l->rc || strcmp(text, l->text) != 0)
                    fail(step, "not serializable at %s: rc %d, model %d", l->path, l->rc, mrc);
            }
            continue;
        }
        enum op op = (enum op)unit_rand_below(5);
        char path[24], value[12], text[256], mtext[256];
        random_path(path);
        snprintf(value, sizeof(value), "v%u", (unsigned)unit_rand_below(1000));
        if (unit_rand_below(50) == 0)
            strcpy(path, "/");
        int rc = s_apply(s->c, s->tx, op, path, value, text);
        if (s->tx) {
            struct logged *l = &s->log[s->nlog++];
            l->op = op;
            strcpy(l->path, path);
            strcpy(l->value, value);
            strcpy(l->text, text);
            l->rc = rc;
            continue;
        }
        unsigned long version = m->version;
        int mrc = m_apply(m, op, path, value, mtext);
        if (rc != mrc || strcmp(text, mtext) != 0) {
            fail(step, "op on %s: server %d, model %d", path, rc, mrc);
            printf("    op %d server '%s' model '%s'\n", op, text, mtext);
        }
        char want[64];
        snprintf(want, sizeof(want), "%s all", path);
        bool changed = m->version != version;
        if (changed && !xt_has_event(watcher, want))
            fail(step, "no event for %s (%d %d)", path, op, 0);
        if (!changed && xt_nevents(watcher))
            fail(step, "spurious event after op on %s (%d %d)", path, op, 0);
        xt_clear_events(watcher);
        if (step % 2000 == 0 && xsd_check(srv) != 0)
            fail(step, "%sstore check failed %d %d", "", 0, 0);
    }
    /* finally the whole store must equal the model */
    for (int i = 0; i < MAXN; i++) {
        if (!m->n[i].used)
            continue;
        char v[64];
        if (xt_read(cs[0].c, 0, m->n[i].path, v, sizeof(v)) != 0 || strcmp(v, m->n[i].value))
            fail(steps, "final state differs at %s %d %d", m->n[i].path, 0, 0);
    }
    struct xsd_stats st;
    xsd_get_stats(srv, &st);
    unsigned live = 0;
    for (int i = 0; i < MAXN; i++)
        live += m->n[i].used;
    if (st.nodes != live)
        fail(steps, "%snode count: server %d, model %d", "", (int)st.nodes, (int)live);
    char name[64];
    snprintf(name, sizeof(name), "random-seed-%llu-consistent", seed);
    xt_check(srv, name);
    free(m);
    xt_server_free(srv);
}

int main(int argc, char **argv)
{
    unsigned long steps = argc > 1 ? strtoul(argv[1], NULL, 0) : 60000;
    unsigned long commits = 0, conflicts = 0;
    static const unsigned long long seeds[] = {1, 2, 3, 0xfeedULL};
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
        run(seeds[i], steps, &commits, &conflicts);
    unit_check("random-differential", failures == 0, "%u mismatches (first 10 above)", failures);
    unit_check("random-transactions-exercised", commits > 100 && conflicts > 10,
               "%lu commits, %lu conflicts", commits, conflicts);
    printf("random: %zu runs x %lu steps, %lu commits, %lu conflicts\n",
           sizeof(seeds) / sizeof(seeds[0]), steps, commits, conflicts);
    return unit_finish("xenstored_random");
}
