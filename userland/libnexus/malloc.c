/*
 * malloc and friends over arena.c, on a static NEXUS_HEAP_SIZE arena in
 * .bss (no command grows a program's memory, so the heap is fixed at link
 * time). The arena is set up on first use.
 */
#include "libnexus.h"

#include "arena.h"

static uint8_t heap[NEXUS_HEAP_SIZE] __attribute__((aligned(ARENA_ALIGN)));
static struct arena arena;
static int ready;

static struct arena *the_arena(void)
{
    if (!ready) {
        arena_init(&arena, heap, sizeof heap);
        ready = 1;
    }
    return &arena;
}

void *malloc(size_t n)
{
    return arena_alloc(the_arena(), n);
}

void free(void *p)
{
    if (arena_free(the_arena(), p) != 0)
        dprintf(STDERR_FILENO, "free: %p was not handed out by malloc (or is freed already)\n", p);
}

void *calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *p = malloc(count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void *realloc(void *p, size_t n)
{
    return arena_realloc(the_arena(), p, n);
}
