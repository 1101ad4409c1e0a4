/*
 * void _start(unsigned long hartid, const void *fdt)
 *
 * First instruction of the kernel. OpenSBI enters here in S-mode with
 * a0 = hart id and a1 = physical address of the flattened device tree,
 * paging off and interrupts off. We set up the boot stack, clear .bss
 * (C promises zero-initialised globals, and nobody else will do it for us),
 * and call kmain(hartid, fdt), which never returns.
 */
    .section .text.entry, "ax"
    .globl _start
_start:
    .cfi_startproc
    .cfi_undefined ra          /* the backtrace ends here */
    /* The kernel is linked with --no-relax-gp, so gp is never used as a
     * base register; zero it so stale values from firmware cannot mislead. */
    mv      gp, zero
    csrw    sie, zero
    csrw    stvec, zero
    la      sp, boot_stack_top
    mv      s0, zero           /* frame-pointer chain terminates at 0 */

    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:
    call    kmain
    /* kmain does not return; if it does, stop here where GDB can see it. */
3:  wfi
    j       3b
    .cfi_endproc

    .section .bss.boot_stack, "aw", @nobits
    .balign 16
    .globl boot_stack, boot_stack_top
boot_stack:
    .space  16384
boot_stack_top:
