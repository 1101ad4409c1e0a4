/* The first program a new kernel runs: one line, status 0. */
#include "libnexus.h"

int main(void)
{
    printf("Hello from a dynamically loaded ELF!\n");
    return 0;
}
