/* scause/stval in words, as the privileged spec names them (table 4.2). */
#ifndef RUMPK_CORE_TRAP_DESCRIBE_H
#define RUMPK_CORE_TRAP_DESCRIBE_H

#include <stddef.h>
#include <stdint.h>

/* "load page fault", "supervisor timer interrupt", ... or "reserved cause". */
const char *trap_cause_name(uint64_t scause);

/* One phrase for a trap: "load page fault at 0x0",
 * "illegal instruction (encoding 0x00000000)", "breakpoint". */
int trap_describe(char *buf, size_t size, uint64_t scause, uint64_t stval);

#endif
