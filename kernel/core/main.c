/*
 * kmain: the boot order. Each step may use only what the steps before it set
 * up: the console first (so everything after can report), then the device
 * tree (which says what memory and which boot arguments we have), traps,
 * memory, interrupts.
 */
#include "arch/riscv64/csr.h"
#include "arch/riscv64/sbi.h"
#include "core/bench.h"
#include "core/boot.h"
#include "core/console.h"
#include "core/fiber.h"
#include "core/monitor.h"
#include "core/panic.h"
#include "core/rr_marks.h"
#include "core/selftest.h"
#include "core/timer.h"
#include "core/trap.h"
#include "core/version.h"
#include "drivers/framebuffer.h"
#include "drivers/plic.h"
#include "drivers/uart.h"
#include "ion/ion.h"
#include "lib/bootargs.h"
#include "fs/tarfs.h"
#include "lib/string.h"
#include "mm/mm.h"
#include "mm/vm.h"
#include "user/process.h"

struct boot_info boot_info;

/* The device tree is at most this big; fdt_parse checks its real size. */
#define FDT_MAX_SIZE (1UL << 20)

__attribute__((noreturn)) void kmain(uint64_t hartid, const void *fdt_blob)
{
    boot_info.hartid = hartid;
    boot_info.fdt_blob = fdt_blob;
    boot_info.boot_time_us = uptime_us();

    console_init();
    kprintf("rumpk %s (git %s): RISC-V 64 kernel, hart %lu, S-mode\n", rumpk_version,
            rumpk_git_rev, (unsigned long)hartid);
    trap_init();

    const char *error;
    if (fdt_parse(fdt_blob, FDT_MAX_SIZE, &boot_info.fdt, &error) != 0)
        panic("%s (blob at 0x%lx)", error, (unsigned long)fdt_blob);
    boot_info.bootargs = boot_info.fdt.bootargs;
    long sbi_version = sbi_spec_version();
    kprintf("[boot] SBI spec %ld.%ld, device tree at 0x%lx (%u bytes), bootargs \"%s\"\n",
            sbi_version >> 24, sbi_version & 0xffffff, (unsigned long)fdt_blob,
            boot_info.fdt.total_size, boot_info.bootargs);

    mm_init(&boot_info.fdt, fdt_blob);
    vm_init(boot_info.fdt.memory.base, boot_info.fdt.memory.base + boot_info.fdt.memory.size);
    /* Retina: the screen needs pages (page_alloc) and its MMIO slot mapped (vm). */
    fb_init();
    /* ION before the UART interrupt: the receive handler feeds its input ring. */
    ion_init(boot_info.fdt.rng_seed, boot_info.fdt.rng_seed_len);
    console_init_input();
    tarfs_mount();
    char tarfs_arg[16];
    if (bootarg_get(boot_info.bootargs, "tarfs", tarfs_arg, sizeof tarfs_arg) &&
        rootfs_mounted && strcmp(tarfs_arg, "ls") == 0)
        tarfs_list_all();

    plic_init();
    plic_enable(UART0_IRQ);
    csr_set(sie, SIE_SEIE);
    timer_init(boot_info.fdt.timebase_hz);
    /* User programs may read cycle, time and instret (benchmarks count instructions). */
    csr_write(scounteren, 7);
    /* Interrupts are turned on by the first fiber (fiber_main). */

    /* Time-travel marks (make record): a note of each command, exec and exit. */
    rr_marks_on = bootarg_present(boot_info.bootargs, "rr");
    fiber_idle_spins = rr_marks_on;
    boot_info.ready_time_us = uptime_us();
    kprintf("[boot] ready in %lu us\n",
            (unsigned long)(boot_info.ready_time_us - boot_info.boot_time_us));

    static char test[32];
    if (bootarg_get(boot_info.bootargs, "selftest", test, sizeof test)) {
        struct fiber *t = fiber_create("selftest", selftest_fiber, test);
        if (t) {
            t->budget_ticks = 0;  /* some self tests run long on purpose */
            selftest_active = 1;
        }
    }
    /* The console fiber may wait long on a slow terminal while it prints a
     * packet (polled UART): it is not a hung fiber, so no watchdog budget. */
    struct fiber *console = fiber_create("console", ion_console_fiber, 0);
    if (console)
        console->budget_ticks = 0;
    /* Who owns the console: the user-mode shell (the Subject), or with
     * `monitor` on the command line the kernel's own prompt. */
    /* With `bench` the benchmark fiber measures first and starts the Subject. */
    struct fiber *owner = bootarg_present(boot_info.bootargs, "monitor")
                              ? fiber_create("monitor", monitor_run, 0)
                          : bootarg_present(boot_info.bootargs, "bench")
                              ? fiber_create("bench", bench_fiber, 0)
                              : fiber_create("subject", subject_main, 0);
    if (owner)
        owner->budget_ticks = 0;  /* runs commands and programs that may take a while */
    scheduler_start();
}
