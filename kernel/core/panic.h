/*
 * Panics: for a broken kernel invariant only, never for a user's mistake.
 * A panic prints `PANIC: reason`, the registers (when a trap caused it), a
 * frame-pointer backtrace with symbol names, and makes QEMU exit with
 * EXIT_STATUS_PANIC.
 */
#ifndef RUMPK_CORE_PANIC_H
#define RUMPK_CORE_PANIC_H

#include <stdint.h>

#include "arch/riscv64/trap_frame.h"

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);
__attribute__((noreturn)) void panic_trap(const struct trap_frame *tf, const char *reason);

/* Prints "  #N 0xPC symbol+0xOFF" lines walking the s0 chain from `fp`. */
void print_backtrace(uint64_t fp, int first_index);
/* "name+0xoff", or "??" when pc is not in the kernel's text. */
void print_symbol(uint64_t pc);

#endif
