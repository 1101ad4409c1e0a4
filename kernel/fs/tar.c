/*
 * The ustar parser and the index over it. One walker validates the archive
 * for both tar_scan (count only) and tar_index_build (count and record), so
 * the two can never disagree about what is valid.
 *
 * Choices (see tar.h for the contract):
 * - End of archive: two zero blocks; one zero block that the archive's end
 *   follows within 512 bytes is accepted too. A zero block followed by a
 *   non-zero block is refused: a header wiped to zeros must not silently hide
 *   the rest of the archive. Data running out before any zero block is refused
 *   as well: that is what a truncated image looks like.
 * - Sizes: octal, or GNU base-256 (first byte 0x80) when the value fits in 64
 *   bits; negative base-256 values are refused.
 * - Checksums: the unsigned sum, or the signed sum some old tars wrote.
 * - GNU long names ('L', 'K') and pax extended headers ('x') are refused:
 *   they change the name or size of the next entry, so skipping them would
 *   index a wrong name. Other types (links, devices, fifos, pax global
 *   headers, ...) are skipped and counted; their names are not checked.
 */
#include "fs/tar.h"

#include "fs/path.h"
#include "lib/string.h"

/* Header fields (POSIX ustar, offsets and widths in bytes). */
enum {
    H_NAME = 0, H_NAME_LEN = 100,
    H_MODE = 100, H_MODE_LEN = 8,
    H_SIZE = 124, H_SIZE_LEN = 12,
    H_CHKSUM = 148, H_CHKSUM_LEN = 8,
    H_TYPEFLAG = 156,
    H_MAGIC = 257,             /* "ustar\0" + version "00", or GNU "ustar  \0" */
    H_PREFIX = 345, H_PREFIX_LEN = 155,
};

/* The walker's state: counters always, the index arrays only when building. */
struct walk {
    struct tar_scan_result res;
    struct tar_entry *entries;  /* NULL: count only */
    uint32_t entry_room;
    char *names;
    uint64_t name_room;
    uint64_t name_used;
};

static int fail(struct tar_error *err, const char *reason, uint64_t offset)
{
    if (err) {
        err->reason = reason;
        err->offset = offset;
    }
    return -1;
}

static int is_zero_block(const uint8_t *b)
{
    for (size_t i = 0; i < TAR_BLOCK; i++)
        if (b[i])
            return 0;
    return 1;
}

/* A numeric field: optional leading spaces, at least one octal digit, then
 * only NULs or spaces up to the field's end. A field of digits only (no
 * terminator) is accepted, as GNU tar does. */
static int parse_octal(const uint8_t *f, size_t len, uint64_t *out)
{
    size_t i = 0, digits = 0;
    uint64_t v = 0;
    while (i < len && f[i] == ' ')
        i++;
    for (; i < len && f[i] >= '0' && f[i] <= '7'; i++, digits++)
        v = v << 3 | (uint64_t)(f[i] - '0');  /* 12 digits at most: no overflow */
    if (digits == 0)
        return -1;
    for (; i < len; i++)
        if (f[i] != '\0' && f[i] != ' ')
            return -1;
    *out = v;
    return 0;
}

/* The size field, octal or GNU base-256 (big-endian, high bit of the first
 * byte set). Returns NULL or the reason it is refused. */
static const char *parse_size(const uint8_t *f, uint64_t *out)
{
    if (!(f[0] & 0x80))
        return parse_octal(f, H_SIZE_LEN, out) ? "size field is not octal" : NULL;
    /* 0x80 then 11 bytes: positive. Anything else in the first byte is either
     * negative (0xff...) or beyond 88 bits; bytes 1-3 must be zero to fit. */
    if (f[0] != 0x80 || f[1] || f[2] || f[3])
        return "size field (base-256) is negative or too large";
    uint64_t v = 0;
    for (size_t i = 4; i < H_SIZE_LEN; i++)
        v = v << 8 | f[i];
    *out = v;
    return NULL;
}

/* The checksum covers the header with its own field read as 8 spaces. */
static const char *check_checksum(const uint8_t *h)
{
    uint64_t want;
    if (parse_octal(h + H_CHKSUM, H_CHKSUM_LEN, &want))
        return "header checksum field is not octal";
    uint64_t unsigned_sum = 0;
    int64_t signed_sum = 0;
    for (size_t i = 0; i < TAR_BLOCK; i++) {
        unsigned b = (i >= H_CHKSUM && i < H_CHKSUM + H_CHKSUM_LEN) ? ' ' : h[i];
        unsigned_sum += b;
        signed_sum += b < 0x80 ? (int64_t)b : (int64_t)b - 0x100;
    }
    if (want == unsigned_sum || (signed_sum >= 0 && want == (uint64_t)signed_sum))
        return NULL;
    return "header checksum mismatch";
}

/* 1 for POSIX ustar, 2 for GNU, 0 for neither. Only POSIX has a prefix field
 * (GNU keeps times there). */
static int magic_kind(const uint8_t *h)
{
    if (memcmp(h + H_MAGIC, "ustar\0" "00", 8) == 0)
        return 1;
    if (memcmp(h + H_MAGIC, "ustar  \0", 8) == 0)
        return 2;
    return 0;
}

/* Any ".." name in the raw path: refused, as tar extractors do, rather than
 * quietly clamped at the root by path_normalize. */
static int has_dotdot(const char *p)
{
    while (*p) {
        const char *start = p;
        while (*p && *p != '/')
            p++;
        if (p - start == 2 && start[0] == '.' && start[1] == '.')
            return 1;
        if (*p)
            p++;
    }
    return 0;
}

/* prefix + "/" + name, normalized into out[TAR_PATH_MAX]. A name field of
 * exactly 100 characters has no NUL: strnlen stops at the field's end. */
static const char *header_path(const uint8_t *h, int posix, char *out, int *len)
{
    char raw[H_PREFIX_LEN + 1 + H_NAME_LEN + 1];
    size_t name_len = strnlen((const char *)h + H_NAME, H_NAME_LEN);
    size_t prefix_len = posix ? strnlen((const char *)h + H_PREFIX, H_PREFIX_LEN) : 0;
    size_t n = 0;
    if (name_len == 0)
        return "empty name";
    if (prefix_len) {
        memcpy(raw, h + H_PREFIX, prefix_len);
        n = prefix_len;
        raw[n++] = '/';
    }
    memcpy(raw + n, h + H_NAME, name_len);
    raw[n + name_len] = '\0';
    if (has_dotdot(raw))
        return "path escapes the root (\"..\")";
    *len = path_normalize(raw, out, TAR_PATH_MAX);
    if (*len < 0)
        return "path too long";
    return NULL;
}

/* Counts an entry, and when building, records it with a copy of its path. */
static const char *record(struct walk *w, const char *path, int path_len,
                          const struct tar_entry *e)
{
    uint64_t need = (uint64_t)path_len + 1;
    if (w->entries) {
        if (w->res.entries >= w->entry_room || need > w->name_room - w->name_used)
            return "index memory too small (the archive changed since tar_scan?)";
        char *copy = w->names + w->name_used;
        memcpy(copy, path, need);
        w->entries[w->res.entries] = *e;
        w->entries[w->res.entries].path = copy;
        w->name_used += need;
    }
    w->res.entries++;
    w->res.name_bytes += need;
    return NULL;
}

static int walk_archive(const uint8_t *a, size_t size, struct walk *w, struct tar_error *err)
{
    if (!a && size)
        return fail(err, "no archive", 0);
    uint64_t off = 0;
    for (;;) {
        if (off == size)
            return fail(err, "archive ends without an end-of-archive block", off);
        if (size - off < TAR_BLOCK)
            return fail(err, "truncated header (fewer than 512 bytes left)", off);
        const uint8_t *h = a + off;
        if (is_zero_block(h)) {
            uint64_t next = off + TAR_BLOCK;
            if (size - next >= TAR_BLOCK && !is_zero_block(a + next))
                return fail(err, "lone zero block followed by data", off);
            w->res.end_offset = off;
            return 0;
        }
        if (off >= UINT32_MAX)  /* header_offset is 32 bits; UINT32_MAX means "none" */
            return fail(err, "archive too large (a header past 4 GiB)", off);

        const char *why = check_checksum(h);
        int magic = magic_kind(h);
        uint64_t size_field = 0, mode = 0;
        if (!why && !magic)
            why = "not a ustar header (bad magic)";
        if (!why)
            why = parse_size(h + H_SIZE, &size_field);
        if (!why && parse_octal(h + H_MODE, H_MODE_LEN, &mode))
            why = "mode field is not octal";
        if (why)
            return fail(err, why, off);

        /* What the entry is, and whether data blocks follow its header:
         * POSIX stores none for links (1, 2), devices (3, 4), dirs (5), fifos (6). */
        char type = (char)h[H_TYPEFLAG];
        int keep = 0, has_data = 1;
        enum tar_type kind = TAR_FILE;
        switch (type) {
        case '0': case '\0': case '7':  /* '7' contiguous: a regular file */
            keep = 1;
            break;
        case '5':
            keep = 1;
            has_data = 0;
            kind = TAR_DIR;
            break;
        case '1': case '2': case '3': case '4': case '6':
            has_data = 0;
            break;
        case 'L': case 'K':
            return fail(err, "GNU long name entry not supported", off);
        case 'x':
            return fail(err, "pax extended header not supported", off);
        default:
            break;
        }

        uint64_t data_off = off + TAR_BLOCK;
        uint64_t data_len = has_data ? size_field : 0;
        if (data_len > size - data_off)
            return fail(err, "file data runs past the end of the archive", off);

        if (keep) {
            char path[TAR_PATH_MAX];
            int path_len = 0;
            why = header_path(h, magic == 1, path, &path_len);
            if (!why && path_len == 0 && kind != TAR_DIR)
                why = "file entry names the root directory";
            struct tar_entry e = {
                .path = NULL,
                .data = kind == TAR_FILE ? a + data_off : NULL,
                .size = kind == TAR_FILE ? data_len : 0,
                .mode = (uint32_t)(mode & 07777),
                .type = kind,
                .header_offset = (uint32_t)off,
            };
            if (!why)
                why = record(w, path, path_len, &e);
            if (why)
                return fail(err, why, off);
        } else {
            w->res.skipped++;
        }

        /* The next header follows the data, padded to a whole block. If the
         * archive ends inside the padding, the next round reports it. */
        uint64_t next = data_off + data_len;
        uint64_t pad = (TAR_BLOCK - data_len % TAR_BLOCK) % TAR_BLOCK;
        off = pad <= size - next ? next + pad : size;
    }
}

int tar_scan(const uint8_t *archive, size_t size, struct tar_scan_result *out,
             struct tar_error *err)
{
    struct walk w = { 0 };
    if (!out)
        return fail(err, "no result", 0);
    if (walk_archive(archive, size, &w, err))
        return -1;
    *out = w.res;
    return 0;
}

/* ---- the index ------------------------------------------------------------ */

/* Path order; equal paths by archive order, so the later duplicate sorts last
 * (header offsets are unique, which makes an unstable sort safe). */
static int entry_before(const struct tar_entry *x, const struct tar_entry *y)
{
    int c = strcmp(x->path, y->path);
    return c < 0 || (c == 0 && x->header_offset < y->header_offset);
}

static void swap_entries(struct tar_entry *x, struct tar_entry *y)
{
    struct tar_entry t = *x;
    *x = *y;
    *y = t;
}

static void sift_down(struct tar_entry *e, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && entry_before(&e[child], &e[child + 1]))
            child++;
        if (!entry_before(&e[root], &e[child]))
            return;
        swap_entries(&e[root], &e[child]);
        root = child;
    }
}

/* Heapsort: in place, O(n log n), no extra memory to ask the caller for. */
static void sort_entries(struct tar_entry *e, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(e, i, n);
    for (size_t end = n; end-- > 1;) {
        swap_entries(&e[0], &e[end]);
        sift_down(e, 0, end);
    }
}

int tar_index_build(struct tar_index *idx, const uint8_t *archive, size_t size,
                    const struct tar_scan_result *scan, struct tar_entry *entries, char *names,
                    struct tar_error *err)
{
    if (!idx)
        return fail(err, "no index", 0);
    *idx = (struct tar_index){ .entries = entries, .count = 0, .archive = archive, .size = size };
    if (!scan || (scan->entries && !entries) || (scan->name_bytes && !names))
        return fail(err, "no memory for the index", 0);
    struct walk w = {
        .entries = entries,
        .entry_room = scan->entries,
        .names = names,
        .name_room = scan->name_bytes,
    };
    /* Recording needs a non-NULL array even when there is nothing to record. */
    struct tar_entry none;
    if (!w.entries)
        w.entries = &none;
    if (walk_archive(archive, size, &w, err))
        return -1;

    uint32_t n = w.res.entries;
    sort_entries(entries, n);
    /* Keep the last of each run of equal paths: the later archive entry. */
    uint32_t kept = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i + 1 < n && strcmp(entries[i].path, entries[i + 1].path) == 0)
            continue;
        entries[kept++] = entries[i];
    }
    idx->count = kept;
    return 0;
}

uint32_t tar_index_lower_bound(const struct tar_index *idx, const char *key)
{
    uint32_t lo = 0, hi = idx->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (strcmp(idx->entries[mid].path, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct tar_entry *tar_lookup(const struct tar_index *idx, const char *path,
                                   struct tar_entry *implicit_dir)
{
    char key[TAR_PATH_MAX + 1];  /* + 1: room for the '/' appended below */
    if (!idx || !path)
        return NULL;
    int len = path_normalize(path, key, TAR_PATH_MAX);
    if (len < 0)
        return NULL;  /* too long to be in any archive */
    uint32_t i = tar_index_lower_bound(idx, key);
    if (i < idx->count && strcmp(idx->entries[i].path, key) == 0)
        return &idx->entries[i];
    if (len > 0) {
        /* Entries under "dir/" are contiguous and start at its lower bound
         * ("dir.txt" and "dir-x" sort between "dir" and "dir/", so searching
         * for "dir" alone would not find them). */
        key[len] = '/';
        key[len + 1] = '\0';
        i = tar_index_lower_bound(idx, key);
        if (i >= idx->count || strncmp(idx->entries[i].path, key, (size_t)len + 1) != 0)
            return NULL;
    }
    if (!implicit_dir)
        return NULL;
    *implicit_dir = (struct tar_entry){
        .path = NULL,  /* no storage outlives this call; the caller knows what it asked */
        .data = NULL,
        .size = 0,
        .mode = TAR_IMPLICIT_DIR_MODE,
        .type = TAR_DIR,
        .header_offset = UINT32_MAX,
    };
    return implicit_dir;
}
