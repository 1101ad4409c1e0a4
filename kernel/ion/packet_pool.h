/*
 * The packet pool: count fixed-size packets (ION_PACKET_SIZE bytes each in
 * the kernel) handed out by index. An index, not a pointer, is what travels
 * through the rings (CMD_ION_ALLOC's result, CMD_CON_WRITE's argument,
 * struct ion_desc.packet), so the other side cannot name memory outside the
 * pool: every index is range-checked here.
 *
 * The buffers may be memory shared with user programs; this struct (the free
 * stack, the in-use map, the counters) is kernel-private, so user code cannot
 * corrupt the pool's bookkeeping. The in-use map makes a double free or the
 * free of a never-allocated index a detected error instead of a second owner.
 *
 * Allocation and free are O(1): a stack of free indices. It is LIFO, so the
 * packet freed last is handed out next (cache-warm). Buffers are not cleared
 * on allocation or free. Pure (touches only the struct and the buffers it is
 * given), and not synchronised: one hart at a time, or the caller locks.
 */
#ifndef RUMPK_ION_PACKET_POOL_H
#define RUMPK_ION_PACKET_POOL_H

#include <stdint.h>

#include "abi/ion.h"

struct packet_pool {
    uint8_t *buffers;        /* count * packet_size bytes; packet i at i * packet_size */
    uint32_t packet_size;    /* bytes per packet */
    uint32_t count;          /* packets in the pool, <= ION_PACKET_COUNT */
    uint32_t free_count;     /* packets free now; also the depth of free_stack */
    uint32_t high_water;     /* the most packets ever in use at once */
    uint64_t allocs;         /* successful packet_pool_alloc calls */
    uint64_t frees;          /* successful packet_pool_free calls */
    uint64_t failed_allocs;  /* packet_pool_alloc calls that found the pool empty */
    uint32_t free_stack[ION_PACKET_COUNT]; /* free indices; [free_count - 1] is next */
    uint8_t in_use[ION_PACKET_COUNT];      /* 1: handed out and not yet freed */
};

/* Takes over `buffers` (count * packet_size bytes) with every packet free;
 * the first allocations return 0, 1, 2, ... Returns 0, or -1 (pool zeroed)
 * when count is 0 or above ION_PACKET_COUNT, packet_size is 0 or buffers is
 * NULL. */
int packet_pool_init(struct packet_pool *p, void *buffers, uint32_t packet_size, uint32_t count);

/* A free packet's index, now in use, or -1 when none is free. */
int32_t packet_pool_alloc(struct packet_pool *p);

/* Gives packet `index` back. Returns 0, or -1 (nothing changed) when the
 * index is out of range or not in use (a double free). */
int packet_pool_free(struct packet_pool *p, uint32_t index);

/* The address of packet `index`, or NULL when out of range. It does not
 * check that the packet is in use: see packet_pool_is_allocated. */
void *packet_pool_buffer(struct packet_pool *p, uint32_t index);

/* 1 when `index` is in range and handed out, else 0 (for commands that name
 * a packet the sender must own, such as CMD_CON_WRITE). */
int packet_pool_is_allocated(const struct packet_pool *p, uint32_t index);

/* Packets handed out and not yet freed. */
uint32_t packet_pool_in_use(const struct packet_pool *p);

#endif
