/* Trap handling in C: interrupts are dispatched, anything unexpected panics. */
#ifndef RUMPK_CORE_TRAP_H
#define RUMPK_CORE_TRAP_H

#include "arch/riscv64/trap_frame.h"

/* Installs trap_entry in stvec. */
void trap_init(void);

/* Called by trap_entry.S with the saved registers. */
void trap_handler(struct trap_frame *tf);

/* The most recent trap frame, for GDB and post-mortems. */
extern struct trap_frame *last_trap_frame;

#endif
