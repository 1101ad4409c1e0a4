/*
 * printf and friends. The formatting engine is the kernel's own
 * kernel/lib/format.c (kvformat), compiled into libnexus: one printf for
 * both sides. Its sink here collects characters in a packet-sized buffer
 * and hands it to write() when it is full and at the end of the call, so a
 * typical printf costs one packet, and output never waits in a buffer past
 * the call that produced it (a prompt without '\n' shows at once).
 */
#include "libnexus.h"

#include "lib/format.h"

struct line_sink {
    int fd;
    int status;             /* the first write error, if any */
    size_t len;
    char buf[ION_PACKET_SIZE];
};

static void flush(struct line_sink *s)
{
    if (s->len > 0 && s->status >= 0) {
        int64_t n = write(s->fd, s->buf, s->len);
        if (n < 0)
            s->status = (int)n;
    }
    s->len = 0;
}

static void line_put(void *ctx, char c)
{
    struct line_sink *s = ctx;
    s->buf[s->len++] = c;
    if (s->len == sizeof s->buf)
        flush(s);
}

int vdprintf(int fd, const char *fmt, va_list ap)
{
    struct line_sink s = { .fd = fd };
    int n = kvformat(line_put, &s, fmt, ap);
    flush(&s);
    return s.status < 0 ? s.status : n;
}

int dprintf(int fd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vdprintf(fd, fmt, ap);
    va_end(ap);
    return n;
}

int vprintf(const char *fmt, va_list ap)
{
    return vdprintf(STDOUT_FILENO, fmt, ap);
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vdprintf(STDOUT_FILENO, fmt, ap);
    va_end(ap);
    return n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    return kvsnprintf(buf, size, fmt, ap);
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int puts(const char *s)
{
    return printf("%s\n", s);
}

int putchar(int c)
{
    char ch = (char)c;
    int64_t n = write(STDOUT_FILENO, &ch, 1);
    return n < 0 ? (int)n : (unsigned char)ch;
}
