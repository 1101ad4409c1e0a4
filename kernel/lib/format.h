/*
 * printf-style formatting, free of any device: kprintf, ksnprintf and the
 * host unit tests all use kvformat. Supported: %d %i %u %o %x %X %p %s %c %%,
 * the l/ll/z length modifiers, flags '-' and '0', a width (number or *),
 * and a precision for %s.
 */
#ifndef RUMPK_LIB_FORMAT_H
#define RUMPK_LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*format_sink)(void *ctx, char c);

/* Returns the number of characters produced. */
int kvformat(format_sink sink, void *ctx, const char *fmt, va_list ap);

/* Like snprintf: always NUL-terminates when size > 0, returns the length
 * the full output would have had. */
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
