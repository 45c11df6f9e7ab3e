/* Binary buddy page allocator.
 *
 * Layout of a region [start, end):
 *   [metadata pages][managed pages ...............................]
 * The metadata is one byte per managed page, carved from the start of the
 * region (ceil(total / 4097) pages, i.e. one page per ~16 MiB of RAM):
 *   0x00            page is not the first page of a block
 *   META_FREE|k     first page of a free block of order k
 *   META_ALLOC|k    first page of an allocated block of order k
 * Only block heads carry a value, so splitting and merging touch O(1) bytes.
 *
 * Blocks are naturally aligned to ABSOLUTE addresses: a block of order k
 * starts at an address that is a multiple of PAGE_SIZE << k. The managed
 * range is first cut into the largest aligned blocks that fit, so a region
 * with an odd start simply has a few small blocks at its edges. Buddies
 * (pfn ^ (1 << k)) only merge when both lie inside the same region.
 *
 * Free blocks are kept on per-region, per-order circular doubly linked
 * lists whose nodes live in the first bytes of the free blocks themselves.
 *
 * No locking: callers must serialise (single vCPU, no allocation from
 * interrupt context). */
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/mm.h>
#include <minios/panic.h>

#define META_FREE 0x80u
#define META_ALLOC 0x40u
#define META_ORDER_MASK 0x1fu
#define NR_ORDERS (PAGES_MAX_ORDER + 1)

struct free_block {
    struct free_block *next;
    struct free_block *prev;
};

struct region {
    uintptr_t start; /* whole region, including metadata */
    uintptr_t end;
    uintptr_t base_pfn; /* first managed page */
    uintptr_t end_pfn;  /* one past the last managed page */
    uint8_t *meta;      /* meta[pfn - base_pfn] */
    size_t free_pages;
    size_t free_blocks[NR_ORDERS];
    struct free_block lists[NR_ORDERS]; /* sentinels */
};

static struct region regions[PAGES_MAX_REGIONS];
static unsigned nr_regions;

static uintptr_t order_pages(unsigned order)
{
    return (uintptr_t)1 << order;
}

static void *pfn_to_ptr(uintptr_t pfn)
{
    return (void *)(pfn << PAGE_SHIFT);
}

static uintptr_t ptr_to_pfn(const void *p)
{
    return (uintptr_t)p >> PAGE_SHIFT;
}

static uint8_t *meta_of(struct region *r, uintptr_t pfn)
{
    return &r->meta[pfn - r->base_pfn];
}

static bool meta_is_free(uint8_t m)
{
    return (m & ~META_ORDER_MASK) == META_FREE && (m & META_ORDER_MASK) <= PAGES_MAX_ORDER;
}

static bool meta_is_alloc(uint8_t m)
{
    return (m & ~META_ORDER_MASK) == META_ALLOC && (m & META_ORDER_MASK) <= PAGES_MAX_ORDER;
}

static unsigned meta_order(uint8_t m)
{
    return m & META_ORDER_MASK;
}

static bool pfn_in_region(const struct region *r, uintptr_t pfn)
{
    return pfn >= r->base_pfn && pfn < r->end_pfn;
}

static struct region *region_of_pfn(uintptr_t pfn)
{
    for (unsigned i = 0; i < nr_regions; i++) {
        if (pfn_in_region(&regions[i], pfn))
            return &regions[i];
    }
    return NULL;
}

/* --- free lists --- */

static void list_init(struct free_block *head)
{
    head->next = head;
    head->prev = head;
}

static bool list_empty(const struct free_block *head)
{
    return head->next == head;
}

static void list_push(struct free_block *head, struct free_block *node)
{
    node->next = head->next;
    node->prev = head;
    head->next->prev = node;
    head->next = node;
}

static void list_unlink(struct free_block *node)
{
    node->prev->next = node->next;
    node->next->prev = node->prev;
}

/* A pointer found in a free list must be the sentinel or a page of r. */
static bool is_list_ptr(struct region *r, unsigned order, const struct free_block *p)
{
    if (p == &r->lists[order])
        return true;
    return ((uintptr_t)p & ~PAGE_MASK) == 0 && pfn_in_region(r, ptr_to_pfn(p));
}

/* Checks a free block before it is unlinked: a stray write into freed memory
 * must be caught here rather than followed. */
static bool free_node_ok(struct region *r, unsigned order, const struct free_block *node)
{
    if (!is_list_ptr(r, order, node) || node == &r->lists[order])
        return false;
    if (*meta_of(r, ptr_to_pfn(node)) != (META_FREE | order))
        return false;
    if (!is_list_ptr(r, order, node->next) || !is_list_ptr(r, order, node->prev))
        return false;
    return node->next->prev == node && node->prev->next == node;
}

static void add_free_block(struct region *r, uintptr_t pfn, unsigned order)
{
    *meta_of(r, pfn) = (uint8_t)(META_FREE | order);
    list_push(&r->lists[order], pfn_to_ptr(pfn));
    r->free_blocks[order]++;
    r->free_pages += order_pages(order);
}

/* The caller has validated the node. Leaves the head byte to the caller. */
static void remove_free_block(struct region *r, uintptr_t pfn, unsigned order)
{
    list_unlink(pfn_to_ptr(pfn));
    r->free_blocks[order]--;
    r->free_pages -= order_pages(order);
}

/* --- regions --- */

static bool ranges_overlap(uintptr_t a0, uintptr_t a1, uintptr_t b0, uintptr_t b1)
{
    return a0 < b1 && b0 < a1;
}

static bool overlaps_existing_region(uintptr_t start, uintptr_t end)
{
    for (unsigned i = 0; i < nr_regions; i++) {
        if (ranges_overlap(start, end, regions[i].start, regions[i].end))
            return true;
    }
    return false;
}

/* Largest order whose aligned block starting at pfn fits below end_pfn. */
static unsigned largest_fitting_order(uintptr_t pfn, uintptr_t end_pfn)
{
    unsigned order = 0;

    while (order < PAGES_MAX_ORDER && (pfn & order_pages(order)) == 0 &&
           pfn + order_pages(order + 1) <= end_pfn)
        order++;
    return order;
}

int pages_add_region(uintptr_t start, uintptr_t end)
{
    struct region *r;
    size_t total, meta_pages;

    if (nr_regions >= PAGES_MAX_REGIONS)
        return -EINVAL;
    /* Address 0 would make the metadata pointer NULL. */
    if (start == 0 || (start & ~PAGE_MASK) != 0 || (end & ~PAGE_MASK) != 0 || end <= start)
        return -EINVAL;
    total = (end - start) >> PAGE_SHIFT;
    /* m metadata pages describe total - m pages: need m * PAGE_SIZE >= total - m. */
    meta_pages = (total + PAGE_SIZE) / (PAGE_SIZE + 1);
    if (total <= meta_pages || overlaps_existing_region(start, end))
        return -EINVAL;

    r = &regions[nr_regions];
    *r = (struct region){
        .start = start,
        .end = end,
        .base_pfn = (start >> PAGE_SHIFT) + meta_pages,
        .end_pfn = end >> PAGE_SHIFT,
        .meta = (uint8_t *)start,
    };
    for (unsigned k = 0; k < NR_ORDERS; k++)
        list_init(&r->lists[k]);
    for (uintptr_t pfn = r->base_pfn; pfn < r->end_pfn; pfn++)
        *meta_of(r, pfn) = 0;
    for (uintptr_t pfn = r->base_pfn; pfn < r->end_pfn;) {
        unsigned order = largest_fitting_order(pfn, r->end_pfn);
        add_free_block(r, pfn, order);
        pfn += order_pages(order);
    }
    nr_regions++;
    return 0;
}

/* --- allocation --- */

/* Finds the smallest free block of at least `order` pages over all regions
 * (best fit keeps big blocks intact for big requests). */
static struct region *find_smallest_block(unsigned order, unsigned *found)
{
    for (unsigned k = order; k <= PAGES_MAX_ORDER; k++) {
        for (unsigned i = 0; i < nr_regions; i++) {
            if (!list_empty(&regions[i].lists[k])) {
                *found = k;
                return &regions[i];
            }
        }
    }
    return NULL;
}

static int (*grow_hook)(unsigned order);

void pages_set_grow_hook(int (*hook)(unsigned order))
{
    grow_hook = hook;
}

void *pages_alloc(unsigned order)
{
    struct region *r;
    struct free_block *node;
    unsigned k;
    uintptr_t pfn;

    if (order > PAGES_MAX_ORDER)
        return NULL;
    r = find_smallest_block(order, &k);
    /* Out of mapped RAM: let the arch map more (it adds a region). */
    while (r == NULL && grow_hook && grow_hook(order) == 0)
        r = find_smallest_block(order, &k);
    if (r == NULL)
        return NULL;

    node = r->lists[k].next;
    if (!free_node_ok(r, k, node))
        panic("pages_alloc: free list of order %u corrupted at %p (write after free?)", k,
              (void *)node);
    pfn = ptr_to_pfn(node);
    remove_free_block(r, pfn, k);
    /* Split, giving back the upper halves. */
    while (k > order) {
        k--;
        add_free_block(r, pfn + order_pages(k), k);
    }
    *meta_of(r, pfn) = (uint8_t)(META_ALLOC | order);
    return node;
}

/* Finds the head of the block containing pfn: thanks to natural alignment
 * it is the first non-zero byte at pfn rounded down to 1, 2, 4, ... pages. */
static bool find_block_head(struct region *r, uintptr_t pfn, uintptr_t *head, uint8_t *meta)
{
    for (unsigned k = 0; k <= PAGES_MAX_ORDER; k++) {
        uintptr_t q = pfn & ~(order_pages(k) - 1);
        uint8_t m;

        if (q < r->base_pfn)
            return false;
        m = *meta_of(r, q);
        if (m == 0)
            continue;
        if (!meta_is_free(m) && !meta_is_alloc(m))
            return false;
        if (q + order_pages(meta_order(m)) <= pfn)
            return false; /* the head found does not cover pfn: inconsistent */
        *head = q;
        *meta = m;
        return true;
    }
    return false;
}

void *pages_block_of(const void *p, unsigned *order)
{
    uintptr_t pfn = ptr_to_pfn(p);
    struct region *r = region_of_pfn(pfn);
    uintptr_t head;
    uint8_t m;

    if (r == NULL || !find_block_head(r, pfn, &head, &m) || !meta_is_alloc(m))
        return NULL;
    *order = meta_order(m);
    return pfn_to_ptr(head);
}

/* Explains why (p, order) is not a block we handed out, then panics. */
static __noreturn void bad_free(struct region *r, const void *p, unsigned order)
{
    uintptr_t pfn = ptr_to_pfn(p);
    uint8_t m = *meta_of(r, pfn);
    uintptr_t head;

    if (meta_is_alloc(m))
        panic("pages_free(%p, %u): block was allocated with order %u", p, order, meta_order(m));
    if (meta_is_free(m))
        panic("pages_free(%p, %u): double free (block is already free, order %u)", p, order,
              meta_order(m));
    if (m != 0)
        panic("pages_free(%p, %u): corrupted metadata byte %#x", p, order, m);
    if (!find_block_head(r, pfn, &head, &m))
        panic("pages_free(%p, %u): metadata inconsistent around this page", p, order);
    if (meta_is_free(m))
        panic("pages_free(%p, %u): double free (page lies in free block %p, order %u)", p, order,
              pfn_to_ptr(head), meta_order(m));
    panic("pages_free(%p, %u): not the start of a block (inside block %p, order %u)", p, order,
          pfn_to_ptr(head), meta_order(m));
}

/* How far the block at pfn will merge. Validates every buddy before the
 * caller changes anything, so a corrupted list panics with state intact. */
static unsigned merge_order(struct region *r, uintptr_t pfn, unsigned order)
{
    while (order < PAGES_MAX_ORDER) {
        uintptr_t buddy = pfn ^ order_pages(order);

        if (!pfn_in_region(r, buddy) || *meta_of(r, buddy) != (META_FREE | order))
            break;
        if (!free_node_ok(r, order, pfn_to_ptr(buddy)))
            panic("pages_free: free list of order %u corrupted at %p (write after free?)", order,
                  pfn_to_ptr(buddy));
        pfn &= ~order_pages(order);
        order++;
    }
    return order;
}

void pages_free(void *p, unsigned order)
{
    uintptr_t pfn = ptr_to_pfn(p);
    struct region *r;
    unsigned final_order;

    if (order > PAGES_MAX_ORDER)
        panic("pages_free(%p, %u): order too large", p, order);
    if (((uintptr_t)p & ~PAGE_MASK) != 0)
        panic("pages_free(%p, %u): pointer is not page aligned", p, order);
    r = region_of_pfn(pfn);
    if (r == NULL)
        panic("pages_free(%p, %u): pointer is not in any page allocator region", p, order);
    if (*meta_of(r, pfn) != (META_ALLOC | order))
        bad_free(r, p, order);

    final_order = merge_order(r, pfn, order);
    *meta_of(r, pfn) = 0;
    for (; order < final_order; order++) {
        uintptr_t buddy = pfn ^ order_pages(order);
        remove_free_block(r, buddy, order);
        *meta_of(r, buddy) = 0;
        pfn &= ~order_pages(order);
    }
    add_free_block(r, pfn, final_order);
}

size_t pages_free_count(void)
{
    size_t n = 0;

    for (unsigned i = 0; i < nr_regions; i++)
        n += regions[i].free_pages;
    return n;
}

size_t pages_total_count(void)
{
    size_t n = 0;

    for (unsigned i = 0; i < nr_regions; i++)
        n += regions[i].end_pfn - regions[i].base_pfn;
    return n;
}

/* --- consistency check --- */

struct meta_census {
    size_t free_pages;
    size_t free_blocks[NR_ORDERS];
};

/* Walks the metadata block by block: heads must tile the region exactly,
 * tails must be zero, free buddies must have been merged. */
static int check_region_meta(struct region *r, unsigned idx, struct meta_census *c)
{
    uintptr_t pfn = r->base_pfn;

    while (pfn < r->end_pfn) {
        uint8_t m = *meta_of(r, pfn);
        unsigned order = meta_order(m);
        uintptr_t end;

        if (!meta_is_free(m) && !meta_is_alloc(m)) {
            printk("pages_check: region %u: page %p should start a block, meta %#x\n", idx,
                   pfn_to_ptr(pfn), m);
            return -EINVAL;
        }
        end = pfn + order_pages(order);
        if ((pfn & (order_pages(order) - 1)) != 0 || end > r->end_pfn) {
            printk("pages_check: region %u: block %p order %u misaligned or past the end\n", idx,
                   pfn_to_ptr(pfn), order);
            return -EINVAL;
        }
        for (uintptr_t t = pfn + 1; t < end; t++) {
            if (*meta_of(r, t) != 0) {
                printk("pages_check: region %u: page %p inside block %p has meta %#x\n", idx,
                       pfn_to_ptr(t), pfn_to_ptr(pfn), *meta_of(r, t));
                return -EINVAL;
            }
        }
        if (meta_is_free(m)) {
            uintptr_t buddy = pfn ^ order_pages(order);
            if (order < PAGES_MAX_ORDER && pfn_in_region(r, buddy) &&
                *meta_of(r, buddy) == (META_FREE | order)) {
                printk("pages_check: region %u: free buddies %p and %p (order %u) not merged\n",
                       idx, pfn_to_ptr(pfn), pfn_to_ptr(buddy), order);
                return -EINVAL;
            }
            c->free_blocks[order]++;
            c->free_pages += order_pages(order);
        }
        pfn = end;
    }
    return 0;
}

static int check_region_lists(struct region *r, unsigned idx, const struct meta_census *c)
{
    for (unsigned k = 0; k <= PAGES_MAX_ORDER; k++) {
        struct free_block *head = &r->lists[k];
        size_t n = 0;

        if (!is_list_ptr(r, k, head->next) || !is_list_ptr(r, k, head->prev)) {
            printk("pages_check: region %u: order %u list head is corrupted\n", idx, k);
            return -EINVAL;
        }
        /* Bounded walk: a cycle that misses the sentinel shows up as too many nodes. */
        for (struct free_block *node = head->next; node != head; node = node->next) {
            if (!free_node_ok(r, k, node)) {
                printk("pages_check: region %u: bad node %p on the order %u free list\n", idx,
                       (void *)node, k);
                return -EINVAL;
            }
            if (++n > c->free_blocks[k]) {
                printk("pages_check: region %u: order %u list longer than the %zu free "
                       "blocks\n",
                       idx, k, c->free_blocks[k]);
                return -EINVAL;
            }
        }
        if (n != c->free_blocks[k] || n != r->free_blocks[k]) {
            printk("pages_check: region %u: order %u: %zu listed, %zu in metadata, %zu "
                   "counted\n",
                   idx, k, n, c->free_blocks[k], r->free_blocks[k]);
            return -EINVAL;
        }
    }
    if (c->free_pages != r->free_pages) {
        printk("pages_check: region %u: %zu free pages in metadata, counter says %zu\n", idx,
               c->free_pages, r->free_pages);
        return -EINVAL;
    }
    return 0;
}

static int check_region_bounds(const struct region *r, unsigned idx)
{
    for (unsigned j = 0; j < idx; j++) {
        if (ranges_overlap(r->start, r->end, regions[j].start, regions[j].end)) {
            printk("pages_check: regions %u and %u overlap\n", j, idx);
            return -EINVAL;
        }
    }
    if ((uintptr_t)r->meta != r->start || r->base_pfn <= (r->start >> PAGE_SHIFT) ||
        r->end_pfn != (r->end >> PAGE_SHIFT) || r->base_pfn >= r->end_pfn) {
        printk("pages_check: region %u: descriptor is corrupted\n", idx);
        return -EINVAL;
    }
    return 0;
}

int pages_check(void)
{
    for (unsigned i = 0; i < nr_regions; i++) {
        struct region *r = &regions[i];
        struct meta_census census = {0};
        int err;

        err = check_region_bounds(r, i);
        if (err == 0)
            err = check_region_meta(r, i, &census);
        if (err == 0)
            err = check_region_lists(r, i, &census);
        if (err != 0)
            return err;
    }
    return 0;
}
