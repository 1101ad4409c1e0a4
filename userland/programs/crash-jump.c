/* Jumps to 0xdeadbeef (jalr clears bit 0: 0xdeadbeee, kernel space): an
 * instruction page fault at a pc the kernel must report, not follow. */
#include "libnexus.h"

int main(void)
{
    uintptr_t target = 0xdeadbeef;
    printf("crash-jump: jumping to 0x%lx\n", (unsigned long)target);
    __asm__ __volatile__("jalr ra, 0(%0)" : : "r"(target) : "ra", "memory");
    printf("crash-jump: still alive\n");
    return 1;
}
