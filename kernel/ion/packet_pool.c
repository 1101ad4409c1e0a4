#include "ion/packet_pool.h"

#include <stddef.h>

int packet_pool_init(struct packet_pool *p, void *buffers, uint32_t packet_size, uint32_t count)
{
    *p = (struct packet_pool){ 0 };
    if (buffers == NULL || packet_size == 0 || count == 0 || count > ION_PACKET_COUNT)
        return -1;
    p->buffers = buffers;
    p->packet_size = packet_size;
    p->count = count;
    /* Highest index at the bottom, so that allocation starts at 0. */
    for (uint32_t i = 0; i < count; i++)
        p->free_stack[i] = count - 1 - i;
    p->free_count = count;
    return 0;
}

int32_t packet_pool_alloc(struct packet_pool *p)
{
    if (p->free_count == 0) {
        p->failed_allocs++;
        return -1;
    }
    uint32_t index = p->free_stack[--p->free_count];
    p->in_use[index] = 1;
    p->allocs++;
    uint32_t used = p->count - p->free_count;
    if (used > p->high_water)
        p->high_water = used;
    return (int32_t)index;
}

int packet_pool_free(struct packet_pool *p, uint32_t index)
{
    if (index >= p->count || !p->in_use[index])
        return -1;
    p->in_use[index] = 0;
    p->free_stack[p->free_count++] = index;
    p->frees++;
    return 0;
}

void *packet_pool_buffer(struct packet_pool *p, uint32_t index)
{
    if (index >= p->count)
        return NULL;
    return p->buffers + (size_t)index * p->packet_size;
}

int packet_pool_is_allocated(const struct packet_pool *p, uint32_t index)
{
    return index < p->count && p->in_use[index];
}

uint32_t packet_pool_in_use(const struct packet_pool *p)
{
    return p->count - p->free_count;
}
