/*
 * The gate: the only part of the membrane that knows the machine. Where the
 * kernel put the SysTable and this program's ProcInfo (fixed addresses of
 * every user address space, abi/user.h), and the trap instruction itself.
 * The host unit test of the membrane (userland/tests/test_membrane.c)
 * replaces this file with a model kernel.
 */
#include "libnexus.h"

const struct SysTable *nexus_systable(void)
{
    return (const struct SysTable *)SYSTABLE_ADDR;
}

const struct ProcInfo *nexus_procinfo(void)
{
    return (const struct ProcInfo *)PROCINFO_ADDR;
}

/* No register arguments: a7 = 0 says "the protocol of docs/userland.md".
 * The kernel may leave anything in a0; everything else is preserved. The
 * memory clobber makes the compiler finish every store to the rings (and to
 * argument blocks on the stack) before the trap, and reread them after. */
void nexus_ecall(void)
{
    register uint64_t a0 __asm__("a0");
    register uint64_t a7 __asm__("a7") = 0;
    __asm__ __volatile__("ecall" : "=r"(a0), "+r"(a7) : : "memory");
    (void)a0;
}
