/*
 * void trap_entry(void)   -- installed in stvec (direct mode)
 *
 * Every trap lands here: saves all 31 general registers and sepc, sstatus,
 * scause, stval into a struct trap_frame on the current stack, calls
 * trap_handler(struct trap_frame *), then restores everything from the frame
 * (the handler may have changed sepc or registers) and returns with sret.
 * For now only S-mode traps exist; the user-mode path (sscratch swap to a
 * kernel stack) arrives with user mode.
 */
#include "arch/riscv64/trap_frame.h"

    .section .text
    .globl trap_entry
    .balign 4
trap_entry:
    addi    sp, sp, -TF_SIZE
    sd      ra,   0(sp)
    sd      gp,  16(sp)
    sd      tp,  24(sp)
    sd      t0,  32(sp)
    sd      t1,  40(sp)
    sd      t2,  48(sp)
    sd      s0,  56(sp)
    sd      s1,  64(sp)
    sd      a0,  72(sp)
    sd      a1,  80(sp)
    sd      a2,  88(sp)
    sd      a3,  96(sp)
    sd      a4, 104(sp)
    sd      a5, 112(sp)
    sd      a6, 120(sp)
    sd      a7, 128(sp)
    sd      s2, 136(sp)
    sd      s3, 144(sp)
    sd      s4, 152(sp)
    sd      s5, 160(sp)
    sd      s6, 168(sp)
    sd      s7, 176(sp)
    sd      s8, 184(sp)
    sd      s9, 192(sp)
    sd      s10, 200(sp)
    sd      s11, 208(sp)
    sd      t3, 216(sp)
    sd      t4, 224(sp)
    sd      t5, 232(sp)
    sd      t6, 240(sp)
    addi    t0, sp, TF_SIZE        /* the sp of the interrupted code */
    sd      t0, TF_SP(sp)
    csrr    t0, sepc
    sd      t0, TF_SEPC(sp)
    csrr    t0, sstatus
    sd      t0, TF_SSTATUS(sp)
    csrr    t0, scause
    sd      t0, TF_SCAUSE(sp)
    csrr    t0, stval
    sd      t0, TF_STVAL(sp)

    mv      a0, sp
    /* s0 still holds the interrupted code's frame pointer, so the handler's
     * prologue links its frame to it: a frame-pointer backtrace from inside
     * the handler walks on into the interrupted code's callers. */
    call    trap_handler

    ld      t0, TF_SEPC(sp)
    csrw    sepc, t0
    ld      t0, TF_SSTATUS(sp)
    csrw    sstatus, t0
    ld      ra,   0(sp)
    ld      gp,  16(sp)
    ld      tp,  24(sp)
    ld      t0,  32(sp)
    ld      t1,  40(sp)
    ld      t2,  48(sp)
    ld      s0,  56(sp)
    ld      s1,  64(sp)
    ld      a0,  72(sp)
    ld      a1,  80(sp)
    ld      a2,  88(sp)
    ld      a3,  96(sp)
    ld      a4, 104(sp)
    ld      a5, 112(sp)
    ld      a6, 120(sp)
    ld      a7, 128(sp)
    ld      s2, 136(sp)
    ld      s3, 144(sp)
    ld      s4, 152(sp)
    ld      s5, 160(sp)
    ld      s6, 168(sp)
    ld      s7, 176(sp)
    ld      s8, 184(sp)
    ld      s9, 192(sp)
    ld      s10, 200(sp)
    ld      s11, 208(sp)
    ld      t3, 216(sp)
    ld      t4, 224(sp)
    ld      t5, 232(sp)
    ld      t6, 240(sp)
    ld      sp, TF_SP(sp)
    sret
