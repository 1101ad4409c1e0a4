#include "fs/tarfs.h"

#include "core/console.h"
#include "fs/initrd.h"
#include "mm/mm.h"

struct tar_index rootfs;
int rootfs_mounted;

static uint64_t pages_for(uint64_t bytes)
{
    return (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
}

void tarfs_mount(void)
{
    if (initrd_verify() != 0)
        return;
    const uint8_t *archive = initrd_start;
    uint64_t size = initrd_status.seen_size;
    struct tar_scan_result scan;
    struct tar_error err;
    if (tar_scan(archive, size, &scan, &err) != 0) {
        kprintf("[tarfs] ERROR: %s at offset %lu: not mounting the initrd\n", err.reason,
                (unsigned long)err.offset);
        return;
    }
    uint64_t entry_pages = pages_for((scan.entries ? scan.entries : 1) * sizeof(struct tar_entry));
    uint64_t name_pages = pages_for(scan.name_bytes ? scan.name_bytes : 1);
    struct tar_entry *entries = page_alloc_run(entry_pages);
    char *names = page_alloc_run(name_pages);
    if (!entries || !names) {
        kprintf("[tarfs] ERROR: no memory for an index of %u entries\n", scan.entries);
        return;
    }
    if (tar_index_build(&rootfs, archive, size, &scan, entries, names, &err) != 0) {
        kprintf("[tarfs] ERROR: %s at offset %lu: not mounting the initrd\n", err.reason,
                (unsigned long)err.offset);
        return;
    }
    rootfs_mounted = 1;
    uint32_t dirs = 0;
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < rootfs.count; i++) {
        dirs += rootfs.entries[i].type == TAR_DIR;
        bytes += rootfs.entries[i].size;
    }
    kprintf("[tarfs] mounted the initrd: %u entries (%u files, %u directories, %lu bytes)%s\n",
            rootfs.count, rootfs.count - dirs, dirs, (unsigned long)bytes,
            scan.skipped ? ", some unsupported entries skipped" : "");
}

void tarfs_list_all(void)
{
    for (uint32_t i = 0; i < rootfs.count; i++) {
        const struct tar_entry *e = &rootfs.entries[i];
        kprintf("[tarfs] %c %04o %10lu /%s\n", e->type == TAR_DIR ? 'd' : '-', e->mode & 07777,
                (unsigned long)e->size, e->path);
    }
    kprintf("[tarfs] %u entries listed\n", rootfs.count);
}
