/*
 * The page pool (kernel/mm/page_pool.c) on aligned_alloc'd memory: init
 * shapes, exhausting the pool, bad frees, reservations, the high-water mark,
 * and a long random alloc/free run against a shadow model.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mm/page_pool.h"

#define MIB (1024 * 1024UL)

/* The four counters at once, reported at the caller's line. */
#define CHECK_COUNTERS(pool, want_free, want_used, want_reserved, want_high)                    \
    do {                                                                                         \
        check_eq_u64_at(__FILE__, __LINE__, "free", (pool)->free, (want_free));                \
        check_eq_u64_at(__FILE__, __LINE__, "used", (pool)->used, (want_used));                \
        check_eq_u64_at(__FILE__, __LINE__, "reserved", (pool)->reserved, (want_reserved));    \
        check_eq_u64_at(__FILE__, __LINE__, "high_water", (pool)->high_water, (want_high));    \
    } while (0)

static int page_is_zero(const void *page)
{
    const uint8_t *p = page;
    for (size_t i = 0; i < PAGE_SIZE; i++)
        if (p[i])
            return 0;
    return 1;
}

static uint64_t page_index(const struct page_pool *pool, const void *page)
{
    return ((uintptr_t)page - pool->base) / PAGE_SIZE;
}

/* The pool used by most tests: 1 MiB + 2 pages of memory, handed over from
 * an unaligned start to an unaligned end, so 256 whole pages remain. */
#define REGION_SIZE (MIB + 2 * PAGE_SIZE)

static uint8_t *region_init(struct page_pool *pool)
{
    uint8_t *mem = aligned_alloc(PAGE_SIZE, REGION_SIZE);
    memset(mem, 0xcc, REGION_SIZE);  /* stale data alloc must clear */
    uintptr_t start = (uintptr_t)mem + 123, end = (uintptr_t)mem + MIB + PAGE_SIZE + 77;
    CHECK_EQ_I64(page_pool_init(pool, start, end), 0);
    CHECK_EQ_U64(pool->base, (uintptr_t)mem + PAGE_SIZE);
    CHECK_EQ_U64(pool->npages, 256);
    return mem;
}

struct shape {
    int line;
    uint64_t start_off, end_off;  /* from a page-aligned address */
    int rc;
    uint64_t npages, meta_pages;
};

/* Two bitmaps of one bit per page: one metadata page covers 16384 pages. */
static const struct shape shapes[] = {
    { __LINE__, 123, MIB + PAGE_SIZE + 77, 0, 256, 1 },
    { __LINE__, 0, 2 * PAGE_SIZE, 0, 2, 1 },
    { __LINE__, 0, 16384 * PAGE_SIZE, 0, 16384, 1 },
    { __LINE__, 0, 16385 * PAGE_SIZE, 0, 16385, 2 },
    { __LINE__, 4095, 16385 * PAGE_SIZE + 4095, 0, 16384, 1 },
    /* Too small to hold anything beside its own bitmap. */
    { __LINE__, 0, PAGE_SIZE, -1, 0, 0 },
    { __LINE__, 1, 2 * PAGE_SIZE, -1, 0, 0 },
    { __LINE__, 5, PAGE_SIZE + 5, -1, 0, 0 },
    { __LINE__, 100, 100, -1, 0, 0 },
    { __LINE__, 200, 100, -1, 0, 0 },
};

static void test_init_shapes(void)
{
    size_t size = 16386 * PAGE_SIZE;
    uint8_t *mem = aligned_alloc(PAGE_SIZE, size);
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const struct shape *s = &shapes[i];
        struct page_pool pool;
        uintptr_t start = (uintptr_t)mem + s->start_off, end = (uintptr_t)mem + s->end_off;
        check_eq_i64_at(__FILE__, s->line, "page_pool_init", page_pool_init(&pool, start, end),
                        s->rc);
        check_eq_u64_at(__FILE__, s->line, "npages", pool.npages, s->npages);
        check_eq_u64_at(__FILE__, s->line, "reserved", pool.reserved, s->meta_pages);
        check_eq_u64_at(__FILE__, s->line, "free + reserved", pool.free + pool.reserved,
                        pool.npages);
        check_eq_u64_at(__FILE__, s->line, "used", pool.used, 0);
        check_eq_u64_at(__FILE__, s->line, "high_water", pool.high_water, 0);
        /* The first page handed out is the first after the bitmaps; a
         * failed init leaves an empty pool. */
        void *page = page_pool_alloc(&pool);
        if (s->rc == 0)
            check_eq_u64_at(__FILE__, s->line, "first page", (uintptr_t)page,
                            ((uintptr_t)start + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE +
                                s->meta_pages * PAGE_SIZE);
        else
            check_true_at(__FILE__, s->line, "alloc from a failed pool is NULL", page == NULL);
    }
    free(mem);
}

/* Allocates every page; checks each is new, aligned, inside, not page 0
 * (the bitmaps) and zero-filled. Returns how many there were. */
static uint64_t alloc_all(struct page_pool *pool, void **pages, uint8_t *seen)
{
    uint64_t n = 0, bad_place = 0, repeats = 0, dirty = 0;
    memset(seen, 0, pool->npages);
    for (void *p; (p = page_pool_alloc(pool)) != NULL; n++) {
        uintptr_t a = (uintptr_t)p;
        uint64_t i = page_index(pool, p);
        if (a % PAGE_SIZE || a < pool->base || i >= pool->npages || i == 0) {
            bad_place++;
            continue;
        }
        repeats += seen[i]++;
        dirty += !page_is_zero(p);
        pages[n] = p;
    }
    CHECK_EQ_U64(bad_place, 0);
    CHECK_EQ_U64(repeats, 0);
    CHECK_EQ_U64(dirty, 0);
    return n;
}

static void test_alloc_everything(void)
{
    struct page_pool pool;
    uint8_t *mem = region_init(&pool);
    void *pages[256];
    uint8_t seen[256];
    uint64_t initial_free = pool.free;

    uint64_t n = alloc_all(&pool, pages, seen);
    CHECK_EQ_U64(n, initial_free);
    CHECK_COUNTERS(&pool, 0, n, 1, n);
    CHECK(page_pool_alloc(&pool) == NULL);
    CHECK_COUNTERS(&pool, 0, n, 1, n);

    /* Dirty and return everything: the next round must be zero-filled again. */
    uint64_t free_errors = 0;
    for (uint64_t i = 0; i < n; i++) {
        memset(pages[i], 0x5a, PAGE_SIZE);
        free_errors += page_pool_free(&pool, pages[i]) != 0;
    }
    CHECK_EQ_U64(free_errors, 0);
    CHECK_COUNTERS(&pool, n, 0, 1, n);
    CHECK_EQ_U64(alloc_all(&pool, pages, seen), n);
    free(mem);
}

/* Every kind of bad free returns -1 and leaves the counters alone. */
static void test_bad_frees(void)
{
    struct page_pool pool;
    uint8_t *mem = region_init(&pool);
    uint8_t *a = page_pool_alloc(&pool), *b = page_pool_alloc(&pool);
    uint8_t *pool_end = (uint8_t *)pool.base + pool.npages * PAGE_SIZE;
    CHECK_COUNTERS(&pool, 253, 2, 1, 2);

    CHECK_EQ_I64(page_pool_free(&pool, a + 1), -1);
    CHECK_EQ_I64(page_pool_free(&pool, a + PAGE_SIZE / 2), -1);
    CHECK_EQ_I64(page_pool_free(&pool, (uint8_t *)pool.base - PAGE_SIZE), -1);
    CHECK_EQ_I64(page_pool_free(&pool, pool_end), -1);
    CHECK_EQ_I64(page_pool_free(&pool, pool_end + 16 * PAGE_SIZE), -1);
    CHECK_EQ_I64(page_pool_free(&pool, NULL), -1);
    CHECK_EQ_I64(page_pool_free(&pool, (void *)pool.base), -1);   /* the bitmap page */
    CHECK_EQ_I64(page_pool_free(&pool, pool_end - PAGE_SIZE), -1); /* never handed out */
    CHECK_COUNTERS(&pool, 253, 2, 1, 2);

    CHECK_EQ_I64(page_pool_free(&pool, a), 0);
    CHECK_EQ_I64(page_pool_free(&pool, a), -1);  /* double free */
    CHECK_COUNTERS(&pool, 254, 1, 1, 2);
    CHECK_EQ_I64(page_pool_free(&pool, b), 0);
    CHECK_COUNTERS(&pool, 255, 0, 1, 2);
    free(mem);
}

static void test_reserve(void)
{
    struct page_pool pool;
    uint8_t *mem = region_init(&pool);
    uintptr_t base = pool.base, end = base + pool.npages * PAGE_SIZE;
    CHECK_COUNTERS(&pool, 255, 0, 1, 0);

    /* Starts below the pool and ends one byte into page 1; page 0 (the
     * bitmaps) is reserved already, so only page 1 is new. */
    page_pool_reserve(&pool, base - 2 * PAGE_SIZE, 3 * PAGE_SIZE + 1);
    CHECK_COUNTERS(&pool, 254, 0, 2, 0);
    /* Overlaps page 1 (reserved) and page 2 (new). */
    page_pool_reserve(&pool, base + PAGE_SIZE, 2 * PAGE_SIZE);
    CHECK_COUNTERS(&pool, 253, 0, 3, 0);
    /* Unaligned inside page 10: that page only. */
    page_pool_reserve(&pool, base + 10 * PAGE_SIZE + 100, 10);
    CHECK_COUNTERS(&pool, 252, 0, 4, 0);
    /* Runs past the end of the pool: the last two pages. */
    page_pool_reserve(&pool, end - PAGE_SIZE - 100, MIB);
    CHECK_COUNTERS(&pool, 250, 0, 6, 0);
    /* Entirely outside, or empty: nothing changes. */
    page_pool_reserve(&pool, end, PAGE_SIZE);
    page_pool_reserve(&pool, base - 10 * PAGE_SIZE, PAGE_SIZE);
    page_pool_reserve(&pool, base + 20 * PAGE_SIZE, 0);
    page_pool_reserve(&pool, base + 20 * PAGE_SIZE + 5, 0);
    CHECK_COUNTERS(&pool, 250, 0, 6, 0);

    /* None of the reserved pages is ever handed out, nor can be freed. */
    void *pages[256];
    uint8_t seen[256];
    uint64_t n = alloc_all(&pool, pages, seen);
    CHECK_EQ_U64(n, 250);
    static const uint64_t reserved_pages[] = { 1, 2, 10, 254, 255 };
    for (size_t i = 0; i < sizeof reserved_pages / sizeof reserved_pages[0]; i++) {
        CHECK_EQ_U64(seen[reserved_pages[i]], 0);
        CHECK_EQ_I64(page_pool_free(&pool, (void *)(base + reserved_pages[i] * PAGE_SIZE)), -1);
    }
    CHECK_COUNTERS(&pool, 0, 250, 6, 250);
    free(mem);

    /* A size that wraps past the top of the address space is clipped. */
    mem = region_init(&pool);
    page_pool_reserve(&pool, pool.base + 100 * PAGE_SIZE, UINT64_MAX);
    CHECK_COUNTERS(&pool, 99, 0, 157, 0);
    free(mem);
}

static void test_high_water(void)
{
    struct page_pool pool;
    uint8_t *mem = region_init(&pool);
    void *p[8];
    for (int i = 0; i < 5; i++)
        p[i] = page_pool_alloc(&pool);
    for (int i = 0; i < 3; i++)
        page_pool_free(&pool, p[i]);
    CHECK_COUNTERS(&pool, 253, 2, 1, 5);
    p[0] = page_pool_alloc(&pool);
    CHECK_COUNTERS(&pool, 252, 3, 1, 5);
    for (int i = 1; i < 5; i++)
        p[i] = page_pool_alloc(&pool);
    CHECK_COUNTERS(&pool, 248, 7, 1, 7);
    free(mem);
}

/* xorshift64: a fixed seed gives the same run every time. */
static uint64_t rng_state = 0x9e3779b97f4a7c15;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

enum page_state { PAGE_FREE, PAGE_HELD, PAGE_RESERVED };

/* 100000 random steps on a 64-page pool with a few reserved pages. The
 * shadow model tracks every page's state and the counters; each held page
 * carries its index in its first and last word, which must survive until it
 * is freed (no page is handed out twice). */
static void test_random(void)
{
    enum { NPAGES = 64, STEPS = 100000 };
    uint8_t *mem = aligned_alloc(PAGE_SIZE, NPAGES * PAGE_SIZE);
    struct page_pool pool;
    CHECK_EQ_I64(page_pool_init(&pool, (uintptr_t)mem, (uintptr_t)mem + NPAGES * PAGE_SIZE), 0);
    page_pool_reserve(&pool, pool.base + 30 * PAGE_SIZE, 3 * PAGE_SIZE);

    enum page_state state[NPAGES];
    uint64_t held[NPAGES], nheld = 0;
    uint64_t m_free = 0, m_reserved = 0, m_high = 0;
    for (uint64_t i = 0; i < NPAGES; i++) {
        state[i] = i == 0 || (i >= 30 && i < 33) ? PAGE_RESERVED : PAGE_FREE;
        m_free += state[i] == PAGE_FREE;
        m_reserved += state[i] == PAGE_RESERVED;
    }

    for (int step = 0; step < STEPS; step++) {
        uint64_t r = rng();
        unsigned action = r % 16;
        if (action < 8 || (action < 14 && nheld == 0)) {
            uint64_t *p = page_pool_alloc(&pool);
            if (m_free == 0) {
                CHECK(p == NULL);
            } else if (CHECK(p != NULL)) {
                uint64_t i = page_index(&pool, p);
                if (CHECK(i < NPAGES && state[i] == PAGE_FREE) && CHECK(page_is_zero(p))) {
                    p[0] = p[PAGE_SIZE / 8 - 1] = i;
                    state[i] = PAGE_HELD;
                    held[nheld++] = i;
                    m_free--;
                    if (nheld > m_high)
                        m_high = nheld;
                }
            }
        } else if (action < 14) {
            /* Return a random held page. */
            uint64_t k = (r >> 8) % nheld, i = held[k];
            uint64_t *p = (uint64_t *)(pool.base + i * PAGE_SIZE);
            CHECK(p[0] == i && p[PAGE_SIZE / 8 - 1] == i);
            CHECK_EQ_I64(page_pool_free(&pool, p), 0);
            state[i] = PAGE_FREE;
            held[k] = held[--nheld];
            m_free++;
        } else if (action == 14) {
            /* Free any page at all: only a held one may succeed. */
            uint64_t i = (r >> 8) % NPAGES;
            int rc = page_pool_free(&pool, (void *)(pool.base + i * PAGE_SIZE));
            CHECK_EQ_I64(rc, state[i] == PAGE_HELD ? 0 : -1);
            if (state[i] == PAGE_HELD) {
                state[i] = PAGE_FREE;
                for (uint64_t k = 0; k < nheld; k++)
                    if (held[k] == i)
                        held[k] = held[--nheld];
                m_free++;
            }
        } else {
            /* A misaligned address inside some page always fails. */
            uint64_t i = (r >> 8) % NPAGES, within = 1 + (r >> 32) % (PAGE_SIZE - 1);
            CHECK_EQ_I64(page_pool_free(&pool, (void *)(pool.base + i * PAGE_SIZE + within)), -1);
        }
        CHECK_COUNTERS(&pool, m_free, nheld, m_reserved, m_high);
    }
    free(mem);
}

int main(void)
{
    test_init_shapes();
    test_alloc_everything();
    test_bad_frees();
    test_reserve();
    test_high_water();
    test_random();
    return check_summary("test_page_pool");
}
