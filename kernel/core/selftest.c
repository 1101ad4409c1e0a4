#include "core/selftest.h"

#include <stdint.h>

#include "arch/riscv64/csr.h"
#include "core/console.h"
#include "core/panic.h"
#include "core/timer.h"
#include "drivers/power.h"
#include "lib/string.h"
#include "mm/mm.h"

/* Each fault is done in a function of its own (noinline) so the backtrace
 * in the panic report has a recognisable frame to show. */

__attribute__((noinline)) static void fault_load_null(void)
{
    /* Address 0 of the virt machine is not backed by anything: the load
     * raises a load access fault (a page fault once paging is on). */
    volatile uint64_t *null = (volatile uint64_t *)0;
    kprintf("[selftest] reading address 0x0\n");
    (void)*null;
}

__attribute__((noinline)) static void fault_illegal_instruction(void)
{
    kprintf("[selftest] executing an illegal instruction\n");
    __asm__ volatile(".word 0");
}

__attribute__((noinline)) static void fault_explicit_panic(void)
{
    panic("selftest: explicit panic with value %d", 42);
}

static void wait_ticks(void)
{
    csr_set(sstatus, SSTATUS_SIE);
    uint64_t start = timer_ticks;
    while (timer_ticks < start + 10)
        wait_for_interrupt();
    kprintf("[selftest] timer: 10 ticks seen at uptime %lu us\n", (unsigned long)uptime_us());
}

static void page_cycle(void)
{
    /* Allocate every free page, check they are distinct and zeroed, give them
     * back: the counters must end where they started. */
    uint64_t free_before = kernel_pages.free;
    void *first = 0, *prev = 0;
    uint64_t n = 0;
    for (void *p; (p = page_alloc()) != 0; n++) {
        *(void **)p = prev; /* chain the pages through themselves */
        if (!first)
            first = p;
        prev = p;
    }
    kprintf("[selftest] pages: allocated %lu of %lu free\n", (unsigned long)n,
            (unsigned long)free_before);
    while (prev) {
        void *next = *(void **)prev;
        page_free(prev);
        prev = next;
    }
    kprintf("[selftest] pages: free %lu used %lu high-water %lu\n",
            (unsigned long)kernel_pages.free, (unsigned long)kernel_pages.used,
            (unsigned long)kernel_pages.high_water);
}

struct selftest {
    const char *name;
    void (*run)(void);
    const char *what;
};

static void list(void);

static const struct selftest selftests[] = {
    { "list", list, "print this list" },
    { "fault", fault_load_null, "load from address 0: expect a PANIC report" },
    { "illegal", fault_illegal_instruction, "illegal instruction: expect a PANIC report" },
    { "panic", fault_explicit_panic, "call panic() directly" },
    { "timer", wait_ticks, "wait for 10 timer ticks" },
    { "pages", page_cycle, "allocate every page, then free them all" },
    { "halt", power_off, "power off at once (QEMU exits 0)" },
};

static void list(void)
{
    for (unsigned i = 0; i < sizeof selftests / sizeof selftests[0]; i++)
        kprintf("[selftest] %-8s %s\n", selftests[i].name, selftests[i].what);
}

void selftest_run(const char *name)
{
    for (unsigned i = 0; i < sizeof selftests / sizeof selftests[0]; i++) {
        if (strcmp(selftests[i].name, name) == 0) {
            selftests[i].run();
            kprintf("[selftest] %s: done\n", name);
            return;
        }
    }
    kprintf("[selftest] unknown self test '%s' (selftest=list shows them)\n", name);
}
