#include "core/debug_hooks.h"

/* noinline and an opaque body: the call must stay, even from -O2 code. */
__attribute__((noinline)) void debug_hook_command(const CmdPacket *packet, uint64_t seq)
{
    __asm__ volatile("" ::"r"(packet), "r"(seq) : "memory");
}

__attribute__((noinline)) void debug_hook_exec(const struct process *process)
{
    __asm__ volatile("" ::"r"(process) : "memory");
}
