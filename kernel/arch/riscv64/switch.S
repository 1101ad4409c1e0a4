/*
 * void fiber_switch(struct fiber_context *from, struct fiber_context *to)
 *
 * Saves exactly what the RISC-V calling convention says a callee must
 * preserve - ra, sp and s0..s11 - into *from, loads the same from *to, and
 * returns into the other fiber (to wherever it called fiber_switch, or to
 * fiber_trampoline for a fiber that has never run). The caller-saved
 * registers (a*, t*) need no saving: the C caller already assumes a call
 * clobbers them. Field offsets match struct fiber_context in core/fiber.h.
 * Always called with interrupts off; whoever resumes turns them back on.
 */
    .section .text
    .globl fiber_switch
    .balign 4
fiber_switch:
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

    ld      ra,   0(a1)
    ld      sp,   8(a1)
    ld      s0,  16(a1)
    ld      s1,  24(a1)
    ld      s2,  32(a1)
    ld      s3,  40(a1)
    ld      s4,  48(a1)
    ld      s5,  56(a1)
    ld      s6,  64(a1)
    ld      s7,  72(a1)
    ld      s8,  80(a1)
    ld      s9,  88(a1)
    ld      s10, 96(a1)
    ld      s11, 104(a1)
    ret

/*
 * The first code a new fiber runs: fiber_switch "returns" here because the
 * fiber's context was made with ra = fiber_trampoline and s1 = the fiber.
 * ra is marked undefined so debuggers end the backtrace here cleanly.
 */
    .globl fiber_trampoline
    .balign 4
fiber_trampoline:
    .cfi_startproc
    .cfi_undefined ra
    mv      s0, zero            /* the frame-pointer chain ends here too */
    mv      a0, s1
    call    fiber_main          /* never returns */
1:  j       1b
    .cfi_endproc
