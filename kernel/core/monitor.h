/*
 * The kernel monitor: a tiny line-oriented console inside the kernel, the
 * place to poke the machine before (and, with `monitor` on the command line,
 * instead of) the user-mode shell.
 */
#ifndef RUMPK_CORE_MONITOR_H
#define RUMPK_CORE_MONITOR_H

/* The monitor fiber's entry. */
void monitor_run(void *arg);

#endif
