/*
 * The VFS (kernel/fs/vfs.c) over good.tar's index: reads in several chunk
 * sizes reproduce every file, seeks, handles that are closed, stale, forged
 * or one too many, stat, and directory listings (implicit directories
 * included, in name order).
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fs/tar.h"
#include "fs/vfs.h"

#define GOOD_TAR "tests/host/data/good.tar"

#define LONG_DIR1 "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
#define LONG_DIR2 LONG_DIR1 "/qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"
#define NAME100 \
    "n100-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.txt"
_Static_assert(sizeof NAME100 == 101, "the fixture's name is exactly 100 characters");
_Static_assert(sizeof LONG_DIR2 == 60 + 1 + 50 + 1, "the fixture's long directory");

static uint8_t *good;
static size_t good_len;
static struct tar_index idx;
static struct tar_entry *entries;
static char *names;


static int build_index(struct tar_index *out, const uint8_t *archive, size_t len,
                       struct tar_entry **e, char **n)
{
    struct tar_scan_result scan;
    struct tar_error err;
    if (tar_scan(archive, len, &scan, &err) != 0) {
        printf("tar_scan: %s at %" PRIu64 "\n", err.reason, err.offset);
        return -1;
    }
    *e = malloc((scan.entries ? scan.entries : 1) * sizeof **e);
    *n = malloc(scan.name_bytes ? scan.name_bytes : 1);
    if (tar_index_build(out, archive, len, &scan, *e, *n, &err) != 0) {
        printf("tar_index_build: %s at %" PRIu64 "\n", err.reason, err.offset);
        return -1;
    }
    return 0;
}

/* ---- reads ------------------------------------------------------------------- */

static void test_read_chunks(void)
{
    static const size_t chunks[] = { 1, 7, 512, 4096 };
    struct vfs_table t;
    vfs_table_init(&t);
    unsigned files = 0;
    for (uint32_t i = 0; i < idx.count; i++) {
        const struct tar_entry *e = &idx.entries[i];
        if (e->type != TAR_FILE)
            continue;
        files++;
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            uint8_t *got = malloc(e->size + 4096);
            char spelled[300];
            snprintf(spelled, sizeof spelled, "/%s", e->path);
            int32_t h = vfs_open(&t, &idx, spelled);
            if (!CHECK(h > 0)) {
                free(got);
                continue;
            }
            uint64_t total = 0;
            int64_t n;
            int guard = 0;
            while ((n = vfs_read(&t, h, got + total, chunks[c])) > 0 && guard++ < 10000) {
                CHECK(n <= (int64_t)chunks[c]);
                total += (uint64_t)n;
            }
            CHECK_EQ_I64(n, 0);
            CHECK_EQ_U64(total, e->size);
            if (total == e->size && !CHECK(memcmp(got, e->data, e->size) == 0))
                printf("  %s in chunks of %zu\n", e->path, chunks[c]);
            CHECK_EQ_I64(vfs_read(&t, h, got, chunks[c]), 0);  /* still the end */
            CHECK_EQ_I64(vfs_close(&t, h), 0);
            free(got);
        }
    }
    CHECK_EQ_U64(files, 10);

    /* Known contents, read whole. */
    char buf[64] = { 0 };
    int32_t h = vfs_open(&t, &idx, "./bin//hello");
    CHECK_EQ_I64(vfs_read(&t, h, buf, sizeof buf), 18);
    CHECK_STR(buf, "Hello from TarFS!\n");
    CHECK_EQ_I64(vfs_read(&t, h, NULL, 0), 0);
    CHECK_EQ_I64(vfs_seek(&t, h, 0, VFS_SEEK_SET), 0);
    CHECK_EQ_I64(vfs_read(&t, h, buf, 0), 0);  /* zero bytes asked: zero read */
    CHECK_EQ_I64(vfs_read(&t, h, NULL, 5), VFS_EARG);
    CHECK_EQ_I64(vfs_close(&t, h), 0);
    h = vfs_open(&t, &idx, "bin/empty");
    CHECK_EQ_I64(vfs_read(&t, h, buf, sizeof buf), 0);
    CHECK_EQ_I64(vfs_close(&t, h), 0);
}

static void test_seek(void)
{
    struct vfs_table t;
    vfs_table_init(&t);
    const struct tar_entry *e = tar_lookup(&idx, "data/random5000", NULL);
    int32_t h = vfs_open(&t, &idx, "data/random5000");
    uint8_t buf[32];
    if (!CHECK(e != NULL) || !CHECK(h > 0))
        return;

    CHECK_EQ_I64(vfs_seek(&t, h, 100, VFS_SEEK_SET), 100);
    CHECK_EQ_I64(vfs_read(&t, h, buf, 10), 10);
    CHECK(memcmp(buf, e->data + 100, 10) == 0);
    CHECK_EQ_I64(vfs_seek(&t, h, 0, VFS_SEEK_CUR), 110);  /* "tell" */
    CHECK_EQ_I64(vfs_seek(&t, h, -20, VFS_SEEK_CUR), 90);
    CHECK_EQ_I64(vfs_read(&t, h, buf, 1), 1);
    CHECK_EQ_U64(buf[0], e->data[90]);
    CHECK_EQ_I64(vfs_seek(&t, h, 0, VFS_SEEK_END), 5000);
    CHECK_EQ_I64(vfs_read(&t, h, buf, sizeof buf), 0);
    CHECK_EQ_I64(vfs_seek(&t, h, -1, VFS_SEEK_END), 4999);
    CHECK_EQ_I64(vfs_read(&t, h, buf, sizeof buf), 1);
    CHECK_EQ_U64(buf[0], e->data[4999]);
    CHECK_EQ_I64(vfs_read(&t, h, buf, sizeof buf), 0);
    CHECK_EQ_I64(vfs_seek(&t, h, -5000, VFS_SEEK_END), 0);
    CHECK_EQ_I64(vfs_read(&t, h, buf, 4), 4);
    CHECK(memcmp(buf, e->data, 4) == 0);

    /* Past the end is allowed; reads there return 0. */
    CHECK_EQ_I64(vfs_seek(&t, h, 100, VFS_SEEK_END), 5100);
    CHECK_EQ_I64(vfs_read(&t, h, buf, sizeof buf), 0);
    CHECK_EQ_I64(vfs_seek(&t, h, INT64_MAX, VFS_SEEK_SET), INT64_MAX);
    CHECK_EQ_I64(vfs_read(&t, h, buf, sizeof buf), 0);

    /* Refused, and the offset stays where it was. */
    CHECK_EQ_I64(vfs_seek(&t, h, 7, VFS_SEEK_SET), 7);
    CHECK_EQ_I64(vfs_seek(&t, h, -1, VFS_SEEK_SET), VFS_EARG);
    CHECK_EQ_I64(vfs_seek(&t, h, -8, VFS_SEEK_CUR), VFS_EARG);
    CHECK_EQ_I64(vfs_seek(&t, h, -5001, VFS_SEEK_END), VFS_EARG);
    CHECK_EQ_I64(vfs_seek(&t, h, INT64_MIN, VFS_SEEK_END), VFS_EARG);
    CHECK_EQ_I64(vfs_seek(&t, h, INT64_MAX, VFS_SEEK_END), VFS_EARG);  /* overflows */
    CHECK_EQ_I64(vfs_seek(&t, h, 0, 3), VFS_EARG);
    CHECK_EQ_I64(vfs_seek(&t, h, 0, -1), VFS_EARG);
    CHECK_EQ_I64(vfs_seek(&t, h, 0, VFS_SEEK_CUR), 7);
    CHECK_EQ_I64(vfs_seek(&t, h, INT64_MAX, VFS_SEEK_SET), INT64_MAX);
    CHECK_EQ_I64(vfs_seek(&t, h, 1, VFS_SEEK_CUR), VFS_EARG);
    CHECK_EQ_I64(vfs_seek(&t, h, INT64_MIN, VFS_SEEK_CUR), VFS_EARG);  /* lands on -1 */
    CHECK_EQ_I64(vfs_seek(&t, h, -INT64_MAX, VFS_SEEK_CUR), 0);
    CHECK_EQ_I64(vfs_close(&t, h), 0);
}

/* ---- handles ----------------------------------------------------------------- */

static void test_handles(void)
{
    struct vfs_table t;
    uint8_t buf[8];
    vfs_table_init(&t);

    /* Missing files and bad arguments. */
    CHECK_EQ_I64(vfs_open(&t, &idx, "nope"), VFS_ENOENT);
    CHECK_EQ_I64(vfs_open(&t, &idx, "bin/hello/x"), VFS_ENOENT);
    CHECK_EQ_I64(vfs_open(&t, &idx, NULL), VFS_EARG);
    CHECK_EQ_I64(vfs_open(&t, NULL, "bin/hello"), VFS_EARG);
    CHECK_EQ_I64(vfs_open(NULL, &idx, "bin/hello"), VFS_EARG);

    /* The first open of a fresh table: slot 0, generation 1. */
    int32_t h1 = vfs_open(&t, &idx, "bin/hello");
    CHECK_EQ_I64(h1, 1 << 8 | 0);
    CHECK_EQ_I64(vfs_close(&t, h1), 0);
    /* Closed: refused everywhere, never a crash. */
    CHECK_EQ_I64(vfs_read(&t, h1, buf, sizeof buf), VFS_EBADF);
    CHECK_EQ_I64(vfs_seek(&t, h1, 0, VFS_SEEK_SET), VFS_EBADF);
    CHECK_EQ_I64(vfs_close(&t, h1), VFS_EBADF);

    /* The slot is reused with a new generation: the old handle stays dead. */
    int32_t h2 = vfs_open(&t, &idx, "etc/motd");
    CHECK(h2 > 0);
    CHECK(h2 != h1);
    CHECK_EQ_I64(h2 & 0xff, h1 & 0xff);
    CHECK_EQ_I64(vfs_read(&t, h1, buf, sizeof buf), VFS_EBADF);
    CHECK_EQ_I64(vfs_close(&t, h1), VFS_EBADF);
    CHECK_EQ_I64(vfs_read(&t, h2, buf, 3), 3);
    CHECK(memcmp(buf, "etc", 3) == 0);

    /* Forged handles. */
    int32_t forged[] = {
        0, -1, -7, INT32_MIN, INT32_MAX, 1, 15, 16, 255, 256 + 16, 256 + 255,
        h2 + 256, h2 - 256, h2 ^ 0x40000000, h2 + 1, (h2 & ~0xff) | 1,
    };
    for (size_t i = 0; i < sizeof forged / sizeof forged[0]; i++) {
        int32_t f = forged[i];
        if (!CHECK_EQ_I64(vfs_read(&t, f, buf, sizeof buf), VFS_EBADF))
            printf("  handle %" PRId32 "\n", f);
        CHECK_EQ_I64(vfs_seek(&t, f, 0, VFS_SEEK_SET), VFS_EBADF);
        CHECK_EQ_I64(vfs_close(&t, f), VFS_EBADF);
    }
    uint32_t x = 77;
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        int32_t f = (int32_t)x;
        if (f == h2)
            continue;
        if (!CHECK_EQ_I64(vfs_read(&t, f, buf, sizeof buf), VFS_EBADF))
            break;
    }
    CHECK_EQ_I64(vfs_read(NULL, h2, buf, sizeof buf), VFS_EBADF);
    CHECK_EQ_I64(vfs_close(NULL, h2), VFS_EBADF);
    CHECK_EQ_I64(vfs_read(&t, h2, buf, 3), 3);  /* all that left h2 alone */
    CHECK(memcmp(buf, " ha", 3) == 0);
    CHECK_EQ_I64(vfs_close(&t, h2), 0);
}

static void test_table_full(void)
{
    struct vfs_table t;
    int32_t h[VFS_MAX_FILES];
    vfs_table_init(&t);
    for (int i = 0; i < VFS_MAX_FILES; i++) {
        h[i] = vfs_open(&t, &idx, i % 2 ? "bin/hello" : "data/block512");
        CHECK(h[i] > 0);
        for (int j = 0; j < i; j++)
            CHECK(h[i] != h[j]);
    }
    CHECK_EQ_I64(vfs_open(&t, &idx, "bin/hello"), VFS_EMFILE);
    CHECK_EQ_I64(vfs_open(&t, &idx, "nope"), VFS_ENOENT);  /* missing is still missing */
    /* Every handle is its own file position. */
    uint8_t buf[4];
    CHECK_EQ_I64(vfs_read(&t, h[1], buf, 4), 4);
    CHECK_EQ_I64(vfs_seek(&t, h[3], 0, VFS_SEEK_CUR), 0);
    CHECK_EQ_I64(vfs_seek(&t, h[1], 0, VFS_SEEK_CUR), 4);

    CHECK_EQ_I64(vfs_close(&t, h[5]), 0);
    int32_t again = vfs_open(&t, &idx, "etc/motd");
    CHECK(again > 0);
    CHECK_EQ_I64(again & 0xff, h[5] & 0xff);
    CHECK(again != h[5]);
    CHECK_EQ_I64(vfs_open(&t, &idx, "etc/motd"), VFS_EMFILE);
    for (int i = 0; i < VFS_MAX_FILES; i++)
        CHECK_EQ_I64(vfs_close(&t, i == 5 ? again : h[i]), 0);

    /* The generation wraps before it would make the handle negative. */
    vfs_table_init(&t);
    t.files[0].generation = (1u << 23) - 2;
    int32_t high = vfs_open(&t, &idx, "bin/hello");
    CHECK_EQ_I64(high, (int64_t)((1u << 23) - 1) << 8);
    CHECK_EQ_I64(vfs_close(&t, high), 0);
    int32_t wrapped = vfs_open(&t, &idx, "bin/hello");
    CHECK_EQ_I64(wrapped, 1 << 8);
    CHECK_EQ_I64(vfs_close(&t, high), VFS_EBADF);
    CHECK_EQ_I64(vfs_close(&t, wrapped), 0);
}

static void test_directories_as_files(void)
{
    struct vfs_table t;
    uint8_t buf[8];
    vfs_table_init(&t);
    static const char *const dirs[] = { "bin", "etc", "/", "", LONG_DIR2 };  /* etc, / implicit */
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        int32_t h = vfs_open(&t, &idx, dirs[i]);
        if (!CHECK(h > 0))
            continue;
        CHECK_EQ_I64(vfs_read(&t, h, buf, sizeof buf), VFS_EISDIR);
        CHECK_EQ_I64(vfs_seek(&t, h, 0, VFS_SEEK_END), 0);
        CHECK_EQ_I64(vfs_close(&t, h), 0);
    }
}

/* ---- stat and readdir --------------------------------------------------------- */

static void test_stat(void)
{
    struct vfs_stat st;
    CHECK_EQ_I64(vfs_stat(&idx, "/data/random5000", &st), 0);
    CHECK_EQ_U64(st.size, 5000);
    CHECK_EQ_U64(st.type, TAR_FILE);
    CHECK_EQ_U64(st.mode, 0600);
    CHECK_EQ_I64(vfs_stat(&idx, "bin/hello", &st), 0);
    CHECK_EQ_U64(st.mode, 0755);
    CHECK_EQ_I64(vfs_stat(&idx, "bin/empty", &st), 0);
    CHECK_EQ_U64(st.size, 0);
    CHECK_EQ_U64(st.type, TAR_FILE);
    CHECK_EQ_I64(vfs_stat(&idx, "a/b/", &st), 0);
    CHECK_EQ_U64(st.type, TAR_DIR);
    CHECK_EQ_U64(st.size, 0);
    CHECK_EQ_I64(vfs_stat(&idx, "etc", &st), 0);  /* implicit */
    CHECK_EQ_U64(st.type, TAR_DIR);
    CHECK_EQ_U64(st.mode, TAR_IMPLICIT_DIR_MODE);
    CHECK_EQ_I64(vfs_stat(&idx, "/", &st), 0);
    CHECK_EQ_U64(st.type, TAR_DIR);
    CHECK_EQ_I64(vfs_stat(&idx, "bin/link", &st), VFS_ENOENT);
    CHECK_EQ_I64(vfs_stat(&idx, "nope", &st), VFS_ENOENT);
    CHECK_EQ_I64(vfs_stat(&idx, NULL, &st), VFS_EARG);
    CHECK_EQ_I64(vfs_stat(&idx, "bin", NULL), VFS_EARG);
}

struct child_want {
    const char *name;
    char type;   /* 'f' or 'd' */
    uint64_t size;
};

static void expect_listing_at(int line, const struct tar_index *ix, const char *dir,
                              const struct child_want *want, size_t n)
{
    struct vfs_dirent d;
    for (uint32_t i = 0; i < n; i++) {
        memset(&d, 0x5a, sizeof d);
        if (!check_eq_i64_at(__FILE__, line, "vfs_readdir", vfs_readdir(ix, dir, i, &d), 1))
            return;
        check_str_at(__FILE__, line, "name", d.name, want[i].name);
        check_eq_u64_at(__FILE__, line, "type", d.type, want[i].type == 'd' ? TAR_DIR : TAR_FILE);
        check_eq_u64_at(__FILE__, line, "size", d.size, want[i].size);
    }
    check_eq_i64_at(__FILE__, line, "past the end", vfs_readdir(ix, dir, (uint32_t)n, &d), 0);
    check_eq_i64_at(__FILE__, line, "far past", vfs_readdir(ix, dir, UINT32_MAX, &d), 0);
}
#define EXPECT_LISTING(ix, dir, ...)                                                      \
    do {                                                                                  \
        static const struct child_want want_[] = { __VA_ARGS__ };                         \
        expect_listing_at(__LINE__, (ix), (dir), want_, sizeof want_ / sizeof want_[0]); \
    } while (0)

static void test_readdir(void)
{
    /* Name order: the implicit "etc" before "etc.conf", though the entry
     * "etc.conf" sorts before "etc/motd". */
    EXPECT_LISTING(&idx, "/", { "a", 'd', 0 }, { "bin", 'd', 0 }, { "data", 'd', 0 },
                   { "etc", 'd', 0 }, { "etc.conf", 'f', 43 }, { NAME100, 'f', 33 },
                   { LONG_DIR1, 'd', 0 });
    EXPECT_LISTING(&idx, "", { "a", 'd', 0 }, { "bin", 'd', 0 }, { "data", 'd', 0 },
                   { "etc", 'd', 0 }, { "etc.conf", 'f', 43 }, { NAME100, 'f', 33 },
                   { LONG_DIR1, 'd', 0 });
    /* "a/b" is listed once although a/b, a/b/c and a/b/c/deep.txt are under it,
     * and "a/b-notes.txt" sorts between them. */
    EXPECT_LISTING(&idx, "a", { "b", 'd', 0 }, { "b-notes.txt", 'f', 28 });
    EXPECT_LISTING(&idx, "./a//b/", { "c", 'd', 0 });
    EXPECT_LISTING(&idx, "a/b/c", { "deep.txt", 'f', 18 });
    EXPECT_LISTING(&idx, "bin", { "empty", 'f', 0 }, { "hello", 'f', 18 });  /* no link */
    EXPECT_LISTING(&idx, "/data", { "block512", 'f', 512 }, { "random5000", 'f', 5000 });
    EXPECT_LISTING(&idx, "etc", { "motd", 'f', 28 });  /* an implicit dir lists too */
    EXPECT_LISTING(&idx, LONG_DIR1, { "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq", 'd', 0 });
    EXPECT_LISTING(&idx, LONG_DIR2, { "long-path-file.txt", 'f', 23 });

    struct vfs_dirent d;
    CHECK_EQ_I64(vfs_readdir(&idx, "bin/hello", 0, &d), VFS_ENOTDIR);
    CHECK_EQ_I64(vfs_readdir(&idx, "etc.conf", 0, &d), VFS_ENOTDIR);
    CHECK_EQ_I64(vfs_readdir(&idx, "nope", 0, &d), VFS_ENOENT);
    CHECK_EQ_I64(vfs_readdir(&idx, "bin/link", 0, &d), VFS_ENOENT);
    CHECK_EQ_I64(vfs_readdir(&idx, NULL, 0, &d), VFS_EARG);
    CHECK_EQ_I64(vfs_readdir(&idx, "bin", 0, NULL), VFS_EARG);

    /* An empty index: the root exists and is empty. */
    struct tar_index none = { 0 };
    CHECK_EQ_I64(vfs_readdir(&none, "/", 0, &d), 0);
    CHECK_EQ_I64(vfs_readdir(&none, "bin", 0, &d), VFS_ENOENT);
}

/* good.tar with the "bin" header renamed "./": the root has an entry of its
 * own, which must not list itself, and "bin" becomes implicit. */
static void test_readdir_root_entry(void)
{
    uint8_t *a = malloc(good_len);
    memcpy(a, good, good_len);
    const struct tar_entry *bin = tar_lookup(&idx, "bin", NULL);
    uint8_t *h = a + bin->header_offset;
    memset(h, 0, 100);
    memcpy(h, "./", 2);
    unsigned sum = 0;
    memset(h + 148, ' ', 8);
    for (int i = 0; i < TAR_BLOCK; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);

    struct tar_index ix;
    struct tar_entry *e;
    char *n;
    if (CHECK_EQ_I64(build_index(&ix, a, good_len, &e, &n), 0)) {
        CHECK_STR(ix.entries[0].path, "");
        EXPECT_LISTING(&ix, "/", { "a", 'd', 0 }, { "bin", 'd', 0 }, { "data", 'd', 0 },
                       { "etc", 'd', 0 }, { "etc.conf", 'f', 43 }, { NAME100, 'f', 33 },
                       { LONG_DIR1, 'd', 0 });
        struct vfs_stat st;
        CHECK_EQ_I64(vfs_stat(&ix, "/", &st), 0);
        CHECK_EQ_U64(st.mode, 0755);
    }
    free(e);
    free(n);
    free(a);
}

int main(void)
{
    good = check_read_file(GOOD_TAR, &good_len);
    if (build_index(&idx, good, good_len, &entries, &names) != 0)
        return 1;
    test_read_chunks();
    test_seek();
    test_handles();
    test_table_full();
    test_directories_as_files();
    test_stat();
    test_readdir();
    test_readdir_root_entry();
    free(entries);
    free(names);
    free(good);
    return check_summary("test_vfs");
}
