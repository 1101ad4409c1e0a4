/* Time: the `time` CSR (timebase from the device tree) and a periodic tick
 * armed through SBI. */
#ifndef RUMPK_CORE_TIMER_H
#define RUMPK_CORE_TIMER_H

#include <stdint.h>

#define TIMER_HZ 100  /* ticks per second */

extern volatile uint64_t timer_ticks;

void timer_init(uint32_t timebase_hz);
void timer_interrupt(void);
uint64_t uptime_us(void);

#endif
