/* The platform-level interrupt controller of QEMU virt, S-mode context of hart 0. */
#ifndef RUMPK_DRIVERS_PLIC_H
#define RUMPK_DRIVERS_PLIC_H

#include <stdint.h>

#define PLIC_BASE 0x0c000000UL

void plic_init(void);
void plic_enable(uint32_t irq);
/* The highest-priority pending source (0 when none); plic_complete ends it. */
uint32_t plic_claim(void);
void plic_complete(uint32_t irq);

#endif
