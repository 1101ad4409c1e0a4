/* bootarg_get and bootarg_present (kernel/lib/bootargs.c). */
#include <stddef.h>
#include <string.h>

#include "check.h"
#include "lib/bootargs.h"

struct bootarg_case {
    int line;
    const char *args;
    const char *key;
    int found;
    const char *value;  /* what lands in a 32-byte buffer when found */
};

static const struct bootarg_case cases[] = {
    { __LINE__, "quiet", "quiet", 1, "" },
    { __LINE__, "selftest=timer", "selftest", 1, "timer" },
    { __LINE__, "selftest=", "selftest", 1, "" },
    { __LINE__, "opt=a=b=c", "opt", 1, "a=b=c" },
    { __LINE__, "quiet selftest=timer debug", "selftest", 1, "timer" },
    { __LINE__, "quiet selftest=timer debug", "debug", 1, "" },
    { __LINE__, "quiet selftest=timer debug", "quiet", 1, "" },
    /* A key that is a prefix of another key, or the other way round. */
    { __LINE__, "selftests=all", "selftest", 0, NULL },
    { __LINE__, "selftest=all", "selftests", 0, NULL },
    { __LINE__, "selftest", "selftests", 0, NULL },
    { __LINE__, "xselftest=1", "selftest", 0, NULL },
    { __LINE__, "selftests=all selftest=one", "selftest", 1, "one" },
    /* Nothing to find. */
    { __LINE__, "", "quiet", 0, NULL },
    { __LINE__, "   \t ", "quiet", 0, NULL },
    { __LINE__, "loud", "quiet", 0, NULL },
    /* Any run of spaces, tabs and newlines separates words. */
    { __LINE__, "  a=1 \t\t b=2\n\nc=3  ", "b", 1, "2" },
    { __LINE__, "  a=1 \t\t b=2\n\nc=3  ", "c", 1, "3" },
    { __LINE__, "\ta=1", "a", 1, "1" },
    /* The last occurrence wins, including one without a value. */
    { __LINE__, "mode=a mode=b mode=c", "mode", 1, "c" },
    { __LINE__, "mode=a other=x mode", "mode", 1, "" },
    { __LINE__, "mode mode=late", "mode", 1, "late" },
    /* The value ends at the word's end, not at the string's. */
    { __LINE__, "mode=short tail", "mode", 1, "short" },
};

static void test_table(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct bootarg_case *c = &cases[i];
        char buf[32];
        memset(buf, 'X', sizeof buf);
        buf[sizeof buf - 1] = '\0';
        check_eq_i64_at(__FILE__, c->line, "bootarg_get", bootarg_get(c->args, c->key, buf, sizeof buf),
                        c->found);
        check_eq_i64_at(__FILE__, c->line, "bootarg_present", bootarg_present(c->args, c->key),
                        c->found);
        if (c->found)
            check_str_at(__FILE__, c->line, "value", buf, c->value);
        else  /* not found: the buffer is left alone */
            check_eq_u64_at(__FILE__, c->line, "buf[0]", (unsigned char)buf[0], 'X');
    }
}

/* A value longer than the buffer is cut to size-1 characters, NUL-terminated,
 * without writing past the buffer. */
static void test_truncation(void)
{
    const char *args = "quiet root=/dev/vda1 debug";
    char buf[8] = "XXXXXXX";
    char guard[4] = "GGG";
    CHECK_EQ_I64(bootarg_get(args, "root", buf, 5), 1);
    CHECK_STR(buf, "/dev");
    CHECK_EQ_U64(buf[5], 'X');  /* untouched past size */
    CHECK_EQ_I64(bootarg_get(args, "root", buf, 1), 1);
    CHECK_STR(buf, "");
    CHECK_EQ_I64(bootarg_get(args, "root", buf, sizeof buf), 1);
    CHECK_STR(buf, "/dev/vd");
    /* Size 0: found, but nothing written. */
    CHECK_EQ_I64(bootarg_get(args, "root", guard, 0), 1);
    CHECK_STR(guard, "GGG");
}

static void test_null_buf(void)
{
    CHECK_EQ_I64(bootarg_get("a=1 b", "a", NULL, 16), 1);
    CHECK_EQ_I64(bootarg_get("a=1 b", "b", NULL, 0), 1);
    CHECK_EQ_I64(bootarg_get("a=1 b", "c", NULL, 16), 0);
}

int main(void)
{
    test_table();
    test_truncation();
    test_null_buf();
    return check_summary("test_bootargs");
}
