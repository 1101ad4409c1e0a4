/*
 * The packet pool (kernel/ion/packet_pool.c): allocation until empty, the
 * buffers, bad frees, the counters, and a long random alloc/free sequence
 * against a shadow model.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ion/packet_pool.h"

static uint8_t buffers[ION_PACKET_COUNT * ION_PACKET_SIZE];

/* Counters and free state, to check that a failed call changed nothing. */
struct snapshot {
    uint32_t free_count, high_water, in_use;
    uint64_t allocs, frees, failed_allocs;
    uint32_t free_stack[ION_PACKET_COUNT];
    uint8_t in_use_map[ION_PACKET_COUNT];
};

static struct snapshot snap(const struct packet_pool *p)
{
    struct snapshot s;
    memset(&s, 0, sizeof s);
    s.free_count = p->free_count;
    s.high_water = p->high_water;
    s.in_use = packet_pool_in_use(p);
    s.allocs = p->allocs;
    s.frees = p->frees;
    s.failed_allocs = p->failed_allocs;
    memcpy(s.free_stack, p->free_stack, sizeof s.free_stack);
    memcpy(s.in_use_map, p->in_use, sizeof s.in_use_map);
    return s;
}

static int same_snapshot(const struct snapshot *a, const struct snapshot *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

static void test_init(void)
{
    struct packet_pool p;
    CHECK_EQ_I64(packet_pool_init(&p, buffers, ION_PACKET_SIZE, 0), -1);
    CHECK_EQ_I64(packet_pool_init(&p, buffers, ION_PACKET_SIZE, ION_PACKET_COUNT + 1), -1);
    CHECK_EQ_I64(packet_pool_init(&p, buffers, 0, 4), -1);
    CHECK_EQ_I64(packet_pool_init(&p, NULL, ION_PACKET_SIZE, 4), -1);
    /* A failed init leaves an empty pool, not garbage. */
    CHECK_EQ_I64(packet_pool_alloc(&p), -1);
    CHECK(packet_pool_buffer(&p, 0) == NULL);

    CHECK_EQ_I64(packet_pool_init(&p, buffers, ION_PACKET_SIZE, ION_PACKET_COUNT), 0);
    CHECK_EQ_U64(p.count, ION_PACKET_COUNT);
    CHECK_EQ_U64(p.packet_size, ION_PACKET_SIZE);
    CHECK_EQ_U64(p.free_count, ION_PACKET_COUNT);
    CHECK_EQ_U64(packet_pool_in_use(&p), 0);
    CHECK_EQ_U64(p.high_water, 0);
    CHECK_EQ_U64(p.allocs + p.frees + p.failed_allocs, 0);

    CHECK_EQ_I64(packet_pool_init(&p, buffers, 16, 1), 0);
    CHECK_EQ_I64(packet_pool_alloc(&p), 0);
    CHECK_EQ_I64(packet_pool_alloc(&p), -1);
}

static void test_exhaust(void)
{
    struct packet_pool p;
    uint8_t seen[ION_PACKET_COUNT] = { 0 };
    CHECK_EQ_I64(packet_pool_init(&p, buffers, ION_PACKET_SIZE, ION_PACKET_COUNT), 0);

    for (uint32_t n = 0; n < ION_PACKET_COUNT; n++) {
        int32_t idx = packet_pool_alloc(&p);
        if (!CHECK(idx >= 0 && idx < ION_PACKET_COUNT))
            continue;
        /* Fresh pool: indices in order. */
        CHECK_EQ_I64(idx, n);
        if (!CHECK(!seen[idx]))
            printf("  index %d handed out twice\n", idx);
        seen[idx] = 1;
        CHECK(packet_pool_is_allocated(&p, (uint32_t)idx));
        CHECK_EQ_U64(packet_pool_in_use(&p), n + 1);
        CHECK_EQ_U64(p.high_water, n + 1);
        /* Each buffer is its own packet_size bytes inside the region:
         * write the whole packet with its index. */
        uint8_t *buf = packet_pool_buffer(&p, (uint32_t)idx);
        CHECK(buf == buffers + (size_t)idx * ION_PACKET_SIZE);
        if (buf)
            memset(buf, idx + 1, ION_PACKET_SIZE);
    }
    /* No buffer overlaps another: every byte still holds its owner's mark. */
    int intact = 1;
    for (size_t b = 0; b < sizeof buffers; b++)
        intact &= buffers[b] == (uint8_t)(b / ION_PACKET_SIZE + 1);
    CHECK(intact);

    /* Empty: -1, counted, nothing else changes. */
    struct snapshot before = snap(&p);
    CHECK_EQ_I64(packet_pool_alloc(&p), -1);
    CHECK_EQ_I64(packet_pool_alloc(&p), -1);
    CHECK_EQ_U64(p.failed_allocs, 2);
    struct snapshot after = snap(&p);
    after.failed_allocs = before.failed_allocs;
    CHECK(same_snapshot(&before, &after));
    CHECK_EQ_U64(p.allocs, ION_PACKET_COUNT);

    /* Free one; the next alloc gets exactly that one back. */
    CHECK_EQ_I64(packet_pool_free(&p, 77), 0);
    CHECK(!packet_pool_is_allocated(&p, 77));
    CHECK_EQ_U64(packet_pool_in_use(&p), ION_PACKET_COUNT - 1);
    CHECK_EQ_I64(packet_pool_alloc(&p), 77);
    CHECK_EQ_U64(p.high_water, ION_PACKET_COUNT);

    /* Free all. */
    for (uint32_t i = 0; i < ION_PACKET_COUNT; i++)
        CHECK_EQ_I64(packet_pool_free(&p, i), 0);
    CHECK_EQ_U64(packet_pool_in_use(&p), 0);
    CHECK_EQ_U64(p.free_count, ION_PACKET_COUNT);
    CHECK_EQ_U64(p.frees, ION_PACKET_COUNT + 1);
    CHECK_EQ_U64(p.allocs, ION_PACKET_COUNT + 1);
    CHECK_EQ_U64(p.high_water, ION_PACKET_COUNT);
}

static void test_bad_free(void)
{
    struct packet_pool p;
    CHECK_EQ_I64(packet_pool_init(&p, buffers, ION_PACKET_SIZE, 8), 0);
    int32_t a = packet_pool_alloc(&p);
    int32_t b = packet_pool_alloc(&p);
    CHECK_EQ_I64(a, 0);
    CHECK_EQ_I64(b, 1);

    struct snapshot before = snap(&p);
    /* Never allocated, out of range (beyond count, beyond the arrays, huge). */
    CHECK_EQ_I64(packet_pool_free(&p, 5), -1);
    CHECK_EQ_I64(packet_pool_free(&p, 8), -1);
    CHECK_EQ_I64(packet_pool_free(&p, ION_PACKET_COUNT), -1);
    CHECK_EQ_I64(packet_pool_free(&p, 0xFFFFFFFFu), -1);
    CHECK_EQ_I64(packet_pool_free(&p, (uint32_t)-1), -1);
    struct snapshot after = snap(&p);
    CHECK(same_snapshot(&before, &after));

    /* Double free. */
    CHECK_EQ_I64(packet_pool_free(&p, (uint32_t)a), 0);
    before = snap(&p);
    CHECK_EQ_I64(packet_pool_free(&p, (uint32_t)a), -1);
    after = snap(&p);
    CHECK(same_snapshot(&before, &after));
    CHECK_EQ_U64(p.frees, 1);
    CHECK_EQ_U64(packet_pool_in_use(&p), 1);

    /* The doubly freed index comes back once, not twice. */
    CHECK_EQ_I64(packet_pool_alloc(&p), a);
    int32_t c = packet_pool_alloc(&p);
    CHECK(c != a && c != b && c >= 0 && c < 8);

    /* Buffer lookup: in range only (count, not ION_PACKET_COUNT). */
    CHECK(packet_pool_buffer(&p, 7) == buffers + 7 * ION_PACKET_SIZE);
    CHECK(packet_pool_buffer(&p, 8) == NULL);
    CHECK(packet_pool_buffer(&p, 0xFFFFFFFFu) == NULL);
    CHECK(!packet_pool_is_allocated(&p, 8));
    CHECK(!packet_pool_is_allocated(&p, 0xFFFFFFFFu));
}

/* xorshift64*: the same sequence on every run. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

#define RANDOM_STEPS 1000000u

static void test_random(void)
{
    enum { COUNT = 100 };   /* not ION_PACKET_COUNT: a pool smaller than its arrays */
    struct packet_pool p;
    uint8_t owned[COUNT] = { 0 };     /* the shadow model */
    uint32_t held[COUNT];             /* the indices we hold, in no order */
    uint32_t nheld = 0, high = 0;
    uint64_t allocs = 0, frees = 0, failed = 0, bad_frees = 0;
    uint64_t errors = 0;

    CHECK_EQ_I64(packet_pool_init(&p, buffers, ION_PACKET_SIZE, COUNT), 0);
    for (uint32_t step = 0; step < RANDOM_STEPS; step++) {
        uint64_t r = rng();
        /* Drift the alloc/free balance over time so the pool goes both
         * empty and full many times. */
        unsigned alloc_pct = (step / 5000) % 2 ? 65 : 35;
        unsigned op = (unsigned)(r % 100);
        if (op < alloc_pct) {
            int32_t idx = packet_pool_alloc(&p);
            if (nheld == COUNT) {
                errors += idx != -1;
                failed++;
            } else if (idx < 0 || idx >= COUNT || owned[idx]) {
                if (errors++ < 10)
                    printf("  step %u: alloc returned %d (held %u)\n", step, idx, nheld);
            } else {
                owned[idx] = 1;
                held[nheld++] = (uint32_t)idx;
                allocs++;
                if (nheld > high)
                    high = nheld;
                /* Stamp the packet; checked when it is freed. */
                uint8_t *buf = packet_pool_buffer(&p, (uint32_t)idx);
                buf[0] = (uint8_t)idx;
                buf[ION_PACKET_SIZE - 1] = (uint8_t)~idx;
            }
        } else if (op < 97 && nheld > 0) {
            uint32_t k = (uint32_t)((r >> 32) % nheld);
            uint32_t idx = held[k];
            uint8_t *buf = packet_pool_buffer(&p, idx);
            errors += buf[0] != (uint8_t)idx || buf[ION_PACKET_SIZE - 1] != (uint8_t)~idx;
            errors += packet_pool_free(&p, idx) != 0;
            owned[idx] = 0;
            held[k] = held[--nheld];
            frees++;
        } else {
            /* A free the pool must refuse: an index we do not hold, or out of range. */
            uint32_t idx = (uint32_t)((r >> 32) % (COUNT + 40));
            if (idx < COUNT && owned[idx])
                continue;
            errors += packet_pool_free(&p, idx) != -1;
            bad_frees++;
        }
        if (packet_pool_in_use(&p) != nheld && errors++ < 10)
            printf("  step %u: in use %u, model %u\n", step, packet_pool_in_use(&p), nheld);
    }
    CHECK_EQ_U64(errors, 0);
    CHECK_EQ_U64(p.allocs, allocs);
    CHECK_EQ_U64(p.frees, frees);
    CHECK_EQ_U64(p.failed_allocs, failed);
    CHECK_EQ_U64(p.high_water, high);
    CHECK_EQ_U64(high, COUNT);          /* the sequence does reach a full pool */
    CHECK(failed > 0);                  /* ... and an empty one */
    CHECK(bad_frees > 0);
    for (uint32_t i = 0; i < COUNT; i++)
        CHECK_EQ_U64(packet_pool_is_allocated(&p, i), owned[i]);
    printf("packet_pool: %u random steps: %" PRIu64 " allocs, %" PRIu64 " frees, %" PRIu64
           " failed allocs, %" PRIu64 " refused frees\n",
           RANDOM_STEPS, allocs, frees, failed, bad_frees);
}

int main(void)
{
    test_init();
    test_exhaust();
    test_bad_free();
    test_random();
    return check_summary("packet_pool");
}
