#include "core/selftest.h"

#include <stdint.h>

#include "arch/riscv64/csr.h"
#include "core/console.h"
#include "core/fiber.h"
#include "ion/ion.h"
#include "ion/provenance.h"
#include "ion/ring.h"
#include "core/panic.h"
#include "core/timer.h"
#include "drivers/power.h"
#include "lib/format.h"
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

/* Waits until `ticks` more timer ticks have passed, letting others run. */
static void sleep_ticks(uint64_t ticks)
{
    uint64_t until = timer_ticks + ticks;
    while (timer_ticks < until)
        fiber_yield();
}

static void wait_ticks(void)
{
    sleep_ticks(10);
    kprintf("[selftest] timer: 10 ticks seen at uptime %lu us\n", (unsigned long)uptime_us());
}

static void page_cycle(void)
{
    /* Allocate every free page, check they are distinct and zeroed, give them
     * back: the counters must end where they started. */
    uint64_t free_before = kernel_pages.free, used_before = kernel_pages.used;
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
    kprintf("[selftest] pages: free %lu -> %lu, used %lu -> %lu, high-water %lu\n",
            (unsigned long)free_before, (unsigned long)kernel_pages.free,
            (unsigned long)used_before, (unsigned long)kernel_pages.used,
            (unsigned long)kernel_pages.high_water);
}

/* --- fibers: three fibers take turns ------------------------------------ */

static volatile int fibers_finished;

static void pinger(void *arg)
{
    const char *label = arg;
    for (int round = 0; round < 3; round++) {
        /* A local that must survive every switch: a context switch that
         * loses a callee-saved register shows up here. */
        volatile uint64_t witness = 0x1000u * (uint64_t)round + (uint64_t)label[0];
        kprintf("[fibers] %s round %d\n", label, round);
        fiber_yield();
        if (witness != 0x1000u * (uint64_t)round + (uint64_t)label[0])
            kprintf("[fibers] %s: local corrupted across a switch\n", label);
    }
    fibers_finished++;
}

static void wait_for_finished(int n)
{
    while (fibers_finished < n)
        fiber_yield();
}

static void fibers_interleave(void)
{
    static const char *const labels[] = { "A", "B", "C" };
    fibers_finished = 0;
    for (int i = 0; i < 3; i++)
        fiber_create(labels[i], pinger, (void *)labels[i]);
    wait_for_finished(3);
    fiber_yield();  /* let the last one be reaped */
    kprintf("[fibers] all 3 finished; %d fibers remain\n", fiber_count());
}

/* --- 256 fibers at once ---------------------------------------------------- */

static void short_lived(void *arg)
{
    (void)arg;
    fiber_yield();  /* be alive at the same time as all the others */
    fibers_finished++;
}

static void fibers_256(void)
{
    uint64_t pages_before = kernel_pages.free;
    int before = fiber_count();
    fibers_finished = 0;
    int created = 0;
    for (int i = 0; i < 256; i++) {
        char name[FIBER_NAME_MAX];
        ksnprintf(name, sizeof name, "worker-%d", i);
        created += fiber_create(name, short_lived, 0) != 0;
    }
    kprintf("[fibers] created %d fibers, %d alive\n", created, fiber_count());
    wait_for_finished(created);
    fiber_yield();
    kprintf("[fibers] %d finished; fibers %d -> %d; free pages %lu -> %lu\n", fibers_finished,
            before, fiber_count(), (unsigned long)pages_before, (unsigned long)kernel_pages.free);
}

/* --- the watchdog: a fiber that never yields ------------------------------ */

static void spinner(void *arg)
{
    struct fiber *self = current_fiber;
    (void)arg;
    kprintf("[watchdog-test] spinner run %u starts spinning\n", self->restarts);
    if (self->restarts >= 2) {
        kprintf("[watchdog-test] spinner gives up after %u restarts\n", self->restarts);
        return;
    }
    for (;;)
        __asm__ volatile("" ::: "memory");
}

static void ticker(void *arg)
{
    (void)arg;
    for (int i = 1; i <= 8; i++) {
        sleep_ticks(10);
        kprintf("[watchdog-test] ticker %d\n", i);
    }
}

static void watchdog_test(void)
{
    fiber_create("spinner", spinner, 0);
    fiber_create("ticker", ticker, 0);
}

/* --- ION: the command ring end to end, from a kernel client -------------- */

static uint64_t client_seq;

/* Sends one command the way libnexus will: stamp, push. `corrupt` flips a
 * bit of the tag after stamping; `pad` sets the padding field. */
static void client_send(uint32_t kind, uint64_t arg, int corrupt, uint32_t pad)
{
    CmdPacket p = { .kind = kind, .arg = arg };
    provenance_stamp(&p, ion.sender_key, ion.sender, client_seq++);
    if (corrupt)
        p.id ^= (__uint128_t)1 << 77;
    p._pad = pad;
    if (ion_ring_push(&ion.cmd->ring, &p) != 0)
        kprintf("[selftest] command ring full\n");
}

static int client_complete(CmdCompletion *c)
{
    ion_process_commands();
    return ion_ring_pop(&ion.completion->ring, c);
}

static void print_completions(void)
{
    CmdCompletion c;
    while (ion_ring_pop(&ion.completion->ring, &c) == 0)
        kprintf("[selftest] completion kind 0x%x seq %lu status %d result %ld\n", c.kind,
                (unsigned long)c.seq, c.status, (long)c.result);
}

static void ion_roundtrip(void)
{
    ion_set_sender(ION_SENDER_KERNEL_TEST);
    client_seq = 0;
    CmdCompletion c;
    client_send(CMD_ION_ALLOC, 0, 0, 0);
    if (client_complete(&c) != 0 || c.status != ION_OK) {
        kprintf("[selftest] CMD_ION_ALLOC failed\n");
        return;
    }
    uint32_t index = (uint32_t)c.result;
    static const char text[] = "[selftest] hello through the output ring\n";
    memcpy(packet_pool_buffer(&ion.pool, index), text, sizeof text - 1);
    kprintf("[selftest] packet %u allocated; in use %u\n", index, packet_pool_in_use(&ion.pool));
    client_send(CMD_CON_WRITE, (uint64_t)(sizeof text - 1) << 32 | index, 0, 0);
    client_send(CMD_NOP, 0x1234, 0, 0);
    client_send(CMD_NOP, 0xfeed, 1, 0);        /* the tag does not verify */
    client_send(CMD_SYS_UPTIME, 0, 0, 7);      /* _pad not zero */
    client_send(0x999, 0, 0, 0);               /* unknown kind */
    client_send(CMD_ION_FREE, 100000, 0, 0);   /* not a packet index */
    client_send(CMD_NOP, 0, 0, 0);             /* still in step after the bad ones */
    ion_process_commands();
    print_completions();
    fiber_yield();  /* let the console fiber print and give the packet back */
    kprintf("[selftest] packets in use after the console fiber ran: %u\n",
            packet_pool_in_use(&ion.pool));
}

/* --- the context switch: s0..s11 across fiber_yield ----------------------- */

/* What switch_probe loads into s0..s11 before it yields, and what they held
 * when fiber_yield returned. */
struct switch_regs {
    uint64_t want[12];
    uint64_t got[12];
};

void switch_probe(struct switch_regs *r);

/*
 * switch_probe(r), in assembly so that no compiler decides which value lives
 * in which register: it saves its caller's s0..s11 (it is a callee too),
 * loads r->want[0..11] into s0..s11, calls fiber_yield, stores s0..s11 into
 * r->got[0..11] and restores its caller's. Other fibers run inside
 * fiber_yield and use these registers; the calling convention says s0..s11
 * come back as they were, which only fiber_switch can make true. The frame:
 * r at 0(sp), s0..s11 at 8..96(sp), ra at 104(sp); the CFI lets GDB unwind
 * through it (`fiber bt regs-a`).
 */
__asm__(
    "    .section .text\n"
    "    .globl switch_probe\n"
    "    .type switch_probe, @function\n"
    "    .balign 4\n"
    "switch_probe:\n"
    "    .cfi_startproc\n"
    "    addi sp, sp, -112\n"
    "    .cfi_def_cfa_offset 112\n"
    "    sd ra, 104(sp)\n"
    "    .cfi_offset ra, -8\n"
    "    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11\n"
    "    sd s\\i, (8 + 8 * \\i)(sp)\n"
    "    .cfi_offset s\\i, (8 * \\i - 104)\n"
    "    .endr\n"
    "    sd a0, 0(sp)\n"
    "    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11\n"
    "    ld s\\i, (8 * \\i)(a0)\n"          /* s_i = r->want[i] */
    "    .endr\n"
    "    call fiber_yield\n"
    "    ld t0, 0(sp)\n"
    "    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11\n"
    "    sd s\\i, (96 + 8 * \\i)(t0)\n"     /* r->got[i] = s_i */
    "    .endr\n"
    "    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11\n"
    "    ld s\\i, (8 + 8 * \\i)(sp)\n"
    "    .endr\n"
    "    ld ra, 104(sp)\n"
    "    addi sp, sp, 112\n"
    "    .cfi_def_cfa_offset 0\n"
    "    ret\n"
    "    .cfi_endproc\n"
    "    .size switch_probe, . - switch_probe\n"
    "    .previous\n");

#define SWITCH_ROUNDS 3

static const char *const switch_names[2] = { "regs-a", "regs-b" };
static volatile int switch_wrong;

/* 0x5eed_0F_RR_0000_000N: fiber F (0xa or 0xb), register sRR, round N. */
static uint64_t switch_value(unsigned fiber, unsigned reg, unsigned round)
{
    return 0x5eed000000000000ull | (uint64_t)(0xa + fiber) << 40 | (uint64_t)reg << 32 | round;
}

static void switch_holder(void *arg)
{
    unsigned me = (unsigned)(uintptr_t)arg;
    struct switch_regs r;
    int wrong = 0;
    for (unsigned round = 0; round < SWITCH_ROUNDS; round++) {
        for (unsigned i = 0; i < 12; i++)
            r.want[i] = switch_value(me, i, round);
        switch_probe(&r);
        for (unsigned i = 0; i < 12; i++) {
            uint64_t v = r.got[i];
            if (v == r.want[i])
                continue;
            unsigned f = (unsigned)(v >> 40) & 0xff, reg = (unsigned)(v >> 32) & 0xff;
            char whose[48] = "a value neither fiber put there";
            if (v >> 48 == 0x5eed && (f == 0xa || f == 0xb) && reg < 12 &&
                (v & 0xffffffff) < SWITCH_ROUNDS)
                ksnprintf(whose, sizeof whose, "%s's s%u of round %u", switch_names[f - 0xa],
                          reg, (unsigned)(v & 0xffffffff));
            kprintf("[switch] %s round %u: s%u came back 0x%lx, want 0x%lx (%s)\n",
                    switch_names[me], round, i, (unsigned long)v, (unsigned long)r.want[i], whose);
            wrong++;
        }
    }
    kprintf("[switch] %s: %s after %d yields\n", switch_names[me],
            wrong ? "registers came back wrong" : "s0..s11 intact", SWITCH_ROUNDS);
    switch_wrong += wrong;
    fibers_finished++;
}

static void switch_regs_test(void)
{
    kprintf("[switch] two fibers each hold s0..s11 across fiber_yield, %d rounds\n", SWITCH_ROUNDS);
    fibers_finished = 0;
    switch_wrong = 0;
    fiber_create(switch_names[0], switch_holder, (void *)0);
    fiber_create(switch_names[1], switch_holder, (void *)1);
    wait_for_finished(2);
    fiber_yield();  /* let the last one be reaped */
    if (switch_wrong)
        kprintf("[switch] FAIL: %d callee-saved registers came back wrong\n", switch_wrong);
    else
        kprintf("[switch] ok: every callee-saved register survived every switch\n");
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
    { "fibers", fibers_interleave, "three fibers take turns, then exit" },
    { "fibers256", fibers_256, "256 fibers alive at once" },
    { "watchdog", watchdog_test, "a fiber spins; the watchdog restarts it" },
    { "ion", ion_roundtrip, "commands through the ring, good and bad" },
    { "halt", power_off, "power off at once (QEMU exits 0)" },
    { "switch", switch_regs_test, "two fibers hold s0..s11 across fiber_yield" },
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

volatile int selftest_active;

void selftest_fiber(void *name)
{
    selftest_run(name);
    selftest_active = 0;
}
