/*
 * path_normalize (kernel/fs/path.c): a table of spellings, buffers that are
 * too small (nothing written past `size`), idempotence, and random paths
 * against a straightforward left-to-right reference with a stack.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fs/path.h"

struct path_case {
    int line;
    const char *in;
    const char *want;
};

static const struct path_case cases[] = {
    /* The brief's examples. */
    { __LINE__, "/bin/hello", "bin/hello" },
    { __LINE__, "./bin//hello", "bin/hello" },
    { __LINE__, "bin/hello/", "bin/hello" },
    { __LINE__, "/", "" },
    { __LINE__, "", "" },
    { __LINE__, "a/./b", "a/b" },
    { __LINE__, "a/../b", "b" },
    { __LINE__, "../../x", "x" },
    { __LINE__, "/..", "" },
    { __LINE__, "a/b/../../..", "" },
    { __LINE__, "...", "..." },
    { __LINE__, ".hidden", ".hidden" },
    /* Already normal. */
    { __LINE__, "bin/hello", "bin/hello" },
    { __LINE__, "a", "a" },
    { __LINE__, "etc.conf", "etc.conf" },
    /* Only separators and dots. */
    { __LINE__, ".", "" },
    { __LINE__, "./", "" },
    { __LINE__, "..", "" },
    { __LINE__, "//", "" },
    { __LINE__, "/./.././/", "" },
    /* Runs of '/', anywhere. */
    { __LINE__, "///a///b///", "a/b" },
    { __LINE__, "a//b", "a/b" },
    /* ".." cancels the nearest name still standing, never above the root. */
    { __LINE__, "a/b/c/../../d", "a/d" },
    { __LINE__, "a/b/..", "a" },
    { __LINE__, "a/..", "" },
    { __LINE__, "a/../../b", "b" },
    { __LINE__, "../a/../../b/c", "b/c" },
    { __LINE__, "/./../a", "a" },
    { __LINE__, "x/y/z/../../../../w", "w" },
    { __LINE__, "a//../b", "b" },
    { __LINE__, "a/./../b", "b" },
    { __LINE__, "a/b/../c/./d/../e", "a/c/e" },
    { __LINE__, "dir/..hidden/..", "dir" },
    /* Names that merely contain dots are names. */
    { __LINE__, "a/...", "a/..." },
    { __LINE__, ".../a", ".../a" },
    { __LINE__, "a/.b/..c", "a/.b/..c" },
    { __LINE__, "..a/b..", "..a/b.." },
    { __LINE__, "./.../..../.", ".../...." },
    /* Other bytes are not special. */
    { __LINE__, "a b/c d", "a b/c d" },
    { __LINE__, "a\\b/c", "a\\b/c" },
    { __LINE__, "\xc3\xa9t\xc3\xa9/x", "\xc3\xa9t\xc3\xa9/x" },
};

#define NCASES (sizeof cases / sizeof cases[0])

static void test_table(void)
{
    char out[64], again[64], twisted_in[80], twisted[64];
    for (size_t i = 0; i < NCASES; i++) {
        const struct path_case *c = &cases[i];
        int n = path_normalize(c->in, out, sizeof out);
        check_eq_i64_at(__FILE__, c->line, "path_normalize", n, (int64_t)strlen(c->want));
        check_str_at(__FILE__, c->line, "out", out, c->want);
        /* Idempotent: a normal path is its own normal form. */
        check_eq_i64_at(__FILE__, c->line, "again", path_normalize(out, again, sizeof again), n);
        check_str_at(__FILE__, c->line, "normalize(normalize(x))", again, out);
        /* A leading "/" or a trailing "/" changes nothing. */
        snprintf(twisted_in, sizeof twisted_in, "/%s/", c->in);
        path_normalize(twisted_in, twisted, sizeof twisted);
        check_str_at(__FILE__, c->line, "normalize(\"/\" x \"/\")", twisted, out);
    }
}

/* A buffer one byte short is refused, and nothing lands past `size`. */
static void test_small_buffers(void)
{
    char buf[16];

    memset(buf, 'X', sizeof buf);
    CHECK_EQ_I64(path_normalize("/bin/hello", buf, 9), -1);  /* 9 chars need 10 bytes */
    CHECK_STR(buf, "");  /* refused: the buffer holds "" */
    CHECK_EQ_U64(buf[9], 'X');
    CHECK_EQ_I64(path_normalize("/bin/hello", buf, 10), 9);
    CHECK_STR(buf, "bin/hello");
    CHECK_EQ_U64(buf[10], 'X');

    memset(buf, 'X', sizeof buf);
    CHECK_EQ_I64(path_normalize("a", buf, 0), -1);  /* size 0: nothing written */
    CHECK_EQ_U64(buf[0], 'X');
    CHECK_EQ_I64(path_normalize("a", buf, 1), -1);
    CHECK_EQ_U64(buf[0], '\0');
    CHECK_EQ_U64(buf[1], 'X');
    CHECK_EQ_I64(path_normalize("/./", buf, 1), 0);  /* the root fits in one byte */
    CHECK_STR(buf, "");
    CHECK_EQ_I64(path_normalize("", buf, 1), 0);

    /* Only the result has to fit, not the input or any intermediate form. */
    memset(buf, 'X', sizeof buf);
    CHECK_EQ_I64(path_normalize("a-very-long-directory-name/../b", buf, 2), 1);
    CHECK_STR(buf, "b");
    CHECK_EQ_U64(buf[2], 'X');
    CHECK_EQ_I64(path_normalize("//////////////////////x//////", buf, 2), 1);
    CHECK_STR(buf, "x");

    /* Every size from 0 to the length: refused; length + 1: accepted. */
    const char *in = "./usr//local/../share/./doc/";
    const char *want = "usr/share/doc";
    size_t len = strlen(want);
    for (size_t size = 0; size <= len + 1; size++) {
        char exact[16];
        memset(exact, 'X', sizeof exact);
        int n = path_normalize(in, exact, size);
        CHECK_EQ_I64(n, size > len ? (int64_t)len : -1);
        for (size_t k = size; k < sizeof exact; k++)
            if (!CHECK_EQ_U64(exact[k], 'X'))
                break;
    }

    /* NULL arguments are refused, not dereferenced. */
    CHECK_EQ_I64(path_normalize(NULL, buf, sizeof buf), -1);
    CHECK_STR(buf, "");
    CHECK_EQ_I64(path_normalize("a", NULL, 16), -1);
}

/* ---- random paths against a reference --------------------------------------- */

/* Left to right with a stack of names: the obvious way. */
static void reference(const char *in, char *out)
{
    const char *names[64];
    size_t lens[64], depth = 0;
    const char *p = in;
    while (*p) {
        while (*p == '/')
            p++;
        const char *start = p;
        while (*p && *p != '/')
            p++;
        size_t len = (size_t)(p - start);
        if (len == 0 || (len == 1 && start[0] == '.'))
            continue;
        if (len == 2 && start[0] == '.' && start[1] == '.') {
            if (depth)
                depth--;
            continue;
        }
        names[depth] = start;
        lens[depth++] = len;
    }
    size_t n = 0;
    for (size_t i = 0; i < depth; i++) {
        if (i)
            out[n++] = '/';
        memcpy(out + n, names[i], lens[i]);
        n += lens[i];
    }
    out[n] = '\0';
}

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void test_random_against_reference(void)
{
    static const char *const pieces[] = { "a", "bc", ".", "..", "...", ".x", "", "/", "//" };
    for (int round = 0; round < 20000; round++) {
        char in[256] = "", want[256], got[256];
        int count = (int)(rng() % 12);
        for (int k = 0; k < count; k++) {
            strcat(in, pieces[rng() % (sizeof pieces / sizeof pieces[0])]);
            if (rng() % 3)
                strcat(in, "/");
        }
        reference(in, want);
        int n = path_normalize(in, got, sizeof got);
        if (!CHECK_STR(got, want) || !CHECK_EQ_I64(n, (int64_t)strlen(want))) {
            printf("  input \"%s\"\n", in);
            break;
        }
    }
}

int main(void)
{
    test_table();
    test_small_buffers();
    test_random_against_reference();
    return check_summary("test_path");
}
