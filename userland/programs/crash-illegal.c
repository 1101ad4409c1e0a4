/* Executes an all-zero instruction word, illegal by definition: the kernel
 * must kill the program (illegal instruction), not panic. */
#include "libnexus.h"

int main(void)
{
    printf("crash-illegal: executing an illegal instruction\n");
    __asm__ __volatile__(".4byte 0x00000000");
    printf("crash-illegal: still alive\n");
    return 1;
}
