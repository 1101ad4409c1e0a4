/*
 * Places a debugger watches. Each hook is an empty function that the kernel
 * calls when something happens that GDB's extensions (gdb/rumpk/) want to
 * stop at or react to, with what they need as arguments: a breakpoint on a
 * named function survives every rebuild, where one on a line would drift.
 * They cost a call and a return each.
 *
 *   debug_hook_command  the kernel took a CmdPacket off the command ring
 *                       (`syscall step` stops here and prints the packet)
 *   debug_hook_exec     the Subject is about to enter a program in U-mode,
 *                       its address space active (`ubreak` arms its
 *                       breakpoints here)
 */
#ifndef RUMPK_CORE_DEBUG_HOOKS_H
#define RUMPK_CORE_DEBUG_HOOKS_H

#include <stdint.h>

#include "abi/ion.h"

struct process;

void debug_hook_command(const CmdPacket *packet, uint64_t seq);
void debug_hook_exec(const struct process *process);

#endif
