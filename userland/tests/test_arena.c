/*
 * The allocator (userland/libnexus/arena.c) on the host, under ASan and
 * UBSan: first fit, splitting, coalescing in every order, bad frees that
 * change nothing, realloc, and a long random sequence against a shadow
 * model (contents of every live block; arena_check after every step).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "check.h"

static _Alignas(16) uint8_t memory[64 * 1024];

static void check_arena(const struct arena *a)
{
    const char *why = NULL;
    int ok = arena_check(a, &why) == 0;
    CHECK(ok);
    if (!ok)
        printf("  arena_check: %s\n", why);
}

static void test_init(void)
{
    struct arena a;
    CHECK_EQ_I64(arena_init(&a, memory, sizeof memory), 0);
    CHECK_EQ_U64(a.size, sizeof memory);
    check_arena(&a);
    /* A misaligned start is aligned inward. */
    CHECK_EQ_I64(arena_init(&a, memory + 3, 1000), 0);
    CHECK_EQ_U64((uintptr_t)a.base % ARENA_ALIGN, 0);
    CHECK(a.base + a.size <= memory + 3 + 1000);
    check_arena(&a);
    /* Too small for one block. */
    CHECK_EQ_I64(arena_init(&a, memory, 20), -1);
    CHECK(arena_alloc(&a, 1) == NULL);
}

static void test_alloc_free_coalesce(void)
{
    struct arena a;
    arena_init(&a, memory, sizeof memory);

    uint8_t *p[4];
    for (int i = 0; i < 4; i++) {
        p[i] = arena_alloc(&a, 100);
        CHECK(p[i] != NULL);
        CHECK_EQ_U64((uintptr_t)p[i] % ARENA_ALIGN, 0);
        CHECK(arena_usable_size(p[i]) >= 100);
        memset(p[i], 0x40 + i, 100);
    }
    /* First fit from the start: ascending, no overlap. */
    for (int i = 0; i + 1 < 4; i++)
        CHECK(p[i] + 100 <= p[i + 1]);
    CHECK_EQ_U64(a.allocations, 4);
    check_arena(&a);

    /* Free 1 and 2 (merge forward), then 0 (merges into them). */
    CHECK_EQ_I64(arena_free(&a, p[1]), 0);
    check_arena(&a);
    CHECK_EQ_I64(arena_free(&a, p[2]), 0);
    check_arena(&a);
    CHECK_EQ_I64(arena_free(&a, p[0]), 0);
    check_arena(&a);
    /* The merged hole is reused first: a block as big as the three fits there. */
    uint8_t *big = arena_alloc(&a, 3 * 100);
    CHECK(big == p[0]);
    CHECK_EQ_U64(p[3][0], 0x43);     /* untouched */
    check_arena(&a);
    arena_free(&a, big);
    arena_free(&a, p[3]);
    check_arena(&a);

    /* Everything back: one block again, so the whole arena can be had. */
    CHECK_EQ_U64(a.in_use, 0);
    CHECK(a.free == (struct arena_block *)a.base && a.free->size == a.size && a.free->next == NULL);
    uint8_t *all = arena_alloc(&a, sizeof memory - sizeof(struct arena_block));
    CHECK(all != NULL);
    CHECK(arena_alloc(&a, 1) == NULL);
    arena_free(&a, all);
    check_arena(&a);
}

static void test_bad_frees(void)
{
    struct arena a;
    arena_init(&a, memory, sizeof memory);
    uint8_t *p = arena_alloc(&a, 64);
    uint8_t *q = arena_alloc(&a, 64);
    size_t in_use = a.in_use;

    CHECK_EQ_I64(arena_free(&a, NULL), 0);
    CHECK_EQ_I64(arena_free(&a, p + 16), -1);          /* inside a block */
    CHECK_EQ_I64(arena_free(&a, p - 16), -1);          /* the header */
    CHECK_EQ_I64(arena_free(&a, memory + sizeof memory + 32), -1);
    static uint8_t elsewhere[64];
    CHECK_EQ_I64(arena_free(&a, elsewhere + 16), -1);
    CHECK_EQ_U64(a.in_use, in_use);
    check_arena(&a);

    CHECK_EQ_I64(arena_free(&a, p), 0);
    CHECK_EQ_I64(arena_free(&a, p), -1);               /* double free */
    CHECK_EQ_I64(arena_free(&a, q), 0);
    CHECK_EQ_I64(arena_free(&a, q), -1);               /* merged away already */
    CHECK_EQ_U64(a.in_use, 0);
    check_arena(&a);
}

static void test_realloc(void)
{
    struct arena a;
    arena_init(&a, memory, sizeof memory);
    uint8_t *p = arena_realloc(&a, NULL, 40);
    CHECK(p != NULL);
    for (int i = 0; i < 40; i++)
        p[i] = (uint8_t)i;
    CHECK(arena_realloc(&a, p, 20) == p);              /* shrinking keeps the block */
    uint8_t *blocker = arena_alloc(&a, 16);            /* so growing must move */
    uint8_t *q = arena_realloc(&a, p, 4000);
    CHECK(q != NULL && q != p);
    int same = 1;
    for (int i = 0; i < 40; i++)
        same &= q[i] == (uint8_t)i;
    CHECK(same);
    CHECK(arena_realloc(&a, q, sizeof memory) == NULL); /* no room: q stays */
    CHECK_EQ_U64(q[39], 39);
    CHECK(arena_realloc(&a, q, 0) == NULL);            /* frees */
    arena_free(&a, blocker);
    CHECK_EQ_U64(a.in_use, 0);
    check_arena(&a);
    CHECK(arena_alloc(&a, SIZE_MAX) == NULL);
    CHECK(arena_alloc(&a, SIZE_MAX - 8) == NULL);
}

/* Random allocs and frees; every live block holds its own byte. */
static void test_random(void)
{
    enum { LIVE = 200, STEPS = 20000 };
    struct arena a;
    arena_init(&a, memory, sizeof memory);
    uint8_t *block[LIVE] = { 0 };
    size_t size[LIVE] = { 0 };
    unsigned seed = 12345;
    int corrupted = 0, broken = 0;

    for (int step = 0; step < STEPS; step++) {
        seed = seed * 1103515245u + 12345u;
        int i = (int)((seed >> 8) % LIVE);
        if (block[i]) {
            for (size_t j = 0; j < size[i]; j++)
                corrupted |= block[i][j] != (uint8_t)i;
            arena_free(&a, block[i]);
            block[i] = NULL;
        } else {
            size[i] = 1 + (seed >> 16) % 700;
            block[i] = arena_alloc(&a, size[i]);
            if (block[i])
                memset(block[i], i, size[i]);
        }
        broken |= arena_check(&a, NULL) != 0;
    }
    CHECK(!corrupted);
    CHECK(!broken);
    for (int i = 0; i < LIVE; i++)
        arena_free(&a, block[i]);
    CHECK_EQ_U64(a.in_use, 0);
    CHECK_EQ_U64(a.allocations, 0);
    CHECK(a.free && a.free->size == a.size);
    check_arena(&a);
}

int main(void)
{
    test_init();
    test_alloc_free_coalesce();
    test_bad_frees();
    test_realloc();
    test_random();
    return check_summary("arena");
}
