/*
 * The membrane: how a user program asks the kernel for anything.
 *
 *   1. Build a CmdPacket {kind, _pad = 0, arg}, stamp it with the provenance
 *      tag of (kind, arg, our sender id, our next sequence number) under the
 *      key in ProcInfo, and push it on the command ring.
 *   2. `ecall`. The kernel drains the command ring, checks and runs every
 *      packet, and pushes one CmdCompletion per packet (carrying the packet's
 *      sequence number) on the completion ring before it returns to us.
 *      Commands that block (CMD_CON_READ) return when they are answered;
 *      CMD_SYS_EXIT and a successful CMD_SYS_EXEC never return.
 *   3. Pop completions until the one with our sequence number.
 *
 * Sequence numbers count from 0 for every program: the kernel expects 0 after
 * each exec, and next_seq lives in .bss, which the kernel zeroes. Every
 * packet the kernel takes off the ring uses up one number, good or bad, so
 * stamping and pushing must happen in the same order.
 *
 * We are the only producer of the command ring and the only consumer of the
 * completion ring (ion/ring.h's single-producer/single-consumer rules).
 *
 * Where the rings are and how to trap is gate.c's business: this file is
 * the protocol alone (the host unit test runs it against a model kernel).
 */
#include "libnexus.h"

#include "ion/provenance.h"
#include "ion/ring.h"

static uint64_t next_seq;

static struct ion_ring *command_ring(void)
{
    return &((struct ion_cmd_ring *)(uintptr_t)nexus_systable()->cmd_ring)->ring;
}

static struct ion_ring *completion_ring(void)
{
    return &((struct ion_completion_ring *)(uintptr_t)nexus_systable()->completion_ring)->ring;
}

uint64_t nexus_stamp(CmdPacket *p)
{
    const struct ProcInfo *pi = nexus_procinfo();
    uint64_t seq = next_seq++;
    provenance_stamp(p, pi->key, pi->sender, seq);
    return seq;
}

void nexus_push(const CmdPacket *p)
{
    /* Full: let the kernel drain it. Its completions wait on their ring. */
    while (ion_ring_push(command_ring(), p) != 0)
        nexus_ecall();
}

uint64_t nexus_submit(uint32_t kind, uint64_t arg)
{
    CmdPacket p = { .kind = kind, ._pad = 0, .arg = arg };
    uint64_t seq = nexus_stamp(&p);
    nexus_push(&p);
    return seq;
}

int nexus_wait(uint64_t seq, int64_t *result)
{
    for (;;) {
        CmdCompletion c;
        while (ion_ring_pop(completion_ring(), &c) == 0) {
            if (c.seq == seq) {
                if (result)
                    *result = c.result;
                return c.status;
            }
            /* A later number answered first: ours was dropped. */
            if (c.seq > seq)
                return NEXUS_ELOST;
            /* An older answer nobody waits for any more: drop it. */
        }
        /* Not answered yet: the packet is still on the command ring, or
         * it blocks (CMD_CON_READ) and the kernel returned early. */
        nexus_ecall();
    }
}

int nexus_call(uint32_t kind, uint64_t arg, int64_t *result)
{
    return nexus_wait(nexus_submit(kind, arg), result);
}
