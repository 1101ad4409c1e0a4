#include "lib/ksyms.h"

#include <stddef.h>

const char *ksym_lookup(const struct ksym_table *t, uint64_t pc, uint64_t *offset)
{
    if (t->count == 0 || pc < t->addrs[0] || pc >= t->addrs[t->count])
        return NULL;
    /* The last symbol whose address is <= pc. */
    uint64_t lo = 0, hi = t->count;
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (t->addrs[mid] <= pc)
            lo = mid;
        else
            hi = mid;
    }
    if (offset)
        *offset = pc - t->addrs[lo];
    return t->names + t->name_offsets[lo];
}
