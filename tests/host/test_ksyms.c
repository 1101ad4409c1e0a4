/* ksym_lookup (kernel/lib/ksyms.c) on tables shaped like gen-ksyms.py's. */
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "lib/ksyms.h"

/* Three functions; addrs[3] is the end of text. */
static const uint64_t addrs[] = { 0x80200000, 0x80200010, 0x80200040, 0x80200100 };
static const uint32_t name_offsets[] = { 0, 7, 13 };
static const char names[] = "_start\0kmain\0panic";
static const struct ksym_table table = { 3, addrs, name_offsets, names };

struct lookup {
    int line;
    uint64_t pc;
    const char *name;  /* NULL: outside every function */
    uint64_t offset;
};

static const struct lookup lookups[] = {
    { __LINE__, 0x80200000, "_start", 0 },
    { __LINE__, 0x80200004, "_start", 4 },
    { __LINE__, 0x8020000f, "_start", 0xf },
    { __LINE__, 0x80200010, "kmain", 0 },
    { __LINE__, 0x8020003e, "kmain", 0x2e },
    { __LINE__, 0x80200040, "panic", 0 },
    { __LINE__, 0x802000ff, "panic", 0xbf },
    /* Before the first function, at and after the end of text. */
    { __LINE__, 0x801fffff, NULL, 0 },
    { __LINE__, 0, NULL, 0 },
    { __LINE__, 0x80200100, NULL, 0 },
    { __LINE__, 0x80200104, NULL, 0 },
    { __LINE__, UINT64_MAX, NULL, 0 },
};

static void test_lookups(void)
{
    for (size_t i = 0; i < sizeof lookups / sizeof lookups[0]; i++) {
        const struct lookup *l = &lookups[i];
        uint64_t off = 0xdead;
        const char *name = ksym_lookup(&table, l->pc, &off);
        check_str_at(__FILE__, l->line, "name", name, l->name);
        if (l->name)
            check_eq_u64_at(__FILE__, l->line, "offset", off, l->offset);
    }
    /* The offset pointer is optional. */
    CHECK_STR(ksym_lookup(&table, 0x80200044, NULL), "panic");
}

/* The first link pass has an empty table: count 0, one address. */
static void test_empty(void)
{
    static const uint64_t end_only[] = { 0 };
    static const struct ksym_table empty = { 0, end_only, NULL, "" };
    uint64_t off = 0;
    CHECK(ksym_lookup(&empty, 0, &off) == NULL);
    CHECK(ksym_lookup(&empty, 0x80200000, &off) == NULL);
}

/* One function: the binary search starts and ends on it. */
static void test_single(void)
{
    static const uint64_t one_addrs[] = { 0x1000, 0x1020 };
    static const uint32_t one_offsets[] = { 0 };
    static const struct ksym_table one = { 1, one_addrs, one_offsets, "only" };
    uint64_t off = 0;
    CHECK_STR(ksym_lookup(&one, 0x1000, &off), "only");
    CHECK_EQ_U64(off, 0);
    CHECK_STR(ksym_lookup(&one, 0x101f, &off), "only");
    CHECK_EQ_U64(off, 0x1f);
    CHECK(ksym_lookup(&one, 0xfff, &off) == NULL);
    CHECK(ksym_lookup(&one, 0x1020, &off) == NULL);
}

/* A large table of uneven sizes: the first and last byte of every function. */
static void test_many(void)
{
    enum { N = 1000 };
    static uint64_t many_addrs[N + 1];
    static uint32_t many_offsets[N];
    static char many_names[N * 2];
    for (uint32_t i = 0; i < N; i++) {
        many_addrs[i] = 0x80000000 + (uint64_t)i * i * 4 + i * 2;  /* strictly increasing */
        many_offsets[i] = 2 * i;
        many_names[2 * i] = (char)('A' + i % 26);
        many_names[2 * i + 1] = '\0';
    }
    many_addrs[N] = many_addrs[N - 1] + 8;
    const struct ksym_table many = { N, many_addrs, many_offsets, many_names };

    for (uint32_t i = 0; i < N; i++) {
        uint64_t off = 1, last = many_addrs[i + 1] - 1;
        CHECK(ksym_lookup(&many, many_addrs[i], &off) == many_names + 2 * i);
        CHECK_EQ_U64(off, 0);
        CHECK(ksym_lookup(&many, last, &off) == many_names + 2 * i);
        CHECK_EQ_U64(off, last - many_addrs[i]);
    }
    CHECK(ksym_lookup(&many, many_addrs[N], NULL) == NULL);
}

int main(void)
{
    test_lookups();
    test_empty();
    test_single();
    test_many();
    return check_summary("test_ksyms");
}
