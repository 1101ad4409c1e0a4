/*
 * The kernel's own symbol table, for symbolized backtraces. The build links
 * the kernel twice: the second link adds a table of every function symbol
 * of the first (scripts/gen-ksyms.py), placed last in the image so that no
 * address moves. The lookup is pure and host-tested.
 */
#ifndef RUMPK_LIB_KSYMS_H
#define RUMPK_LIB_KSYMS_H

#include <stdint.h>

struct ksym_table {
    uint64_t count;
    const uint64_t *addrs;        /* sorted ascending; addrs[count] is the end of text */
    const uint32_t *name_offsets; /* into names */
    const char *names;
};

/* The function containing `pc`, with *offset set to pc - its start; NULL when
 * pc lies outside every known function. */
const char *ksym_lookup(const struct ksym_table *t, uint64_t pc, uint64_t *offset);

#endif
