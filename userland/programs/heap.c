/*
 * malloc, free, calloc and realloc in U-mode: allocations that do not
 * overlap and keep their contents, blocks that merge again when freed (the
 * whole heap is one block at the end), calloc's zeroes and its overflow
 * check. Prints `heap: ok` (exit 0) or `heap: FAIL ...` (exit 1).
 */
#include "libnexus.h"

#define SLOTS 64

static int fail(const char *what, int i)
{
    printf("heap: FAIL %s (%d)\n", what, i);
    return 1;
}

int main(void)
{
    static unsigned char *p[SLOTS];
    static size_t size[SLOTS];

    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < SLOTS; i++) {
            size[i] = (size_t)(1 + (i * 37 + round * 101) % 1500);
            p[i] = malloc(size[i]);
            if (!p[i])
                return fail("malloc returned NULL", i);
            if ((uintptr_t)p[i] % 16 != 0)
                return fail("malloc result not 16-byte aligned", i);
            memset(p[i], i + 1, size[i]);
        }
        /* Free every other one, then check the rest kept their bytes. */
        for (int i = round % 2; i < SLOTS; i += 2) {
            free(p[i]);
            p[i] = NULL;
        }
        for (int i = 0; i < SLOTS; i++) {
            if (!p[i])
                continue;
            for (size_t j = 0; j < size[i]; j++)
                if (p[i][j] != (unsigned char)(i + 1))
                    return fail("a block was overwritten", i);
            unsigned char *q = realloc(p[i], size[i] * 2 + 64);
            if (!q)
                return fail("realloc returned NULL", i);
            for (size_t j = 0; j < size[i]; j++)
                if (q[j] != (unsigned char)(i + 1))
                    return fail("realloc lost the contents", i);
            p[i] = q;
        }
        for (int i = 0; i < SLOTS; i++) {
            free(p[i]);
            p[i] = NULL;
        }
    }

    /* Everything was freed and merged: nearly the whole heap fits again. */
    void *big = malloc(NEXUS_HEAP_SIZE - 64);
    if (!big)
        return fail("the heap did not coalesce", 0);
    free(big);

    unsigned char *z = calloc(100, 10);
    if (!z)
        return fail("calloc returned NULL", 0);
    for (int i = 0; i < 1000; i++)
        if (z[i] != 0)
            return fail("calloc memory is not zero", i);
    free(z);
    if (calloc(SIZE_MAX / 2, 4) != NULL)
        return fail("calloc did not catch the overflow", 0);
    if (malloc(NEXUS_HEAP_SIZE + 1) != NULL)
        return fail("malloc larger than the heap succeeded", 0);

    printf("heap: ok\n");
    return 0;
}
