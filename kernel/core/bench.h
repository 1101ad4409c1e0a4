/*
 * The kernel's side of `make bench`: with `bench` on the command line a
 * fiber measures the hot paths in guest instructions (rdinstret; exact under
 * `-icount shift=0,sleep=off`) before the Subject starts, and the Subject
 * reports what each exec of a program cost through its exit. Every figure is
 * one line, `[bench] NAME per-op=N min=N max=N samples=N batch=N`, that
 * bench/bench.py collects; the floors and ratios are the host's business.
 *
 * `bench=gdb` sets up the state the GDB latency figures need instead (64
 * parked fibers, a 1,024-entry ring, 16 packets) and then runs the shell.
 */
#ifndef RUMPK_CORE_BENCH_H
#define RUMPK_CORE_BENCH_H

#include <stdint.h>

extern int bench_mode;   /* `bench` given: the Subject reports exec costs */

/* The fiber that runs the kernel benchmarks, then starts the Subject. */
void bench_fiber(void *arg);

/* A program's exec request arrived (sys_exec), and the program it started
 * is over and freed (the Subject): one `[bench] exec` line per program. */
void bench_exec_begin(void);
void bench_exec_end(const char *path);

#endif
