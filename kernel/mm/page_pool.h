/*
 * The page pool: hands out 4 KiB physical pages from one contiguous region.
 * Two bitmaps, one bit per page each: `allocated` (handed out by
 * page_pool_alloc) and `reserved` (never available: the bitmaps themselves,
 * firmware, the device tree). They make a double free, or the free of a page
 * the pool never gave out, detectable instead of silently corrupting the
 * pool. The bitmaps live in the first pages of the region itself. Pure: it only
 * touches the region it is given, so the host tests run it on malloc'd memory.
 */
#ifndef RUMPK_MM_PAGE_POOL_H
#define RUMPK_MM_PAGE_POOL_H

#include <stdint.h>

#define PAGE_SIZE 4096UL
#define PAGE_SHIFT 12

struct page_pool {
    uintptr_t base;      /* address of page 0 (page aligned) */
    uint64_t npages;     /* pages in the region, bitmap pages included */
    uint8_t *allocated;  /* bit i set: page i is handed out */
    uint8_t *reserved_map; /* bit i set: page i is never handed out */
    uint64_t free;       /* pages available now */
    uint64_t used;       /* pages handed out and not yet returned */
    uint64_t reserved;   /* pages never available (bitmap, firmware, device tree) */
    uint64_t high_water; /* the most pages ever in use at once */
    uint64_t next;       /* where the next search starts */
};

/* Takes over [start, end) (rounded inwards to whole pages). Returns 0, or -1
 * when the region cannot even hold its own bitmap. */
int page_pool_init(struct page_pool *pool, uintptr_t start, uintptr_t end);

/* Takes [base, base+size) out of circulation (clipped to the pool). Call
 * right after init, before anything is allocated. */
void page_pool_reserve(struct page_pool *pool, uintptr_t base, uint64_t size);

/* A zero-filled page, or NULL when the pool is empty. */
void *page_pool_alloc(struct page_pool *pool);

/* `n` physically contiguous zero-filled pages (for stacks), or NULL. Give
 * them back one by one with page_pool_free. */
void *page_pool_alloc_run(struct page_pool *pool, uint64_t n);

/* Returns the page; 0 on success, -1 when `page` is not a page this pool
 * handed out (misaligned, outside, reserved, or already free). */
int page_pool_free(struct page_pool *pool, void *page);

#endif
