/* Grant tables: the ref allocator, grants we map and copy ourselves, and
 * grants dom0 maps through Linux's gntdev (tests/dom0/gntmap.c, driven by
 * hook.sh).
 *
 * We tell the hook about our grants in xenstore, under our own data/ node:
 *   data/gnttab/<step> = <ref>
 * for the steps "read" (a read-only page dom0 prints), "write" (dom0 writes
 * a pattern) and "hold" (dom0 keeps the page mapped a few seconds while we
 * try to revoke it), and poll the pages for dom0's patterns. */
#include <minios/arch.h>
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/format.h>
#include <minios/gnttab.h>
#include <minios/mm.h>
#include <minios/panic.h>
#include <minios/sched.h>
#include <minios/string.h>
#include <minios/time.h>
#include <minios/xenbus.h>
#include "../testlib.h"

#define CYCLES 10000
#define MAX_TEST_REFS 8192
#define DOM0_WAIT_NS (30 * NSEC_PER_SEC)

#define READ_TEXT "stubos-gnttab-hello"
#define WRITE_TEXT "written-by-dom0"
#define HOLD_TEXT "held-by-dom0"
#define OFFER_TEXT "offered-by-dom0" /* tests/dom0/gntoffer.c */
#define GUEST_TEXT "written-by-guest"
#define ACK_TEXT "ack-by-dom0"
#define ACK_AT 2048

static grant_ref_t refs[MAX_TEST_REFS];
static unsigned long seen[MAX_TEST_REFS / 64];
static unsigned refs_at_start;
static domid_t self;

/* ---- small helpers (no libc here; volatile keeps gcc from calling one) ---- */

static void put_text(volatile char *dst, const char *text)
{
    while ((*dst++ = *text++))
        ;
}

static bool has_text(const volatile char *p, const char *text)
{
    while (*text)
        if (*p++ != *text++)
            return false;
    return *p == '\0';
}

static void fill(volatile char *p, char c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = c;
}

static void *new_page(void)
{
    void *p = pages_alloc(0);
    if (!p)
        panic("out of memory");
    fill(p, 0, PAGE_SIZE);
    return p;
}

/* ---- the allocator ---- */

static void test_init(void)
{
    refs_at_start = gnttab_refs_in_use();
    unsigned total = gnttab_refs_total();
    TEST_CHECK("gnttab-init", total >= 512 - GNTTAB_NR_RESERVED_ENTRIES && total <= MAX_TEST_REFS,
               "%u refs", total);
    printk("gnttab: %u refs, %u in use at start, we are domain %u\n", total, refs_at_start, self);
}

static void test_bad_args(void *page)
{
    grant_ref_t ref = 0;
    int self_rc = gnttab_grant_access(DOMID_SELF, PFN_DOWN(page), false, &ref);
    int pfn_rc = gnttab_grant_access(0, PFN_DOWN(boot_info.ram_bytes), false, &ref);
    TEST_CHECK("gnttab-bad-args", self_rc == -EINVAL && pfn_rc == -EINVAL,
               "grant to DOMID_SELF %d, beyond RAM %d", self_rc, pfn_rc);
}

/* Ending access of refs that are not (or no longer) granted is refused and
 * changes nothing. */
static void test_bogus_free(void *page)
{
    grant_ref_t ref;
    int rc = gnttab_grant_page(0, page, true, &ref);
    int first = rc ? rc : gnttab_end_access(ref);
    int twice = gnttab_end_access(ref);
    int reserved = gnttab_end_access(GNTTAB_RESERVED_XENSTORE);
    int beyond = gnttab_end_access(gnttab_refs_total() + GNTTAB_NR_RESERVED_ENTRIES);
    int huge = gnttab_end_access(0xffffffffu);
    TEST_CHECK("gnttab-bogus-free",
               first == 0 && twice == -EINVAL && reserved == -EINVAL && beyond == -EINVAL &&
                   huge == -EINVAL && gnttab_refs_in_use() == refs_at_start,
               "end %d, again %d, reserved %d, beyond %d, huge %d, in use %u (was %u)", first,
               twice, reserved, beyond, huge, gnttab_refs_in_use(), refs_at_start);
}

static bool mark_seen(grant_ref_t ref)
{
    unsigned long bit = 1UL << (ref % 64);
    if (ref >= MAX_TEST_REFS || (seen[ref / 64] & bit))
        return false;
    seen[ref / 64] |= bit;
    return true;
}

/* Grant until the table is full: every free ref comes out exactly once,
 * never a reserved one, and never `avoid` (a ref still in use). Returns the
 * number granted (all ended again), or -1 after reporting a failure. */
static int grant_all(const char *test, void *page, long avoid)
{
    for (unsigned i = 0; i < MAX_TEST_REFS / 64; i++)
        seen[i] = 0;
    unsigned n = 0;
    int rc, bad = -1;
    while (n < MAX_TEST_REFS && (rc = gnttab_grant_page(0, page, true, &refs[n])) == 0) {
        if (refs[n] < GNTTAB_NR_RESERVED_ENTRIES || (long)refs[n] == avoid || !mark_seen(refs[n]))
            bad = (int)refs[n];
        n++;
    }
    unsigned full = gnttab_refs_in_use();
    int end_failures = 0;
    for (unsigned i = 0; i < n; i++)
        end_failures += gnttab_end_access(refs[i]) != 0;
    if (rc != -ENOSPC || bad >= 0 || end_failures || full != gnttab_refs_total()) {
        TEST_FAIL(test, "%u granted, last rc %d, bad ref %d, %d end failures, %u of %u in use", n,
                  rc, bad, end_failures, full, gnttab_refs_total());
        return -1;
    }
    return (int)n;
}

static void test_exhaust(void *page)
{
    int n = grant_all("gnttab-exhaust", page, -1);
    if (n < 0)
        return;
    TEST_CHECK(
        "gnttab-exhaust",
        (unsigned)n == gnttab_refs_total() - refs_at_start && gnttab_refs_in_use() == refs_at_start,
        "%d granted, %u in use after ending them (was %u)", n, gnttab_refs_in_use(), refs_at_start);
}

static void test_cycles(void *page)
{
    int failures = 0;
    for (int i = 0; i < CYCLES; i++) {
        grant_ref_t ref;
        if (gnttab_grant_page(0, page, i & 1, &ref) != 0 || gnttab_end_access(ref) != 0)
            failures++;
    }
    TEST_CHECK("gnttab-cycles", failures == 0 && gnttab_refs_in_use() == refs_at_start,
               "%d of %d cycles failed, %u refs in use (was %u)", failures, CYCLES,
               gnttab_refs_in_use(), refs_at_start);
}

/* ---- grants we map and copy ourselves ---- */

/* On x86 PVH, Xen moves a page of ours to the address we map our own grant
 * of it at, leaving a hole at its own address; the kernel refuses such maps
 * (see <minios/gnttab.h>). There, each self-map check instead proves the
 * refusal and that the page still works at its own address. */
static bool self_maps_refused(void)
{
    return !strcmp(boot_info.boot_mode, "pvh");
}

static void check_self_map_refused(const char *test, int rc, void *page, grant_ref_t ref)
{
    put_text(page, "still-our-page");
    bool intact = has_text(page, "still-our-page");
    int end = gnttab_end_access(ref);
    TEST_CHECK(test, rc == -EOPNOTSUPP && intact && end == 0,
               "PVH self-map returned %d (want %d), page intact %d, end %d", rc, -EOPNOTSUPP,
               intact, end);
}

/* Map our own read-write grant: writes through the mapping land in the
 * page, and the grant cannot be revoked (nor the area freed) while mapped. */
static void test_self_map(void *page)
{
    grant_ref_t ref;
    grant_handle_t handle;
    volatile char *area = gnttab_map_area_alloc(1);
    int rc = area ? gnttab_grant_page(self, page, false, &ref) : -ENOMEM;
    if (rc == 0)
        rc = gnttab_map_grant_ref(self, ref, false, (void *)area, &handle);
    if (self_maps_refused() && area) {
        check_self_map_refused("gnttab-self-map", rc, page, ref);
        int area_free = gnttab_map_area_free((void *)area, 1);
        int area_again = gnttab_map_area_free((void *)area, 1);
        TEST_CHECK("gnttab-self-map-busy", area_free == 0 && area_again == -EINVAL,
                   "area free %d, area freed twice %d", area_free, area_again);
        return;
    }
    if (rc) {
        TEST_FAIL("gnttab-self-map", "grant/map: %d", rc);
        return;
    }
    put_text(area, "through-the-mapping");
    bool seen_in_page = has_text(page, "through-the-mapping");
    int busy = gnttab_end_access(ref);
    int area_busy = gnttab_map_area_free((void *)area, 1);
    int unmap = gnttab_unmap_grant_ref((void *)area, handle);
    int end = gnttab_end_access(ref);
    int area_free = gnttab_map_area_free((void *)area, 1);
    int area_again = gnttab_map_area_free((void *)area, 1);
    TEST_CHECK("gnttab-self-map", seen_in_page && unmap == 0 && area_free == 0,
               "write seen %d, unmap %d, area free %d", seen_in_page, unmap, area_free);
    TEST_CHECK("gnttab-self-map-busy",
               busy == -EBUSY && area_busy == -EBUSY && end == 0 && area_again == -EINVAL,
               "end while mapped %d, area free while mapped %d, end after unmap %d, "
               "area freed twice %d",
               busy, area_busy, end, area_again);
}

/* A read-only grant maps read-only but refuses a writable mapping. */
static void test_self_map_readonly(void *page)
{
    grant_ref_t ref;
    grant_handle_t handle;
    void *area = gnttab_map_area_alloc(1);
    put_text(page, "read-only-grant");
    int rc = area ? gnttab_grant_page(self, page, true, &ref) : -ENOMEM;
    if (rc) {
        TEST_FAIL("gnttab-self-map-ro", "grant: %d", rc);
        return;
    }
    if (self_maps_refused()) {
        check_self_map_refused("gnttab-self-map-ro",
                               gnttab_map_grant_ref(self, ref, true, area, &handle), page, ref);
        gnttab_map_area_free(area, 1);
        return;
    }
    int rw = gnttab_map_grant_ref(self, ref, false, area, &handle);
    if (rw == 0)
        gnttab_unmap_grant_ref(area, handle);
    int ro = gnttab_map_grant_ref(self, ref, true, area, &handle);
    bool readable = ro == 0 && has_text(area, "read-only-grant");
    int unmap = ro == 0 ? gnttab_unmap_grant_ref(area, handle) : 0;
    int end = gnttab_end_access(ref);
    gnttab_map_area_free(area, 1);
    TEST_CHECK("gnttab-self-map-ro", rw < 0 && readable && unmap == 0 && end == 0,
               "rw map %d, ro map %d (content ok %d), unmap %d, end %d", rw, ro, readable, unmap,
               end);
}

/* GNTTABOP_copy from our own grant into another page, then from a revoked
 * grant (must fail and leave the target alone). */
static void test_copy(void *src, void *dst)
{
    grant_ref_t ref;
    put_text((char *)src + 100, "copied-by-xen");
    fill(dst, 'x', PAGE_SIZE);
    int rc = gnttab_grant_page(self, src, true, &ref);
    if (rc) {
        TEST_FAIL("gnttab-copy", "grant: %d", rc);
        return;
    }
    struct gnttab_copy op = {
        .source = {.u.ref = ref, .domid = self, .offset = 100},
        .dest = {.u.gmfn = gnttab_frame_of(dst), .domid = DOMID_SELF, .offset = 2000},
        .len = sizeof("copied-by-xen"),
        .flags = GNTCOPY_source_gref,
    };
    rc = gnttab_copy(&op, 1);
    bool copied = has_text((char *)dst + 2000, "copied-by-xen") && ((char *)dst)[1999] == 'x';
    int end = gnttab_end_access(ref);
    TEST_CHECK("gnttab-copy", rc == 0 && copied && end == 0,
               "copy %d (status %d), copied %d, end %d", rc, op.status, copied, end);

    fill(dst, 'x', PAGE_SIZE);
    op.status = 0;
    rc = gnttab_copy(&op, 1);
    TEST_CHECK("gnttab-copy-revoked", rc < 0 && ((char *)dst)[2000] == 'x',
               "copy from a revoked grant returned %d", rc);
}

/* ---- talking to dom0 ---- */

/* Wait until dom0 left text at p; false after the deadline. */
static bool wait_for_text(const void *page, const char *text)
{
    uint64_t deadline = monotonic_ns() + DOM0_WAIT_NS;
    while (!has_text(page, text)) {
        if (monotonic_ns() > deadline)
            return false;
        msleep(10);
    }
    return true;
}

/* ---- grants dom0 offers us (tests/dom0/gntoffer.c, started by hook.sh) ---- */

/* dom0's ref for step (data/gnttab/dom0-rw or dom0-ro), waiting for it. */
static int dom0_ref(const char *step, grant_ref_t *ref)
{
    char path[32];
    ksnprintf(path, sizeof(path), "data/gnttab/%s", step);
    uint64_t deadline = monotonic_ns() + DOM0_WAIT_NS;
    long value;
    int rc;
    while ((rc = xenbus_read_int(XBT_NIL, path, &value)) < 0 && monotonic_ns() < deadline)
        msleep(20);
    if (rc == 0)
        *ref = (grant_ref_t)value;
    return rc;
}

/* dom0's read-only page: maps read-only (showing dom0's text) but not
 * writable, and GNTTABOP_copy reads it into a page of ours. */
static void test_dom0_offer_readonly(grant_ref_t ref, void *page)
{
    grant_handle_t handle;
    void *area = gnttab_map_area_alloc(1);
    int rw = area ? gnttab_map_grant_ref(0, ref, false, area, &handle) : -ENOMEM;
    if (rw == 0)
        gnttab_unmap_grant_ref(area, handle);
    int ro = area ? gnttab_map_grant_ref(0, ref, true, area, &handle) : -ENOMEM;
    bool readable = ro == 0 && has_text(area, OFFER_TEXT);
    int unmap = ro == 0 ? gnttab_unmap_grant_ref(area, handle) : 0;
    int area_free = area ? gnttab_map_area_free(area, 1) : -ENOMEM;
    TEST_CHECK("gnttab-map-dom0-ro", rw < 0 && readable && unmap == 0 && area_free == 0,
               "rw map %d, ro map %d (dom0's text %d), unmap %d, area free %d", rw, ro, readable,
               unmap, area_free);

    fill(page, 'x', PAGE_SIZE);
    struct gnttab_copy op = {
        .source = {.u.ref = ref, .domid = 0, .offset = 0},
        .dest = {.u.gmfn = gnttab_frame_of(page), .domid = DOMID_SELF, .offset = 300},
        .len = sizeof(OFFER_TEXT),
        .flags = GNTCOPY_source_gref,
    };
    int rc = gnttab_copy(&op, 1);
    bool copied = has_text((char *)page + 300, OFFER_TEXT) && ((char *)page)[299] == 'x';
    TEST_CHECK("gnttab-copy-from-dom0", rc == 0 && copied, "copy %d (status %d), copied %d", rc,
               op.status, copied);
}

/* dom0's writable page, mapped the way a backend maps a ring: we see dom0's
 * text, dom0 sees ours, we see dom0's answer while still mapped; the area
 * cannot be freed while the grant is mapped in it. */
static void test_dom0_offer_write(grant_ref_t ref)
{
    grant_handle_t handle;
    volatile char *area = gnttab_map_area_alloc(1);
    int rc = area ? gnttab_map_grant_ref(0, ref, false, (void *)area, &handle) : -ENOMEM;
    if (rc) {
        TEST_FAIL("gnttab-map-dom0", "map: %d", rc);
        TEST_FAIL("gnttab-map-area-busy", "nothing mapped");
        return;
    }
    bool offered = has_text(area, OFFER_TEXT);
    int busy = gnttab_map_area_free((void *)area, 1);
    put_text(area, GUEST_TEXT);
    bool acked = wait_for_text((const void *)(area + ACK_AT), ACK_TEXT);
    int unmap = gnttab_unmap_grant_ref((void *)area, handle);
    int area_free = gnttab_map_area_free((void *)area, 1);
    TEST_CHECK("gnttab-map-dom0", offered && acked && unmap == 0,
               "dom0's text seen %d, dom0's answer seen %d, unmap %d", offered, acked, unmap);
    TEST_CHECK("gnttab-map-area-busy", busy == -EBUSY && area_free == 0,
               "area free while mapped %d, after unmap %d", busy, area_free);
}

static void test_dom0_offer(void *page)
{
    grant_ref_t ro_ref, rw_ref;
    int rc = dom0_ref("dom0-ro", &ro_ref);
    if (rc == 0)
        rc = dom0_ref("dom0-rw", &rw_ref);
    if (rc) {
        const char *names[] = {"gnttab-map-dom0-ro", "gnttab-copy-from-dom0", "gnttab-map-dom0",
                               "gnttab-map-area-busy"};
        for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
            TEST_FAIL(names[i], "no refs from dom0 in data/gnttab: %d", rc);
        return;
    }
    test_dom0_offer_readonly(ro_ref, page);
    test_dom0_offer_write(rw_ref);
}

/* ---- grants dom0 maps ---- */

static int offer(const char *step, void *page, bool readonly, grant_ref_t *ref)
{
    char path[32];
    ksnprintf(path, sizeof(path), "data/gnttab/%s", step);
    int rc = gnttab_grant_page(0, page, readonly, ref);
    if (rc == 0) {
        printk("gnttab: offering ref %u to dom0 in %s\n", *ref, path);
        rc = xenbus_printf(XBT_NIL, path, "%u", *ref);
    }
    return rc;
}

/* dom0 prints our read-only page and fails to map it writable (the hook
 * checks both); it writes its pattern into the read-write one. */
static void test_dom0_read_write(void)
{
    void *ro_page = new_page(), *rw_page = new_page();
    grant_ref_t ro_ref, rw_ref;
    put_text(ro_page, READ_TEXT);
    int rc = offer("read", ro_page, true, &ro_ref);
    if (rc == 0)
        rc = offer("write", rw_page, false, &rw_ref);
    if (rc) {
        TEST_FAIL("gnttab-dom0-write", "grant or xenstore write: %d", rc);
        return;
    }
    bool written = wait_for_text(rw_page, WRITE_TEXT);
    TEST_CHECK("gnttab-dom0-write", written, "no \"%s\" from dom0 after %llu s", WRITE_TEXT,
               DOM0_WAIT_NS / NSEC_PER_SEC);
    TEST_CHECK("gnttab-dom0-readonly-kept", has_text(ro_page, READ_TEXT),
               "dom0 changed our read-only page");
    /* gntmap has unmapped (it unmaps before it exits) or is about to: give
     * Linux a moment, then both ends must succeed. */
    int ro_end, rw_end;
    uint64_t deadline = monotonic_ns() + 5 * NSEC_PER_SEC;
    while ((ro_end = gnttab_end_access(ro_ref)) == -EBUSY && monotonic_ns() < deadline)
        msleep(10);
    while ((rw_end = gnttab_end_access(rw_ref)) == -EBUSY && monotonic_ns() < deadline)
        msleep(10);
    TEST_CHECK("gnttab-dom0-end", ro_end == 0 && rw_end == 0, "end read-only %d, read-write %d",
               ro_end, rw_end);
}

/* dom0 holds a mapping: revoking it fails with -EBUSY, the ref is not
 * handed out again meanwhile, and once dom0 unmaps the revoke succeeds. */
static void test_dom0_hold(void)
{
    void *page = new_page(), *other = new_page();
    grant_ref_t ref;
    int rc = offer("hold", page, false, &ref);
    if (rc || !wait_for_text(page, HOLD_TEXT)) {
        TEST_FAIL("gnttab-revoke-busy", "offer %d, or no \"%s\" from dom0", rc, HOLD_TEXT);
        return;
    }
    rc = gnttab_end_access(ref);
    TEST_CHECK("gnttab-revoke-busy", rc == -EBUSY, "end while dom0 maps it: %d", rc);
    if (grant_all("gnttab-busy-ref-kept", other, ref) >= 0)
        TEST_PASS("gnttab-busy-ref-kept");

    uint64_t start = monotonic_ns(), deadline = start + DOM0_WAIT_NS;
    while ((rc = gnttab_end_access(ref)) == -EBUSY && monotonic_ns() < deadline)
        msleep(20);
    TEST_CHECK("gnttab-revoke-after-unmap", rc == 0, "end access %d after %llu ms", rc,
               (monotonic_ns() - start) / NSEC_PER_MSEC);
    printk("gnttab: revoke succeeded %llu ms after the first try\n",
           (monotonic_ns() - start) / NSEC_PER_MSEC);
}

int main(void)
{
    int rc = xenbus_init();
    int domid = rc ? rc : xenbus_get_domid();
    TEST_CHECK("gnttab-domid", domid > 0, "xenbus init %d, domid %d", rc, domid);
    if (domid <= 0)
        return 1;
    self = (domid_t)domid;
    void *a = new_page(), *b = new_page();

    test_init();
    test_bad_args(a);
    test_bogus_free(a);
    test_exhaust(a);
    test_cycles(a);
    test_self_map(a);
    test_self_map_readonly(a);
    test_copy(a, b);
    test_dom0_offer(b);
    test_dom0_read_write();
    test_dom0_hold();
    TEST_CHECK("gnttab-no-leak", gnttab_refs_in_use() == refs_at_start,
               "%u refs in use at the end, %u at the start", gnttab_refs_in_use(), refs_at_start);
    return test_exit_status();
}
