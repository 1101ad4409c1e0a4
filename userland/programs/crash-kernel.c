/* Loads from the kernel's first page at 0x80200000: mapped, but without the
 * U bit, so a user load is a page fault (and must not read kernel memory). */
#include "libnexus.h"

int main(void)
{
    uint64_t value, address = 0x80200000;
    printf("crash-kernel: reading the kernel at 0x%lx\n", (unsigned long)address);
    __asm__ __volatile__("ld %0, 0(%1)" : "=r"(value) : "r"(address) : "memory");
    printf("crash-kernel: still alive, read 0x%lx\n", (unsigned long)value);
    return 1;
}
