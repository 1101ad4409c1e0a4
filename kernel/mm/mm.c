#include "mm/mm.h"

#include "core/console.h"
#include "core/panic.h"

extern char __kernel_start[], __kernel_end[];

struct page_pool kernel_pages;

void mm_init(const struct fdt_info *fdt, const void *fdt_blob)
{
    uintptr_t ram_start = fdt->memory.base;
    uintptr_t ram_end = fdt->memory.base + fdt->memory.size;
    uintptr_t start = (uintptr_t)__kernel_end;
    if (start < ram_start || start >= ram_end)
        panic("mm: kernel image 0x%lx-0x%lx lies outside RAM 0x%lx-0x%lx",
              (unsigned long)__kernel_start, (unsigned long)__kernel_end,
              (unsigned long)ram_start, (unsigned long)ram_end);
    if (page_pool_init(&kernel_pages, start, ram_end) != 0)
        panic("mm: no room for a page pool between 0x%lx and 0x%lx", (unsigned long)start,
              (unsigned long)ram_end);
    page_pool_reserve(&kernel_pages, (uintptr_t)fdt_blob, fdt->total_size);
    for (int i = 0; i < fdt->n_reserved; i++)
        page_pool_reserve(&kernel_pages, fdt->reserved[i].base, fdt->reserved[i].size);

    kprintf("[mm] RAM %lu MiB at 0x%lx; page pool 0x%lx-0x%lx: %lu pages free, %lu reserved\n",
            (unsigned long)(fdt->memory.size >> 20), (unsigned long)ram_start,
            (unsigned long)kernel_pages.base, (unsigned long)ram_end,
            (unsigned long)kernel_pages.free, (unsigned long)kernel_pages.reserved);
}

void *page_alloc(void)
{
    return page_pool_alloc(&kernel_pages);
}

void page_free(void *page)
{
    if (page_pool_free(&kernel_pages, page) != 0)
        panic("page_free: 0x%lx was not handed out by the page pool (double free?)",
              (unsigned long)page);
}

void *page_alloc_run(uint64_t n)
{
    return page_pool_alloc_run(&kernel_pages, n);
}

void page_free_run(void *first, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        page_free((uint8_t *)first + i * PAGE_SIZE);
}

void mm_print_stats(void)
{
    kprintf("pages: %lu total, %lu free, %lu used, %lu reserved, high-water %lu (4 KiB each)\n",
            (unsigned long)kernel_pages.npages, (unsigned long)kernel_pages.free,
            (unsigned long)kernel_pages.used, (unsigned long)kernel_pages.reserved,
            (unsigned long)kernel_pages.high_water);
}
