/*
 * Marks for time travel (docs/time-travel.md). With `rr` on the command line
 * (make record adds it) the kernel notes the moments a student wants to jump
 * to in a recording: each command it takes off the command ring, each packet
 * it rejects, each program it enters and each one that ends. A mark holds
 * the instruction count at that moment (rdinstret: under `-icount shift=0` it
 * is QEMU's own instruction count, the one `rr seek` takes) and is kept in a
 * ring of the last RR_MARKS that GDB's `rr marks` reads.
 */
#ifndef RUMPK_CORE_RR_MARKS_H
#define RUMPK_CORE_RR_MARKS_H

#include <stdint.h>

#define RR_MARKS 1024   /* a power of two: the ring keeps the newest */

enum rr_mark_what {
    RR_MARK_COMMAND = 1,   /* arg: CmdPacket kind, detail: seq << 32 | (u32)status */
    RR_MARK_REJECTED = 2,  /* the same, for a packet refused by cmd_check */
    RR_MARK_EXEC = 3,      /* arg: pid, detail: 0 */
    RR_MARK_EXIT = 4,      /* arg: pid, detail: (u32)status */
    RR_MARK_KILLED = 5,    /* arg: pid, detail: scause */
};

struct rr_mark {
    uint64_t icount;
    uint32_t what;     /* enum rr_mark_what */
    uint32_t pid;      /* the program running then (0: none) */
    uint64_t arg;
    uint64_t detail;
};

extern struct rr_mark rr_marks[RR_MARKS];
extern uint64_t rr_mark_count;   /* marks ever made; the newest is [(count - 1) % RR_MARKS] */
extern int rr_marks_on;          /* `rr` was on the command line */

void rr_mark(enum rr_mark_what what, uint32_t pid, uint64_t arg, uint64_t detail);

#endif
