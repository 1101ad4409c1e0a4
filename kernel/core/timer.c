#include "core/timer.h"

#include "arch/riscv64/csr.h"
#include "arch/riscv64/sbi.h"

volatile uint64_t timer_ticks;
static uint64_t timebase_hz = 10000000; /* QEMU virt's, until the FDT says */
static uint64_t tick_interval;
static uint64_t next_deadline;

void timer_init(uint32_t hz)
{
    if (hz)
        timebase_hz = hz;
    tick_interval = timebase_hz / TIMER_HZ;
    next_deadline = read_time() + tick_interval;
    sbi_set_timer(next_deadline);
    csr_set(sie, SIE_STIE);
}

void timer_interrupt(void)
{
    timer_ticks++;
    /* Re-arm relative to the previous deadline, not to now, so ticks do not
     * drift; skip missed ticks rather than fire a burst of them. */
    next_deadline += tick_interval;
    uint64_t now = read_time();
    if (next_deadline <= now)
        next_deadline = now + tick_interval;
    sbi_set_timer(next_deadline);
}

uint64_t uptime_us(void)
{
    return read_time() / (timebase_hz / 1000000);
}
