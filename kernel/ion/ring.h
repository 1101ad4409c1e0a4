/*
 * The generic single-producer/single-consumer ring over struct ion_ring
 * (include/abi/ion.h): a 16-byte header, then capacity * elem_size bytes of
 * slots. Header-only and pure, so the kernel (freestanding), user programs
 * and the host unit tests all use these very functions.
 *
 * Indices are free-running u32 counters: they are never masked in memory and
 * wrap at 2^32. used = head - tail (unsigned arithmetic makes that right
 * across the wrap), the ring is empty when head == tail and full when
 * used == capacity (mask + 1), and index i lives in slot i & mask. Keeping
 * the indices unmasked is why a power-of-two capacity is required (2^32 must
 * be a multiple of the capacity for i & mask to stay continuous across the
 * wrap) and why all capacity slots are usable (no "one slot always empty").
 *
 * Who owns what:
 *   - head belongs to the producer: only ion_ring_push writes it.
 *   - tail belongs to the consumer: only ion_ring_pop writes it.
 *   - mask and elem_size are written once by ion_ring_init, before either
 *     side runs, and only read afterwards.
 *   - slot i & mask belongs to the producer while head <= i < tail + capacity
 *     (it is free) and to the consumer while tail <= i < head (it is full).
 *     Publishing an index hands the slot over to the other side.
 * Each side therefore reads its own index relaxed (nobody else writes it),
 * reads the other's index with ACQUIRE and publishes its own with RELEASE:
 *   - push: the RELEASE store of head orders the element copy before it, and
 *     the consumer's ACQUIRE load of head makes the copy visible before it
 *     reads the slot. Without it the consumer could read a stale slot.
 *   - pop: the RELEASE store of tail orders the copy out of the slot before
 *     it, and the producer's ACQUIRE load of tail keeps its next write to that
 *     slot after it. Without it the producer could overwrite an element the
 *     consumer is still copying.
 * One producer and one consumer only: two producers (or two consumers) would
 * both claim the same slot. The kernel wraps a ring in a lock if it ever
 * needs more.
 *
 * The ring may live in memory shared with a less trusted side that can write
 * any header field at any time. Slot addresses are always index & mask, so
 * they stay inside capacity slots for the mask that was read; a side that
 * cannot trust the header keeps its own copy of mask and elem_size, or
 * validates with ion_ring_check first.
 *
 * Elements are copied a word at a time when slot and element are 8-byte
 * aligned (every ION ring), with __builtin_memcpy otherwise: on the host that
 * is libc's memcpy, in the kernel kernel/lib/string.c provides it.
 */
#ifndef RUMPK_ION_RING_H
#define RUMPK_ION_RING_H

#include <stddef.h>
#include <stdint.h>

#include "abi/ion.h"

#define ION_RING_MAX_CAPACITY 0x80000000u /* 2^31: the largest power of two below 2^32 */

/* The slots, directly after the header. */
static inline void *ion_ring_slots(struct ion_ring *r)
{
    return (uint8_t *)(r + 1);
}

static inline const uint8_t *ion_ring_slots_const_(const struct ion_ring *r)
{
    return (const uint8_t *)(r + 1);
}

/* capacity must be a power of two in [1, 2^31], elem_size nonzero; the caller
 * provides capacity * elem_size bytes of slots after the header. Returns 0,
 * or -1 (header untouched) when the geometry is invalid. Call before either
 * side uses the ring. */
static inline int ion_ring_init(struct ion_ring *r, uint32_t capacity, uint32_t elem_size)
{
    /* capacity is a u32, so it cannot exceed 2^32 - 1; the only power of two
     * above 2^31 would be 2^32 itself. */
    if (capacity == 0 || (capacity & (capacity - 1)) != 0 || capacity > ION_RING_MAX_CAPACITY)
        return -1;
    if (elem_size == 0)
        return -1;
    r->head = 0;
    r->tail = 0;
    r->mask = capacity - 1;
    r->elem_size = elem_size;
    return 0;
}

static inline uint32_t ion_ring_capacity(const struct ion_ring *r)
{
    return r->mask + 1;
}

/* Elements in the ring. Exact for the producer and the consumer calling it
 * on their own ring (the other side can only make it smaller, resp. larger,
 * meanwhile). A third observer reads tail first, then head: head can only
 * have moved forward, so the difference never goes negative; it is clamped
 * to the capacity because tail may have moved too, in between. A stopped
 * ring with a corrupted header is ion_ring_check's business. */
static inline uint32_t ion_ring_used(const struct ion_ring *r)
{
    uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
    uint32_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
    uint32_t used = head - tail;
    uint32_t capacity = ion_ring_capacity(r);
    return used > capacity ? capacity : used;
}

/* Slots free for the producer. */
static inline uint32_t ion_ring_free(const struct ion_ring *r)
{
    return ion_ring_capacity(r) - ion_ring_used(r);
}

/* Copies one element. Every ION ring has 8-byte-aligned slots and an
 * elem_size that is a multiple of 8, so this is a few word loads and stores;
 * anything else falls back to memcpy. */
static inline void ion_ring_copy_(void *dst, const void *src, uint32_t size)
{
    typedef uint64_t __attribute__((may_alias)) ion_word_;
    /* A slot lies past the header struct its pointer was derived from, and
     * GCC cannot see that the case taken matches the object: hide both
     * origins from its object-size checks (no instruction is emitted). */
    __asm__("" : "+r"(dst), "+r"(src));
    if (((size | (uintptr_t)dst | (uintptr_t)src) & 7) == 0) {
        ion_word_ *d = (ion_word_ *)dst;
        const ion_word_ *s = (const ion_word_ *)src;
        switch (size) {   /* the ION element sizes, without a loop */
        case 32:          /* CmdPacket, CmdCompletion */
            d[3] = s[3];
            d[2] = s[2];
            /* fall through */
        case 16:
            d[1] = s[1];
            /* fall through */
        case 8:           /* struct ion_desc */
            d[0] = s[0];
            break;
        default:
            for (uint32_t i = 0; i < size / 8; i++)
                d[i] = s[i];
        }
    } else {
        __builtin_memcpy(dst, src, size);
    }
}

/* Producer side: copies elem_size bytes from elem into the next slot.
 * Returns 0, or -1 when the ring is full. */
static inline int ion_ring_push(struct ion_ring *r, const void *elem)
{
    uint32_t head = __atomic_load_n(&r->head, __ATOMIC_RELAXED);   /* ours */
    uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);   /* the consumer's */
    /* >= rather than ==: a corrupted header (head - tail > capacity, or tail
     * ahead of head) also reads as full instead of overwriting full slots. */
    if (head - tail >= r->mask + 1)
        return -1;
    uint8_t *slot = (uint8_t *)ion_ring_slots(r) + (size_t)(head & r->mask) * r->elem_size;
    ion_ring_copy_(slot, elem, r->elem_size);
    /* Publish: the copy above happens-before the consumer's acquire of head. */
    __atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
    return 0;
}

/* Consumer side: copies the oldest element out without removing it.
 * Returns 0, or -1 when the ring is empty. */
static inline int ion_ring_peek(const struct ion_ring *r, void *elem)
{
    uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);   /* ours */
    uint32_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);   /* the producer's */
    if (head == tail)
        return -1;
    const uint8_t *slot = ion_ring_slots_const_(r) + (size_t)(tail & r->mask) * r->elem_size;
    ion_ring_copy_(elem, slot, r->elem_size);
    return 0;
}

/* Consumer side: copies the oldest element out and frees its slot.
 * Returns 0, or -1 when the ring is empty. */
static inline int ion_ring_pop(struct ion_ring *r, void *elem)
{
    uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);   /* ours */
    uint32_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);   /* the producer's */
    if (head == tail)
        return -1;
    const uint8_t *slot = ion_ring_slots_const_(r) + (size_t)(tail & r->mask) * r->elem_size;
    ion_ring_copy_(elem, slot, r->elem_size);
    /* Hand the slot back: the copy above happens-before the producer's
     * acquire of tail, so it cannot overwrite the slot while we read it. */
    __atomic_store_n(&r->tail, tail + 1, __ATOMIC_RELEASE);
    return 0;
}

/* The invariants of a ring header, for a stopped ring or one about to be
 * trusted (GDB's `ring --check` applies the same rules, in the same order,
 * with the same words):
 *   "elem_size is zero"
 *   "capacity is not a power of two"          (mask + 1, in [1, 2^31])
 *   "head - tail exceeds capacity"            (also: tail ahead of head)
 * Returns 0 (and *why = NULL), or -1 with *why set to the first rule broken.
 * why may be NULL. */
static inline int ion_ring_check(const struct ion_ring *r, const char **why)
{
    const char *reason = NULL;
    /* Atomic loads only so that a concurrent check is not a data race; the
     * answer is meaningful for a stopped ring. */
    uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
    uint32_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
    uint32_t mask = r->mask;
    uint32_t capacity = mask + 1;   /* 0 when mask is 0xffffffff: rejected below */
    if (r->elem_size == 0)
        reason = "elem_size is zero";
    else if (capacity == 0 || (capacity & mask) != 0 || capacity > ION_RING_MAX_CAPACITY)
        reason = "capacity is not a power of two";
    else if (head - tail > capacity)
        reason = "head - tail exceeds capacity";
    if (why)
        *why = reason;
    return reason ? -1 : 0;
}

#endif
