/* The Supervisor Binary Interface: calls from S-mode down to OpenSBI in M-mode. */
#ifndef RUMPK_ARCH_SBI_H
#define RUMPK_ARCH_SBI_H

#include <stdint.h>

#define SBI_EXT_LEGACY_SET_TIMER    0x00
#define SBI_EXT_LEGACY_PUTCHAR      0x01
#define SBI_EXT_BASE                0x10
#define SBI_EXT_TIME                0x54494D45 /* "TIME" */
#define SBI_EXT_SRST                0x53525354 /* "SRST" */

#define SBI_SRST_TYPE_SHUTDOWN      0
#define SBI_SRST_TYPE_COLD_REBOOT   1
#define SBI_SRST_REASON_NONE        0
#define SBI_SRST_REASON_FAILURE     1

struct sbi_result {
    long error;
    long value;
};

struct sbi_result sbi_call(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2);

long sbi_spec_version(void);          /* major << 24 | minor */
int sbi_has_extension(uint64_t ext);  /* 1 when OpenSBI implements it */
void sbi_console_putchar(int c);      /* legacy call; the console before the UART is up */
void sbi_set_timer(uint64_t stime);   /* next timer interrupt at this `time` value */
void sbi_system_reset(uint32_t type, uint32_t reason);

#endif
