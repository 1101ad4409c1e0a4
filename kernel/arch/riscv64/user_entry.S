/*
 * long user_enter(struct fiber_context *kctx, struct trap_frame *tf)
 * void user_leave(struct fiber_context *kctx, long value)   -- noreturn
 *
 * user_enter saves the caller's callee-saved registers (like fiber_switch
 * does) in *kctx and "returns from a trap" through *tf, which describes the
 * user program: sepc = its pc, sstatus.SPP = 0 (U-mode), its registers.
 * trap_return re-arms sscratch with tf's top, so every later trap from the
 * program saves its frame exactly at tf, below the caller's frames.
 *
 * The program runs until the kernel decides it is over (it exited, was
 * killed, ...): the trap handler, running on the stack below tf, calls
 * user_leave, which reloads kctx and makes user_enter return `value`, as a
 * longjmp would. Whatever the handler had on the stack is abandoned.
 */
#include "arch/riscv64/trap_frame.h"

    .section .text
    .globl user_enter
    .balign 4
user_enter:
    sd      ra,   0(a0)
    sd      sp,   8(a0)
    sd      s0,  16(a0)
    sd      s1,  24(a0)
    sd      s2,  32(a0)
    sd      s3,  40(a0)
    sd      s4,  48(a0)
    sd      s5,  56(a0)
    sd      s6,  64(a0)
    sd      s7,  72(a0)
    sd      s8,  80(a0)
    sd      s9,  88(a0)
    sd      s10, 96(a0)
    sd      s11, 104(a0)
    csrci   sstatus, 2             /* SIE off: sscratch must not be seen half-set */
    mv      sp, a1
    j       trap_return

    .globl user_leave
    .balign 4
user_leave:
    ld      ra,   0(a0)
    ld      sp,   8(a0)
    ld      s0,  16(a0)
    ld      s1,  24(a0)
    ld      s2,  32(a0)
    ld      s3,  40(a0)
    ld      s4,  48(a0)
    ld      s5,  56(a0)
    ld      s6,  64(a0)
    ld      s7,  72(a0)
    ld      s8,  80(a0)
    ld      s9,  88(a0)
    ld      s10, 96(a0)
    ld      s11, 104(a0)
    mv      a0, a1
    ret
