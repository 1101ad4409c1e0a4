#include "core/trap_describe.h"

#include "lib/format.h"

#define INTERRUPT_BIT (1UL << 63)

static const char *const exception_names[] = {
    [0] = "instruction address misaligned",
    [1] = "instruction access fault",
    [2] = "illegal instruction",
    [3] = "breakpoint",
    [4] = "load address misaligned",
    [5] = "load access fault",
    [6] = "store address misaligned",
    [7] = "store access fault",
    [8] = "environment call from U-mode",
    [9] = "environment call from S-mode",
    [12] = "instruction page fault",
    [13] = "load page fault",
    [15] = "store page fault",
};

static const char *const interrupt_names[] = {
    [1] = "supervisor software interrupt",
    [5] = "supervisor timer interrupt",
    [9] = "supervisor external interrupt",
};

static const char reserved_cause[] = "reserved cause";

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *trap_cause_name(uint64_t scause)
{
    uint64_t code = scause & ~INTERRUPT_BIT;
    const char *name = 0;
    if (scause & INTERRUPT_BIT) {
        if (code < COUNT(interrupt_names))
            name = interrupt_names[code];
    } else if (code < COUNT(exception_names)) {
        name = exception_names[code];
    }
    return name ? name : reserved_cause;
}

int trap_describe(char *buf, size_t size, uint64_t scause, uint64_t stval)
{
    const char *name = trap_cause_name(scause);
    if (scause & INTERRUPT_BIT)
        return ksnprintf(buf, size, "%s", name);
    switch (scause) {
    case 0: case 1: case 4: case 5: case 6: case 7: case 12: case 13: case 15:
        /* stval holds the faulting address. */
        return ksnprintf(buf, size, "%s at 0x%lx", name, (unsigned long)stval);
    case 2:
        /* stval holds the instruction bits (QEMU reports them). */
        return ksnprintf(buf, size, "%s (encoding 0x%08lx)", name, (unsigned long)stval);
    default:
        if (name == reserved_cause)
            return ksnprintf(buf, size, "%s %lu", name, (unsigned long)scause);
        return ksnprintf(buf, size, "%s", name);
    }
}
