/* Grant tables (v1): sharing our pages with other domains, and mapping or
 * copying pages other domains share with us.
 *
 * Our grant table is an array of 8-byte entries in frames Xen shares with
 * us. Entry r ("grant reference" r) says: domain `domid` may map or copy
 * our frame `frame`, read-only if GTF_readonly. We write domid and frame,
 * then the flags last (GTF_permit_access makes it valid). While the other
 * side has the frame mapped (or a copy is in flight) Xen keeps GTF_reading /
 * GTF_writing set in the same flags word; an entry may only be cleared with
 * an atomic compare-and-exchange that sees neither bit, so a revoke can
 * never race with a new mapping. References 0..GNTTAB_NR_RESERVED_ENTRIES-1
 * belong to the toolstack (console, xenstore) and are never handed out.
 *
 * A backend maps another domain's grant (domid, ref) at a virtual address
 * of ours; Xen returns a handle that the unmap needs. Virtual addresses for
 * such mappings come from gnttab_map_area_alloc(), which has the page
 * tables in place.
 *
 * Functions return 0 or a negative errno. gnttab_grant_access and
 * gnttab_end_access may also run in upcall context; the rest is for threads
 * (map areas allocate page tables). A ref is never handed out twice and
 * never reused while the other side still uses it. */
#ifndef MINIOS_GNTTAB_H
#define MINIOS_GNTTAB_H

#include <minios/types.h>
#include <minios/xen.h>
#include <xen/grant_table.h>

/* Internal: set up and map the grant table (kernel start-up). If Xen gives
 * us no table, every call below fails with -ENODEV. */
void gnttab_init(void);

/* Let domid access our page pfn (its virtual address >> PAGE_SHIFT; the
 * frame Xen needs is looked up here). Stores the new ref in *ref.
 * -EINVAL bad domid/pfn, -ENOSPC no free ref, -ENODEV no grant table. */
int gnttab_grant_access(domid_t domid, unsigned long pfn, bool readonly, grant_ref_t *ref);

static inline int gnttab_grant_page(domid_t domid, const void *page, bool readonly,
                                    grant_ref_t *ref)
{
    return gnttab_grant_access(domid, (uintptr_t)page >> PAGE_SHIFT, readonly, ref);
}

/* Revoke a grant and free its ref. -EBUSY while the other side still has
 * it mapped (the grant stays in force and the ref stays ours: try again
 * later); -EINVAL (with a printk) for a reserved, out-of-range or free ref. */
int gnttab_end_access(grant_ref_t ref);

/* Backend side: map (domid, ref) at va (page aligned, from
 * gnttab_map_area_alloc) and store the handle for the unmap. Errors from
 * Xen's GNTST_* codes: -EINVAL bad ref/handle, -EPERM, -ESRCH bad domain,
 * -EFAULT bad address, -EAGAIN, -EIO other. -EOPNOTSUPP for a grant of our
 * own on x86 PVH: there Xen would move the page to va and leave nothing at
 * its own address, not even after the unmap. */
int gnttab_map_grant_ref(domid_t domid, grant_ref_t ref, bool readonly, void *va,
                         grant_handle_t *handle);
int gnttab_unmap_grant_ref(void *va, grant_handle_t handle);

/* Virtual address space for gnttab_map_grant_ref: n pages, NULL if none
 * left. Free only after unmapping (-EBUSY otherwise, -EINVAL if not ours). */
void *gnttab_map_area_alloc(unsigned n);
int gnttab_map_area_free(void *va, unsigned n);

/* GNTTABOP_copy for count ops. Our own side of a copy is given as
 * {.u.gmfn = gnttab_frame_of(buf), .domid = DOMID_SELF, .offset = ...}; a
 * copy must not cross a page boundary on either side. Returns 0 when every
 * op succeeded, else the error of the first failed one (each op's status
 * says which ones). */
int gnttab_copy(struct gnttab_copy *ops, unsigned count);

/* The frame number Xen uses for our page at va (in grant entries, copies). */
xen_pfn_t gnttab_frame_of(const void *va);

/* Refs handed out and not yet revoked / refs that can be handed out at
 * most (both without the reserved ones). For tests and statistics. */
unsigned gnttab_refs_in_use(void);
unsigned gnttab_refs_total(void);

#endif
