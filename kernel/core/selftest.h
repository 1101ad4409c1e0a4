/*
 * Boot-argument driven self tests: `selftest=NAME` makes the kernel do one
 * thing on purpose, so the QEMU tests can watch the outcome. NAME is one of
 * the entries printed by `selftest=list`.
 */
#ifndef RUMPK_CORE_SELFTEST_H
#define RUMPK_CORE_SELFTEST_H

/* Runs the named self test. Unknown names are reported, not fatal. */
void selftest_run(const char *name);

/* Fiber entry: arg is the self test's name. */
void selftest_fiber(void *name);

/* Set while the boot-argument self test runs (the monitor waits for it, so
 * its prompt does not land in the middle of the test's output). */
extern volatile int selftest_active;

#endif
