/*
 * The initrd, embedded into the kernel image between initrd_start and
 * initrd_end. An assembler file with .incbin, rather than `objcopy -I binary`,
 * because the object it makes carries the same RISC-V ELF flags (RVC,
 * double-float ABI) as every other kernel object; objcopy's has e_flags 0
 * (soft-float), which ld.lld refuses to link and GNU ld refuses once the
 * section is code (docs/initrd.md). INITRD_PATH comes from the Makefile,
 * which also lists the archive as a prerequisite by hand: -MD does not
 * record .incbin files.
 */
    .section .rodata.initrd, "a"
    .balign 512
    .globl initrd_start, initrd_end
initrd_start:
    .incbin INITRD_PATH
initrd_end:
