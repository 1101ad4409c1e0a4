/*
 * void trap_entry(void)   -- installed in stvec (direct mode)
 *
 * Every trap lands here, from S-mode (the kernel) or U-mode (a user program).
 * sscratch tells them apart: it is 0 while the kernel runs, and holds the top
 * of the Subject's kernel trap area while a user program runs. So
 * `csrrw sp, sscratch, sp` either gives us a kernel stack (from U-mode) or
 * a 0 that we undo (from S-mode, where the current stack is fine).
 *
 * Saves all 31 general registers and sepc, sstatus, scause, stval into a
 * struct trap_frame, calls trap_handler(frame), then trap_return restores
 * everything from the frame (the handler may have changed sepc or registers)
 * and returns with sret. Going back to U-mode, sscratch is re-armed with the
 * frame's top so the next user trap lands in the same place.
 */
#include "arch/riscv64/trap_frame.h"

    .section .text
    .globl trap_entry
    .balign 4
trap_entry:
    csrrw   sp, sscratch, sp
    bnez    sp, 1f                 /* from U-mode: sp is now the kernel trap area */
    csrrw   sp, sscratch, sp       /* from S-mode: undo; sscratch is 0 again */
1:
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
    /* The interrupted code's sp: from U-mode it is in sscratch (and sscratch
     * goes back to 0: we are in the kernel now); from S-mode it is just above
     * the frame. */
    csrrw   t0, sscratch, zero
    bnez    t0, 2f
    addi    t0, sp, TF_SIZE
2:  sd      t0, TF_SP(sp)
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

/* Returns through the frame at sp. user_enter (user_entry.S) jumps here too. */
    .globl trap_return
trap_return:
    ld      t0, TF_SEPC(sp)
    csrw    sepc, t0
    ld      t0, TF_SSTATUS(sp)
    csrw    sstatus, t0
    andi    t0, t0, 0x100          /* SSTATUS_SPP: back to S-mode? */
    bnez    t0, 3f
    addi    t0, sp, TF_SIZE        /* back to U-mode: re-arm sscratch */
    csrw    sscratch, t0
3:
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
