/*
 * The file commands doing their job (hostile.c checks that they refuse
 * what they must): open, read in pieces, seek three ways, stat, readdir,
 * close, and the errors a correct program meets (a missing file, a closed
 * handle, reading a directory). Uses rootfs/etc/hostname ("rumpk\n") and
 * /etc itself. One line per failed check, then `fstest: ok` (exit 0) or
 * `fstest: N failed` (exit 1).
 */
#include "libnexus.h"

static int checks, failed;

#define CHECK(cond, ...)                                    \
    do {                                                    \
        checks++;                                           \
        if (!(cond)) {                                      \
            failed++;                                       \
            printf("fstest: FAIL line %d: ", __LINE__);     \
            printf(__VA_ARGS__);                            \
            printf("\n");                                   \
        }                                                   \
    } while (0)

static void reading(void)
{
    char buf[16];
    int h = open("/etc/hostname");
    CHECK(h > 0, "open /etc/hostname: %s", nexus_strerror(h));
    if (h <= 0)
        return;

    int64_t n = read(h, buf, 3);
    CHECK(n == 3 && memcmp(buf, "rum", 3) == 0, "read 3: %ld", (long)n);
    n = read(h, buf, sizeof buf);
    CHECK(n == 3 && memcmp(buf, "pk\n", 3) == 0, "read the rest: %ld", (long)n);
    n = read(h, buf, sizeof buf);
    CHECK(n == 0, "read at the end: %ld, want 0", (long)n);

    int64_t pos = seek(h, 1, FS_SEEK_SET);
    CHECK(pos == 1, "seek SET 1: %ld", (long)pos);
    n = read(h, buf, 4);
    CHECK(n == 4 && memcmp(buf, "umpk", 4) == 0, "read after SET 1: %ld", (long)n);
    pos = seek(h, -2, FS_SEEK_CUR);
    CHECK(pos == 3, "seek CUR -2: %ld, want 3", (long)pos);
    pos = seek(h, -1, FS_SEEK_END);
    CHECK(pos == 5, "seek END -1: %ld, want 5", (long)pos);
    n = read(h, buf, sizeof buf);
    CHECK(n == 1 && buf[0] == '\n', "read after END -1: %ld", (long)n);
    pos = seek(h, 100, FS_SEEK_SET);
    CHECK(pos == 100, "seek past the end: %ld", (long)pos);
    n = read(h, buf, sizeof buf);
    CHECK(n == 0, "read past the end: %ld, want 0", (long)n);

    /* Spellings of one path name one file. */
    int h2 = open("etc//./hostname");
    CHECK(h2 > 0 && h2 != h, "open etc//./hostname: %d", h2);
    if (h2 > 0)
        close(h2);

    CHECK(close(h) == 0, "close");
    CHECK(close(h) == ION_EBADF, "close twice: want %d", ION_EBADF);
    n = read(h, buf, sizeof buf);
    CHECK(n == ION_EBADF, "read a closed handle: %ld, want %d", (long)n, ION_EBADF);
}

static void metadata(void)
{
    struct fs_stat st;
    int status = stat("/etc/hostname", &st);
    CHECK(status == 0 && st.size == 6 && st.type == FS_TYPE_FILE,
          "stat /etc/hostname: status %d size %lu type %u", status, (unsigned long)st.size, st.type);
    status = stat("/etc", &st);
    CHECK(status == 0 && st.type == FS_TYPE_DIR, "stat /etc: status %d type %u", status, st.type);
    status = stat("/", &st);
    CHECK(status == 0 && st.type == FS_TYPE_DIR, "stat /: status %d type %u", status, st.type);
    status = stat("/etc/nope", &st);
    CHECK(status == ION_ENOENT, "stat /etc/nope: %d, want %d", status, ION_ENOENT);
    status = open("/etc/nope");
    CHECK(status == ION_ENOENT, "open /etc/nope: %d, want %d", status, ION_ENOENT);

    /* /etc lists hostname and motd, in name order, then ends. */
    struct fs_dirent d;
    int found_hostname = 0, found_motd = 0;
    char previous[USER_PATH_MAX] = "";
    uint32_t i = 0;
    for (; i < 64 && (status = readdir("/etc", i, &d)) == 1; i++) {
        d.name[sizeof d.name - 1] = '\0';
        CHECK(strchr(d.name, '/') == NULL, "readdir name %s has a '/'", d.name);
        CHECK(strcmp(previous, d.name) < 0, "readdir order: %s after %s", d.name, previous);
        strlcpy(previous, d.name, sizeof previous);
        if (strcmp(d.name, "hostname") == 0)
            found_hostname = d.size == 6 && d.type == FS_TYPE_FILE;
        if (strcmp(d.name, "motd") == 0)
            found_motd = d.type == FS_TYPE_FILE;
    }
    CHECK(status == 0, "readdir /etc ended with %d after %u entries", status, i);
    CHECK(found_hostname && found_motd, "readdir /etc: hostname %d motd %d", found_hostname,
          found_motd);
    status = readdir("/", 0, &d);
    CHECK(status == 1, "readdir / 0: %d", status);

    /* A directory opens but does not read. */
    int h = open("/etc");
    if (h > 0) {
        char buf[4];
        int64_t n = read(h, buf, sizeof buf);
        CHECK(n < 0, "read a directory: %ld, want an error", (long)n);
        close(h);
    }
}

int main(void)
{
    reading();
    metadata();
    if (failed) {
        printf("fstest: %d failed\n", failed);
        return 1;
    }
    printf("fstest: ok (%d checks)\n", checks);
    return 0;
}
