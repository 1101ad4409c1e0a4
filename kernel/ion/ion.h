/*
 * ION in the kernel: the shared region (SysTable, rings, packet buffers) at
 * ION_REGION_PHYS, the kernel-private packet pool bookkeeping, the per-boot
 * provenance key, and the command dispatcher that drains the command ring.
 *
 * Region layout (offsets from ION_REGION_PHYS in the kernel, from
 * ION_USER_BASE in a user program; one page each unless noted):
 *   0x00000  struct SysTable
 *   0x01000  struct ion_cmd_ring
 *   0x02000  struct ion_completion_ring
 *   0x03000  struct ion_input_ring
 *   0x04000  struct ion_output_ring
 *   0x10000  packet buffers, ION_PACKET_COUNT * ION_PACKET_SIZE (64 KiB)
 */
#ifndef RUMPK_ION_ION_H
#define RUMPK_ION_ION_H

#include <stdint.h>

#include "abi/systable.h"
#include "ion/packet_pool.h"

#define ION_OFF_CMD_RING        0x01000UL
#define ION_OFF_COMPLETION_RING 0x02000UL
#define ION_OFF_INPUT_RING      0x03000UL
#define ION_OFF_OUTPUT_RING     0x04000UL
#define ION_OFF_PACKETS         0x10000UL

/* Who sends commands from inside the kernel (the self tests). User programs
 * get their own sender ids. */
#define ION_SENDER_KERNEL_TEST 0x5e1f

struct ion_stats {
    uint64_t commands;        /* packets taken off the command ring */
    uint64_t rejected;        /* ... of which refused (bad tag, pad, kind, arg) */
    uint64_t completions_dropped; /* completion ring was full */
    uint64_t bytes_written;   /* console output bytes */
    uint64_t input_dropped;   /* input ring was full */
    uint64_t packets_reclaimed; /* left allocated by programs that ended */
};

struct ion_state {
    struct SysTable *systable;
    struct ion_cmd_ring *cmd;
    struct ion_completion_ring *completion;
    struct ion_input_ring *input;
    struct ion_output_ring *output;
    struct packet_pool pool;
    /* Who may use each packet: the sender that allocated it (0: nobody, or
     * the kernel once it is queued for the console). */
    uint64_t packet_owner[ION_PACKET_COUNT];
    uint8_t packet_queued[ION_PACKET_COUNT];
    uint8_t boot_key[16];
    uint64_t sender;          /* who owns the command ring now */
    uint8_t sender_key[16];   /* provenance_sender_key(boot_key, sender) */
    uint64_t next_seq;        /* the sequence number the next packet must carry */
    struct ion_stats stats;
};

extern struct ion_state ion;

/* Lays out the region, fills the SysTable, seeds the boot key from
 * `seed` (the device tree's rng-seed; may be NULL) and the clock. */
void ion_init(const uint8_t *seed, uint32_t seed_len);

/* Hands the command ring to a new sender: its key, sequence numbers from 0,
 * and empty command and completion rings. */
void ion_set_sender(uint64_t sender);

/* The provenance key of `sender` (what its ProcInfo page carries). */
void ion_sender_key(uint64_t sender, uint8_t out[16]);

/* Takes every packet off the command ring, validates it (pad, provenance
 * tag, kind, arguments), runs it and posts a completion. Returns how many. */
int ion_process_commands(void);

/* Gives a packet back to the pool (CMD_ION_FREE, and the console fiber once
 * it has printed a packet). Returns ION_OK or ION_EARG. */
int ion_free_packet(uint32_t index);

/* Frees every packet `sender` still holds (its program ended). */
void ion_reclaim(uint64_t sender);

/* Waits (yielding) until the console fiber has printed everything on the
 * output ring, so a kernel line that follows lands after the program's
 * output. Only from a fiber that may yield. */
void ion_console_sync(void);

/* The console fiber's entry: prints what arrives on the output ring. */
void ion_console_fiber(void *arg);

/* The monitor's `ion` command. */
void ion_print_stats(void);

#endif
