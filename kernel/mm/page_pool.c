#include "mm/page_pool.h"

#include <stddef.h>

static int bit_get(const uint8_t *map, uint64_t i)
{
    return (map[i >> 3] >> (i & 7)) & 1;
}

static void bit_set(uint8_t *map, uint64_t i)
{
    map[i >> 3] |= (uint8_t)(1u << (i & 7));
}

static void bit_clear(uint8_t *map, uint64_t i)
{
    map[i >> 3] &= (uint8_t)~(1u << (i & 7));
}

static int page_busy(const struct page_pool *p, uint64_t i)
{
    return bit_get(p->allocated, i) | bit_get(p->reserved_map, i);
}

static void zero_page(void *page)
{
    uint64_t *w = page;
    /* Unrolled: 8 stores per loop step instead of 1 (exec clears a dozen pages). */
#pragma GCC unroll 8
    for (size_t i = 0; i < PAGE_SIZE / sizeof(uint64_t); i++)
        w[i] = 0;
}

int page_pool_init(struct page_pool *pool, uintptr_t start, uintptr_t end)
{
    uintptr_t base = (start + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    end &= ~(PAGE_SIZE - 1);
    *pool = (struct page_pool){ 0 };
    if (end <= base)
        return -1;
    uint64_t npages = (end - base) >> PAGE_SHIFT;
    uint64_t map_bytes = (npages + 7) / 8;
    uint64_t meta_pages = (2 * map_bytes + PAGE_SIZE - 1) >> PAGE_SHIFT;
    if (meta_pages >= npages)
        return -1;

    pool->base = base;
    pool->npages = npages;
    pool->allocated = (uint8_t *)base;
    pool->reserved_map = (uint8_t *)base + map_bytes;
    for (uint64_t i = 0; i < 2 * map_bytes; i++)
        pool->allocated[i] = 0;
    for (uint64_t i = 0; i < meta_pages; i++)
        bit_set(pool->reserved_map, i);
    pool->reserved = meta_pages;
    pool->free = npages - meta_pages;
    pool->next = meta_pages;
    return 0;
}

void page_pool_reserve(struct page_pool *pool, uintptr_t base, uint64_t size)
{
    /* An empty range takes nothing, even when base is not page aligned
     * (rounding base down would otherwise take its whole page). */
    if (size == 0)
        return;
    uintptr_t pool_end = pool->base + (pool->npages << PAGE_SHIFT);
    uintptr_t lo = base & ~(PAGE_SIZE - 1);
    uintptr_t hi = size > UINTPTR_MAX - base ? UINTPTR_MAX : base + size;
    if (lo < pool->base)
        lo = pool->base;
    if (hi > pool_end)
        hi = pool_end;
    for (uintptr_t a = lo; a < hi; a += PAGE_SIZE) {
        uint64_t i = (a - pool->base) >> PAGE_SHIFT;
        if (!page_busy(pool, i)) {
            bit_set(pool->reserved_map, i);
            pool->free--;
            pool->reserved++;
        }
    }
}

void *page_pool_alloc(struct page_pool *pool)
{
    if (pool->free == 0)
        return NULL;
    /* Start where the last search stopped (or where the last free happened):
     * on a steady alloc/free pattern the next page is found at once. */
    for (uint64_t n = 0, i = pool->next; n < pool->npages; n++, i++) {
        if (i >= pool->npages)
            i = 0;
        if (!page_busy(pool, i)) {
            bit_set(pool->allocated, i);
            pool->free--;
            pool->used++;
            if (pool->used > pool->high_water)
                pool->high_water = pool->used;
            pool->next = i + 1;
            void *page = (void *)(pool->base + (i << PAGE_SHIFT));
            zero_page(page);
            return page;
        }
    }
    return NULL;  /* unreachable while the counters are right */
}

int page_pool_free(struct page_pool *pool, void *page)
{
    uintptr_t a = (uintptr_t)page;
    if (a < pool->base || (a & (PAGE_SIZE - 1)))
        return -1;
    uint64_t i = (a - pool->base) >> PAGE_SHIFT;
    if (i >= pool->npages || !bit_get(pool->allocated, i))
        return -1;
    bit_clear(pool->allocated, i);
    pool->free++;
    pool->used--;
    if (i < pool->next)
        pool->next = i;
    return 0;
}

void *page_pool_alloc_run(struct page_pool *pool, uint64_t n)
{
    if (n == 0 || n > pool->free)
        return NULL;
    if (n == 1)
        return page_pool_alloc(pool);
    /* First fit over the whole pool: runs are rare (fiber stacks), so the
     * simple scan is fine. */
    for (uint64_t start = 0; start + n <= pool->npages;) {
        uint64_t len = 0;
        while (len < n && !page_busy(pool, start + len))
            len++;
        if (len < n) {
            start += len + 1;
            continue;
        }
        for (uint64_t i = start; i < start + n; i++) {
            bit_set(pool->allocated, i);
            zero_page((void *)(pool->base + (i << PAGE_SHIFT)));
        }
        pool->free -= n;
        pool->used += n;
        if (pool->used > pool->high_water)
            pool->high_water = pool->used;
        return (void *)(pool->base + (start << PAGE_SHIFT));
    }
    return NULL;
}
