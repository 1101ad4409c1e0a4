/* The NS16550A UART that QEMU's virt machine puts at 0x10000000 (IRQ 10). */
#ifndef RUMPK_DRIVERS_UART_H
#define RUMPK_DRIVERS_UART_H

#define UART0_BASE 0x10000000UL
#define UART0_IRQ 10

void uart_init(void);
void uart_putc(char c);
/* The next received byte, or -1 when none is waiting. */
int uart_getc(void);

#endif
