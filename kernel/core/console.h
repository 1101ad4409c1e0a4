/*
 * The kernel console: formatted output to the UART (or, before it is set up,
 * through SBI), and a small buffer of received characters that the UART's
 * interrupt fills and readers drain.
 */
#ifndef RUMPK_CORE_CONSOLE_H
#define RUMPK_CORE_CONSOLE_H

#include <stdarg.h>

void console_init(void);  /* switches output from SBI to the UART */
void console_init_input(void);  /* input goes on ION's input ring (after ion_init) */
void console_putc(char c);
void console_puts(const char *s);
/* Shows what console_putc wrote on the screen too, when there is one (the
 * UART needs no flush); kprintf and console_puts flush by themselves. */
void console_flush(void);
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);

/* Called from the external-interrupt path: moves UART bytes into the buffer. */
void console_receive_interrupt(void);
/* Blocks the calling fiber until the input ring has data. */
void console_wait_input(void);
/* The next received character; the calling fiber blocks until one arrives. */
int console_getc(void);

#endif
