/*
 * The good user program the ELF validator's host tests start from
 * (tests/host/test_elf_check.c). It is never run: it only has to be a real,
 * ordinary RISC-V user ELF with code (.text, .rodata), initialized data
 * (.data) and zeroed data (.bss), linked at USER_BASE by good-user.ld.
 */
#include <stdint.h>

static const char greeting[] = "hello from good-user";  /* .rodata */
static volatile uint64_t counter = 42;                  /* .data */
static volatile char scratch[4096];                     /* .bss, a whole page */

void _start(void)
{
    for (;;) {  /* no exit call yet: spin, touching each kind of data */
        for (unsigned i = 0; i < sizeof greeting; i++)
            scratch[i] = greeting[i] + (char)counter;
        counter++;
    }
}
