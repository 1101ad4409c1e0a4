/* Stores into its own .text (mapped R E, not W): a store page fault. A
 * kernel that maps text writable lets a program rewrite its code. */
#include "libnexus.h"

int main(void)
{
    uintptr_t address = (uintptr_t)main;
    printf("crash-store: writing to .text at 0x%lx\n", (unsigned long)address);
    __asm__ __volatile__("sw zero, 0(%0)" : : "r"(address) : "memory");
    printf("crash-store: still alive\n");
    return 1;
}
