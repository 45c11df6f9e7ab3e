/* Kernel heap on top of the page allocator.
 *
 * Small objects (<= 2048 bytes) come from slabs: single pages holding
 * objects of one power-of-two size class (16, 32, ..., 2048). A 64-byte
 * header at the start of the page records the class, the free count, a
 * free list (object indices, threaded through the free objects together
 * with a canary that catches writes after free) and a bitmap of allocated
 * objects (catches double frees). Objects are aligned to their class size.
 *
 *   slab page: [struct slab | pad to class size][obj 0][obj 1]...
 *
 * Larger requests, and alignments above 2048, get a page block of their
 * own, with a header at the block start and the object after it:
 *
 *   large:     [struct large_hdr | pad to max(64, align)][object ...]
 *
 * Every pointer handed out lies inside a page block whose first page holds
 * the header, and the page allocator can tell us that block from any
 * address (pages_block_of), so headers are never searched for and cannot be
 * forged by data in the middle of an allocation. For slabs this is simply
 * the pointer rounded down to its page.
 *
 * Slab pages with no live object go straight back to the page allocator.
 * No locking: callers must serialise, like the page allocator. */
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/mm.h>
#include <minios/panic.h>

#define SLAB_MAGIC 0x51ab7a9eu
#define LARGE_MAGIC 0x1a39e0b7u
#define FREE_CANARY 0xf7eeca7du

#define HEAP_MIN_SHIFT 4       /* 16-byte objects, and the minimum alignment */
#define HEAP_MAX_SLAB_SHIFT 11 /* 2048-byte objects */
#define NR_CLASSES (HEAP_MAX_SLAB_SHIFT - HEAP_MIN_SHIFT + 1)
#define HEAP_MIN_ALIGN ((size_t)1 << HEAP_MIN_SHIFT)
#define HEAP_MAX_SLAB_SIZE ((size_t)1 << HEAP_MAX_SLAB_SHIFT)
#define LARGE_MIN_OFFSET 64 /* large objects start cache-line aligned */
#define LARGE_MAX_BLOCK ((size_t)PAGE_SIZE << PAGES_MAX_ORDER)
#define SLAB_MAX_OBJS 256
#define FREE_LIST_END 0xffffu

struct list_node {
    struct list_node *next;
    struct list_node *prev;
};

struct slab {
    uint32_t magic;
    uint8_t class_idx;
    uint8_t reserved;
    uint16_t nobjs;
    uint16_t nfree;
    uint16_t free_head; /* index of the first free object, FREE_LIST_END if none */
    uint32_t reserved2;
    struct list_node link; /* on the class's partial or full list */
    uint64_t used[SLAB_MAX_OBJS / 64];
};

/* What a free slab object holds: the next free index and a canary tied to
 * the object's address, checked when the object is handed out again. */
struct free_obj {
    uint32_t next;
    uint32_t canary;
};

struct large_hdr {
    uint32_t magic;
    uint32_t order;
    size_t size;           /* bytes requested */
    void *user;            /* the pointer handed out */
    struct list_node link; /* on large_list */
    uintptr_t check;       /* mix of the fields above: catches scribbles */
};

_Static_assert(sizeof(struct slab) <= 64, "slab header must fit before the first object");
_Static_assert(sizeof(struct large_hdr) <= LARGE_MIN_OFFSET, "large header too big");

struct size_class {
    struct list_node partial; /* slabs with free and used objects */
    struct list_node full;    /* slabs with no free object */
    size_t nr_slabs;
};

static struct size_class classes[NR_CLASSES];
static struct list_node large_list;
static size_t nr_large;
static bool heap_ready;

/* --- small helpers --- */

static void list_init(struct list_node *head)
{
    head->next = head;
    head->prev = head;
}

static bool list_empty(const struct list_node *head)
{
    return head->next == head;
}

static void list_add(struct list_node *head, struct list_node *node)
{
    node->next = head->next;
    node->prev = head;
    head->next->prev = node;
    head->next = node;
}

static void list_del(struct list_node *node)
{
    node->prev->next = node->next;
    node->next->prev = node->prev;
    node->next = node->prev = NULL;
}

static void heap_init_once(void)
{
    if (heap_ready)
        return;
    for (unsigned i = 0; i < NR_CLASSES; i++) {
        list_init(&classes[i].partial);
        list_init(&classes[i].full);
    }
    list_init(&large_list);
    heap_ready = true;
}

static size_t class_size(unsigned idx)
{
    return (size_t)1 << (idx + HEAP_MIN_SHIFT);
}

static size_t class_first_offset(unsigned idx)
{
    return ALIGN_UP(sizeof(struct slab), class_size(idx));
}

static unsigned class_nobjs(unsigned idx)
{
    return (unsigned)((PAGE_SIZE - class_first_offset(idx)) / class_size(idx));
}

/* Smallest class that holds size bytes aligned to align (both <= 2048). */
static unsigned class_for(size_t size, size_t align)
{
    unsigned idx = 0;

    while (class_size(idx) < size || class_size(idx) < align)
        idx++;
    return idx;
}

/* Smallest order whose block holds bytes; > PAGES_MAX_ORDER if none. */
static unsigned order_for(size_t bytes)
{
    unsigned order = 0;

    while (order <= PAGES_MAX_ORDER && ((size_t)PAGE_SIZE << order) < bytes)
        order++;
    return order;
}

static unsigned popcount64(uint64_t x)
{
    unsigned n = 0;

    for (; x != 0; x &= x - 1) /* no __builtin_popcount: it may need libgcc */
        n++;
    return n;
}

static bool bit_test(const uint64_t *map, unsigned i)
{
    return (map[i / 64] >> (i % 64)) & 1;
}

static void bit_set(uint64_t *map, unsigned i)
{
    map[i / 64] |= (uint64_t)1 << (i % 64);
}

static void bit_clear(uint64_t *map, unsigned i)
{
    map[i / 64] &= ~((uint64_t)1 << (i % 64));
}

/* --- slabs --- */

static void *slab_obj(struct slab *s, unsigned i)
{
    return (char *)s + class_first_offset(s->class_idx) + (size_t)i * class_size(s->class_idx);
}

static uint32_t canary_for(const void *obj)
{
    return FREE_CANARY ^ (uint32_t)(uintptr_t)obj;
}

static void slab_push_free(struct slab *s, unsigned i)
{
    struct free_obj *f = slab_obj(s, i);

    f->next = s->free_head;
    f->canary = canary_for(f);
    s->free_head = (uint16_t)i;
}

static struct slab *slab_create(unsigned idx)
{
    struct slab *s = pages_alloc(0);

    if (s == NULL)
        return NULL;
    *s = (struct slab){
        .magic = SLAB_MAGIC,
        .class_idx = (uint8_t)idx,
        .nobjs = (uint16_t)class_nobjs(idx),
        .nfree = (uint16_t)class_nobjs(idx),
        .free_head = FREE_LIST_END,
    };
    /* Push in reverse so objects are handed out in address order. */
    for (unsigned i = s->nobjs; i-- > 0;)
        slab_push_free(s, i);
    list_add(&classes[idx].partial, &s->link);
    classes[idx].nr_slabs++;
    return s;
}

static void *slab_alloc(unsigned idx)
{
    struct size_class *c = &classes[idx];
    struct slab *s;
    struct free_obj *f;
    unsigned i;

    if (list_empty(&c->partial) && slab_create(idx) == NULL)
        return NULL;
    s = container_of(c->partial.next, struct slab, link);
    i = s->free_head;
    f = i < s->nobjs ? slab_obj(s, i) : NULL;
    if (f == NULL || bit_test(s->used, i) || f->canary != canary_for(f) ||
        (f->next >= s->nobjs && f->next != FREE_LIST_END))
        panic("kmalloc: free list of %zu-byte slab %p damaged at object %u (write after free?)",
              class_size(idx), (void *)s, i);
    s->free_head = (uint16_t)f->next;
    bit_set(s->used, i);
    if (--s->nfree == 0) {
        list_del(&s->link);
        list_add(&c->full, &s->link);
    }
    return f;
}

static void slab_free(struct slab *s, unsigned i)
{
    struct size_class *c = &classes[s->class_idx];

    bit_clear(s->used, i);
    slab_push_free(s, i);
    s->nfree++;
    if (s->nfree == s->nobjs) {
        list_del(&s->link);
        c->nr_slabs--;
        s->magic = 0; /* stale pointers into this page no longer look like a slab */
        pages_free(s, 0);
    } else if (s->nfree == 1) {
        list_del(&s->link);
        list_add(&c->partial, &s->link);
    }
}

/* --- large blocks --- */

static uintptr_t large_check_value(const struct large_hdr *h)
{
    return (uintptr_t)h->magic ^ ((uintptr_t)h->order << 8) ^ (uintptr_t)h->size ^
           (uintptr_t)h->user ^ (uintptr_t)0x9e3779b97f4a7c15ull;
}

static void *large_alloc(size_t size, size_t align)
{
    size_t offset = MAX((size_t)LARGE_MIN_OFFSET, align);
    struct large_hdr *h;
    unsigned order;

    if (offset >= LARGE_MAX_BLOCK || size > LARGE_MAX_BLOCK - offset)
        return NULL;
    order = order_for(offset + size);
    h = pages_alloc(order);
    if (h == NULL)
        return NULL;
    /* Blocks are aligned to their size (see page_alloc.c) and the block is
     * larger than offset, so block + offset is aligned to align. */
    *h = (struct large_hdr){
        .magic = LARGE_MAGIC,
        .order = order,
        .size = size,
        .user = (char *)h + offset,
    };
    h->check = large_check_value(h);
    BUG_ON(((uintptr_t)h->user & (align - 1)) != 0);
    list_add(&large_list, &h->link);
    nr_large++;
    return h->user;
}

static size_t large_usable(const struct large_hdr *h)
{
    return ((size_t)PAGE_SIZE << h->order) - (size_t)((char *)h->user - (char *)h);
}

static void large_free(struct large_hdr *h)
{
    list_del(&h->link);
    nr_large--;
    h->magic = 0;
    pages_free(h, h->order);
}

/* --- pointer lookup --- */

struct heap_ref {
    struct slab *slab; /* set for slab objects */
    unsigned obj;
    struct large_hdr *large; /* set for large blocks */
};

static bool slab_header_ok(const struct slab *s)
{
    return s->class_idx < NR_CLASSES && s->nobjs == class_nobjs(s->class_idx) &&
           s->nfree <= s->nobjs;
}

static void lookup_slab(const char *who, const void *p, struct slab *s, unsigned order,
                        struct heap_ref *ref)
{
    size_t off = (size_t)((const char *)p - (const char *)s);
    size_t first, size;

    if (order != 0 || !slab_header_ok(s))
        panic("%s(%p): slab header at %p is corrupted", who, p, (void *)s);
    first = class_first_offset(s->class_idx);
    size = class_size(s->class_idx);
    if (off < first || (off - first) % size != 0)
        panic("%s(%p): not the start of an object (slab %p holds %zu-byte objects)", who, p,
              (void *)s, size);
    ref->slab = s;
    ref->obj = (unsigned)((off - first) / size);
    if (!bit_test(s->used, ref->obj))
        panic("%s(%p): object is not allocated (double free or use after free)", who, p);
}

static void lookup_large(const char *who, const void *p, struct large_hdr *h, unsigned order,
                         struct heap_ref *ref)
{
    if (h->check != large_check_value(h) || h->order != order)
        panic("%s(%p): large block header at %p is corrupted", who, p, (void *)h);
    if (p != h->user)
        panic("%s(%p): not the start of an allocation (large block %p starts at %p)", who, p,
              (void *)h, h->user);
    ref->large = h;
}

/* Finds and validates the header for p; panics with who's name if p is not
 * a live allocation. */
static void lookup(const char *who, const void *p, struct heap_ref *ref)
{
    unsigned order;
    void *block = pages_block_of(p, &order);
    uint32_t magic;

    *ref = (struct heap_ref){0};
    if (block == NULL)
        panic("%s(%p): not a live heap pointer (double free, or memory the heap never "
              "handed out)",
              who, p);
    magic = *(const uint32_t *)block;
    if (magic == SLAB_MAGIC)
        lookup_slab(who, p, block, order, ref);
    else if (magic == LARGE_MAGIC)
        lookup_large(who, p, block, order, ref);
    else
        panic("%s(%p): no heap header in block %p (magic %#x): foreign pointer or corrupted "
              "heap",
              who, p, block, magic);
}

static size_t ref_usable(const struct heap_ref *ref)
{
    return ref->slab ? class_size(ref->slab->class_idx) : large_usable(ref->large);
}

/* --- public API --- */

static void *heap_alloc(size_t size, size_t align)
{
    heap_init_once();
    if (size == 0)
        return NULL;
    align = MAX(align, HEAP_MIN_ALIGN);
    if (size <= HEAP_MAX_SLAB_SIZE && align <= HEAP_MAX_SLAB_SIZE)
        return slab_alloc(class_for(size, align));
    return large_alloc(size, align);
}

void *kmalloc(size_t size)
{
    return heap_alloc(size, HEAP_MIN_ALIGN);
}

void *kzalloc(size_t size)
{
    void *p = kmalloc(size);

    if (p != NULL)
        __builtin_memset(p, 0, size);
    return p;
}

void *kmalloc_aligned(size_t size, size_t align)
{
    if (!IS_POW2(align))
        return NULL;
    return heap_alloc(size, align);
}

void kfree(void *p)
{
    struct heap_ref ref;

    if (p == NULL)
        return;
    heap_init_once();
    lookup("kfree", p, &ref);
    if (ref.slab)
        slab_free(ref.slab, ref.obj);
    else
        large_free(ref.large);
}

size_t kmalloc_usable_size(const void *p)
{
    struct heap_ref ref;

    if (p == NULL)
        return 0;
    heap_init_once();
    lookup("kmalloc_usable_size", p, &ref);
    return ref_usable(&ref);
}

/* Keeps p when the new size still fits and would not waste more than half. */
static bool realloc_in_place(struct heap_ref *ref, size_t size)
{
    size_t usable = ref_usable(ref);

    if (size > usable)
        return false;
    if (ref->slab)
        return size > usable / 2 || ref->slab->class_idx == 0;
    if (size <= usable / 2)
        return false;
    ref->large->size = size;
    ref->large->check = large_check_value(ref->large);
    return true;
}

void *krealloc(void *p, size_t size)
{
    struct heap_ref ref;
    void *q;

    if (p == NULL)
        return kmalloc(size);
    if (size == 0) {
        kfree(p);
        return NULL;
    }
    heap_init_once();
    lookup("krealloc", p, &ref);
    if (realloc_in_place(&ref, size))
        return p;
    q = kmalloc(size);
    if (q == NULL)
        return NULL; /* p stays valid, as with realloc */
    __builtin_memcpy(q, p, MIN(size, ref_usable(&ref)));
    kfree(p);
    return q;
}

/* --- consistency check --- */

static int check_slab_free_list(struct slab *s)
{
    uint64_t seen[SLAB_MAX_OBJS / 64] = {0};
    unsigned n = 0;

    for (unsigned i = s->free_head; i != FREE_LIST_END;) {
        struct free_obj *f;

        if (i >= s->nobjs || bit_test(s->used, i) || bit_test(seen, i)) {
            printk("kmalloc_check: slab %p: bad free list entry %u\n", (void *)s, i);
            return -EINVAL;
        }
        f = slab_obj(s, i);
        if (f->canary != canary_for(f)) {
            printk("kmalloc_check: slab %p: free object %p was written after free\n", (void *)s,
                   (void *)f);
            return -EINVAL;
        }
        bit_set(seen, i);
        n++;
        i = f->next;
    }
    if (n != s->nfree) {
        printk("kmalloc_check: slab %p: %u objects on the free list, nfree is %u\n", (void *)s, n,
               s->nfree);
        return -EINVAL;
    }
    return 0;
}

static int check_slab(struct slab *s, unsigned idx, bool full)
{
    unsigned order, used = 0;

    if (pages_block_of(s, &order) != s || order != 0 || s->magic != SLAB_MAGIC ||
        !slab_header_ok(s) || s->class_idx != idx) {
        printk("kmalloc_check: slab %p on the %zu-byte list has a bad header or page\n", (void *)s,
               class_size(idx));
        return -EINVAL;
    }
    for (unsigned w = 0; w < ARRAY_SIZE(s->used); w++)
        used += popcount64(s->used[w]);
    if (used + s->nfree != s->nobjs || (full ? s->nfree != 0 : s->nfree == 0) ||
        s->nfree == s->nobjs) {
        printk("kmalloc_check: slab %p: %u used + %u free != %u, or on the wrong list\n", (void *)s,
               used, s->nfree, s->nobjs);
        return -EINVAL;
    }
    for (unsigned i = s->nobjs; i < SLAB_MAX_OBJS; i++) {
        if (bit_test(s->used, i)) {
            printk("kmalloc_check: slab %p: bitmap marks object %u past the end\n", (void *)s, i);
            return -EINVAL;
        }
    }
    return check_slab_free_list(s);
}

/* A list node lives in a header at the start of a live page block; anything
 * else must not be dereferenced. */
static bool node_in_live_block(const struct list_node *head, const struct list_node *n)
{
    unsigned order;

    return n == head || (n != NULL && pages_block_of(n, &order) != NULL);
}

/* Walks a list checking the links; *count gets its length. The walk is
 * bounded by the number of pages, so a cycle cannot hang it. */
static int check_list(const char *what, struct list_node *head, size_t *count)
{
    size_t limit = pages_total_count() + 1;

    *count = 0;
    for (struct list_node *n = head->next; n != head; n = n->next) {
        if (!node_in_live_block(head, n) || !node_in_live_block(head, n->next) ||
            n->next->prev != n || ++*count > limit) {
            printk("kmalloc_check: %s list is broken\n", what);
            return -EINVAL;
        }
    }
    return 0;
}

static int check_class(unsigned idx)
{
    struct size_class *c = &classes[idx];
    struct list_node *heads[2] = {&c->partial, &c->full};
    size_t total = 0;

    for (unsigned h = 0; h < 2; h++) {
        size_t n;
        int err = check_list(h ? "full slab" : "partial slab", heads[h], &n);

        if (err)
            return err;
        total += n;
        for (struct list_node *l = heads[h]->next; l != heads[h]; l = l->next) {
            err = check_slab(container_of(l, struct slab, link), idx, h == 1);
            if (err)
                return err;
        }
    }
    if (total != c->nr_slabs) {
        printk("kmalloc_check: %zu-byte class lists %zu slabs, counter says %zu\n", class_size(idx),
               total, c->nr_slabs);
        return -EINVAL;
    }
    return 0;
}

static int check_large(void)
{
    size_t n;
    int err = check_list("large block", &large_list, &n);

    if (err)
        return err;
    if (n != nr_large) {
        printk("kmalloc_check: %zu large blocks listed, counter says %zu\n", n, nr_large);
        return -EINVAL;
    }
    for (struct list_node *l = large_list.next; l != &large_list; l = l->next) {
        struct large_hdr *h = container_of(l, struct large_hdr, link);
        unsigned order;

        if (pages_block_of(h, &order) != h || h->magic != LARGE_MAGIC || h->order != order ||
            h->check != large_check_value(h) || h->size > large_usable(h)) {
            printk("kmalloc_check: large block %p has a bad header or page\n", (void *)h);
            return -EINVAL;
        }
    }
    return 0;
}

int kmalloc_check(void)
{
    int err;

    heap_init_once();
    for (unsigned idx = 0; idx < NR_CLASSES; idx++) {
        err = check_class(idx);
        if (err)
            return err;
    }
    err = check_large();
    if (err)
        return err;
    return pages_check();
}
