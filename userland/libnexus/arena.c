#include "arena.h"

/* What a used block has where a free one has its list link. */
#define ARENA_USED ((struct arena_block *)(uintptr_t)0xa110ca7edb10c000ull)

#define HEADER sizeof(struct arena_block)
/* A remainder smaller than this stays part of the block it was cut from. */
#define MIN_BLOCK (HEADER + ARENA_ALIGN)

_Static_assert(sizeof(struct arena_block) == ARENA_ALIGN, "the header keeps payloads aligned");

static struct arena_block *block_of(const void *p)
{
    return (struct arena_block *)((uint8_t *)p - HEADER);
}

static void *payload_of(struct arena_block *b)
{
    return (uint8_t *)b + HEADER;
}

static struct arena_block *after(struct arena_block *b)
{
    return (struct arena_block *)((uint8_t *)b + b->size);
}

int arena_init(struct arena *a, void *mem, size_t size)
{
    uintptr_t start = ((uintptr_t)mem + ARENA_ALIGN - 1) & ~(uintptr_t)(ARENA_ALIGN - 1);
    size_t lost = start - (uintptr_t)mem;
    a->base = (uint8_t *)start;
    a->size = size > lost ? (size - lost) & ~(size_t)(ARENA_ALIGN - 1) : 0;
    a->free = NULL;
    a->in_use = 0;
    a->allocations = 0;
    if (a->size < MIN_BLOCK)
        return -1;
    a->free = (struct arena_block *)a->base;
    a->free->size = a->size;
    a->free->next = NULL;
    return 0;
}

void *arena_alloc(struct arena *a, size_t n)
{
    if (n == 0)
        n = 1;
    if (n > a->size)
        return NULL;
    size_t need = ((n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1)) + HEADER;

    struct arena_block **link = &a->free;
    for (struct arena_block *b = a->free; b; link = &b->next, b = b->next) {
        if (b->size < need)
            continue;
        if (b->size - need >= MIN_BLOCK) {
            /* Cut: the front is handed out, the rest stays free in b's place. */
            struct arena_block *rest = (struct arena_block *)((uint8_t *)b + need);
            rest->size = b->size - need;
            rest->next = b->next;
            *link = rest;
            b->size = need;
        } else {
            *link = b->next;
        }
        b->next = ARENA_USED;
        a->in_use += b->size;
        a->allocations++;
        return payload_of(b);
    }
    return NULL;
}

/* Is p the payload of a used block of this arena? Walks the blocks from the
 * start, so a pointer into the middle of a block is caught too. */
static int owns(const struct arena *a, const void *p)
{
    const uint8_t *q = p;
    if (q < a->base + HEADER || q >= a->base + a->size)
        return 0;
    for (struct arena_block *b = (struct arena_block *)a->base; (uint8_t *)b < a->base + a->size;
         b = after(b)) {
        if (payload_of(b) == p)
            return b->next == ARENA_USED;
        if ((uint8_t *)payload_of(b) > q || b->size == 0)
            return 0;
    }
    return 0;
}

int arena_free(struct arena *a, void *p)
{
    if (!p)
        return 0;
    if (!owns(a, p))
        return -1;
    struct arena_block *b = block_of(p);
    a->in_use -= b->size;
    a->allocations--;

    /* Find b's place in the address-ordered free list: prev < b < next. */
    struct arena_block *prev = NULL, *next = a->free;
    while (next && next < b) {
        prev = next;
        next = next->next;
    }
    b->next = next;
    if (prev)
        prev->next = b;
    else
        a->free = b;

    /* Merge with the following block, then with the preceding one. */
    if (next && after(b) == next) {
        b->size += next->size;
        b->next = next->next;
    }
    if (prev && after(prev) == b) {
        prev->size += b->size;
        prev->next = b->next;
    }
    return 0;
}

size_t arena_usable_size(const void *p)
{
    return block_of(p)->size - HEADER;
}

void *arena_realloc(struct arena *a, void *p, size_t n)
{
    if (!p)
        return arena_alloc(a, n);
    if (n == 0) {
        arena_free(a, p);
        return NULL;
    }
    if (!owns(a, p))
        return NULL;
    size_t old = arena_usable_size(p);
    if (n <= old)
        return p;
    void *q = arena_alloc(a, n);
    if (!q)
        return NULL;
    __builtin_memcpy(q, p, old);
    arena_free(a, p);
    return q;
}

int arena_check(const struct arena *a, const char **why)
{
    const char *reason = NULL;
    size_t used_bytes = 0, used_blocks = 0;
    struct arena_block *expected_free = a->free;   /* the free list, in order */
    int prev_free = 0;
    uint8_t *end = a->base + a->size;
    uint8_t *q = a->base;

    while (!reason && q < end) {
        struct arena_block *b = (struct arena_block *)q;
        if (b->size < MIN_BLOCK || b->size % ARENA_ALIGN != 0 || b->size > (size_t)(end - q)) {
            reason = "a block size is not aligned or runs past the arena";
        } else if (b->next == ARENA_USED) {
            used_bytes += b->size;
            used_blocks++;
            prev_free = 0;
        } else {
            if (b != expected_free)
                reason = "a free block is missing from the free list, or the list is out of order";
            else if (prev_free)
                reason = "two free blocks are adjacent (not coalesced)";
            expected_free = b->next;
            prev_free = 1;
        }
        q += b->size;
    }
    if (!reason && q != end)
        reason = "the blocks do not tile the arena";
    if (!reason && expected_free)
        reason = "the free list names a block that is not free";
    if (!reason && (used_bytes != a->in_use || used_blocks != a->allocations))
        reason = "in_use or allocations disagree with the blocks";
    if (why)
        *why = reason;
    return reason ? -1 : 0;
}
