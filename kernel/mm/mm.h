/* The kernel's physical memory: one page pool over the RAM the device tree reports. */
#ifndef RUMPK_MM_MM_H
#define RUMPK_MM_MM_H

#include "lib/fdt.h"
#include "mm/page_pool.h"

extern struct page_pool kernel_pages;

/* Builds the pool from the end of the kernel image to the end of RAM, minus
 * the device tree blob and every reserved range. Panics when that leaves
 * nothing (a machine with no memory for us is not a user's mistake). */
void mm_init(const struct fdt_info *fdt, const void *fdt_blob);

/* The `mem` table. */
void mm_print_stats(void);

void *page_alloc(void);
void page_free(void *page);
void *page_alloc_run(uint64_t n);          /* n contiguous pages, or NULL */
void page_free_run(void *first, uint64_t n);

#endif
