/*
 * void _start(int argc, char **argv)
 *
 * The first instruction of every user program (userland/user.ld makes it
 * the ELF entry). The kernel enters here in U-mode with
 *   a0 = argc, a1 = argv (the strings and the array on the user stack),
 *   sp = the 16-byte aligned top of the user stack,
 * and with .bss already zeroed: crt0 deliberately does not clear it (a lab
 * depends on the kernel doing that job, and doing it right).
 *
 * It sets gp for the linker's gp-relative accesses, calls main(argc, argv)
 * with a0/a1 untouched, and passes main's return value to exit(): returning
 * from main is a real exit with that status. exit() never returns; should
 * it ever, the program stops on an illegal instruction rather than running
 * off into whatever follows.
 */
    .cfi_sections .debug_frame

    .section .text.start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    .cfi_startproc
    /* No caller: debuggers stop unwinding here. */
    .cfi_undefined ra

    /* gp itself must be loaded with an absolute, unrelaxed sequence: a
     * relaxed `la gp` would be rewritten relative to gp, which is not set. */
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop

    /* The end of the frame-pointer chain (built with -fno-omit-frame-pointer). */
    li      s0, 0
    li      ra, 0

    call    main            /* a0 = argc, a1 = argv, as the kernel left them */
    call    exit            /* a0 = main's return value */
    unimp
    .cfi_endproc
    .size _start, . - _start
