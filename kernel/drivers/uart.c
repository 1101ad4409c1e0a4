/*
 * NS16550A: polled transmit (the console must work even with interrupts off,
 * in a panic), interrupt-driven receive through the PLIC.
 */
#include "drivers/uart.h"

#include <stdint.h>

enum {
    RBR = 0, /* receive buffer (read) */
    THR = 0, /* transmit holding (write) */
    IER = 1, /* interrupt enable */
    FCR = 2, /* FIFO control (write) */
    LCR = 3, /* line control */
    LSR = 5, /* line status */
};
#define IER_RX_AVAILABLE 0x01
#define FCR_ENABLE_CLEAR 0x07
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

static volatile uint8_t *const uart = (volatile uint8_t *)UART0_BASE;

void uart_init(void)
{
    uart[IER] = 0;
    /* 38400 baud from the 1.8432 MHz reference (QEMU ignores the rate, real
     * 16550s do not): divisor 3, written with DLAB set. */
    uart[LCR] = LCR_DLAB;
    uart[0] = 3;
    uart[1] = 0;
    uart[LCR] = LCR_8N1;
    uart[FCR] = FCR_ENABLE_CLEAR;
    uart[IER] = IER_RX_AVAILABLE;
}

void uart_putc(char c)
{
    while (!(uart[LSR] & LSR_THR_EMPTY))
        ;
    uart[THR] = (uint8_t)c;
}

int uart_getc(void)
{
    if (uart[LSR] & LSR_DATA_READY)
        return uart[RBR];
    return -1;
}
