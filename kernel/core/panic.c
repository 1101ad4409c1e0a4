#include "core/panic.h"

#include <stdarg.h>

#include "arch/riscv64/csr.h"
#include "core/console.h"
#include "core/trap_describe.h"
#include "drivers/power.h"
#include "lib/ksyms.h"

/* The table scripts/gen-ksyms.py generates (empty in the first link pass). */
extern const uint64_t ksyms_count;
extern const uint64_t ksyms_addrs[];
extern const uint32_t ksyms_name_offsets[];
extern const char ksyms_names[];

/* Bounds for the frame walk: frames live in the kernel image (boot stack)
 * or in RAM above it; anything else ends the walk. */
extern char __kernel_start[], __text_start[], __text_end[];
#define RAM_END_GUESS 0x100000000UL

static int is_text(uint64_t pc)
{
    return pc >= (uint64_t)__text_start && pc < (uint64_t)__text_end;
}

static int is_frame_pointer(uint64_t fp)
{
    return fp >= (uint64_t)__kernel_start + 16 && fp < RAM_END_GUESS && !(fp & 7);
}

static int panicking;

void print_symbol(uint64_t pc)
{
    const struct ksym_table table = { ksyms_count, ksyms_addrs, ksyms_name_offsets, ksyms_names };
    uint64_t off;
    const char *name = ksym_lookup(&table, pc, &off);
    if (name)
        kprintf("%s+0x%lx", name, (unsigned long)off);
    else
        kprintf("??");
}

static void print_frame(int index, uint64_t pc)
{
    kprintf("  #%-2d 0x%016lx ", index, (unsigned long)pc);
    print_symbol(pc);
    kprintf("\n");
}

void print_backtrace(uint64_t fp, int index)
{
    /* RISC-V frame record with -fno-omit-frame-pointer: fp points just above
     * the frame, ra is saved at fp-8 and the caller's fp at fp-16. */
    for (int depth = 0; depth < 32; depth++) {
        if (!is_frame_pointer(fp))
            return;
        uint64_t ra = ((uint64_t *)fp)[-1];
        uint64_t prev = ((uint64_t *)fp)[-2];
        if (!is_text(ra))
            return;
        /* ra is the instruction after the call: name the call itself. */
        print_frame(index++, ra - 4);
        if (prev <= fp)
            return; /* stacks grow down: a caller's frame lies above */
        fp = prev;
    }
}

__attribute__((noreturn)) static void die(void)
{
    kprintf("[rumpk] kernel panic: powering off with status %d\n", EXIT_STATUS_PANIC);
    power_fail(EXIT_STATUS_PANIC);
}

static void enter_panic(void)
{
    csr_clear(sstatus, SSTATUS_SIE);
    if (panicking) {
        /* A fault while printing the report: do not loop, just stop. */
        console_puts("\nPANIC: recursive panic\n");
        power_fail(EXIT_STATUS_PANIC);
    }
    panicking = 1;
}

void panic(const char *fmt, ...)
{
    enter_panic();
    va_list ap;
    va_start(ap, fmt);
    kprintf("\nPANIC: ");
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\nBacktrace:\n");
    print_backtrace(read_frame_pointer(), 0);
    die();
}

static const char *const reg_names[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
    "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
    "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

void panic_trap(const struct trap_frame *tf, const char *reason)
{
    enter_panic();
    char what[96];
    trap_describe(what, sizeof what, tf->scause, tf->stval);
    kprintf("\nPANIC: %s: %s in kernel at pc 0x%lx (", reason, what, (unsigned long)tf->sepc);
    print_symbol(tf->sepc);
    kprintf(")\n");
    for (int r = 1; r < 32; r++)
        kprintf("  %-4s 0x%016lx%s", reg_names[r], (unsigned long)trap_frame_reg(tf, r),
                r % 4 == 3 ? "\n" : "");
    kprintf("\n  sepc 0x%016lx  sstatus 0x%016lx  scause 0x%016lx  stval 0x%016lx\n",
            (unsigned long)tf->sepc, (unsigned long)tf->sstatus, (unsigned long)tf->scause,
            (unsigned long)tf->stval);
    kprintf("Backtrace:\n");
    print_frame(0, tf->sepc);
    /* A leaf function saves only s0 (at fp-8) and keeps ra in its register.
     * If the slot where ra would be holds a frame pointer instead, the trap
     * hit such a leaf: its caller is tf->ra, and the chain goes on from the
     * saved s0. (The same test Linux's riscv walk_stackframe makes.) */
    uint64_t fp = tf->s0;
    if (is_frame_pointer(fp) && !is_text(((uint64_t *)fp)[-1]) &&
        is_frame_pointer(((uint64_t *)fp)[-1]) && is_text(tf->ra)) {
        print_frame(1, tf->ra - 4);
        print_backtrace(((uint64_t *)fp)[-1], 2);
    } else {
        print_backtrace(fp, 1);
    }
    die();
}
