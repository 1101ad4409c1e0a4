/* Control and status registers of the RISC-V privileged spec, S-mode view. */
#ifndef RUMPK_ARCH_CSR_H
#define RUMPK_ARCH_CSR_H

#define SSTATUS_SIE  (1UL << 1)   /* interrupts enabled in S-mode */
#define SSTATUS_SPIE (1UL << 5)   /* SIE before the trap */
#define SSTATUS_SPP  (1UL << 8)   /* trap came from S-mode (1) or U-mode (0) */
#define SSTATUS_SUM  (1UL << 18)  /* S-mode may touch U pages */

#define SIE_SSIE (1UL << 1)
#define SIE_STIE (1UL << 5)
#define SIE_SEIE (1UL << 9)

#define SCAUSE_INTERRUPT (1UL << 63)
#define SCAUSE_ECALL_FROM_U 8

#ifndef __ASSEMBLER__
#include <stdint.h>

#define csr_read(name)                                          \
    ({ uint64_t v_; __asm__ volatile("csrr %0, " #name : "=r"(v_)); v_; })
#define csr_write(name, val)                                    \
    __asm__ volatile("csrw " #name ", %0" ::"rK"((uint64_t)(val)) : "memory")
#define csr_set(name, bits)                                     \
    __asm__ volatile("csrs " #name ", %0" ::"rK"((uint64_t)(bits)) : "memory")
#define csr_clear(name, bits)                                   \
    __asm__ volatile("csrc " #name ", %0" ::"rK"((uint64_t)(bits)) : "memory")

static inline uint64_t read_time(void) { return csr_read(time); }
static inline uint64_t read_instret(void) { return csr_read(instret); }

/* Turns interrupts off and returns whether they were on. */
static inline uint64_t interrupts_save(void)
{
    uint64_t s;
    __asm__ volatile("csrrci %0, sstatus, %1" : "=r"(s) : "i"(SSTATUS_SIE) : "memory");
    return s & SSTATUS_SIE;
}

static inline void interrupts_restore(uint64_t was_on)
{
    if (was_on)
        csr_set(sstatus, SSTATUS_SIE);
}

static inline void wait_for_interrupt(void) { __asm__ volatile("wfi"); }

static inline uint64_t read_frame_pointer(void)
{
    uint64_t fp;
    __asm__ volatile("mv %0, s0" : "=r"(fp));
    return fp;
}

#endif
#endif
