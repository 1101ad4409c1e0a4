/*
 * Powering off. The exit status of QEMU is how tests tell a clean halt from a
 * crash, so it matters which path is used: Debian's OpenSBI 1.1 ignores the
 * reason of an SBI system reset (a "failure" still exits 0), so both paths go
 * through the virt machine's test finisher at 0x100000 (sifive_test).
 */
#ifndef RUMPK_DRIVERS_POWER_H
#define RUMPK_DRIVERS_POWER_H

#define TEST_FINISHER_BASE 0x100000UL

/* QEMU's exit status after a kernel panic (1 is what QEMU itself uses for
 * its own errors, so the kernel's failure is told apart by a code of its own). */
#define EXIT_STATUS_PANIC 3

/* QEMU exits with status 0. */
__attribute__((noreturn)) void power_off(void);

/* QEMU exits with `status` (1..255). */
__attribute__((noreturn)) void power_fail(unsigned status);

#endif
