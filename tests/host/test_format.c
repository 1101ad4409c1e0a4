/*
 * ksnprintf (kernel/lib/format.c). Where the kernel claims printf behaviour
 * the host's snprintf is the reference; the kernel's own choices (%p of NULL,
 * unknown conversions, a lone '%') are spelled out.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/format.h"

/* The kernel and the C library must produce the same text and length. */
#define SAME(...)                                                                \
    do {                                                                         \
        char k_[128], h_[128];                                                   \
        int kn_ = ksnprintf(k_, sizeof k_, __VA_ARGS__);                         \
        int hn_ = snprintf(h_, sizeof h_, __VA_ARGS__);                          \
        check_str_at(__FILE__, __LINE__, #__VA_ARGS__, k_, h_);                  \
        check_eq_i64_at(__FILE__, __LINE__, "length of " #__VA_ARGS__, kn_, hn_); \
    } while (0)

/* The kernel must produce `want`; goes through kfmt so that formats the
 * compiler rightly rejects can be tested too. */
#define KERN(want, ...)                                                          \
    do {                                                                         \
        char k_[128];                                                            \
        int kn_ = kfmt(k_, sizeof k_, __VA_ARGS__);                              \
        check_str_at(__FILE__, __LINE__, #__VA_ARGS__, k_, want);                \
        check_eq_i64_at(__FILE__, __LINE__, "length of " #__VA_ARGS__, kn_,      \
                        (int64_t)strlen(want));                                  \
    } while (0)

/* ksnprintf without the format attribute. */
static int kfmt(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

static void test_like_libc(void)
{
    SAME("plain text");
    SAME("100%%");
    SAME("%d", 0);
    SAME("%d", 42);
    SAME("%d", -42);
    SAME("%i", -7);
    SAME("%d", INT_MAX);
    SAME("%d", INT_MIN);
    SAME("%u", 0u);
    SAME("%u", UINT_MAX);
    SAME("%x", 0u);
    SAME("%x", 0xdeadbeefu);
    SAME("%X", 0xdeadbeefu);
    SAME("%x", (unsigned)-1);
    SAME("%o", 0u);
    SAME("%o", 0755u);
    SAME("%04o", 0644u);
    SAME("%lo", 01777777777777777777777ul);
    SAME("%ld", (long)INT64_MIN);
    SAME("%ld", (long)INT64_MAX);
    SAME("%lu", (unsigned long)UINT64_MAX);
    SAME("%lx", (unsigned long)0x123456789abcdef0);
    SAME("%lld", (long long)INT64_MIN);
    SAME("%zu", (size_t)123456789);
    SAME("%p", (void *)0x1234);
    SAME("%p", (void *)(uintptr_t)0xffffffffc0001000);
    SAME("%s", "hello");
    SAME("[%s]", "");
    SAME("%c%c%c", 'a', 'b', 'c');
    SAME("a=%d b=%s c=%x d=%c", -1, "two", 3u, '4');

    /* Widths and flags. */
    SAME("[%5d]", 42);
    SAME("[%-5d]", 42);
    SAME("[%05d]", 42);
    SAME("[%05d]", -42);
    SAME("[%-5d]", -42);
    SAME("[%2d]", 12345);
    SAME("[%8x]", 0xbeefu);
    SAME("[%08X]", 0xbeefu);
    SAME("[%-8x]", 0xbeefu);
    SAME("[%20ld]", (long)INT64_MIN);
    SAME("[%020lu]", (unsigned long)42);
    SAME("[%18p]", (void *)0xabc);
    SAME("[%-18p]", (void *)0xabc);
    SAME("[%10s]", "hi");
    SAME("[%-10s]", "hi");
    SAME("[%1s]", "hello");
    SAME("[%3c]", 'x');
    SAME("[%-3c]", 'x');

    /* '*' takes the width from the arguments; negative means left-aligned. */
    SAME("[%*d]", 6, 42);
    SAME("[%*d]", -6, 42);
    SAME("[%-*d]", 6, 42);
    SAME("[%0*d]", 6, -42);
    SAME("[%*s]", -4, "ab");
    SAME("[%*d|%*d]", 3, 1, -3, 2);

    /* Precision limits %s. */
    SAME("[%.3s]", "abcdef");
    SAME("[%.0s]", "abc");
    SAME("[%.10s]", "abc");
    SAME("[%6.2s]", "abc");
    SAME("[%-6.2s]", "abc");
}

static void test_kernel_choices(void)
{
    const char *null_str = NULL;
    KERN("0x0", "%p", (void *)NULL);
    KERN("(null)", "%s", null_str);
    KERN("[(nu]", "[%.3s]", null_str);
    KERN("[    (null)]", "[%10s]", null_str);
    /* '-' beats '0'; '0' pads numbers only. */
    KERN("[42   ]", "[%-05d]", 42);
    KERN("[   ab]", "[%05s]", "ab");
    KERN("[  x]", "[%03c]", 'x');
    /* The precision of %d is accepted and ignored (format.h: %s only). */
    KERN("[42]", "[%.5d]", 42);
    /* Unknown conversions appear verbatim; the arguments stay in step. */
    KERN("%q", "%q");
    KERN("a%qb", "a%qb");
    KERN("%hd", "%hd");
    KERN("%q 7", "%q %d", 7);
    /* A lone '%' at the end (after flags, width or length too) prints '%'. */
    KERN("%", "%");
    KERN("50%", "50%");
    KERN("x%", "x%-");
    KERN("x%", "x%05");
    KERN("x%", "x%l");
}

/* "%.3s" may point at exactly 3 bytes without a NUL: nothing past them may
 * be read (ASan watches the exact-size allocation). */
static void test_precision_reads_no_further(void)
{
    char *abc = malloc(3);
    memcpy(abc, "abc", 3);
    char buf[16];
    CHECK_EQ_I64(ksnprintf(buf, sizeof buf, "%.3s", abc), 3);
    CHECK_STR(buf, "abc");
    CHECK_EQ_I64(ksnprintf(buf, sizeof buf, "%.2s", abc), 2);
    CHECK_STR(buf, "ab");
    free(abc);
}

/* Every buffer size from 0 up: the output is the libc prefix, always
 * NUL-terminated, and the return value is the full length. Each buffer is
 * malloc'd at its exact size so ASan catches a write past it. */
#define TRUNC_ARGS "value=%d name=%-8s|%x", -12345, "kernel", 0xabcu
static void test_truncation(void)
{
    char full[64];
    int full_len = snprintf(full, sizeof full, TRUNC_ARGS);
    for (size_t size = 0; size <= (size_t)full_len + 2; size++) {
        char *k = malloc(size ? size : 1);
        char *h = malloc(size ? size : 1);
        k[0] = h[0] = 'X';
        int kn = ksnprintf(k, size, TRUNC_ARGS);
        int hn = snprintf(h, size, TRUNC_ARGS);
        CHECK_EQ_I64(kn, full_len);
        CHECK_EQ_I64(hn, full_len);
        if (size == 0)
            CHECK_EQ_U64(k[0], 'X');  /* size 0: nothing written at all */
        else
            CHECK_STR(k, h);
        free(k);
        free(h);
    }
    /* size 0 may come with a NULL buffer: a pure length query. */
    CHECK_EQ_I64(ksnprintf(NULL, 0, "%s-%d", "abc", 12), 6);

    char one[1] = { 'X' };
    CHECK_EQ_I64(ksnprintf(one, sizeof one, "%d", 12345), 5);
    CHECK_EQ_U64(one[0], '\0');

    char small[4];
    CHECK_EQ_I64(ksnprintf(small, sizeof small, "%d", -12345), 6);
    CHECK_STR(small, "-12");
}

/* kvformat counts what it hands the sink, whatever the sink does. */
static void count_sink(void *ctx, char c)
{
    (void)c;
    ++*(int *)ctx;
}

static int count_format(int *seen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvformat(count_sink, seen, fmt, ap);
    va_end(ap);
    return n;
}

static void test_kvformat_count(void)
{
    int seen = 0;
    CHECK_EQ_I64(count_format(&seen, "%s=%5d%%%c", "abc", 7, 'z'), 11);
    CHECK_EQ_I64(seen, 11);
}

int main(void)
{
    test_like_libc();
    test_kernel_choices();
    test_precision_reads_no_further();
    test_truncation();
    test_kvformat_count();
    return check_summary("test_format");
}
