/*
 * SBI calls. The calling convention: a7 = extension id, a6 = function id,
 * arguments in a0..a5; OpenSBI returns an error code in a0 and a value in a1.
 */
#include "arch/riscv64/sbi.h"

struct sbi_result sbi_call(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2)
{
    register uint64_t r_a0 __asm__("a0") = a0;
    register uint64_t r_a1 __asm__("a1") = a1;
    register uint64_t r_a2 __asm__("a2") = a2;
    register uint64_t r_a6 __asm__("a6") = fid;
    register uint64_t r_a7 __asm__("a7") = ext;
    __asm__ volatile("ecall"
                     : "+r"(r_a0), "+r"(r_a1)
                     : "r"(r_a2), "r"(r_a6), "r"(r_a7)
                     : "memory");
    return (struct sbi_result){ .error = (long)r_a0, .value = (long)r_a1 };
}

long sbi_spec_version(void)
{
    return sbi_call(SBI_EXT_BASE, 0, 0, 0, 0).value;
}

int sbi_has_extension(uint64_t ext)
{
    struct sbi_result r = sbi_call(SBI_EXT_BASE, 3, ext, 0, 0);
    return r.error == 0 && r.value != 0;
}

void sbi_console_putchar(int c)
{
    sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (uint64_t)c, 0, 0);
}

void sbi_set_timer(uint64_t stime)
{
    /* The TIME extension is the modern call; the legacy one is the fallback. */
    static int have_time_ext = -1;
    if (have_time_ext < 0)
        have_time_ext = sbi_has_extension(SBI_EXT_TIME);
    if (have_time_ext)
        sbi_call(SBI_EXT_TIME, 0, stime, 0, 0);
    else
        sbi_call(SBI_EXT_LEGACY_SET_TIMER, 0, stime, 0, 0);
}

void sbi_system_reset(uint32_t type, uint32_t reason)
{
    sbi_call(SBI_EXT_SRST, 0, type, reason, 0);
}
