/*
 * The ustar parser and index (kernel/fs/tar.c): good.tar against its listing
 * (tests/host/data/good.list, written by make-tar-fixtures.sh from the same
 * tree), lookups in every spelling, implicit directories, duplicates
 * (dup.tar), malformed archives made by mutating good.tar in memory (each
 * refused with its own reason at the right offset), truncation at every
 * block boundary and random header damage. Every archive handed to the
 * parser is malloc'd at its exact size, so ASan reports any read past it.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fs/tar.h"

#define GOOD_TAR "tests/host/data/good.tar"
#define GOOD_LIST "tests/host/data/good.list"
#define DUP_TAR "tests/host/data/dup.tar"

/* Header fields (POSIX ustar), kept apart from tar.c's on purpose. */
enum {
    F_NAME = 0, F_MODE = 100, F_SIZE = 124, F_MTIME = 136, F_CHKSUM = 148, F_TYPE = 156,
    F_MAGIC = 257, F_UNAME = 265, F_PREFIX = 345,
};

/* ---- helpers ---------------------------------------------------------------- */


static uint8_t *copy_of(const uint8_t *src, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    memcpy(p, src, len);
    return p;
}

static uint64_t fnv1a64(const uint8_t *p, uint64_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (uint64_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3u;
    return h;
}

/* data/random5000 (the same generator as make-tar-fixtures.sh). */
static void xorshift_bytes(uint8_t *out, size_t n)
{
    uint32_t x = 0x2545F491u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out[i] = (uint8_t)x;
    }
}

/* Rewrites a header's checksum the way GNU tar does: 6 octal digits, NUL, space. */
static void fix_checksum(uint8_t *h)
{
    unsigned sum = 0;
    memset(h + F_CHKSUM, ' ', 8);
    for (int i = 0; i < TAR_BLOCK; i++)
        sum += h[i];
    char digits[8];
    snprintf(digits, sizeof digits, "%06o", sum);
    memcpy(h + F_CHKSUM, digits, 6);
    h[F_CHKSUM + 6] = '\0';
    h[F_CHKSUM + 7] = ' ';
}

/* An index with its own memory, sized from the scan as the kernel does it. */
struct built {
    struct tar_index idx;
    struct tar_scan_result scan;
    struct tar_error err;
    struct tar_entry *entries;
    char *names;
};

static int build(struct built *b, const uint8_t *archive, size_t len)
{
    memset(b, 0, sizeof *b);
    if (tar_scan(archive, len, &b->scan, &b->err) != 0)
        return -1;
    b->entries = malloc((b->scan.entries ? b->scan.entries : 1) * sizeof *b->entries);
    b->names = malloc(b->scan.name_bytes ? b->scan.name_bytes : 1);
    return tar_index_build(&b->idx, archive, len, &b->scan, b->entries, b->names, &b->err);
}

static void unbuild(struct built *b)
{
    free(b->entries);
    free(b->names);
    b->entries = NULL;
    b->names = NULL;
}

/* ---- the expected listing --------------------------------------------------- */

struct expected {
    char type;          /* 'f' or 'd' */
    unsigned mode;
    uint64_t size;
    uint64_t fnv;       /* files only */
    char path[300];
};

static struct expected listing[64];
static size_t listing_count;

static void load_listing(void)
{
    FILE *f = fopen(GOOD_LIST, "r");
    char line[512];
    if (!f) {
        fprintf(stderr, "test_tar: cannot open %s\n", GOOD_LIST);
        exit(2);
    }
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        struct expected *e = &listing[listing_count];
        char digest[20];
        if (listing_count == sizeof listing / sizeof listing[0] ||
            sscanf(line, "%c %o %" SCNu64 " %19s %299s", &e->type, &e->mode, &e->size, digest,
                   e->path) != 5) {
            fprintf(stderr, "test_tar: bad line in %s: %s", GOOD_LIST, line);
            exit(2);
        }
        e->fnv = e->type == 'f' ? strtoull(digest, NULL, 16) : 0;
        listing_count++;
    }
    fclose(f);
}

static uint8_t *good;
static size_t good_len;
static struct built good_index;  /* over `good`, for header offsets */

static uint32_t header_of(const char *path)
{
    const struct tar_entry *e = tar_lookup(&good_index.idx, path, NULL);
    if (!e) {
        fprintf(stderr, "test_tar: %s is not in good.tar\n", path);
        exit(2);
    }
    return e->header_offset;
}

#define LONG_DIR \
    "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp/" \
    "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"
#define LONG_FILE LONG_DIR "/long-path-file.txt"
#define NAME100 \
    "n100-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.txt"
_Static_assert(sizeof NAME100 == 101, "the fixture's name is exactly 100 characters");
_Static_assert(sizeof LONG_DIR == 60 + 1 + 50 + 1, "the fixture's long directory");

/* ---- good.tar ----------------------------------------------------------------- */

static void test_good_scan(void)
{
    struct tar_scan_result scan;
    struct tar_error err = { 0 };
    CHECK_EQ_I64(tar_scan(good, good_len, &scan, &err), 0);
    CHECK_STR(err.reason, NULL);
    CHECK_EQ_U64(scan.entries, listing_count);
    CHECK_EQ_U64(scan.skipped, 1);  /* bin/link, a symlink */
    uint64_t name_bytes = 0;
    for (size_t i = 0; i < listing_count; i++)
        name_bytes += strlen(listing[i].path) + 1;
    CHECK_EQ_U64(scan.name_bytes, name_bytes);
    /* The last file's header at 17408, one data block, then the end blocks. */
    CHECK_EQ_U64(scan.end_offset, 18432);
}

static void test_good_index(void)
{
    const struct tar_index *idx = &good_index.idx;
    CHECK_EQ_U64(idx->count, listing_count);
    CHECK(idx->archive == good);
    CHECK_EQ_U64(idx->size, good_len);
    for (size_t i = 0; i < listing_count && i < idx->count; i++) {
        const struct expected *x = &listing[i];
        const struct tar_entry *e = &idx->entries[i];
        CHECK_STR(e->path, x->path);
        CHECK_EQ_U64(e->type, x->type == 'd' ? TAR_DIR : TAR_FILE);
        CHECK_EQ_U64(e->mode, x->mode);
        CHECK_EQ_U64(e->size, x->size);
        CHECK_EQ_U64(e->header_offset % TAR_BLOCK, 0);
        CHECK(e->header_offset + TAR_BLOCK + e->size <= good_len);
        if (x->type == 'f') {
            CHECK(e->data == good + e->header_offset + TAR_BLOCK);
            CHECK_EQ_U64(fnv1a64(e->data, e->size), x->fnv);
        } else {
            CHECK(e->data == NULL);
        }
        if (i > 0)
            CHECK(strcmp(idx->entries[i - 1].path, e->path) < 0);
    }

    /* Contents checked byte for byte where they are known here. */
    const struct tar_entry *e = tar_lookup(idx, "bin/hello", NULL);
    if (CHECK(e != NULL) && CHECK_EQ_U64(e->size, 18))
        CHECK(memcmp(e->data, "Hello from TarFS!\n", 18) == 0);
    e = tar_lookup(idx, "data/random5000", NULL);
    if (CHECK(e != NULL) && CHECK_EQ_U64(e->size, 5000)) {
        uint8_t want[5000];
        xorshift_bytes(want, sizeof want);
        CHECK(memcmp(e->data, want, sizeof want) == 0);
        CHECK_EQ_U64(e->mode, 0600);
    }
    e = tar_lookup(idx, "data/block512", NULL);
    if (CHECK(e != NULL) && CHECK_EQ_U64(e->size, 512)) {
        int same = 1;
        for (int i = 0; i < 512; i++)
            same &= e->data[i] == (uint8_t)(i * 7 + 3);
        CHECK(same);
    }
    e = tar_lookup(idx, "bin/empty", NULL);
    if (CHECK(e != NULL))
        CHECK_EQ_U64(e->size, 0);
    /* The name field holds exactly 100 characters and no NUL. */
    e = tar_lookup(idx, NAME100, NULL);
    if (CHECK(e != NULL))
        CHECK_EQ_U64(strlen(e->path), 100);
    /* prefix + "/" + name. */
    e = tar_lookup(idx, LONG_FILE, NULL);
    if (CHECK(e != NULL))
        CHECK(memcmp(e->data, "needs the prefix field\n", 23) == 0);
    /* The symlink is not in the index. */
    CHECK(tar_lookup(idx, "bin/link", NULL) == NULL);
}

static void test_lookup_spellings(void)
{
    const struct tar_index *idx = &good_index.idx;
    const struct tar_entry *hello = tar_lookup(idx, "bin/hello", NULL);
    static const char *const spellings[] = {
        "/bin/hello", "./bin//hello", "bin/hello/", "//bin/./hello", "bin/../bin/hello",
        "../bin/hello", "a/b/../../bin/hello", "/./bin/hello/.",
    };
    CHECK(hello != NULL);
    for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++)
        if (!CHECK(tar_lookup(idx, spellings[i], NULL) == hello))
            printf("  spelling \"%s\"\n", spellings[i]);

    /* Every entry, by its own path and by two other spellings. */
    for (size_t i = 0; i < listing_count; i++) {
        char alt[400];
        const struct tar_entry *e = tar_lookup(idx, listing[i].path, NULL);
        CHECK(e == &idx->entries[i]);
        snprintf(alt, sizeof alt, "/%s", listing[i].path);
        CHECK(tar_lookup(idx, alt, NULL) == e);
        snprintf(alt, sizeof alt, ".//%s/", listing[i].path);
        CHECK(tar_lookup(idx, alt, NULL) == e);
    }
}

static void test_lookup_missing_and_implicit(void)
{
    const struct tar_index *idx = &good_index.idx;
    static const char *const missing[] = {
        "nope", "bin/hell", "bin/hello2", "bin/hello/x", "etc/mot", "et", "etc.con", "b",
        "p", "a/b/c/deep", "A", "bin/link", "etc/motd/x", "n100-",
    };
    struct tar_entry implicit;
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++)
        if (!CHECK(tar_lookup(idx, missing[i], &implicit) == NULL))
            printf("  path \"%s\"\n", missing[i]);
    /* A path too long for any archive is simply not there. */
    char very_long[600];
    memset(very_long, 'a', sizeof very_long - 1);
    very_long[sizeof very_long - 1] = '\0';
    CHECK(tar_lookup(idx, very_long, &implicit) == NULL);
    CHECK(tar_lookup(idx, NULL, &implicit) == NULL);
    CHECK(tar_lookup(NULL, "bin", &implicit) == NULL);

    /* etc has no entry of its own (only etc/motd): it is made up. etc.conf
     * sorts between "etc" and "etc/", which the search must step over. */
    static const char *const etc_spellings[] = { "etc", "/etc/", "./etc", "etc/motd/.." };
    for (size_t i = 0; i < sizeof etc_spellings / sizeof etc_spellings[0]; i++) {
        memset(&implicit, 0x5a, sizeof implicit);
        const struct tar_entry *e = tar_lookup(idx, etc_spellings[i], &implicit);
        if (!CHECK(e == &implicit))
            continue;
        CHECK_EQ_U64(e->type, TAR_DIR);
        CHECK_EQ_U64(e->header_offset, UINT32_MAX);
        CHECK_EQ_U64(e->mode, TAR_IMPLICIT_DIR_MODE);
        CHECK_EQ_U64(e->size, 0);
        CHECK(e->data == NULL);
        CHECK(e->path == NULL);
    }
    CHECK(tar_lookup(idx, "etc", NULL) == NULL);  /* no room to make it up */

    /* The root: always a directory; good.tar has no "./" entry. */
    static const char *const roots[] = { "", "/", ".", "./", "a/..", "../.." };
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        const struct tar_entry *e = tar_lookup(idx, roots[i], &implicit);
        if (CHECK(e == &implicit))
            CHECK_EQ_U64(e->type, TAR_DIR);
    }

    /* Explicit directories are the real entries. */
    const struct tar_entry *e = tar_lookup(idx, "a/b", &implicit);
    if (CHECK(e != NULL && e != &implicit)) {
        CHECK_EQ_U64(e->type, TAR_DIR);
        CHECK_EQ_U64(e->header_offset, 512);
    }
}

static void test_duplicates(void)
{
    size_t len;
    uint8_t *dup = check_read_file(DUP_TAR, &len);
    struct built b;
    CHECK_EQ_I64(build(&b, dup, len), 0);
    CHECK_EQ_U64(b.scan.entries, 3);  /* dup.txt, other.txt, dup.txt again */
    CHECK_EQ_U64(b.idx.count, 2);
    const struct tar_entry *e = tar_lookup(&b.idx, "dup.txt", NULL);
    if (CHECK(e != NULL) && CHECK_EQ_U64(e->size, 23)) {
        CHECK(memcmp(e->data, "second, longer version\n", 23) == 0);
        CHECK(e->header_offset > 512);
    }
    e = tar_lookup(&b.idx, "other.txt", NULL);
    if (CHECK(e != NULL))
        CHECK(memcmp(e->data, "unchanged\n", 10) == 0);
    unbuild(&b);
    free(dup);
}

/* ---- malformed archives ------------------------------------------------------ */

/* tar_scan and tar_index_build both refuse `archive` with `reason` at
 * `offset`; the index is left empty. */
static void expect_refused_at(int line, const uint8_t *archive, size_t len, const char *reason,
                              uint64_t offset)
{
    struct tar_scan_result scan;
    struct tar_error err = { 0 };
    check_eq_i64_at(__FILE__, line, "tar_scan", tar_scan(archive, len, &scan, &err), -1);
    check_contains_at(__FILE__, line, "reason", err.reason, reason);
    check_eq_u64_at(__FILE__, line, "offset", err.offset, offset);

    /* With the good archive's room, building must still refuse. */
    struct tar_index idx;
    struct tar_entry *entries = malloc(64 * sizeof *entries);
    char *names = malloc(8192);
    struct tar_scan_result room = { .entries = 64, .name_bytes = 8192 };
    struct tar_error err2 = { 0 };
    check_eq_i64_at(__FILE__, line, "tar_index_build",
                    tar_index_build(&idx, archive, len, &room, entries, names, &err2), -1);
    check_str_at(__FILE__, line, "build reason", err2.reason, err.reason);
    check_eq_u64_at(__FILE__, line, "idx.count", idx.count, 0);
    free(entries);
    free(names);
}
#define EXPECT_REFUSED(archive, len, reason, offset) \
    expect_refused_at(__LINE__, (archive), (len), (reason), (offset))

static void expect_accepted_at(int line, const uint8_t *archive, size_t len, struct built *b)
{
    int r = build(b, archive, len);
    if (!check_eq_i64_at(__FILE__, line, "build", r, 0))
        printf("  reason: %s at %" PRIu64 "\n", b->err.reason ? b->err.reason : "(none)",
               b->err.offset);
}
#define EXPECT_ACCEPTED(archive, len, b) expect_accepted_at(__LINE__, (archive), (len), (b))

static void put(uint8_t *h, int field, const void *bytes, size_t n)
{
    memcpy(h + field, bytes, n);
}

static void test_checksums(void)
{
    uint32_t hello = header_of("bin/hello");
    uint8_t *a = copy_of(good, good_len);
    struct built b;

    a[hello + F_MTIME + 3] ^= 1;  /* any byte changed, checksum left alone */
    EXPECT_REFUSED(a, good_len, "header checksum mismatch", hello);

    memcpy(a, good, good_len);
    put(a + hello, F_CHKSUM, "abcdefg", 7);
    EXPECT_REFUSED(a, good_len, "checksum field is not octal", hello);

    /* A byte >= 0x80 makes the signed and unsigned sums differ; both are
     * accepted (old tars summed signed chars). */
    memcpy(a, good, good_len);
    a[hello + F_UNAME] = 0xe9;
    fix_checksum(a + hello);
    EXPECT_ACCEPTED(a, good_len, &b);
    unbuild(&b);
    int signed_sum = 0;
    memset(a + hello + F_CHKSUM, ' ', 8);
    for (int i = 0; i < TAR_BLOCK; i++)
        signed_sum += (int8_t)a[hello + i];
    char digits[9];
    snprintf(digits, sizeof digits, "%06o", signed_sum);
    memcpy(a + hello + F_CHKSUM, digits, 7);  /* with the NUL */
    EXPECT_ACCEPTED(a, good_len, &b);
    unbuild(&b);
    /* The checksum field itself is not summed as it stands: counting its
     * digits instead of 8 spaces gives a wrong value. */
    a[hello + F_UNAME] = 0;
    fix_checksum(a + hello);
    unsigned wrong = 0;
    for (int i = 0; i < TAR_BLOCK; i++)
        wrong += a[hello + i];
    snprintf(digits, sizeof digits, "%06o", wrong);
    memcpy(a + hello + F_CHKSUM, digits, 7);
    EXPECT_REFUSED(a, good_len, "header checksum mismatch", hello);
    free(a);
}

static void test_size_fields(void)
{
    uint32_t hello = header_of("bin/hello");
    uint32_t rnd = header_of("data/random5000");
    uint32_t last = header_of(LONG_FILE);
    uint32_t dir_a = header_of("a");
    uint8_t *a = copy_of(good, good_len);
    struct built b;

    static const char *const not_octal[] = {
        "0000000001x\0", "0000000 089\0", "           \0", "\0\0\0\0\0\0\0\0\0\0\0\0",
        "-0000000022\0", "0x000000012\0", "00000000022x",
    };
    for (size_t i = 0; i < sizeof not_octal / sizeof not_octal[0]; i++) {
        memcpy(a, good, good_len);
        put(a + hello, F_SIZE, not_octal[i], 12);
        fix_checksum(a + hello);
        EXPECT_REFUSED(a, good_len, "size field is not octal", hello);
    }

    /* Spellings of 18 (022) that are fine: leading spaces, space terminator,
     * all 12 digits with no terminator. */
    static const char *const eighteen[] = { "         22\0", "0000000022 \0", "000000000022",
                                            "22\0\0\0\0\0\0\0\0\0\0" };
    for (size_t i = 0; i < sizeof eighteen / sizeof eighteen[0]; i++) {
        memcpy(a, good, good_len);
        put(a + hello, F_SIZE, eighteen[i], 12);
        fix_checksum(a + hello);
        EXPECT_ACCEPTED(a, good_len, &b);
        const struct tar_entry *e = tar_lookup(&b.idx, "bin/hello", NULL);
        if (CHECK(e != NULL))
            CHECK_EQ_U64(e->size, 18);
        unbuild(&b);
    }

    /* GNU base-256: 0x80, then the value big-endian. */
    memcpy(a, good, good_len);
    uint8_t b256[12] = { 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5000 >> 8, 5000 & 0xff };
    put(a + rnd, F_SIZE, b256, 12);
    fix_checksum(a + rnd);
    EXPECT_ACCEPTED(a, good_len, &b);
    const struct tar_entry *e = tar_lookup(&b.idx, "data/random5000", NULL);
    if (CHECK(e != NULL) && CHECK_EQ_U64(e->size, 5000)) {
        uint8_t want[5000];
        xorshift_bytes(want, sizeof want);
        CHECK(memcmp(e->data, want, sizeof want) == 0);
    }
    unbuild(&b);
    uint8_t negative[12] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe };
    put(a + rnd, F_SIZE, negative, 12);
    fix_checksum(a + rnd);
    EXPECT_REFUSED(a, good_len, "base-256", rnd);
    uint8_t too_big[12] = { 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 };  /* 2^64 */
    put(a + rnd, F_SIZE, too_big, 12);
    fix_checksum(a + rnd);
    EXPECT_REFUSED(a, good_len, "base-256", rnd);
    uint8_t huge[12] = { 0x80, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    put(a + rnd, F_SIZE, huge, 12);
    fix_checksum(a + rnd);
    EXPECT_REFUSED(a, good_len, "runs past the end", rnd);

    /* Data running past the end: 8 GiB, and one byte more than is left. */
    memcpy(a, good, good_len);
    put(a + rnd, F_SIZE, "77777777777\0", 12);
    fix_checksum(a + rnd);
    EXPECT_REFUSED(a, good_len, "file data runs past the end of the archive", rnd);
    char field[13];
    memcpy(a, good, good_len);
    snprintf(field, sizeof field, "%011o", (unsigned)(good_len - last - TAR_BLOCK + 1));
    put(a + last, F_SIZE, field, 12);
    fix_checksum(a + last);
    EXPECT_REFUSED(a, good_len, "runs past the end", last);
    /* Exactly to the end: the data fits, but no end-of-archive block is left. */
    snprintf(field, sizeof field, "%011o", (unsigned)(good_len - last - TAR_BLOCK));
    put(a + last, F_SIZE, field, 12);
    fix_checksum(a + last);
    EXPECT_REFUSED(a, good_len, "end-of-archive", good_len);

    /* A directory stores no data (POSIX), whatever its size field says. */
    memcpy(a, good, good_len);
    put(a + dir_a, F_SIZE, "00000001000\0", 12);
    fix_checksum(a + dir_a);
    EXPECT_ACCEPTED(a, good_len, &b);
    e = tar_lookup(&b.idx, "a", NULL);
    if (CHECK(e != NULL))
        CHECK_EQ_U64(e->size, 0);
    CHECK_EQ_U64(b.idx.count, listing_count);
    unbuild(&b);

    /* The mode is a numeric field too. */
    memcpy(a, good, good_len);
    put(a + hello, F_MODE, "00x0755\0", 8);
    fix_checksum(a + hello);
    EXPECT_REFUSED(a, good_len, "mode field is not octal", hello);
    free(a);
}

static void test_names(void)
{
    uint32_t hello = header_of("bin/hello");
    uint32_t last = header_of(LONG_FILE);
    uint32_t empty = header_of("bin/empty");
    uint32_t bin = header_of("bin");
    uint8_t *a = copy_of(good, good_len);
    struct built b;

    /* ".." anywhere in the raw name, even where it would stay inside. */
    static const char *const escapes[] = { "../evil", "bin/../../etc/passwd", "a/..", "..",
                                           "./a/../b", "x/../../.." };
    for (size_t i = 0; i < sizeof escapes / sizeof escapes[0]; i++) {
        memcpy(a, good, good_len);
        memset(a + hello + F_NAME, 0, 100);
        memcpy(a + hello + F_NAME, escapes[i], strlen(escapes[i]));
        fix_checksum(a + hello);
        EXPECT_REFUSED(a, good_len, "path escapes the root", hello);
    }
    /* ... and in the prefix. */
    memcpy(a, good, good_len);
    memset(a + last + F_PREFIX, 0, 155);
    memcpy(a + last + F_PREFIX, "ok/../..", 8);
    fix_checksum(a + last);
    EXPECT_REFUSED(a, good_len, "path escapes the root", last);
    /* Names that only contain dots are fine. */
    memcpy(a, good, good_len);
    memset(a + hello + F_NAME, 0, 100);
    memcpy(a + hello + F_NAME, "bin/...hello..", 14);
    fix_checksum(a + hello);
    EXPECT_ACCEPTED(a, good_len, &b);
    CHECK(tar_lookup(&b.idx, "bin/...hello..", NULL) != NULL);
    unbuild(&b);

    /* The empty name, with or without a prefix. */
    memcpy(a, good, good_len);
    memset(a + hello + F_NAME, 0, 100);
    fix_checksum(a + hello);
    EXPECT_REFUSED(a, good_len, "empty name", hello);
    memcpy(a, good, good_len);
    memset(a + last + F_NAME, 0, 100);
    fix_checksum(a + last);
    EXPECT_REFUSED(a, good_len, "empty name", last);

    /* A 100-character name (no NUL) under a 155-character prefix: 256
     * characters, one more than a path may have. 154 + 1 + 100 fits. */
    memcpy(a, good, good_len);
    memset(a + last + F_PREFIX, 'P', 155);
    memset(a + last + F_NAME, 'N', 100);
    fix_checksum(a + last);
    EXPECT_REFUSED(a, good_len, "path too long", last);
    a[last + F_PREFIX + 154] = '\0';
    fix_checksum(a + last);
    EXPECT_ACCEPTED(a, good_len, &b);
    char path[TAR_PATH_MAX];
    memset(path, 'P', 154);
    path[154] = '/';
    memset(path + 155, 'N', 100);
    path[255] = '\0';
    const struct tar_entry *e = tar_lookup(&b.idx, path, NULL);
    if (CHECK(e != NULL))
        CHECK_EQ_U64(strlen(e->path), 255);
    unbuild(&b);

    /* GNU magic: the prefix field holds times, not a prefix. */
    memcpy(a, good, good_len);
    put(a + last, F_MAGIC, "ustar  \0", 8);
    fix_checksum(a + last);
    EXPECT_ACCEPTED(a, good_len, &b);
    CHECK(tar_lookup(&b.idx, "long-path-file.txt", NULL) != NULL);
    CHECK(tar_lookup(&b.idx, LONG_FILE, NULL) == NULL);
    unbuild(&b);

    /* Not ustar at all. */
    memcpy(a, good, good_len);
    put(a + hello, F_MAGIC, "xstar\0", 6);
    fix_checksum(a + hello);
    EXPECT_REFUSED(a, good_len, "bad magic", hello);
    memcpy(a, good, good_len);
    put(a + hello, F_MAGIC, "ustar\0" "01", 8);
    fix_checksum(a + hello);
    EXPECT_REFUSED(a, good_len, "bad magic", hello);

    /* Absolute names lose their '/'. */
    memcpy(a, good, good_len);
    memset(a + hello + F_NAME, 0, 100);
    memcpy(a + hello + F_NAME, "/bin/hello", 10);
    fix_checksum(a + hello);
    EXPECT_ACCEPTED(a, good_len, &b);
    e = tar_lookup(&b.idx, "bin/hello", NULL);
    if (CHECK(e != NULL))
        CHECK_STR(e->path, "bin/hello");
    unbuild(&b);

    /* "./" as a directory is the root's own entry; as a file it is an error. */
    memcpy(a, good, good_len);
    memset(a + bin + F_NAME, 0, 100);
    memcpy(a + bin + F_NAME, "./", 2);
    fix_checksum(a + bin);
    EXPECT_ACCEPTED(a, good_len, &b);
    struct tar_entry implicit;
    e = tar_lookup(&b.idx, "/", &implicit);
    if (CHECK(e != NULL && e != &implicit)) {
        CHECK_STR(e->path, "");
        CHECK_EQ_U64(e->header_offset, bin);
    }
    unbuild(&b);
    memcpy(a, good, good_len);
    memset(a + empty + F_NAME, 0, 100);
    memcpy(a + empty + F_NAME, ".", 1);
    fix_checksum(a + empty);
    EXPECT_REFUSED(a, good_len, "file entry names the root directory", empty);
    free(a);
}

static void test_types(void)
{
    uint32_t hello = header_of("bin/hello");
    uint32_t empty = header_of("bin/empty");
    uint8_t *a = copy_of(good, good_len);
    struct built b;

    a[hello + F_TYPE] = 'L';
    fix_checksum(a + hello);
    EXPECT_REFUSED(a, good_len, "GNU long name", hello);
    a[hello + F_TYPE] = 'K';
    fix_checksum(a + hello);
    EXPECT_REFUSED(a, good_len, "GNU long name", hello);
    a[hello + F_TYPE] = 'x';
    fix_checksum(a + hello);
    EXPECT_REFUSED(a, good_len, "pax extended header", hello);

    /* A pax global header (data follows) and a device (no data) are skipped. */
    a[hello + F_TYPE] = 'g';
    fix_checksum(a + hello);
    a[empty + F_TYPE] = '3';
    fix_checksum(a + empty);
    EXPECT_ACCEPTED(a, good_len, &b);
    CHECK_EQ_U64(b.scan.skipped, 3);
    CHECK_EQ_U64(b.scan.entries, listing_count - 2);
    CHECK(tar_lookup(&b.idx, "bin/hello", NULL) == NULL);
    CHECK(tar_lookup(&b.idx, "data/random5000", NULL) != NULL);
    unbuild(&b);

    /* '7' (contiguous file) is a regular file; '\0' is the old spelling of '0'. */
    memcpy(a, good, good_len);
    a[hello + F_TYPE] = '7';
    fix_checksum(a + hello);
    a[empty + F_TYPE] = '\0';
    fix_checksum(a + empty);
    EXPECT_ACCEPTED(a, good_len, &b);
    CHECK_EQ_U64(b.idx.count, listing_count);
    const struct tar_entry *e = tar_lookup(&b.idx, "bin/hello", NULL);
    if (CHECK(e != NULL))
        CHECK_EQ_U64(e->type, TAR_FILE);
    unbuild(&b);
    free(a);
}

static void test_end_of_archive(void)
{
    uint32_t hello = header_of("bin/hello");
    uint64_t end = 18432;
    uint8_t *a = copy_of(good, good_len);
    struct built b;

    /* A header wiped to zeros, with data after it: not an end. */
    memset(a + hello, 0, TAR_BLOCK);
    EXPECT_REFUSED(a, good_len, "lone zero block followed by data", hello);

    /* Anything after the two zero blocks is ignored. */
    memcpy(a, good, good_len);
    memset(a + end + 2 * TAR_BLOCK, 0xff, good_len - end - 2 * TAR_BLOCK);
    EXPECT_ACCEPTED(a, good_len, &b);
    CHECK_EQ_U64(b.scan.end_offset, end);
    unbuild(&b);
    free(a);

    /* One zero block, then the archive's end (or less than a block): accepted. */
    for (size_t len = end + TAR_BLOCK; len < end + 2 * TAR_BLOCK; len += 100) {
        a = copy_of(good, len);
        EXPECT_ACCEPTED(a, len, &b);
        CHECK_EQ_U64(b.scan.end_offset, end);
        unbuild(&b);
        free(a);
    }

    /* No zero block at all, or nothing at all. */
    a = copy_of(good, end);
    EXPECT_REFUSED(a, end, "archive ends without an end-of-archive block", end);
    free(a);
    EXPECT_REFUSED(NULL, 0, "end-of-archive", 0);
    a = copy_of(good, hello + 100);
    EXPECT_REFUSED(a, hello + 100, "truncated header", hello);
    free(a);
}

static void test_bad_arguments(void)
{
    struct tar_scan_result scan;
    struct tar_error err = { 0 };
    CHECK_EQ_I64(tar_scan(good, good_len, NULL, &err), -1);
    CHECK_EQ_I64(tar_scan(NULL, 1024, &scan, &err), -1);
    CHECK_EQ_I64(tar_scan(good, good_len, &scan, NULL), 0);

    /* A scan result smaller than the archive (say, of another archive):
     * refused, never written past. */
    CHECK_EQ_I64(tar_scan(good, good_len, &scan, &err), 0);
    struct tar_index idx;
    struct tar_scan_result small = scan;
    small.entries--;
    struct tar_entry *entries = malloc(small.entries * sizeof *entries);
    char *names = malloc(scan.name_bytes);
    CHECK_EQ_I64(tar_index_build(&idx, good, good_len, &small, entries, names, &err), -1);
    CHECK_CONTAINS(err.reason, "index memory too small");
    CHECK_EQ_U64(idx.count, 0);
    free(entries);
    small = scan;
    small.name_bytes--;
    entries = malloc(scan.entries * sizeof *entries);
    CHECK_EQ_I64(tar_index_build(&idx, good, good_len, &small, entries, names, &err), -1);
    CHECK_CONTAINS(err.reason, "index memory too small");
    CHECK_EQ_I64(tar_index_build(&idx, good, good_len, &scan, NULL, names, &err), -1);
    CHECK_EQ_I64(tar_index_build(&idx, good, good_len, NULL, entries, names, &err), -1);
    free(entries);
    free(names);
}

/* ---- truncation and random damage -------------------------------------------- */

/* Touches every byte the index points at, so ASan sees any bad pointer. */
static uint64_t touch_all(const struct tar_index *idx)
{
    uint64_t h = 0;
    for (uint32_t i = 0; i < idx->count; i++) {
        const struct tar_entry *e = &idx->entries[i];
        h ^= fnv1a64((const uint8_t *)e->path, strlen(e->path));
        if (e->data)
            h ^= fnv1a64(e->data, e->size);
        CHECK(tar_lookup(idx, e->path, NULL) == e);
    }
    return h;
}

static void test_truncation(void)
{
    uint64_t whole = touch_all(&good_index.idx);
    uint64_t accepted_from = 18432 + TAR_BLOCK;  /* one zero block is enough */
    size_t odd[] = { 1, 100, 511, 513, 1000, 4097, 9999, 18433, 18432 + 513, good_len - 1 };
    size_t nodd = sizeof odd / sizeof odd[0];
    for (size_t k = 0; k <= good_len / TAR_BLOCK + nodd; k++) {
        size_t len = k <= good_len / TAR_BLOCK ? k * TAR_BLOCK : odd[k - good_len / TAR_BLOCK - 1];
        uint8_t *a = copy_of(good, len);
        struct built b;
        int r = build(&b, a, len);
        if (len >= accepted_from) {
            if (CHECK_EQ_I64(r, 0)) {
                CHECK_EQ_U64(b.idx.count, listing_count);
                CHECK_EQ_U64(touch_all(&b.idx), whole);
            }
        } else {
            CHECK_EQ_I64(r, -1);
            CHECK(b.err.reason != NULL);
            CHECK(b.err.offset <= len);
        }
        unbuild(&b);
        free(a);
    }
}

static uint32_t rng_state = 2024;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Random bytes in random headers (checksum usually fixed, so the damage gets
 * past the first check): refused or accepted, never a bad read. */
static void test_random_damage(void)
{
    uint32_t headers[64];
    size_t nheaders = 0;
    for (uint32_t i = 0; i < good_index.idx.count; i++)
        headers[nheaders++] = good_index.idx.entries[i].header_offset;
    headers[nheaders++] = 5632;  /* bin/link */
    static const uint8_t interesting[] = { 0, '/', '.', '0', '7', '8', ' ', 'L', '5', 0x80, 0xff };
    unsigned accepted = 0, refused = 0;
    for (int round = 0; round < 4000; round++) {
        uint8_t *a = copy_of(good, good_len);
        int damages = 1 + (int)(rng() % 4);
        for (int d = 0; d < damages; d++) {
            uint8_t *h = a + headers[rng() % nheaders];
            size_t at = rng() % 2 ? rng() % 160 : rng() % TAR_BLOCK;  /* mostly the busy fields */
            h[at] = rng() % 2 ? interesting[rng() % sizeof interesting] : (uint8_t)rng();
            if (rng() % 4)
                fix_checksum(h);
        }
        struct built b;
        if (build(&b, a, good_len) == 0) {
            accepted++;
            touch_all(&b.idx);
        } else {
            refused++;
            CHECK(b.err.reason != NULL);
        }
        unbuild(&b);
        free(a);
    }
    CHECK(accepted > 0);
    CHECK(refused > 0);
}

int main(void)
{
    load_listing();
    good = check_read_file(GOOD_TAR, &good_len);
    if (build(&good_index, good, good_len) != 0) {
        printf("good.tar refused: %s at %" PRIu64 "\n", good_index.err.reason,
               good_index.err.offset);
        return 1;
    }
    test_good_scan();
    test_good_index();
    test_lookup_spellings();
    test_lookup_missing_and_implicit();
    test_duplicates();
    test_checksums();
    test_size_fields();
    test_names();
    test_types();
    test_end_of_archive();
    test_bad_arguments();
    test_truncation();
    test_random_damage();
    unbuild(&good_index);
    free(good);
    return check_summary("test_tar");
}
