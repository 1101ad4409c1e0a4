/* Loads from address 0 (unmapped in every user address space): a load page
 * fault; the kernel kills the program. The load is inline assembly so that
 * the compiler cannot turn the null dereference into a trap of its own. */
#include "libnexus.h"

int main(void)
{
    uint64_t value, address = 0;
    printf("crash-null: reading address 0\n");
    __asm__ __volatile__("ld %0, 0(%1)" : "=r"(value) : "r"(address) : "memory");
    printf("crash-null: still alive, read 0x%lx\n", (unsigned long)value);
    return 1;
}
