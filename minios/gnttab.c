/* Grant tables, version 1 (see <minios/gnttab.h> for the protocol).
 *
 * Xen gives us the table as a few frames (GNTTABOP_setup_table; on PV it
 * names machine frames) that the arch maps into its frame window. Which
 * refs are handed out is kept in a bitmap of our own, never in the shared
 * table, which the other side can see. Refs are handed out round-robin, so
 * a revoked ref is not reused at once: a peer that holds on to a stale ref
 * hits an invalid entry instead of someone else's page. */
#include <minios/arch.h>
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/gnttab.h>
#include <minios/hypercall.h>
#include <minios/map_window.h>
#include <minios/xenbus.h>

/* 8 frames = 4096 refs, enough for several ring-based devices. */
#define GNTTAB_MAX_FRAMES 8
#define REFS_PER_FRAME (PAGE_SIZE / sizeof(grant_entry_v1_t))
#define MAX_REFS (GNTTAB_MAX_FRAMES * REFS_PER_FRAME)
#define BITS_PER_LONG (sizeof(unsigned long) * 8)

static grant_entry_v1_t *table; /* NULL: no grant table */
static unsigned nr_refs;
static unsigned long ref_used[MAX_REFS / BITS_PER_LONG];
static unsigned next_ref;    /* where the next search for a free ref starts */
static unsigned refs_in_use; /* without the reserved ones */

/* ---- the ref bitmap (callers hold events off) ---- */

static bool ref_is_used(grant_ref_t ref)
{
    return ref_used[ref / BITS_PER_LONG] & (1UL << (ref % BITS_PER_LONG));
}

static void mark_used(grant_ref_t ref)
{
    ref_used[ref / BITS_PER_LONG] |= 1UL << (ref % BITS_PER_LONG);
}

/* The first free ref at or after next_ref, wrapping around; -ENOSPC. */
static long alloc_ref(void)
{
    unsigned words = nr_refs / BITS_PER_LONG;
    unsigned w = next_ref / BITS_PER_LONG;
    unsigned long candidates = ~0UL << (next_ref % BITS_PER_LONG);
    /* words + 1 steps: the start word is looked at again below next_ref */
    for (unsigned step = 0; step <= words; step++) {
        unsigned long free_bits = ~ref_used[w] & candidates;
        if (free_bits) {
            grant_ref_t ref = w * BITS_PER_LONG + (unsigned)__builtin_ctzl(free_bits);
            mark_used(ref);
            refs_in_use++;
            next_ref = (ref + 1) % nr_refs;
            return ref;
        }
        candidates = ~0UL;
        w = (w + 1) % words;
    }
    return -ENOSPC;
}

static void free_ref(grant_ref_t ref)
{
    ref_used[ref / BITS_PER_LONG] &= ~(1UL << (ref % BITS_PER_LONG));
    refs_in_use--;
}

/* Only refs we handed out may be revoked. */
static bool ref_is_ours(grant_ref_t ref)
{
    return ref >= GNTTAB_NR_RESERVED_ENTRIES && ref < nr_refs && ref_is_used(ref);
}

/* ---- entries ---- */

static void fill_entry(grant_entry_v1_t *e, domid_t domid, uint32_t frame, bool readonly)
{
    WRITE_ONCE(e->domid, domid);
    WRITE_ONCE(e->frame, frame);
    /* release: domid and frame are visible before the entry becomes valid */
    __atomic_store_n(&e->flags, GTF_permit_access | (readonly ? GTF_readonly : 0),
                     __ATOMIC_RELEASE);
}

/* Invalidate an entry unless it is mapped or being copied. The
 * compare-and-exchange fails if Xen set GTF_reading/GTF_writing after we
 * looked; we look again. */
static int revoke_entry(grant_entry_v1_t *e)
{
    uint16_t flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
    do {
        if (flags & (GTF_reading | GTF_writing))
            return -EBUSY;
    } while (!__atomic_compare_exchange_n(&e->flags, &flags, 0, false, __ATOMIC_SEQ_CST,
                                          __ATOMIC_ACQUIRE));
    WRITE_ONCE(e->domid, 0);
    WRITE_ONCE(e->frame, 0);
    return 0;
}

int gnttab_grant_access(domid_t domid, unsigned long pfn, bool readonly, grant_ref_t *ref)
{
    if (!table)
        return -ENODEV;
    if (domid >= DOMID_FIRST_RESERVED || pfn >= boot_info.ram_bytes >> PAGE_SHIFT)
        return -EINVAL;
    xen_pfn_t frame = arch_pfn_to_xen_frame(pfn);
    if (frame > UINT32_MAX) /* v1 entries hold 32-bit frame numbers */
        return -ERANGE;

    unsigned long flags = arch_irq_save();
    long r = alloc_ref();
    if (r >= 0)
        fill_entry(&table[r], domid, (uint32_t)frame, readonly);
    arch_irq_restore(flags);
    if (r < 0)
        return (int)r;
    *ref = (grant_ref_t)r;
    return 0;
}

int gnttab_end_access(grant_ref_t ref)
{
    if (!table)
        return -ENODEV;
    unsigned long flags = arch_irq_save();
    int rc = ref_is_ours(ref) ? revoke_entry(&table[ref]) : -EINVAL;
    if (rc == 0)
        free_ref(ref);
    arch_irq_restore(flags);
    if (rc == -EINVAL)
        printk("gnttab: refusing to end access of ref %u: %s\n", ref,
               ref < GNTTAB_NR_RESERVED_ENTRIES ? "reserved"
               : ref >= nr_refs                 ? "out of range"
                                                : "not granted");
    return rc;
}

/* ---- mapping and copying other domains' grants ---- */

static int status_to_errno(int16_t status)
{
    switch (status) {
    case GNTST_okay:
        return 0;
    case GNTST_bad_domain:
        return -ESRCH;
    case GNTST_bad_gntref:
    case GNTST_bad_handle:
    case GNTST_bad_copy_arg:
        return -EINVAL;
    case GNTST_bad_virt_addr:
    case GNTST_bad_dev_addr:
    case GNTST_bad_page:
        return -EFAULT;
    case GNTST_permission_denied:
        return -EPERM;
    case GNTST_no_device_space:
    case GNTST_no_space:
        return -ENOSPC;
    case GNTST_address_too_big:
        return -ERANGE;
    case GNTST_eagain:
        return -EAGAIN;
    default:
        return -EIO;
    }
}

/* A grant of our own that the arch cannot map without losing the page (x86
 * PVH, see arch_can_map_own_grants). Our domain id comes from xenstore
 * (cached after the first read); a domain without one (the xenstore stub
 * domain itself) only knows DOMID_SELF as its own. */
static bool own_grant_unmappable(domid_t domid)
{
    if (arch_can_map_own_grants())
        return false;
    if (domid == DOMID_SELF)
        return true;
    int self = boot_info.xenstore_ring ? xenbus_get_domid() : -ENODEV;
    return self >= 0 && domid == self;
}

int gnttab_map_grant_ref(domid_t domid, grant_ref_t ref, bool readonly, void *va,
                         grant_handle_t *handle)
{
    if ((uintptr_t)va % PAGE_SIZE)
        return -EINVAL;
    if (own_grant_unmappable(domid))
        return -EOPNOTSUPP;
    struct gnttab_map_grant_ref op = {
        .host_addr = (uintptr_t)va,
        .flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0),
        .ref = ref,
        .dom = domid,
    };
    long rc = xen_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);
    if (rc < 0)
        return (int)rc;
    if (op.status != GNTST_okay)
        return status_to_errno(op.status);
    *handle = op.handle;
    map_window_set_mapped(&map_window, (uintptr_t)va, 1, true);
    return 0;
}

int gnttab_unmap_grant_ref(void *va, grant_handle_t handle)
{
    struct gnttab_unmap_grant_ref op = {
        .host_addr = (uintptr_t)va,
        .handle = handle,
    };
    long rc = xen_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);
    if (rc < 0)
        return (int)rc;
    if (op.status != GNTST_okay)
        return status_to_errno(op.status);
    map_window_set_mapped(&map_window, (uintptr_t)va, 1, false);
    return 0;
}

void *gnttab_map_area_alloc(unsigned n)
{
    return (void *)arch_map_window_alloc(n);
}

int gnttab_map_area_free(void *va, unsigned n)
{
    return arch_map_window_free((uintptr_t)va, n);
}

int gnttab_copy(struct gnttab_copy *ops, unsigned count)
{
    long rc = xen_grant_table_op(GNTTABOP_copy, ops, count);
    if (rc < 0)
        return (int)rc;
    for (unsigned i = 0; i < count; i++)
        if (ops[i].status != GNTST_okay)
            return status_to_errno(ops[i].status);
    return 0;
}

xen_pfn_t gnttab_frame_of(const void *va)
{
    return arch_pfn_to_xen_frame((uintptr_t)va >> PAGE_SHIFT);
}

unsigned gnttab_refs_in_use(void)
{
    return refs_in_use;
}

unsigned gnttab_refs_total(void)
{
    return nr_refs > GNTTAB_NR_RESERVED_ENTRIES ? nr_refs - GNTTAB_NR_RESERVED_ENTRIES : 0;
}

/* ---- start-up ---- */

/* How many frames to ask for: ours, capped by what Xen allows. */
static unsigned table_frames(void)
{
    struct gnttab_query_size query = {.dom = DOMID_SELF};
    long rc = xen_grant_table_op(GNTTABOP_query_size, &query, 1);
    if (rc < 0 || query.status != GNTST_okay) {
        printk("gnttab: query_size failed (%ld, status %d)\n", rc, query.status);
        return 0;
    }
    return MIN(GNTTAB_MAX_FRAMES, query.max_nr_frames);
}

static int map_table(unsigned frames)
{
    xen_pfn_t mfns[GNTTAB_MAX_FRAMES];
    struct gnttab_setup_table setup = {.dom = DOMID_SELF, .nr_frames = frames};
    set_xen_guest_handle(setup.frame_list, mfns);
    long rc = xen_grant_table_op(GNTTABOP_setup_table, &setup, 1);
    if (rc < 0)
        return (int)rc;
    if (setup.status != GNTST_okay)
        return status_to_errno(setup.status);

    uintptr_t va = arch_map_window_alloc(frames);
    if (!va)
        return -ENOMEM;
    rc = arch_map_machine_frames(va, mfns, frames);
    if (rc < 0) {
        arch_map_window_free(va, frames);
        return (int)rc;
    }
    table = (grant_entry_v1_t *)va;
    nr_refs = frames * REFS_PER_FRAME;
    return 0;
}

void gnttab_init(void)
{
    unsigned frames = table_frames();
    int rc = frames ? map_table(frames) : -ENODEV;
    if (rc < 0) {
        printk("gnttab: no grant table (%d); grants are unavailable\n", rc);
        return;
    }
    for (grant_ref_t r = 0; r < GNTTAB_NR_RESERVED_ENTRIES; r++)
        mark_used(r);
    next_ref = GNTTAB_NR_RESERVED_ENTRIES;
}
