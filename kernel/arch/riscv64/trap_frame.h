/*
 * The trap frame: every general-purpose register plus the trap CSRs, saved
 * by trap_entry.S on the stack of whoever was running. Fields are in x1..x31
 * order, so field x<N> lives at offset 8*(N-1); the assembly uses the TF_*
 * offsets below and the C side asserts they match the struct.
 */
#ifndef RUMPK_ARCH_TRAP_FRAME_H
#define RUMPK_ARCH_TRAP_FRAME_H

#define TF_RA       0
#define TF_SP       8
#define TF_S0       56
#define TF_SEPC     248
#define TF_SSTATUS  256
#define TF_SCAUSE   264
#define TF_STVAL    272
#define TF_SIZE     288   /* 35 u64 rounded up to keep sp 16-byte aligned */

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct trap_frame {
    uint64_t ra, sp, gp, tp;                              /* x1..x4   */
    uint64_t t0, t1, t2;                                  /* x5..x7   */
    uint64_t s0, s1;                                      /* x8, x9   */
    uint64_t a0, a1, a2, a3, a4, a5, a6, a7;              /* x10..x17 */
    uint64_t s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;    /* x18..x27 */
    uint64_t t3, t4, t5, t6;                              /* x28..x31 */
    uint64_t sepc, sstatus, scause, stval;
    uint64_t _align;
};

_Static_assert(offsetof(struct trap_frame, ra) == TF_RA, "trap frame: ra");
_Static_assert(offsetof(struct trap_frame, sp) == TF_SP, "trap frame: sp");
_Static_assert(offsetof(struct trap_frame, s0) == TF_S0, "trap frame: s0");
_Static_assert(offsetof(struct trap_frame, t6) == 8 * 30, "trap frame: t6 is x31");
_Static_assert(offsetof(struct trap_frame, sepc) == TF_SEPC, "trap frame: sepc");
_Static_assert(offsetof(struct trap_frame, sstatus) == TF_SSTATUS, "trap frame: sstatus");
_Static_assert(offsetof(struct trap_frame, scause) == TF_SCAUSE, "trap frame: scause");
_Static_assert(offsetof(struct trap_frame, stval) == TF_STVAL, "trap frame: stval");
_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "trap frame: size");

/* Register x<n> (1..31) of a saved frame. */
static inline uint64_t trap_frame_reg(const struct trap_frame *tf, int n)
{
    return ((const uint64_t *)tf)[n - 1];
}

#endif
#endif
