/*
 * The SPSC ring (kernel/ion/ring.h): geometry checks, empty and full, FIFO
 * order, the u32 wrap of the free-running indices, several element sizes,
 * the invariant checker on corrupted headers, and two threads passing 10
 * million sequence numbers through a 64-slot ring.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "ion/ring.h"

/* A ring header with room for up to 64 slots of up to 32 bytes. */
struct test_ring {
    struct ion_ring ring;
    _Alignas(16) uint8_t slots[64 * 32];
};

static void test_init(void)
{
    struct ion_ring r;
    static const uint32_t bad[] = { 0, 3, 5, 6, 7, 12, 100, 1000, 0x80000001u, 0xC0000000u,
                                    0xFFFFFFFFu };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = (struct ion_ring){ .head = 7, .tail = 5, .mask = 3, .elem_size = 9 };
        if (!CHECK_EQ_I64(ion_ring_init(&r, bad[i], 8), -1))
            printf("  capacity %u accepted\n", bad[i]);
        /* A rejected init leaves the header alone. */
        CHECK_EQ_U64(r.head, 7);
        CHECK_EQ_U64(r.tail, 5);
        CHECK_EQ_U64(r.mask, 3);
        CHECK_EQ_U64(r.elem_size, 9);
    }
    static const uint32_t good[] = { 1, 2, 4, 64, 256, 1u << 20, 0x80000000u };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        r = (struct ion_ring){ .head = 7, .tail = 5, .mask = 3, .elem_size = 9 };
        if (!CHECK_EQ_I64(ion_ring_init(&r, good[i], 8), 0))
            printf("  capacity %u rejected\n", good[i]);
        CHECK_EQ_U64(r.head, 0);
        CHECK_EQ_U64(r.tail, 0);
        CHECK_EQ_U64(r.mask, good[i] - 1);
        CHECK_EQ_U64(r.elem_size, 8);
        CHECK_EQ_U64(ion_ring_capacity(&r), good[i]);
        CHECK_EQ_U64(ion_ring_used(&r), 0);
        CHECK_EQ_U64(ion_ring_free(&r), good[i]);
        CHECK_EQ_I64(ion_ring_check(&r, NULL), 0);
    }
    CHECK_EQ_I64(ion_ring_init(&r, 64, 0), -1);
    CHECK_EQ_I64(ion_ring_init(&r, 0, 0), -1);

    /* The slots follow the 16-byte header directly. */
    struct test_ring t;
    CHECK((uint8_t *)ion_ring_slots(&t.ring) == (uint8_t *)&t.ring + 16);
    CHECK((uint8_t *)ion_ring_slots(&t.ring) == t.slots);
}

static void test_empty_full_fifo(void)
{
    struct test_ring t;
    uint64_t v = 0;
    CHECK_EQ_I64(ion_ring_init(&t.ring, 16, sizeof(uint64_t)), 0);

    /* Empty: pop and peek fail and leave the destination alone. */
    v = 0xdeadbeef;
    CHECK_EQ_I64(ion_ring_pop(&t.ring, &v), -1);
    CHECK_EQ_I64(ion_ring_peek(&t.ring, &v), -1);
    CHECK_EQ_U64(v, 0xdeadbeef);
    CHECK_EQ_U64(t.ring.head, 0);
    CHECK_EQ_U64(t.ring.tail, 0);

    /* Fill to exactly the capacity, every slot usable. */
    for (uint64_t i = 0; i < 16; i++) {
        v = 1000 + i;
        CHECK_EQ_I64(ion_ring_push(&t.ring, &v), 0);
        CHECK_EQ_U64(ion_ring_used(&t.ring), i + 1);
        CHECK_EQ_U64(ion_ring_free(&t.ring), 15 - i);
    }
    v = 9999;
    CHECK_EQ_I64(ion_ring_push(&t.ring, &v), -1);
    CHECK_EQ_U64(t.ring.head, 16);
    CHECK_EQ_U64(ion_ring_used(&t.ring), 16);
    CHECK_EQ_I64(ion_ring_check(&t.ring, NULL), 0);

    /* Peek does not consume. */
    CHECK_EQ_I64(ion_ring_peek(&t.ring, &v), 0);
    CHECK_EQ_U64(v, 1000);
    CHECK_EQ_U64(ion_ring_used(&t.ring), 16);

    /* FIFO order out; one pop makes room for exactly one push. */
    CHECK_EQ_I64(ion_ring_pop(&t.ring, &v), 0);
    CHECK_EQ_U64(v, 1000);
    v = 1016;
    CHECK_EQ_I64(ion_ring_push(&t.ring, &v), 0);
    CHECK_EQ_I64(ion_ring_push(&t.ring, &v), -1);
    for (uint64_t i = 1; i <= 16; i++) {
        CHECK_EQ_I64(ion_ring_pop(&t.ring, &v), 0);
        CHECK_EQ_U64(v, 1000 + i);
        CHECK_EQ_U64(ion_ring_used(&t.ring), 16 - i);
    }
    CHECK_EQ_I64(ion_ring_pop(&t.ring, &v), -1);
    CHECK_EQ_U64(t.ring.head, 17);
    CHECK_EQ_U64(t.ring.tail, 17);

    /* Capacity 1: full after one push. */
    CHECK_EQ_I64(ion_ring_init(&t.ring, 1, sizeof(uint64_t)), 0);
    v = 5;
    CHECK_EQ_I64(ion_ring_push(&t.ring, &v), 0);
    CHECK_EQ_I64(ion_ring_push(&t.ring, &v), -1);
    CHECK_EQ_I64(ion_ring_pop(&t.ring, &v), 0);
    CHECK_EQ_U64(v, 5);
    CHECK_EQ_I64(ion_ring_pop(&t.ring, &v), -1);
}

/* Indices start 16 short of 2^32: the fill and the drain cross the wrap. */
static void test_wrap(void)
{
    struct {
        struct ion_ring ring;
        uint64_t slots[64];
    } t;
    const uint32_t start = 0xFFFFFFF0u;
    uint64_t v;
    CHECK_EQ_I64(ion_ring_init(&t.ring, 64, sizeof(uint64_t)), 0);
    t.ring.head = t.ring.tail = start;
    CHECK_EQ_U64(ion_ring_used(&t.ring), 0);
    CHECK_EQ_I64(ion_ring_check(&t.ring, NULL), 0);

    for (uint32_t i = 0; i < 64; i++) {
        v = 0x5000 + i;
        CHECK_EQ_I64(ion_ring_push(&t.ring, &v), 0);
        CHECK_EQ_U64(t.ring.head, (uint32_t)(start + i + 1));
        CHECK_EQ_U64(ion_ring_used(&t.ring), i + 1);
        CHECK_EQ_U64(ion_ring_free(&t.ring), 63 - i);
        CHECK_EQ_I64(ion_ring_check(&t.ring, NULL), 0);
        /* Element i sits in slot (start + i) & mask, wrapped or not. */
        CHECK_EQ_U64(t.slots[(start + i) & 63], 0x5000 + i);
    }
    CHECK_EQ_U64(t.ring.head, 0x30);   /* wrapped */
    CHECK_EQ_U64(t.ring.tail, start);
    CHECK_EQ_I64(ion_ring_push(&t.ring, &v), -1);   /* full across the wrap */

    for (uint32_t i = 0; i < 64; i++) {
        v = 0;
        CHECK_EQ_I64(ion_ring_pop(&t.ring, &v), 0);
        CHECK_EQ_U64(v, 0x5000 + i);
        CHECK_EQ_U64(t.ring.tail, (uint32_t)(start + i + 1));
        CHECK_EQ_U64(ion_ring_used(&t.ring), 63 - i);
        CHECK_EQ_I64(ion_ring_check(&t.ring, NULL), 0);
    }
    CHECK_EQ_I64(ion_ring_pop(&t.ring, &v), -1);
    CHECK_EQ_U64(t.ring.tail, 0x30);

    /* Interleaved: keep 5 in flight while both indices cross 2^32. */
    t.ring.head = t.ring.tail = 0xFFFFFFFDu;
    uint64_t next_in = 0, next_out = 0;
    for (int step = 0; step < 200; step++) {
        while (ion_ring_used(&t.ring) < 5) {
            v = next_in;
            CHECK_EQ_I64(ion_ring_push(&t.ring, &v), 0);
            next_in++;
        }
        CHECK_EQ_I64(ion_ring_pop(&t.ring, &v), 0);
        CHECK_EQ_U64(v, next_out);
        next_out++;
        CHECK_EQ_U64(ion_ring_used(&t.ring), next_in - next_out);
    }
    CHECK_EQ_U64(t.ring.tail, (uint32_t)(0xFFFFFFFDu + 200));
}

/* Element sizes 1, 3, 8, 16, 24 and 32, from aligned and misaligned
 * buffers (the word-copy cases and the memcpy fallback): every byte of every
 * element survives. */
static void check_elem_size(uint32_t elem_size, uint32_t misalign)
{
    struct test_ring t;
    _Alignas(8) uint8_t in_buf[40], out_buf[40];
    uint8_t *in = in_buf + misalign, *out = out_buf + misalign;
    memset(t.slots, 0xAA, sizeof t.slots);
    CHECK_EQ_I64(ion_ring_init(&t.ring, 64, elem_size), 0);
    for (int round = 0; round < 3; round++) {
        for (uint32_t i = 0; i < 64; i++) {
            for (uint32_t b = 0; b < elem_size; b++)
                in[b] = (uint8_t)(i * 31 + b * 7 + round);
            CHECK_EQ_I64(ion_ring_push(&t.ring, in), 0);
        }
        CHECK_EQ_I64(ion_ring_push(&t.ring, in), -1);
        for (uint32_t i = 0; i < 64; i++) {
            memset(out, 0x55, 32);
            CHECK_EQ_I64(ion_ring_pop(&t.ring, out), 0);
            int same = 1;
            for (uint32_t b = 0; b < elem_size; b++)
                same &= out[b] == (uint8_t)(i * 31 + b * 7 + round);
            /* Nothing beyond elem_size is written. */
            for (uint32_t b = elem_size; b < 32; b++)
                same &= out[b] == 0x55;
            if (!CHECK(same))
                printf("  elem_size %u, misalign %u, round %d, element %u\n", elem_size, misalign,
                       round, i);
        }
    }
    /* The slots end at 64 * elem_size: the bytes after them were never touched. */
    int untouched = 1;
    for (size_t b = 64u * elem_size; b < sizeof t.slots; b++)
        untouched &= t.slots[b] == 0xAA;
    CHECK(untouched);
}

/* The ABI's typed command ring: a CmdPacket pushed through the generic code
 * is where DWARF (and GDB) say it is. */
static void test_cmd_ring(void)
{
    struct ion_cmd_ring cr;
    CHECK_EQ_I64(ion_ring_init(&cr.ring, ION_CMD_RING_CAPACITY, sizeof(CmdPacket)), 0);
    CHECK(ion_ring_slots(&cr.ring) == (void *)cr.slots);
    for (uint32_t i = 0; i < ION_CMD_RING_CAPACITY; i++) {
        CmdPacket p = { .kind = CMD_SYS_EXEC, .arg = 0x1000 + i,
                        .id = ((__uint128_t)i << 64) | 0xabcdefu };
        CHECK_EQ_I64(ion_ring_push(&cr.ring, &p), 0);
        CHECK_EQ_U64(cr.slots[i].kind, CMD_SYS_EXEC);
        CHECK_EQ_U64(cr.slots[i]._pad, 0);
        CHECK_EQ_U64(cr.slots[i].arg, 0x1000 + i);
    }
    CmdPacket p;
    CHECK_EQ_I64(ion_ring_push(&cr.ring, &cr.slots[0]), -1);
    for (uint32_t i = 0; i < ION_CMD_RING_CAPACITY; i++) {
        memset(&p, 0xff, sizeof p);
        CHECK_EQ_I64(ion_ring_pop(&cr.ring, &p), 0);
        CHECK_EQ_U64(p.kind, CMD_SYS_EXEC);
        CHECK_EQ_U64(p._pad, 0);
        CHECK_EQ_U64(p.arg, 0x1000 + i);
        CHECK_EQ_U64((uint64_t)(p.id >> 64), i);
        CHECK_EQ_U64((uint64_t)p.id, 0xabcdef);
    }

    /* Completions too (32 bytes, 8-byte aligned). */
    struct ion_completion_ring comp;
    CHECK_EQ_I64(ion_ring_init(&comp.ring, ION_COMPLETION_CAPACITY, sizeof(CmdCompletion)), 0);
    CmdCompletion c = { .kind = CMD_FS_OPEN, .status = ION_ENOENT, .seq = 77, .result = -1 };
    CHECK_EQ_I64(ion_ring_push(&comp.ring, &c), 0);
    CmdCompletion d = { 0 };
    CHECK_EQ_I64(ion_ring_pop(&comp.ring, &d), 0);
    CHECK_EQ_U64(d.kind, CMD_FS_OPEN);
    CHECK_EQ_I64(d.status, ION_ENOENT);
    CHECK_EQ_U64(d.seq, 77);
    CHECK_EQ_I64(d.result, -1);
}

static void test_check(void)
{
    struct ion_ring r;
    const char *why = "untouched";

    CHECK_EQ_I64(ion_ring_init(&r, 64, 32), 0);
    CHECK_EQ_I64(ion_ring_check(&r, &why), 0);
    CHECK_STR(why, NULL);

    r = (struct ion_ring){ .head = 0, .tail = 0, .mask = 5, .elem_size = 32 };
    CHECK_EQ_I64(ion_ring_check(&r, &why), -1);
    CHECK_STR(why, "capacity is not a power of two");

    r = (struct ion_ring){ .head = 0, .tail = 0, .mask = 0xFFFFFFFFu, .elem_size = 32 };
    CHECK_EQ_I64(ion_ring_check(&r, &why), -1);
    CHECK_STR(why, "capacity is not a power of two");

    r = (struct ion_ring){ .head = 0, .tail = 0, .mask = 0x7FFFFFFFu, .elem_size = 1 };
    CHECK_EQ_I64(ion_ring_check(&r, &why), 0);

    r = (struct ion_ring){ .head = 0, .tail = 0, .mask = 63, .elem_size = 0 };
    CHECK_EQ_I64(ion_ring_check(&r, &why), -1);
    CHECK_STR(why, "elem_size is zero");

    /* Exactly full is fine; one more is not. */
    r = (struct ion_ring){ .head = 164, .tail = 100, .mask = 63, .elem_size = 8 };
    CHECK_EQ_I64(ion_ring_check(&r, &why), 0);
    r = (struct ion_ring){ .head = 165, .tail = 100, .mask = 63, .elem_size = 8 };
    CHECK_EQ_I64(ion_ring_check(&r, &why), -1);
    CHECK_STR(why, "head - tail exceeds capacity");

    /* Tail ahead of head: head - tail is huge. */
    r = (struct ion_ring){ .head = 100, .tail = 101, .mask = 63, .elem_size = 8 };
    CHECK_EQ_I64(ion_ring_check(&r, &why), -1);
    CHECK_STR(why, "head - tail exceeds capacity");

    /* Across the wrap, 21 used: fine. */
    r = (struct ion_ring){ .head = 5, .tail = 0xFFFFFFF0u, .mask = 63, .elem_size = 8 };
    CHECK_EQ_I64(ion_ring_check(&r, &why), 0);
    CHECK_EQ_U64(ion_ring_used(&r), 21);

    /* why may be NULL. */
    r.mask = 5;
    CHECK_EQ_I64(ion_ring_check(&r, NULL), -1);

    /* A corrupted header (head - tail > capacity) reads as full to the
     * producer, so it does not overwrite slots; used() is clamped. */
    struct test_ring t;
    uint64_t v = 1;
    CHECK_EQ_I64(ion_ring_init(&t.ring, 8, sizeof v), 0);
    t.ring.head = 20;
    t.ring.tail = 2;
    CHECK_EQ_I64(ion_ring_push(&t.ring, &v), -1);
    CHECK_EQ_U64(t.ring.head, 20);
    CHECK_EQ_U64(ion_ring_used(&t.ring), 8);
    CHECK_EQ_U64(ion_ring_free(&t.ring), 0);
    t.ring.head = 2;
    t.ring.tail = 3;
    CHECK_EQ_I64(ion_ring_push(&t.ring, &v), -1);
}

/* ---- two threads ---------------------------------------------------------- */

#define SPSC_ITEMS 10000000ull

static struct {
    struct ion_ring ring;
    uint64_t slots[64];
} spsc;

struct consumer_result {
    uint64_t received;
    uint64_t out_of_order;
    uint64_t first_bad_got, first_bad_want;
    uint64_t sum;
};

static void *producer(void *arg)
{
    (void)arg;
    for (uint64_t seq = 0; seq < SPSC_ITEMS; seq++) {
        unsigned spins = 0;
        while (ion_ring_push(&spsc.ring, &seq) != 0) {
            if (++spins > 64) {
                sched_yield();
                spins = 0;
            }
        }
    }
    return NULL;
}

static void *consumer(void *arg)
{
    struct consumer_result *res = arg;
    uint64_t expect = 0;
    while (expect < SPSC_ITEMS) {
        uint64_t v;
        unsigned spins = 0;
        while (ion_ring_pop(&spsc.ring, &v) != 0) {
            if (++spins > 64) {
                sched_yield();
                spins = 0;
            }
        }
        if (v != expect && res->out_of_order++ == 0) {
            res->first_bad_got = v;
            res->first_bad_want = expect;
        }
        res->sum += v;
        res->received++;
        expect++;
    }
    return NULL;
}

static void test_two_threads(void)
{
    struct consumer_result res = { 0 };
    pthread_t prod, cons;
    struct timespec t0, t1;

    CHECK_EQ_I64(ion_ring_init(&spsc.ring, 64, sizeof(uint64_t)), 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_EQ_I64(pthread_create(&cons, NULL, consumer, &res), 0);
    CHECK_EQ_I64(pthread_create(&prod, NULL, producer, NULL), 0);
    CHECK_EQ_I64(pthread_join(prod, NULL), 0);
    CHECK_EQ_I64(pthread_join(cons, NULL), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);

    CHECK_EQ_U64(res.received, SPSC_ITEMS);
    if (!CHECK_EQ_U64(res.out_of_order, 0))
        printf("  first bad: got %" PRIu64 ", want %" PRIu64 "\n", res.first_bad_got,
               res.first_bad_want);
    /* Exactly once each: in order, the count right, and the sum 0 + ... + n-1. */
    CHECK_EQ_U64(res.sum, SPSC_ITEMS * (SPSC_ITEMS - 1) / 2);
    CHECK_EQ_U64(spsc.ring.head, (uint32_t)SPSC_ITEMS);
    CHECK_EQ_U64(spsc.ring.tail, (uint32_t)SPSC_ITEMS);
    CHECK_EQ_U64(ion_ring_used(&spsc.ring), 0);
    CHECK_EQ_I64(ion_ring_check(&spsc.ring, NULL), 0);

    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("spsc: %llu items through a 64-slot ring in %.2f s\n", SPSC_ITEMS, secs);
}

int main(void)
{
    test_init();
    test_empty_full_fifo();
    test_wrap();
    static const uint32_t sizes[] = { 1, 3, 8, 16, 24, 32 };
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        check_elem_size(sizes[i], 0);
        check_elem_size(sizes[i], 4);
    }
    test_cmd_ring();
    test_check();
    test_two_threads();
    return check_summary("ion_ring");
}
