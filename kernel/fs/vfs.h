/*
 * The VFS: what the file system calls need on top of a tar_index. Each
 * process owns a handle table; a handle is an int32 that encodes a slot and
 * that slot's generation (generation << 8 | slot, always > 0), so a handle
 * that was closed, whose slot was reused, or that was never issued is refused
 * with VFS_EBADF instead of reaching another file. Pure: no allocation, no
 * locking (one table belongs to one process).
 *
 * Errors are negative: the ION codes of include/abi/ion.h, so they cross
 * the system-call boundary unchanged.
 */
#ifndef RUMPK_FS_VFS_H
#define RUMPK_FS_VFS_H

#include <stddef.h>
#include <stdint.h>

#include "abi/ion.h"
#include "fs/tar.h"

#define VFS_MAX_FILES 16

#define VFS_EARG    ION_EARG    /* -4: NULL pointer, bad whence, negative offset */
#define VFS_ENOENT  ION_ENOENT  /* -6: no such file or directory */
#define VFS_EBADF   ION_EBADF   /* -7: not an open handle of this table */
#define VFS_EMFILE  ION_EMFILE  /* -8: every slot of the table is in use */
#define VFS_EISDIR  ION_EISDIR  /* -9: vfs_read on a directory */
#define VFS_ENOTDIR ION_ENOTDIR /* -10: vfs_readdir on a file */

#define VFS_SEEK_SET 0
#define VFS_SEEK_CUR 1
#define VFS_SEEK_END 2

struct vfs_file {
    const struct tar_entry *entry;  /* into the index; NULL for an implicit dir (dir_copy) */
    struct tar_entry dir_copy;      /* the implicit directory tar_lookup made up */
    uint64_t offset;
    uint32_t generation;            /* bumped on every open of this slot, never 0 */
    uint8_t in_use;
};

/* The index must outlive the table: open files point into it. */
struct vfs_table {
    struct vfs_file files[VFS_MAX_FILES];
};

struct vfs_stat {
    uint64_t size;
    uint32_t type;   /* TAR_FILE or TAR_DIR */
    uint32_t mode;   /* permission bits */
};

struct vfs_dirent {
    char name[TAR_PATH_MAX];  /* the child's own name, not its full path */
    uint64_t size;
    uint32_t type;            /* TAR_FILE or TAR_DIR */
    uint32_t mode;
};

/* Every slot free (generations start again from 1). */
void vfs_table_init(struct vfs_table *t);

/* Opens a file or directory (any spelling of the path). Returns a handle > 0,
 * VFS_ENOENT, VFS_EMFILE or VFS_EARG. */
int32_t vfs_open(struct vfs_table *t, const struct tar_index *idx, const char *path);

/* Copies up to len bytes from the handle's offset and advances it. Returns
 * the bytes copied (0 at or past the end), VFS_EBADF, VFS_EISDIR or VFS_EARG. */
int64_t vfs_read(struct vfs_table *t, int32_t h, void *buf, size_t len);

/* Moves the offset relative to the start, the current offset or the end.
 * Past the end is allowed (reads then return 0); a negative result is
 * VFS_EARG and leaves the offset alone. Returns the new offset. */
int64_t vfs_seek(struct vfs_table *t, int32_t h, int64_t offset, int whence);

/* Returns 0 or VFS_EBADF. The handle (and any copy of it) is dead afterwards. */
int vfs_close(struct vfs_table *t, int32_t h);

/* Returns 0, VFS_ENOENT or VFS_EARG. */
int vfs_stat(const struct tar_index *idx, const char *path, struct vfs_stat *out);

/* The index-th (from 0) direct child of dir_path in name order, implicit
 * subdirectories included (each once). Returns 1 when *out is filled, 0 when
 * index is past the last child, VFS_ENOENT, VFS_ENOTDIR or VFS_EARG. Costs
 * O(entries under dir_path x index): fine for an initrd; a cursor can make
 * whole listings linear later. */
int vfs_readdir(const struct tar_index *idx, const char *dir_path, uint32_t index,
                struct vfs_dirent *out);

#endif
