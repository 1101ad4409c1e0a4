#include "drivers/plic.h"

/* Context 1 is hart 0 in S-mode (context 0 is its M-mode). */
#define PLIC_CONTEXT 1
#define PLIC_PRIORITY(irq) (PLIC_BASE + 4 * (irq))
#define PLIC_ENABLE(ctx) (PLIC_BASE + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC_BASE + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) (PLIC_BASE + 0x200004 + 0x1000 * (ctx))

static inline volatile uint32_t *reg(uintptr_t addr)
{
    return (volatile uint32_t *)addr;
}

void plic_init(void)
{
    *reg(PLIC_THRESHOLD(PLIC_CONTEXT)) = 0; /* let every priority > 0 through */
}

void plic_enable(uint32_t irq)
{
    *reg(PLIC_PRIORITY(irq)) = 1;
    reg(PLIC_ENABLE(PLIC_CONTEXT))[irq / 32] |= 1u << (irq % 32);
}

uint32_t plic_claim(void)
{
    return *reg(PLIC_CLAIM(PLIC_CONTEXT));
}

void plic_complete(uint32_t irq)
{
    *reg(PLIC_CLAIM(PLIC_CONTEXT)) = irq;
}
