/*
 * The Subject: a kernel fiber that runs the user program. It starts the
 * shell, enters U-mode, and when the program is over (exit, fault, or an
 * exec that replaced it) says so on the console and goes on: the replacement,
 * or a fresh shell. A shell that keeps dying at once is respawned with a
 * growing pause, and the console says so, instead of spinning.
 */
#include "user/process.h"

#include "arch/riscv64/csr.h"
#include "core/bench.h"
#include "core/console.h"
#include "core/debug_hooks.h"
#include "core/rr_marks.h"
#include "core/panic.h"
#include "core/boot.h"
#include "core/timer.h"
#include "lib/bootargs.h"
#include "mm/mm.h"
#include "core/trap.h"
#include "core/trap_describe.h"
#include "drivers/framebuffer.h"
#include "ion/ion.h"
#include "lib/string.h"

extern long user_enter(struct fiber_context *kctx, struct trap_frame *tf);
extern __attribute__((noreturn)) void user_leave(struct fiber_context *kctx, long value);

struct process *current_process;
struct fiber *subject_fiber;

static struct fiber_context subject_context;  /* where user_leave lands */
static long exit_status;
static struct process *replacement;
static volatile int interrupt_pending;  /* Ctrl-C asked to stop the running program */

enum { USER_REPLACED = 3 };

#define SSTATUS_FS (3UL << 13)

/* Runs p in U-mode until it is over; returns how it ended. */
static long run(struct process *p)
{
    struct trap_frame tf;
    memset(&tf, 0, sizeof tf);
    tf.sepc = p->entry;
    tf.sp = p->user_sp;
    tf.a0 = p->argc;
    tf.a1 = p->argv;
    /* U-mode (SPP 0), interrupts on once there (SPIE), no access to user pages
     * for the kernel (SUM 0), no floating point (FS off: an FP instruction traps). */
    tf.sstatus = (csr_read(sstatus) & ~(SSTATUS_SPP | SSTATUS_SIE | SSTATUS_SUM | SSTATUS_FS)) |
                 SSTATUS_SPIE;
    current_process = p;
    interrupt_pending = 0;  /* a Ctrl-C meant for the previous program */
    ion_set_sender(p->pid);
    vm_activate(p->pagetable);
    debug_hook_exec(p);
    rr_mark(RR_MARK_EXEC, (uint32_t)p->pid, p->pid, 0);
    long how = user_enter(&subject_context, &tf);
    /* Back from a trap handler, which runs with interrupts off. */
    csr_set(sstatus, SSTATUS_SIE);
    return how;
}

void user_finish(enum user_outcome how, long status)
{
    uint32_t pid = current_process ? (uint32_t)current_process->pid : 0;
    if (fb_taken())
        fb_release();  /* a program that had the screen gives it back by ending */
    rr_mark(how == USER_EXITED ? RR_MARK_EXIT : RR_MARK_KILLED, pid, pid, (uint64_t)status);
    exit_status = status;
    user_leave(&subject_context, how);
}

void subject_replace(struct process *next)
{
    replacement = next;
    if (fb_taken())
        fb_release();
    user_leave(&subject_context, USER_REPLACED);
}

static void kill_program(struct trap_frame *tf)
{
    char what[96];
    trap_describe(what, sizeof what, tf->scause, tf->stval);
    csr_set(sstatus, SSTATUS_SIE);  /* let the console fiber finish the program's output */
    ion_console_sync();
    kprintf("[subject] %s killed: %s, pc 0x%lx\n", current_process->path, what,
            (unsigned long)tf->sepc);
    user_finish(USER_KILLED, -1);
}

int subject_interrupt(void)
{
    if (!current_process || strcmp(current_process->path, SUBJECT_SHELL) == 0)
        return 0;
    interrupt_pending = 1;
    return 1;
}

void user_poll_interrupt(void)
{
    if (!interrupt_pending || !current_process)
        return;
    interrupt_pending = 0;
    csr_set(sstatus, SSTATUS_SIE);  /* let the console fiber finish the program's output */
    ion_console_sync();
    kprintf("[subject] %s killed: interrupted (Ctrl-C), pc 0x%lx\n", current_process->path,
            (unsigned long)(last_trap_frame ? last_trap_frame->sepc : 0));
    user_finish(USER_KILLED, -1);
}

void user_trap(struct trap_frame *tf)
{
    if (tf->scause == SCAUSE_ECALL_FROM_U) {
        tf->sepc += 4;  /* return after the ecall */
        csr_set(sstatus, SSTATUS_SIE);  /* commands may block or take time */
        ion_process_commands();
        user_poll_interrupt();
        csr_clear(sstatus, SSTATUS_SIE);
        return;
    }
    kill_program(tf);
}

static void sleep_ms(uint64_t ms)
{
    uint64_t until = uptime_us() + ms * 1000;
    while (uptime_us() < until)
        fiber_yield();
}

/* Boot argument soak=N: N exec/exit cycles of /bin/hello before the shell,
 * then the counters that must not have moved. */
static void soak(uint64_t cycles)
{
    static char hello[] = "hello";
    char *argv[] = { hello };
    uint64_t pages = kernel_pages.free, tables = vm_table_pages;
    uint32_t packets = packet_pool_in_use(&ion.pool);
    uint64_t done = 0, t0 = uptime_us();
    for (; done < cycles; done++) {
        struct process *p;
        if (process_load("/bin/hello", 1, argv, &p) != 0)
            break;
        long how = run(p);
        ion_console_sync();
        process_destroy(p);
        current_process = 0;
        if (how != USER_EXITED || exit_status != 0)
            break;
        if ((done + 1) % 1000 == 0)
            kprintf("[soak] %lu cycles\n", (unsigned long)(done + 1));
    }
    kprintf("[soak] %lu of %lu exec/exit cycles in %lu ms: free pages %lu -> %lu, page tables "
            "%lu -> %lu, packets in use %u -> %u\n",
            (unsigned long)done, (unsigned long)cycles, (unsigned long)((uptime_us() - t0) / 1000),
            (unsigned long)pages, (unsigned long)kernel_pages.free, (unsigned long)tables,
            (unsigned long)vm_table_pages, packets, packet_pool_in_use(&ion.pool));
}

void subject_main(void *arg)
{
    (void)arg;
    subject_fiber = current_fiber;
    char cycles[16];
    if (bootarg_get(boot_info.bootargs, "soak", cycles, sizeof cycles)) {
        uint64_t n = 0;
        for (const char *c = cycles; *c >= '0' && *c <= '9'; c++)
            n = n * 10 + (uint64_t)(*c - '0');
        soak(n);
    }
    static char shell_name[] = "nipbox";
    char *argv[] = { shell_name };
    int quick_deaths = 0;
    for (;;) {
        struct process *p;
        uint64_t started = uptime_us();
        int shell_died = 1;  /* stays 1 unless the shell ran something */
        if (process_load(SUBJECT_SHELL, 1, argv, &p) == 0) {
            for (;;) {
                long how = run(p);
                if (how == USER_REPLACED) {
                    process_destroy(p);
                    p = replacement;
                    shell_died = 0;  /* it ran a program: that program ended, not the shell */
                    continue;
                }
                ion_console_sync();
                char path[USER_PATH_MAX];
                memcpy(path, p->path, sizeof path);
                process_destroy(p);
                current_process = 0;
                if (!shell_died)
                    bench_exec_end(path);   /* the exec'd program is over and freed */
                if (how == USER_EXITED)
                    kprintf("[subject] %s exited with status %ld\n", path, exit_status);
                break;
            }
        }
        /* A shell that could not start, or ended by itself within a second,
         * counts as a quick death; a program it ran ending does not. */
        quick_deaths = shell_died && uptime_us() - started < 1000000 ? quick_deaths + 1 : 0;
        if (quick_deaths >= 3) {
            uint64_t pause = 1000UL << (quick_deaths - 3 < 5 ? quick_deaths - 3 : 5);
            kprintf("[subject] %s failed %d times in a row; next try in %lu ms\n", SUBJECT_SHELL,
                    quick_deaths, (unsigned long)pause);
            sleep_ms(pause);
        }
    }
}
