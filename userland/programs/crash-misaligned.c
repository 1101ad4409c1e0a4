/*
 * An atomic add on an odd address: a store/AMO address-misaligned exception.
 * An atomic, not a plain load, because misaligned loads and stores may be
 * emulated (by QEMU or by the firmware in M-mode) and never reach the
 * kernel; a misaligned AMO always traps.
 */
#include "libnexus.h"

static uint32_t words[4];

int main(void)
{
    uintptr_t address = (uintptr_t)words + 1;
    printf("crash-misaligned: amoadd.w on 0x%lx\n", (unsigned long)address);
    __asm__ __volatile__("amoadd.w zero, %1, (%0)" : : "r"(address), "r"(1) : "memory");
    printf("crash-misaligned: still alive\n");
    return 1;
}
