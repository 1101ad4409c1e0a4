/*
 * Handles, reads and directory listings over a tar_index (see vfs.h).
 */
#include "fs/vfs.h"

#include "fs/path.h"
#include "lib/string.h"

#define SLOT_BITS 8
#define SLOT_MASK ((1u << SLOT_BITS) - 1)
/* generation << 8 must stay below 2^31 for the handle to be positive. */
#define GENERATION_MAX ((1u << (31 - SLOT_BITS)) - 1)

_Static_assert(VFS_MAX_FILES <= SLOT_MASK + 1, "a slot number fits in the handle's low byte");

void vfs_table_init(struct vfs_table *t)
{
    if (t)
        memset(t, 0, sizeof *t);
}

/* The open file a handle names, or NULL: out-of-range slots, free slots and
 * old generations are all just "not a handle". */
static struct vfs_file *file_of(struct vfs_table *t, int32_t h)
{
    if (!t || h <= 0)
        return NULL;
    uint32_t slot = (uint32_t)h & SLOT_MASK;
    uint32_t generation = (uint32_t)h >> SLOT_BITS;
    if (slot >= VFS_MAX_FILES)
        return NULL;
    struct vfs_file *f = &t->files[slot];
    if (!f->in_use || f->generation != generation)
        return NULL;
    return f;
}

static const struct tar_entry *entry_of(const struct vfs_file *f)
{
    return f->entry ? f->entry : &f->dir_copy;
}

int32_t vfs_open(struct vfs_table *t, const struct tar_index *idx, const char *path)
{
    if (!t || !idx || !path)
        return VFS_EARG;
    struct tar_entry implicit;
    const struct tar_entry *e = tar_lookup(idx, path, &implicit);
    if (!e)
        return VFS_ENOENT;
    for (uint32_t slot = 0; slot < VFS_MAX_FILES; slot++) {
        struct vfs_file *f = &t->files[slot];
        if (f->in_use)
            continue;
        /* A new generation on every open: handles of earlier opens of this
         * slot stop matching. (After 2^23 - 1 opens of one slot it wraps.) */
        f->generation = f->generation >= GENERATION_MAX ? 1 : f->generation + 1;
        if (e == &implicit) {
            f->entry = NULL;
            f->dir_copy = implicit;
        } else {
            f->entry = e;
            memset(&f->dir_copy, 0, sizeof f->dir_copy);
        }
        f->offset = 0;
        f->in_use = 1;
        return (int32_t)(f->generation << SLOT_BITS | slot);
    }
    return VFS_EMFILE;
}

int64_t vfs_read(struct vfs_table *t, int32_t h, void *buf, size_t len)
{
    struct vfs_file *f = file_of(t, h);
    if (!f)
        return VFS_EBADF;
    const struct tar_entry *e = entry_of(f);
    if (e->type == TAR_DIR)
        return VFS_EISDIR;  /* directories are listed with vfs_readdir */
    if (!buf && len)
        return VFS_EARG;
    if (f->offset >= e->size)
        return 0;
    uint64_t n = e->size - f->offset;
    if (n > len)
        n = len;
    if (n > INT64_MAX)
        n = INT64_MAX;  /* the count must stay a positive int64 */
    memcpy(buf, e->data + f->offset, (size_t)n);
    f->offset += n;
    return (int64_t)n;
}

int64_t vfs_seek(struct vfs_table *t, int32_t h, int64_t offset, int whence)
{
    struct vfs_file *f = file_of(t, h);
    if (!f)
        return VFS_EBADF;
    uint64_t base;
    switch (whence) {
    case VFS_SEEK_SET: base = 0; break;
    case VFS_SEEK_CUR: base = f->offset; break;
    case VFS_SEEK_END: base = entry_of(f)->size; break;
    default: return VFS_EARG;
    }
    /* base is an earlier result (<= INT64_MAX) or a size; compute in signed
     * 64 bits only once the sum is known not to overflow. */
    if (base > INT64_MAX)
        return VFS_EARG;
    if (offset > 0 && (int64_t)base > INT64_MAX - offset)
        return VFS_EARG;
    int64_t pos = (int64_t)base + offset;
    if (pos < 0)
        return VFS_EARG;
    f->offset = (uint64_t)pos;
    return pos;
}

int vfs_close(struct vfs_table *t, int32_t h)
{
    struct vfs_file *f = file_of(t, h);
    if (!f)
        return VFS_EBADF;
    f->in_use = 0;
    f->entry = NULL;  /* the generation stays: the next open bumps it */
    return 0;
}

int vfs_stat(const struct tar_index *idx, const char *path, struct vfs_stat *out)
{
    if (!idx || !path || !out)
        return VFS_EARG;
    struct tar_entry implicit;
    const struct tar_entry *e = tar_lookup(idx, path, &implicit);
    if (!e)
        return VFS_ENOENT;
    out->size = e->size;
    out->type = e->type;
    out->mode = e->mode;
    return 0;
}

/* ---- directory listings ---------------------------------------------------- */

/* A child of the directory: its name (a piece of some entry's path, not
 * NUL-terminated) and the entry that is exactly that child, if any. */
struct child {
    const char *name;               /* NULL: none yet */
    size_t len;
    const struct tar_entry *exact;  /* NULL: only entries below it (implicit dir) */
};

static int name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c)
        return c;
    return alen < blen ? -1 : alen > blen;
}

/* Replaces *c with the smallest child name greater than c->name (the first
 * child when c->name is NULL), looking at entries [first, end), whose paths
 * all start with the directory's prefix of plen bytes. Returns 0 when there
 * is none. Name order is not entry order: "etc.conf" sorts before "etc/motd"
 * ('.' < '/') but the child "etc" before "etc.conf"; hence a full scan. */
static int next_child(const struct tar_index *idx, uint32_t first, uint32_t end, size_t plen,
                      struct child *c)
{
    struct child best = { NULL, 0, NULL };
    for (uint32_t i = first; i < end; i++) {
        const struct tar_entry *e = &idx->entries[i];
        const char *name = e->path + plen;
        size_t len = 0;
        while (name[len] && name[len] != '/')
            len++;
        if (len == 0)
            continue;  /* the root's own entry ("./" in the archive) */
        if (c->name && name_cmp(name, len, c->name, c->len) <= 0)
            continue;
        int order = best.name ? name_cmp(name, len, best.name, best.len) : -1;
        if (order < 0)
            best = (struct child){ name, len, NULL };
        if (order <= 0 && name[len] == '\0')
            best.exact = e;
    }
    *c = best;
    return best.name != NULL;
}

int vfs_readdir(const struct tar_index *idx, const char *dir_path, uint32_t index,
                struct vfs_dirent *out)
{
    if (!idx || !dir_path || !out)
        return VFS_EARG;
    struct tar_entry implicit;
    const struct tar_entry *dir = tar_lookup(idx, dir_path, &implicit);
    if (!dir)
        return VFS_ENOENT;
    if (dir->type != TAR_DIR)
        return VFS_ENOTDIR;

    /* The children's paths start with "dir/" ("" for the root). */
    char prefix[TAR_PATH_MAX + 1];
    int n = path_normalize(dir_path, prefix, TAR_PATH_MAX);
    if (n < 0)
        return VFS_ENOENT;  /* cannot happen: tar_lookup found it */
    size_t plen = (size_t)n;
    if (plen) {
        prefix[plen++] = '/';
        prefix[plen] = '\0';
    }
    uint32_t first = tar_index_lower_bound(idx, prefix);
    uint32_t end = first;
    while (end < idx->count && strncmp(idx->entries[end].path, prefix, plen) == 0)
        end++;

    struct child c = { NULL, 0, NULL };
    for (uint32_t k = 0; k <= index; k++)
        if (!next_child(idx, first, end, plen, &c))
            return 0;
    memcpy(out->name, c.name, c.len);  /* len < TAR_PATH_MAX: part of a path */
    out->name[c.len] = '\0';
    out->size = c.exact ? c.exact->size : 0;
    out->type = c.exact ? c.exact->type : TAR_DIR;
    out->mode = c.exact ? c.exact->mode : TAR_IMPLICIT_DIR_MODE;
    return 1;
}
