/*
 * Sorting a handful of numbers (the benchmarks' samples, kernel and user
 * side): insertion sort, which is all 31 samples need. Header-only, so user
 * programs use the very same code.
 */
#ifndef RUMPK_LIB_SORT_H
#define RUMPK_LIB_SORT_H

#include <stdint.h>

static inline void sort_u64(uint64_t *v, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            uint64_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
}

#endif
