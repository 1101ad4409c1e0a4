/*
 * Loops forever without a single system call after its first line: only the
 * timer can take the CPU back. The kernel must preempt it (the shell's
 * fibers keep running) and, past its budget, kill it.
 */
#include "libnexus.h"

int main(void)
{
    printf("spin: spinning forever without system calls\n");
    volatile unsigned long laps = 0;
    for (;;)
        laps++;
}
