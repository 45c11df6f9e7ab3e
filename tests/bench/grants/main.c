/* Guest side of the grant benchmark: grant one page to dom0, publish the
 * reference, and wait while dom0 maps and unmaps it in a loop. */
#include <minios/console.h>
#include <minios/gnttab.h>
#include <minios/mm.h>
#include <minios/sched.h>
#include <minios/time.h>
#include <minios/xenbus.h>

int main(void)
{
    void *page = pages_alloc(0);
    grant_ref_t ref;
    if (!page || gnttab_grant_page(0, page, false, &ref) < 0)
        return 1;
    xenbus_printf(XBT_NIL, "data/bench-ref", "%u", ref);
    /* The hook writes data/bench-done when it has finished. */
    uint64_t deadline = monotonic_ns() + 120 * NSEC_PER_SEC;
    char *done = NULL;
    while (monotonic_ns() < deadline && xenbus_read(XBT_NIL, "data/bench-done", &done) < 0)
        msleep(100);
    kfree(done);
    return gnttab_end_access(ref) == 0 ? 0 : 1;
}
