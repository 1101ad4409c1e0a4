/*
 * TarFS: the initrd is a ustar archive (POSIX.1-1988 "ustar" with the
 * POSIX.1-2001 prefix field). The parser is pure: it reads only the bytes it
 * is given, never past `size`, verifies every header checksum, and refuses a
 * malformed archive with a reason and the byte offset of the bad header.
 *
 * Mounting builds an index once (sorted by normalized path) so a lookup is a
 * binary search, not a rescan of the archive. The caller provides the memory
 * (the kernel from its page pool, the host tests from malloc): first
 * tar_scan() counts, then tar_index_build() fills.
 */
#ifndef RUMPK_FS_TAR_H
#define RUMPK_FS_TAR_H

#include <stddef.h>
#include <stdint.h>

#define TAR_BLOCK 512
#define TAR_PATH_MAX 256   /* bytes for a normalized path, NUL included: at most 255
                              characters, so a full prefix (155) + '/' + name (100)
                              = 256 is refused as "path too long" */
#define TAR_IMPLICIT_DIR_MODE 0755  /* the mode tar_lookup gives an implicit directory */

enum tar_type { TAR_FILE = 0, TAR_DIR = 1 };

struct tar_entry {
    const char *path;      /* normalized: no leading '/', no trailing '/', "" is the root */
    const uint8_t *data;   /* file contents inside the archive (NULL for a directory) */
    uint64_t size;         /* bytes (0 for a directory) */
    uint32_t mode;         /* permission bits from the header */
    enum tar_type type;
    uint32_t header_offset; /* where its header starts in the archive */
};

struct tar_scan_result {
    uint32_t entries;      /* regular files and directories (others are skipped and counted) */
    uint32_t skipped;      /* symlinks, devices, ... : not supported, not an error */
    uint64_t name_bytes;   /* bytes tar_index_build needs for paths, NULs included */
    uint64_t end_offset;   /* offset of the first end-of-archive block */
};

struct tar_error {
    const char *reason;    /* "header checksum mismatch", "file runs past the end of the archive", ... */
    uint64_t offset;       /* byte offset of the offending header */
};

/* Walks the archive, validating every header. Returns 0 or -1 with *err set. */
int tar_scan(const uint8_t *archive, size_t size, struct tar_scan_result *out,
             struct tar_error *err);

struct tar_index {
    struct tar_entry *entries;  /* sorted by path (strcmp order) */
    uint32_t count;
    const uint8_t *archive;
    size_t size;
};

/* Fills `idx` using `entries` (room for scan->entries) and `names` (room
 * for scan->name_bytes). Duplicate paths: the later entry in the archive
 * wins, as with tar extraction. Returns 0 or -1 with *err set (then the
 * index is empty: count 0). */
int tar_index_build(struct tar_index *idx, const uint8_t *archive, size_t size,
                    const struct tar_scan_result *scan, struct tar_entry *entries, char *names,
                    struct tar_error *err);

/* The entry for `path` (any spelling: normalized first), or NULL. A
 * directory that only exists implicitly (files under it, no entry of its own)
 * is found too, as a TAR_DIR with no header (header_offset = UINT32_MAX),
 * written to *implicit_dir and returned (NULL when implicit_dir is NULL); its
 * path is NULL, as no storage for it outlives the call. The root "" is always
 * a directory. */
const struct tar_entry *tar_lookup(const struct tar_index *idx, const char *path,
                                   struct tar_entry *implicit_dir);

/* The position of the first entry whose path is >= `key` in strcmp order
 * (key taken as it is, not normalized); idx->count when there is none. The
 * entries under "dir/" are idx->entries[tar_index_lower_bound(idx, "dir/")]
 * onwards, as long as their paths start with "dir/". */
uint32_t tar_index_lower_bound(const struct tar_index *idx, const char *key);

#endif
