#include "core/console.h"

#include <stdint.h>

#include "arch/riscv64/csr.h"
#include "arch/riscv64/sbi.h"
#include "core/fiber.h"
#include "drivers/framebuffer.h"
#include "drivers/uart.h"
#include "ion/ion.h"
#include "ion/ring.h"
#include "user/process.h"

#define CTRL_C 0x03
#include "lib/format.h"

static int uart_ready;

/* Received bytes go on ION's input ring: the interrupt handler is its only
 * producer, console_getc (or a user program, through CMD_CON_READ) its only
 * consumer. The ring lives in the ION region, laid out by ion_init; the
 * interrupt handler writes where input_ring points, which console_init_input
 * sets once ion_init has run (and before the UART interrupt is enabled). */
static struct ion_ring *input_ring;
static struct fiber *input_waiter;  /* the fiber blocked in console_getc */

void console_init(void)
{
    uart_init();
    uart_ready = 1;
}

void console_init_input(void)
{
    input_ring = &ion.input->ring;
}

void console_putc(char c)
{
    /* Terminals want CR LF; kernel strings use LF. */
    if (c == '\n')
        console_putc('\r');
    if (uart_ready)
        uart_putc(c);
    else
        sbi_console_putchar(c);
    /* The screen mirror (Retina) only records here; console_flush draws. */
    fb_putc(c);
}

void console_flush(void)
{
    fb_flush();
}

void console_puts(const char *s)
{
    while (*s)
        console_putc(*s++);
    console_flush();
}

static void console_sink(void *ctx, char c)
{
    (void)ctx;
    console_putc(c);
}

int kvprintf(const char *fmt, va_list ap)
{
    int n = kvformat(console_sink, 0, fmt, ap);
    console_flush();
    return n;
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}

void console_receive_interrupt(void)
{
    struct ion_ring *ring = input_ring;
    int c;
    int interrupted = 0;
    while ((c = uart_getc()) >= 0) {
        uint8_t byte = (uint8_t)c;
        /* Ctrl-C stops a running program (not the shell: to it, it is input). */
        if (byte == CTRL_C && subject_interrupt()) {
            interrupted = 1;
            continue;
        }
        if (ion_ring_push(ring, &byte) != 0)
            ion.stats.input_dropped++;
    }
    if (input_waiter && (ion_ring_used(ring) || interrupted)) {
        fiber_wake(input_waiter);
        input_waiter = 0;
    }
}

void console_wait_input(void)
{
    uint64_t irq = interrupts_save();
    if (!ion_ring_used(&ion.input->ring)) {
        input_waiter = current_fiber;
        fiber_block();
    }
    interrupts_restore(irq);
}

int console_getc(void)
{
    for (;;) {
        uint64_t irq = interrupts_save();
        uint8_t c;
        if (ion_ring_pop(&ion.input->ring, &c) == 0) {
            interrupts_restore(irq);
            return c;
        }
        /* Nothing yet: sleep until the receive interrupt wakes us. Before the
         * scheduler runs there is no fiber to block, so just wait. */
        if (current_fiber) {
            input_waiter = current_fiber;
            fiber_block();
        } else {
            wait_for_interrupt();
        }
        interrupts_restore(irq);
    }
}
