#include "ion/ion.h"

#include "arch/riscv64/csr.h"
#include "core/console.h"
#include "core/debug_hooks.h"
#include "core/rr_marks.h"
#include "core/fiber.h"
#include "core/timer.h"
#include "ion/cmd_check.h"
#include "ion/provenance.h"
#include "ion/ring.h"
#include "lib/siphash.h"
#include "lib/string.h"
#include "user/syscall.h"

struct ion_state ion;

/* The fiber that drains the output ring; woken when something is queued. */
static struct fiber *console_fiber;

static void *region(uint64_t offset)
{
    return (void *)(ION_REGION_PHYS + offset);
}

void ion_init(const uint8_t *seed, uint32_t seed_len)
{
    /* Zero only what we lay out; the rest of the 1 MiB stays unused. */
    memset(region(0), 0, ION_OFF_PACKETS);
    ion.systable = region(0);
    ion.cmd = region(ION_OFF_CMD_RING);
    ion.completion = region(ION_OFF_COMPLETION_RING);
    ion.input = region(ION_OFF_INPUT_RING);
    ion.output = region(ION_OFF_OUTPUT_RING);
    ion_ring_init(&ion.cmd->ring, ION_CMD_RING_CAPACITY, sizeof(CmdPacket));
    ion_ring_init(&ion.completion->ring, ION_COMPLETION_CAPACITY, sizeof(CmdCompletion));
    ion_ring_init(&ion.input->ring, ION_INPUT_RING_CAPACITY, 1);
    ion_ring_init(&ion.output->ring, ION_OUTPUT_RING_CAPACITY, sizeof(struct ion_desc));
    packet_pool_init(&ion.pool, region(ION_OFF_PACKETS), ION_PACKET_SIZE, ION_PACKET_COUNT);

    /* The boot key: SipHash of the firmware's random seed under a key made
     * from the clock, so two boots never share a key even without a seed. */
    uint64_t now = read_time();
    uint8_t clock_key[16];
    for (int i = 0; i < 16; i++)
        clock_key[i] = (uint8_t)(now >> (8 * (i % 8))) ^ (uint8_t)(0x5c + i);
    siphash24_128(clock_key, seed ? seed : (const uint8_t *)"", seed ? seed_len : 0,
                  ion.boot_key);

    struct SysTable *st = ion.systable;
    st->version = SYSTABLE_VERSION;
    st->size = sizeof *st;
    /* User programs read the table: the addresses are their window's. */
    st->cmd_ring = ION_USER_BASE + ION_OFF_CMD_RING;
    st->completion_ring = ION_USER_BASE + ION_OFF_COMPLETION_RING;
    st->input_ring = ION_USER_BASE + ION_OFF_INPUT_RING;
    st->output_ring = ION_USER_BASE + ION_OFF_OUTPUT_RING;
    st->packet_pool = ION_USER_BASE + ION_OFF_PACKETS;
    st->packet_size = ION_PACKET_SIZE;
    st->packet_count = ION_PACKET_COUNT;
    st->boot_time_us = uptime_us();
    /* The magic last: a reader that sees it sees a complete table. */
    __atomic_store_n(&st->magic, SYSTABLE_MAGIC, __ATOMIC_RELEASE);

    ion_set_sender(ION_SENDER_KERNEL_TEST);
    kprintf("[ion] SysTable at 0x%lx: %u-slot command ring, %u packets of %u bytes%s\n",
            (unsigned long)st, ION_CMD_RING_CAPACITY, ION_PACKET_COUNT, ION_PACKET_SIZE,
            seed ? ", key from rng-seed" : ", key from the clock only");
}

void ion_set_sender(uint64_t sender)
{
    ion.sender = sender;
    provenance_sender_key(ion.boot_key, sender, ion.sender_key);
    ion.next_seq = 0;
    /* Whatever the previous sender left behind is not the new one's. */
    ion.cmd->ring.head = ion.cmd->ring.tail = 0;
    ion.completion->ring.head = ion.completion->ring.tail = 0;
}

void ion_sender_key(uint64_t sender, uint8_t out[16])
{
    provenance_sender_key(ion.boot_key, sender, out);
}

int ion_free_packet(uint32_t index)
{
    if (packet_pool_free(&ion.pool, index) != 0)
        return ION_EARG;
    ion.packet_owner[index] = 0;
    ion.packet_queued[index] = 0;
    return ION_OK;
}

/* Does the current sender hold packet `index` (allocated, not queued)? */
static int sender_holds(uint64_t index)
{
    return index < ION_PACKET_COUNT && packet_pool_is_allocated(&ion.pool, (uint32_t)index) &&
           !ion.packet_queued[index] && ion.packet_owner[index] == ion.sender;
}

void ion_reclaim(uint64_t sender)
{
    for (uint32_t i = 0; i < ION_PACKET_COUNT; i++) {
        if (packet_pool_is_allocated(&ion.pool, i) && !ion.packet_queued[i] &&
            ion.packet_owner[i] == sender) {
            ion_free_packet(i);
            ion.stats.packets_reclaimed++;
        }
    }
}

static void log_rejected(const CmdPacket *p, uint64_t seq, const char *why)
{
    ion_console_sync();  /* after what the sender printed so far */
    const uint8_t *raw = (const uint8_t *)p;
    kprintf("[ion] rejected CmdPacket from sender 0x%lx seq %lu: %s; raw:", (unsigned long)ion.sender,
            (unsigned long)seq, why);
    for (int i = 0; i < (int)sizeof *p; i++)
        kprintf("%s%02x", i % 8 ? "" : " ", raw[i]);
    kprintf("\n");
}

/* Queues `len` bytes of packet `index` for the console. */
static int console_write(uint32_t index, uint32_t len)
{
    if (!sender_holds(index) || len > ion.pool.packet_size)
        return ION_EARG;
    struct ion_desc d = { index, len };
    if (ion_ring_push(&ion.output->ring, &d) != 0)
        return ION_ENOMEM;
    /* From now on the packet is the console's: the sender may not touch,
     * free or send it again. */
    ion.packet_queued[index] = 1;
    ion.packet_owner[index] = 0;
    fiber_wake(console_fiber);
    return ION_OK;
}

/* Runs one validated command; returns its status, sets *result. */
static int execute(const CmdPacket *p, int64_t *result)
{
    *result = 0;
    switch (p->kind) {
    case CMD_NOP:
        return ION_OK;
    case CMD_ION_ALLOC: {
        int32_t index = packet_pool_alloc(&ion.pool);
        if (index < 0)
            return ION_ENOMEM;
        ion.packet_owner[index] = ion.sender;
        *result = index;
        return ION_OK;
    }
    case CMD_ION_FREE:
        return sender_holds(p->arg) ? ion_free_packet((uint32_t)p->arg) : ION_EARG;
    case CMD_CON_WRITE:
        return console_write((uint32_t)p->arg, (uint32_t)(p->arg >> 32));
    case CMD_SYS_YIELD:
        fiber_yield();  /* let the kernel's fibers (the console) run */
        return ION_OK;
    case CMD_SYS_UPTIME:
        *result = (int64_t)uptime_us();
        return ION_OK;
    default:
        /* The rest needs a user program: its memory, its files. */
        return user_command(p, result);
    }
}

static void complete(uint32_t kind, int status, uint64_t seq, int64_t result)
{
    CmdCompletion c = { .kind = kind, .status = status, .seq = seq, .result = result };
    if (ion_ring_push(&ion.completion->ring, &c) != 0)
        ion.stats.completions_dropped++;
}

int ion_process_commands(void)
{
    int n = 0;
    CmdPacket p;
    while (ion_ring_pop(&ion.cmd->ring, &p) == 0) {
        n++;
        ion.stats.commands++;
        /* Every packet uses up one sequence number, good or bad, so one
         * corrupted packet does not make all the following ones fail. */
        uint64_t seq = ion.next_seq++;
        debug_hook_command(&p, seq);
        int64_t result = 0;
        const char *why;
        int status = cmd_check(&p, ion.sender_key, ion.sender, seq, &why);
        int rejected = status != ION_OK;
        if (!rejected)
            status = execute(&p, &result);
        else
            log_rejected(&p, seq, why);
        rr_mark(rejected ? RR_MARK_REJECTED : RR_MARK_COMMAND, (uint32_t)ion.sender, p.kind,
                seq << 32 | (uint32_t)status);
        if (status != ION_OK)
            ion.stats.rejected++;
        complete(p.kind, status, seq, result);
    }
    return n;
}

void ion_console_sync(void)
{
    while (console_fiber && ion_ring_used(&ion.output->ring)) {
        fiber_wake(console_fiber);
        fiber_yield();
    }
}

void ion_console_fiber(void *arg)
{
    (void)arg;
    console_fiber = current_fiber;
    for (;;) {
        struct ion_desc d;
        while (ion_ring_pop(&ion.output->ring, &d) == 0) {
            const char *bytes = packet_pool_buffer(&ion.pool, d.packet);
            if (bytes && d.len <= ion.pool.packet_size) {
                for (uint32_t i = 0; i < d.len; i++)
                    console_putc(bytes[i]);
                ion.stats.bytes_written += d.len;
            }
            /* The packet has been printed: give it back to the pool. */
            ion_free_packet(d.packet);
        }
        console_flush();  /* once per batch: the screen costs two device requests */
        fiber_block();
    }
}

static void print_ring(const char *name, const struct ion_ring *r)
{
    kprintf("  %-10s head %10u  tail %10u  used %4u/%-4u\n", name, r->head, r->tail,
            ion_ring_used(r), r->mask + 1);
}

void ion_print_stats(void)
{
    kprintf("rings:\n");
    print_ring("command", &ion.cmd->ring);
    print_ring("completion", &ion.completion->ring);
    print_ring("input", &ion.input->ring);
    print_ring("output", &ion.output->ring);
    kprintf("packets: %u total, %u free, %u in use, high-water %u, %lu allocs, %lu frees, "
            "%lu failed\n",
            ion.pool.count, ion.pool.free_count, packet_pool_in_use(&ion.pool),
            ion.pool.high_water, (unsigned long)ion.pool.allocs, (unsigned long)ion.pool.frees,
            (unsigned long)ion.pool.failed_allocs);
    kprintf("commands: %lu processed, %lu rejected; %lu console bytes; sender 0x%lx next seq %lu\n",
            (unsigned long)ion.stats.commands, (unsigned long)ion.stats.rejected,
            (unsigned long)ion.stats.bytes_written, (unsigned long)ion.sender,
            (unsigned long)ion.next_seq);
}
