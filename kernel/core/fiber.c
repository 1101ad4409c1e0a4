#include "core/fiber.h"

#include "arch/riscv64/csr.h"
#include "core/console.h"
#include "core/panic.h"
#include "core/timer.h"
#include "lib/string.h"
#include "mm/mm.h"

extern void fiber_switch(struct fiber_context *from, struct fiber_context *to);
extern void fiber_trampoline(void);

struct fiber fiber_table[FIBER_MAX];
struct fiber *current_fiber;
struct fiber *idle_fiber;
int fiber_idle_spins;

/* The run queue: READY fibers in FIFO order (round robin). The idle fiber is
 * never queued; it runs only when the queue is empty. */
static struct fiber *queue_head, *queue_tail;
/* A fiber that exited: its stack is still in use until we switch away, so
 * the next fiber to run frees it. */
static struct fiber *zombie;
/* Where a context that will never be resumed is saved (watchdog, exit). */
static struct fiber_context discarded_context;

#define STACK_PAGES (FIBER_STACK_SIZE / PAGE_SIZE)

static void enqueue(struct fiber *f)
{
    f->next = 0;
    if (queue_tail)
        queue_tail->next = f;
    else
        queue_head = f;
    queue_tail = f;
}

static struct fiber *dequeue(void)
{
    struct fiber *f = queue_head;
    if (f) {
        queue_head = f->next;
        if (!queue_head)
            queue_tail = 0;
        f->next = 0;
    }
    return f;
}

const char *fiber_state_name(enum fiber_state s)
{
    switch (s) {
    case FIBER_FREE: return "free";
    case FIBER_READY: return "ready";
    case FIBER_RUNNING: return "running";
    case FIBER_BLOCKED: return "blocked";
    case FIBER_DEAD: return "dead";
    }
    return "?";
}

/* A context that starts the fiber from its entry on an empty stack. */
static void reset_context(struct fiber *f)
{
    memset(&f->ctx, 0, sizeof f->ctx);
    f->ctx.ra = (uint64_t)fiber_trampoline;
    f->ctx.sp = (uint64_t)(f->stack + f->stack_size);
    f->ctx.s[1] = (uint64_t)f;  /* s1: the trampoline's argument */
}

static void reap_zombie(void)
{
    if (!zombie)
        return;
    struct fiber *z = zombie;
    zombie = 0;
    page_free_run(z->stack, STACK_PAGES);
    z->stack = 0;
    z->state = FIBER_FREE;
}

struct fiber *fiber_create(const char *name, void (*entry)(void *), void *arg)
{
    uint64_t irq = interrupts_save();
    struct fiber *f = 0;
    for (int i = 0; i < FIBER_MAX; i++) {
        if (fiber_table[i].state == FIBER_FREE) {
            f = &fiber_table[i];
            break;
        }
    }
    if (!f) {
        interrupts_restore(irq);
        kprintf("[fiber] cannot create '%s': all %d fiber slots in use\n", name, FIBER_MAX);
        return 0;
    }
    uint8_t *stack = page_alloc_run(STACK_PAGES);
    if (!stack) {
        interrupts_restore(irq);
        kprintf("[fiber] cannot create '%s': no memory for a %d KiB stack\n", name,
                FIBER_STACK_SIZE / 1024);
        return 0;
    }
    memset(f, 0, sizeof *f);
    f->id = (uint32_t)(f - fiber_table);
    size_t n = strnlen(name, FIBER_NAME_MAX - 1);
    memcpy(f->name, name, n);
    f->entry = entry;
    f->arg = arg;
    f->stack = stack;
    f->stack_size = FIBER_STACK_SIZE;
    f->budget_ticks = FIBER_DEFAULT_BUDGET_TICKS;
    /* Paint the stack so its high-water mark can be measured later. */
    for (uint64_t *w = (uint64_t *)stack; w < (uint64_t *)(stack + FIBER_STACK_SIZE); w++)
        *w = FIBER_STACK_PAINT;
    reset_context(f);
    f->state = FIBER_READY;
    enqueue(f);
    interrupts_restore(irq);
    return f;
}

/* Switches to the next ready fiber (or idle). Interrupts must be off. The
 * caller has already put the current fiber in its new state. */
static void schedule(void)
{
    struct fiber *prev = current_fiber;
    struct fiber *next = dequeue();
    if (!next)
        next = idle_fiber;
    if (next == prev) {
        /* It yielded and nobody else wants the hart: a new run begins all
         * the same, as far as the watchdog is concerned. */
        prev->state = FIBER_RUNNING;
        prev->run_start_tick = timer_ticks;
        return;
    }
    next->state = FIBER_RUNNING;
    next->switches++;
    next->run_start_tick = timer_ticks;
    current_fiber = next;
    fiber_switch(prev->state == FIBER_DEAD ? &discarded_context : &prev->ctx, &next->ctx);
    /* Back in prev, switched in again by someone's schedule(). */
    reap_zombie();
}

void fiber_yield(void)
{
    uint64_t irq = interrupts_save();
    struct fiber *self = current_fiber;
    self->last_yield_pc = (uint64_t)__builtin_return_address(0);
    if (self != idle_fiber) {
        self->state = FIBER_READY;
        enqueue(self);
    } else {
        self->state = FIBER_READY;
    }
    schedule();
    interrupts_restore(irq);
}

void fiber_block(void)
{
    uint64_t irq = interrupts_save();
    struct fiber *self = current_fiber;
    self->last_yield_pc = (uint64_t)__builtin_return_address(0);
    self->state = FIBER_BLOCKED;
    schedule();
    interrupts_restore(irq);
}

void fiber_wake(struct fiber *f)
{
    uint64_t irq = interrupts_save();
    if (f && f->state == FIBER_BLOCKED) {
        f->state = FIBER_READY;
        enqueue(f);
    }
    interrupts_restore(irq);
}

void fiber_exit(void)
{
    interrupts_save();
    struct fiber *self = current_fiber;
    if (self == idle_fiber)
        panic("the idle fiber exited");
    self->state = FIBER_DEAD;
    zombie = self;
    schedule();
    panic("fiber_exit: a dead fiber was scheduled again");
}

/* Called by fiber_trampoline (switch.S) on the fiber's fresh stack. */
__attribute__((noreturn)) void fiber_main(struct fiber *f);
void fiber_main(struct fiber *f)
{
    reap_zombie();
    csr_set(sstatus, SSTATUS_SIE);
    f->entry(f->arg);
    fiber_exit();
}

static void idle_loop(void *arg)
{
    (void)arg;
    for (;;) {
        /* wfi wakes on a pending interrupt even with SIE off, so checking
         * the queue and sleeping cannot miss a wakeup. */
        csr_clear(sstatus, SSTATUS_SIE);
        if (!queue_head && !fiber_idle_spins)
            wait_for_interrupt();
        csr_set(sstatus, SSTATUS_SIE);
        fiber_yield();
    }
}

void scheduler_start(void)
{
    csr_clear(sstatus, SSTATUS_SIE);
    idle_fiber = fiber_create("idle", idle_loop, 0);
    if (!idle_fiber)
        panic("scheduler: cannot create the idle fiber");
    /* create() queued it like any fiber; the idle fiber lives outside the queue. */
    struct fiber **pp = &queue_head, *last = 0;
    for (; *pp; last = *pp, pp = &(*pp)->next) {
        if (*pp == idle_fiber) {
            *pp = idle_fiber->next;
            if (queue_tail == idle_fiber)
                queue_tail = last;
            break;
        }
    }
    idle_fiber->budget_ticks = 0;
    struct fiber *first = dequeue();
    if (!first)
        first = idle_fiber;
    first->state = FIBER_RUNNING;
    first->switches++;
    first->run_start_tick = timer_ticks;
    current_fiber = first;
    fiber_switch(&discarded_context, &first->ctx);
    panic("scheduler_start: returned to the boot stack");
}

void fiber_tick(struct trap_frame *tf)
{
    struct fiber *f = current_fiber;
    if (!f)
        return;  /* still booting */
    f->ticks_run++;
    if (f == idle_fiber || f->budget_ticks == 0 ||
        timer_ticks - f->run_start_tick <= f->budget_ticks)
        return;

    /* Blink recovery: the fiber has not yielded within its budget. Abandon
     * this run (its stack, trap frame included, is simply reused) and start
     * it again from its entry, behind everyone else in the queue. */
    kprintf("[watchdog] fiber %u '%s' ran %lu ticks without yielding, pc 0x%lx (", f->id,
            f->name, (unsigned long)(timer_ticks - f->run_start_tick), (unsigned long)tf->sepc);
    print_symbol(tf->sepc);
    kprintf("): restarting it\n");
    f->restarts++;
    f->last_yield_pc = tf->sepc;
    reset_context(f);
    f->state = FIBER_READY;
    enqueue(f);
    struct fiber *next = dequeue();
    next->state = FIBER_RUNNING;
    next->switches++;
    next->run_start_tick = timer_ticks;
    current_fiber = next;
    fiber_switch(&discarded_context, &next->ctx);
}

uint64_t fiber_stack_used(struct fiber *f)
{
    if (!f->stack)
        return f->stack_high_water;
    const uint64_t *w = (const uint64_t *)f->stack;
    const uint64_t *end = (const uint64_t *)(f->stack + f->stack_size);
    while (w < end && *w == FIBER_STACK_PAINT)
        w++;
    uint64_t used = (uint64_t)((const uint8_t *)end - (const uint8_t *)w);
    if (used > f->stack_high_water)
        f->stack_high_water = used;
    return f->stack_high_water;
}

int fiber_count(void)
{
    int n = 0;
    for (int i = 0; i < FIBER_MAX; i++)
        n += fiber_table[i].state != FIBER_FREE;
    return n;
}

void fiber_print_table(void)
{
    kprintf("  ID NAME                     STATE    SWITCHES  TICKS  STACK USED  RESTARTS  LAST PC\n");
    for (int i = 0; i < FIBER_MAX; i++) {
        struct fiber *f = &fiber_table[i];
        if (f->state == FIBER_FREE)
            continue;
        kprintf("%c%3u %-24s %-8s %8lu %6lu %5lu/%-5lu %8u  ", f == current_fiber ? '*' : ' ',
                f->id, f->name, fiber_state_name(f->state), (unsigned long)f->switches,
                (unsigned long)f->ticks_run, (unsigned long)fiber_stack_used(f),
                (unsigned long)f->stack_size, f->restarts);
        if (f->last_yield_pc)
            print_symbol(f->last_yield_pc);
        else
            kprintf("-");
        kprintf("\n");
    }
}
