/*
 * Fibers: cooperative kernel threads. Each has a name, an entry function, its
 * own stack and metrics (switches, time run, stack high-water mark, the pc it
 * last yielded from). A round-robin scheduler runs the ready ones; an idle
 * fiber sleeps with wfi when none is. A fiber runs until it yields, blocks or
 * exits - or until the watchdog finds it has run past its budget, and
 * restarts it from its entry ("blink recovery").
 */
#ifndef RUMPK_CORE_FIBER_H
#define RUMPK_CORE_FIBER_H

#include <stdint.h>

#include "arch/riscv64/trap_frame.h"

#define FIBER_MAX 272                 /* 256 for anyone, plus the system's own */
#define FIBER_NAME_MAX 24
#define FIBER_STACK_SIZE (16 * 1024)
#define FIBER_STACK_PAINT 0x5a5a5a5a5a5a5a5aULL   /* untouched stack reads as this */
#define FIBER_DEFAULT_BUDGET_TICKS 50 /* 0.5 s at 100 Hz without yielding */

/* What fiber_switch (arch/riscv64/switch.S) saves: the callee-saved registers. */
struct fiber_context {
    uint64_t ra;
    uint64_t sp;
    uint64_t s[12];  /* s0..s11; s0 is the frame pointer */
};
_Static_assert(sizeof(struct fiber_context) == 112, "switch.S stores 14 registers");

enum fiber_state {
    FIBER_FREE = 0,   /* slot unused */
    FIBER_READY,      /* waiting in the run queue */
    FIBER_RUNNING,    /* the current fiber */
    FIBER_BLOCKED,    /* waiting for fiber_wake */
    FIBER_DEAD,       /* exited; its stack is freed by the next fiber to run */
};

struct fiber {
    struct fiber_context ctx;  /* saved registers while not running */
    uint32_t id;
    enum fiber_state state;
    char name[FIBER_NAME_MAX];
    void (*entry)(void *arg);
    void *arg;
    uint8_t *stack;            /* lowest address; the stack grows down from stack + stack_size */
    uint64_t stack_size;
    struct fiber *next;        /* run-queue link */

    /* metrics */
    uint64_t switches;         /* times switched in */
    uint64_t ticks_run;        /* timer ticks that found it running */
    uint64_t run_start_tick;   /* timer_ticks when its current run began */
    uint64_t last_yield_pc;    /* where it last called fiber_yield/block */
    uint64_t stack_high_water; /* deepest stack use seen, in bytes */
    uint32_t restarts;         /* watchdog restarts */
    uint32_t budget_ticks;     /* watchdog budget; 0 = never restarted */
};

extern struct fiber fiber_table[FIBER_MAX];
extern struct fiber *current_fiber;
extern struct fiber *idle_fiber;
/* The idle fiber spins instead of sleeping in wfi (set under `rr`): replayed
 * under GDB with a breakpoint set, QEMU 7.2 never wakes a CPU halted in wfi
 * for a recorded console input, and the replay stalls (docs/time-travel.md). */
extern int fiber_idle_spins;

/* Creates a ready fiber; NULL (with a log line) when the table or memory is full. */
struct fiber *fiber_create(const char *name, void (*entry)(void *), void *arg);
void fiber_yield(void);
void fiber_block(void);                /* current fiber waits for fiber_wake */
void fiber_wake(struct fiber *f);      /* safe from interrupt handlers */
__attribute__((noreturn)) void fiber_exit(void);

/* Starts scheduling; the boot context is abandoned. */
__attribute__((noreturn)) void scheduler_start(void);

/* Timer-tick hook (interrupts off): accounting and the watchdog. May not
 * return to the interrupted fiber if the watchdog restarts it. */
void fiber_tick(struct trap_frame *tf);

/* Bytes of the fiber's stack ever used (scans for the paint), updating the metric. */
uint64_t fiber_stack_used(struct fiber *f);
const char *fiber_state_name(enum fiber_state s);
int fiber_count(void);                 /* fibers not FREE */

/* Prints the fiber table (the monitor's ps). */
void fiber_print_table(void);

#endif
