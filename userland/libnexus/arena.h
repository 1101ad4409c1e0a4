/*
 * A first-fit allocator over one block of memory given to it (malloc.c gives
 * it a static array in .bss). Pure: no system calls, no globals, so the
 * host unit tests (userland/tests/test_arena.c) run it under ASan.
 *
 * The arena is a row of blocks that tile it exactly. Every block starts with
 * a 16-byte header (its size, header included, a multiple of 16; and either
 * the link to the next free block or ARENA_USED). Free blocks form a list
 * sorted by address, so free() finds its neighbours in one walk and merges
 * with them: no two free blocks are ever adjacent (the coalescing
 * invariant arena_check verifies). Payloads are 16-byte aligned.
 */
#ifndef RUMPK_USER_ARENA_H
#define RUMPK_USER_ARENA_H

#include <stddef.h>
#include <stdint.h>

#define ARENA_ALIGN 16

struct arena_block {
    size_t size;                 /* bytes, header included; multiple of ARENA_ALIGN */
    struct arena_block *next;    /* next free block (by address), or ARENA_USED */
};

struct arena {
    uint8_t *base;               /* first block; ARENA_ALIGN aligned */
    size_t size;                 /* bytes of blocks from base */
    struct arena_block *free;    /* the free list, ascending addresses */
    size_t in_use;               /* payload + header bytes handed out */
    size_t allocations;          /* blocks handed out now */
};

/* Takes over size bytes at mem (aligned inward to ARENA_ALIGN) as one free
 * block. Returns 0, or -1 when fewer than two headers' worth remain. */
int arena_init(struct arena *a, void *mem, size_t size);

/* n bytes (n == 0 counts as 1), ARENA_ALIGN aligned, or NULL. */
void *arena_alloc(struct arena *a, size_t n);

/* Gives p back (NULL is a no-op). Returns 0, or -1 when p is not a block
 * this arena handed out and has not taken back (a double free, a pointer
 * into the middle of a block, another arena's pointer): nothing changes. */
int arena_free(struct arena *a, void *p);

/* realloc's contract: NULL p is arena_alloc; n == 0 frees and returns NULL;
 * otherwise the first min(old, n) bytes move to the returned block, or NULL
 * (p untouched) when there is no room. */
void *arena_realloc(struct arena *a, void *p, size_t n);

/* The payload bytes p may use (at least what was asked for). */
size_t arena_usable_size(const void *p);

/* The invariants: blocks tile the arena, sizes aligned and non-zero, the
 * free list ascending, inside the arena, and on free blocks only, no two
 * free blocks adjacent, in_use and allocations consistent with the blocks.
 * Returns 0, or -1 with *why (may be NULL) naming the first rule broken. */
int arena_check(const struct arena *a, const char **why);

#endif
