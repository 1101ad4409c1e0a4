#include "core/trap.h"

#include "arch/riscv64/csr.h"
#include "core/console.h"
#include "core/fiber.h"
#include "core/panic.h"
#include "core/timer.h"
#include "drivers/plic.h"
#include "drivers/uart.h"
#include "user/process.h"

extern void trap_entry(void);

struct trap_frame *last_trap_frame;

enum {
    IRQ_S_SOFTWARE = 1,
    IRQ_S_TIMER = 5,
    IRQ_S_EXTERNAL = 9,
};

void trap_init(void)
{
    csr_write(stvec, (uint64_t)trap_entry); /* mode 0: direct */
}

static void external_interrupt(void)
{
    uint32_t irq;
    while ((irq = plic_claim()) != 0) {
        if (irq == UART0_IRQ)
            console_receive_interrupt();
        else
            kprintf("[trap] spurious external interrupt %u\n", irq);
        plic_complete(irq);
    }
}

void trap_handler(struct trap_frame *tf)
{
    last_trap_frame = tf;
    int from_user = !(tf->sstatus & SSTATUS_SPP);
    if (tf->scause & SCAUSE_INTERRUPT) {
        switch (tf->scause & ~SCAUSE_INTERRUPT) {
        case IRQ_S_TIMER:
            timer_interrupt();
            fiber_tick(tf);  /* may not return: the watchdog can restart a fiber */
            if (from_user) {
                fiber_yield();  /* a user program is preempted at every tick */
                user_poll_interrupt();
            }
            return;
        case IRQ_S_EXTERNAL:
            external_interrupt();
            return;
        default:
            panic_trap(tf, "unexpected interrupt");
        }
    }
    if (from_user) {
        user_trap(tf);  /* a system call, or a fault that ends the program */
        return;
    }
    /* An exception in the kernel itself is a kernel bug. */
    panic_trap(tf, "unexpected trap");
}
