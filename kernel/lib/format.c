#include "lib/format.h"

#include <stdint.h>

struct spec {
    int left;     /* '-' flag */
    int zero;     /* '0' flag */
    int width;
    int precision; /* -1 when absent */
};

static int emit_padded(format_sink sink, void *ctx, const struct spec *sp,
                       const char *body, int len, const char *prefix)
{
    int plen = 0;
    while (prefix && prefix[plen])
        plen++;
    int pad = sp->width > len + plen ? sp->width - len - plen : 0;
    int n = 0;
    if (!sp->left && !sp->zero)
        for (; pad > 0; pad--, n++)
            sink(ctx, ' ');
    for (int i = 0; i < plen; i++, n++)
        sink(ctx, prefix[i]);
    if (!sp->left && sp->zero)
        for (; pad > 0; pad--, n++)
            sink(ctx, '0');
    for (int i = 0; i < len; i++, n++)
        sink(ctx, body[i]);
    for (; pad > 0; pad--, n++)
        sink(ctx, ' ');
    return n;
}

/* Writes the digits of v in `base` right-aligned into buf[0..32); returns
 * the index of the first digit. */
static int to_digits(char buf[32], uint64_t v, unsigned base, int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int i = 32;
    do {
        buf[--i] = digits[v % base];
        v /= base;
    } while (v);
    return i;
}

int kvformat(format_sink sink, void *ctx, const char *fmt, va_list ap)
{
    int n = 0;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            sink(ctx, *p);
            n++;
            continue;
        }
        p++;
        struct spec sp = { .precision = -1 };
        for (;; p++) {
            if (*p == '-')
                sp.left = 1;
            else if (*p == '0')
                sp.zero = 1;
            else
                break;
        }
        if (*p == '*') {
            sp.width = va_arg(ap, int);
            if (sp.width < 0) {
                sp.left = 1;
                sp.width = -sp.width;
            }
            p++;
        }
        for (; *p >= '0' && *p <= '9'; p++)
            sp.width = sp.width * 10 + (*p - '0');
        if (*p == '.') {
            sp.precision = 0;
            for (p++; *p >= '0' && *p <= '9'; p++)
                sp.precision = sp.precision * 10 + (*p - '0');
        }
        int longs = 0;
        for (; *p == 'l' || *p == 'z'; p++)
            longs++;

        char buf[32];
        switch (*p) {
        case 'd':
        case 'i': {
            int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
            uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            int i = to_digits(buf, mag, 10, 0);
            n += emit_padded(sink, ctx, &sp, buf + i, 32 - i, v < 0 ? "-" : "");
            break;
        }
        case 'u':
        case 'o':
        case 'x':
        case 'X': {
            uint64_t v = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
            unsigned base = *p == 'u' ? 10 : *p == 'o' ? 8 : 16;
            int i = to_digits(buf, v, base, *p == 'X');
            n += emit_padded(sink, ctx, &sp, buf + i, 32 - i, "");
            break;
        }
        case 'p': {
            uint64_t v = (uint64_t)(uintptr_t)va_arg(ap, void *);
            int i = to_digits(buf, v, 16, 0);
            n += emit_padded(sink, ctx, &sp, buf + i, 32 - i, "0x");
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            /* Test the precision first: with one, s need not be
             * NUL-terminated, and nothing past s[precision-1] may be read. */
            int len = 0;
            while ((sp.precision < 0 || len < sp.precision) && s[len])
                len++;
            sp.zero = 0;
            n += emit_padded(sink, ctx, &sp, s, len, "");
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            sp.zero = 0;
            n += emit_padded(sink, ctx, &sp, &c, 1, "");
            break;
        }
        case '%':
            sink(ctx, '%');
            n++;
            break;
        case '\0':
            /* A lone '%' at the end: print it rather than read past the NUL. */
            sink(ctx, '%');
            return n + 1;
        default:
            /* Unknown conversion: show it verbatim so the mistake is visible. */
            sink(ctx, '%');
            sink(ctx, *p);
            n += 2;
            break;
        }
    }
    return n;
}

struct buffer_sink {
    char *buf;
    size_t size;
    size_t len;
};

static void buffer_put(void *ctx, char c)
{
    struct buffer_sink *b = ctx;
    if (b->len + 1 < b->size)
        b->buf[b->len] = c;
    b->len++;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct buffer_sink b = { buf, size, 0 };
    int n = kvformat(buffer_put, &b, fmt, ap);
    if (size > 0)
        buf[b.len < size ? b.len : size - 1] = '\0';
    return n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
