/*
 * A reader for the flattened device tree (devicetree spec v0.4, chapter 5)
 * that OpenSBI hands the kernel in a1. Pure: it only reads the blob, checks
 * every offset against the blob's size, and never trusts a length field.
 */
#ifndef RUMPK_LIB_FDT_H
#define RUMPK_LIB_FDT_H

#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC 0xd00dfeedu
#define FDT_MAX_RESERVED 8

struct fdt_range {
    uint64_t base;
    uint64_t size;
};

struct fdt_info {
    uint32_t total_size;        /* of the blob, from its header */
    struct fdt_range memory;    /* first /memory node's first reg entry */
    const char *bootargs;       /* /chosen/bootargs inside the blob, or "" */
    uint32_t timebase_hz;       /* /cpus/timebase-frequency, 0 if absent */
    const uint8_t *rng_seed;    /* /chosen/rng-seed inside the blob, or NULL */
    uint32_t rng_seed_len;
    int n_reserved;             /* /memreserve/ entries and /reserved-memory children */
    struct fdt_range reserved[FDT_MAX_RESERVED];
};

/* Parses the blob at `blob`, reading at most `max_size` bytes. Returns 0 on
 * success, or -1 with *error set to a one-line reason. */
int fdt_parse(const void *blob, size_t max_size, struct fdt_info *out, const char **error);

#endif
