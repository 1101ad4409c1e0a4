/*
 * The membrane (userland/libnexus/membrane.c) and console I/O
 * (userland/libnexus/console.c) against a model kernel that follows
 * docs/userland.md to the letter: it checks _pad and the provenance tag of
 * every packet with the kernel's own provenance_verify and its own sequence
 * count, runs a few commands over a model packet pool, and answers on the
 * completion ring. It replaces gate.c: nexus_systable, nexus_procinfo and
 * nexus_ecall are defined here; yield() runs the model console fiber and
 * uptime_us() is a model clock.
 *
 * Built with -Dwrite=nexus_write: libnexus's write() must not replace libc's
 * inside this test binary.
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "ion/provenance.h"
#include "ion/ring.h"
#include "libnexus.h"

#define MODEL_PACKETS 8
#define MODEL_PACKET_SIZE 64
#define MODEL_QUEUE 16

static struct {
    struct SysTable st;
    struct ProcInfo pi;
    struct ion_cmd_ring cmd;
    struct ion_completion_ring completion;
    struct ion_input_ring input;
    uint8_t buffers[MODEL_PACKETS][MODEL_PACKET_SIZE];
    int in_use[MODEL_PACKETS];
    uint32_t packets;              /* pool size for the current test */
    struct ion_desc queue[MODEL_QUEUE];
    unsigned queued, queue_capacity;
    char printed[16384];
    size_t printed_len;
    uint64_t next_seq;             /* the sequence number the next packet must carry */
    int ecalls, yields;
    int drain_on_ecall;            /* the console fiber runs after every ecall */
    int drop_seq_armed;
    uint64_t drop_seq;             /* its completion is never posted */
    int fail_writes;               /* CON_WRITE answers ION_EARG */
    int console_stuck;             /* the console fiber never runs */
    uint64_t clock_us;
    const char *typed;             /* what the user types while CON_READ blocks */
    int refused;                   /* packets with a bad tag or _pad */
    int overflows;                 /* completions that did not fit */
} k;

const struct SysTable *nexus_systable(void)
{
    return &k.st;
}

const struct ProcInfo *nexus_procinfo(void)
{
    return &k.pi;
}

/* The console fiber: prints what is queued and frees the packets. */
static void console_fiber(void)
{
    for (unsigned i = 0; i < k.queued; i++) {
        struct ion_desc d = k.queue[i];
        memcpy(k.printed + k.printed_len, k.buffers[d.packet], d.len);
        k.printed_len += d.len;
        k.in_use[d.packet] = 0;
    }
    k.queued = 0;
}

int yield(void)
{
    k.yields++;
    if (!k.console_stuck)
        console_fiber();
    return 0;
}

/* A clock that moves 1 ms per reading. */
uint64_t uptime_us(void)
{
    return k.clock_us += 1000;
}

static int owned(uint64_t index)
{
    return index < k.packets && k.in_use[index];
}

static int execute(const CmdPacket *p, int64_t *result)
{
    switch (p->kind) {
    case CMD_NOP:
        return ION_OK;
    case CMD_SYS_UPTIME:
        *result = 1234;
        return ION_OK;
    case CMD_ION_ALLOC:
        for (uint32_t i = 0; i < k.packets; i++) {
            if (!k.in_use[i]) {
                k.in_use[i] = 1;
                *result = i;
                return ION_OK;
            }
        }
        return ION_ENOMEM;
    case CMD_ION_FREE:
        if (!owned(p->arg))
            return ION_EARG;
        k.in_use[p->arg] = 0;
        return ION_OK;
    case CMD_CON_WRITE: {
        uint32_t index = (uint32_t)p->arg, len = (uint32_t)(p->arg >> 32);
        if (!owned(index) || len > MODEL_PACKET_SIZE || k.fail_writes)
            return ION_EARG;
        if (k.queued == k.queue_capacity)
            return ION_ENOMEM;
        k.queue[k.queued++] = (struct ion_desc){ index, len };
        return ION_OK;
    }
    case CMD_CON_READ:
        if (p->arg != 0)
            return ION_EARG;
        /* "Blocks" when the ring is empty: the user types all of k.typed. */
        if (ion_ring_used(&k.input.ring) == 0)
            for (; k.typed && *k.typed; k.typed++)
                ion_ring_push(&k.input.ring, k.typed);
        *result = ion_ring_used(&k.input.ring);
        return *result ? ION_OK : ION_EARG;   /* would block forever */
    default:
        return ION_EKIND;
    }
}

void nexus_ecall(void)
{
    CmdPacket p;
    k.ecalls++;
    while (ion_ring_pop(&k.cmd.ring, &p) == 0) {
        uint64_t seq = k.next_seq++;
        int64_t result = 0;
        int status;
        if (p._pad != 0)
            status = ION_EPAD;
        else if (!provenance_verify(&p, k.pi.key, k.pi.sender, seq))
            status = ION_ETAG;
        else
            status = execute(&p, &result);
        if (status == ION_EPAD || status == ION_ETAG)
            k.refused++;
        if (k.drop_seq_armed && seq == k.drop_seq)
            continue;
        CmdCompletion c = { .kind = p.kind, .status = status, .seq = seq, .result = result };
        if (ion_ring_push(&k.completion.ring, &c) != 0)
            k.overflows++;
    }
    if (k.drain_on_ecall)
        console_fiber();
}

/* A fresh machine, except for the sequence count: the membrane's lives on. */
static void boot(uint32_t packets, unsigned queue_capacity, int drain_on_ecall)
{
    static const uint8_t boot_key[16] = "0123456789abcdef";
    uint64_t next_seq = k.next_seq;
    memset(&k, 0, sizeof k);
    k.next_seq = next_seq;
    ion_ring_init(&k.cmd.ring, ION_CMD_RING_CAPACITY, sizeof(CmdPacket));
    ion_ring_init(&k.completion.ring, ION_COMPLETION_CAPACITY, sizeof(CmdCompletion));
    ion_ring_init(&k.input.ring, ION_INPUT_RING_CAPACITY, 1);
    k.st.magic = SYSTABLE_MAGIC;
    k.st.cmd_ring = (uint64_t)(uintptr_t)&k.cmd;
    k.st.completion_ring = (uint64_t)(uintptr_t)&k.completion;
    k.st.input_ring = (uint64_t)(uintptr_t)&k.input;
    k.st.packet_pool = (uint64_t)(uintptr_t)k.buffers;
    k.st.packet_size = MODEL_PACKET_SIZE;
    k.st.packet_count = packets;
    k.packets = packets;
    k.queue_capacity = queue_capacity;
    k.drain_on_ecall = drain_on_ecall;
    k.pi.magic = PROCINFO_MAGIC;
    k.pi.sender = 0x1234;
    provenance_sender_key(boot_key, k.pi.sender, k.pi.key);
}

static int packets_in_use(void)
{
    int n = 0;
    for (int i = 0; i < MODEL_PACKETS; i++)
        n += k.in_use[i];
    return n;
}

static void test_calls(void)
{
    boot(MODEL_PACKETS, MODEL_QUEUE, 1);
    int64_t result = -1;
    CHECK_EQ_I64(nexus_call(CMD_NOP, 0, &result), ION_OK);
    CHECK_EQ_I64(result, 0);
    CHECK_EQ_I64(k.ecalls, 1);
    CHECK_EQ_I64(nexus_call(CMD_SYS_UPTIME, 0, &result), ION_OK);
    CHECK_EQ_I64(result, 1234);
    CHECK_EQ_I64(nexus_call(0x999, 0, NULL), ION_EKIND);

    /* Every packet carries the tag of the number the kernel expects. */
    int bad = 0;
    for (int i = 0; i < 500; i++)
        bad |= nexus_call(CMD_NOP, (uint64_t)i * 0x9e3779b97f4a7c15ull, NULL) != ION_OK;
    CHECK(!bad);
    CHECK_EQ_I64(k.refused, 0);

    /* Two commands, one ecall. */
    k.ecalls = 0;
    uint64_t a = nexus_submit(CMD_NOP, 0), b = nexus_submit(CMD_SYS_UPTIME, 0);
    CHECK_EQ_U64(b, a + 1);
    CHECK_EQ_I64(nexus_wait(a, NULL), ION_OK);
    CHECK_EQ_I64(nexus_wait(b, &result), ION_OK);
    CHECK_EQ_I64(result, 1234);
    CHECK_EQ_I64(k.ecalls, 1);
}

static void test_full_ring(void)
{
    /* 70 packets without waiting: the 65th finds the ring full, and the
     * membrane ecalls to let the kernel drain it. */
    boot(MODEL_PACKETS, MODEL_QUEUE, 1);
    uint64_t seq[70];
    for (int i = 0; i < 70; i++)
        seq[i] = nexus_submit(CMD_NOP, 0);
    CHECK_EQ_I64(k.ecalls, 1);
    int bad = 0;
    for (int i = 0; i < 70; i++)
        bad |= nexus_wait(seq[i], NULL) != ION_OK;
    CHECK(!bad);
    CHECK_EQ_I64(k.ecalls, 2);
    CHECK_EQ_I64(k.overflows, 0);
}

static void test_malformed_and_lost(void)
{
    boot(MODEL_PACKETS, MODEL_QUEUE, 1);
    /* A packet stamped and then spoiled uses up its number... */
    CmdPacket p = { .kind = CMD_NOP };
    uint64_t seq = nexus_stamp(&p);
    p._pad = 7;
    nexus_push(&p);
    CHECK_EQ_I64(nexus_wait(seq, NULL), ION_EPAD);
    p = (CmdPacket){ .kind = CMD_NOP };
    seq = nexus_stamp(&p);
    p.arg = 1;
    nexus_push(&p);
    CHECK_EQ_I64(nexus_wait(seq, NULL), ION_ETAG);
    /* ...and the next good one still verifies. */
    CHECK_EQ_I64(nexus_call(CMD_NOP, 0, NULL), ION_OK);

    /* A completion that never comes is reported once a later one does. */
    uint64_t a = nexus_submit(CMD_NOP, 0);
    k.drop_seq_armed = 1;
    k.drop_seq = a;
    nexus_submit(CMD_NOP, 0);
    CHECK_EQ_I64(nexus_wait(a, NULL), NEXUS_ELOST);
    k.drop_seq_armed = 0;
    CHECK_EQ_I64(nexus_call(CMD_NOP, 0, NULL), ION_OK);
}

static void test_write(void)
{
    boot(MODEL_PACKETS, MODEL_QUEUE, 1);
    CHECK_EQ_I64(write(1, "hello\n", 6), 6);
    CHECK_EQ_I64(k.printed_len, 6);
    CHECK(memcmp(k.printed, "hello\n", 6) == 0);
    CHECK_EQ_I64(k.ecalls, 2);                 /* ALLOC, then CON_WRITE */
    CHECK_EQ_I64(packets_in_use(), 0);

    /* 3.5 packets: the next ALLOC rides with each CON_WRITE. */
    char text[MODEL_PACKET_SIZE * 7 / 2];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)('a' + i % 26);
    boot(MODEL_PACKETS, MODEL_QUEUE, 1);
    CHECK_EQ_I64(write(2, text, sizeof text), sizeof text);
    CHECK_EQ_I64(k.printed_len, sizeof text);
    CHECK(memcmp(k.printed, text, sizeof text) == 0);
    CHECK_EQ_I64(k.ecalls, 1 + 4);
    CHECK_EQ_I64(packets_in_use(), 0);

    CHECK_EQ_I64(write(3, "x", 1), ION_EBADF);
    CHECK_EQ_I64(write(1, "x", 0), 0);
}

static void test_write_backpressure(void)
{
    char text[MODEL_PACKET_SIZE * 6 + 5];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)('A' + i % 23);

    /* The output ring holds 2 and only yield() lets the console print. */
    boot(MODEL_PACKETS, 2, 0);
    CHECK_EQ_I64(write(1, text, sizeof text), sizeof text);
    console_fiber();
    CHECK_EQ_I64(k.printed_len, sizeof text);
    CHECK(memcmp(k.printed, text, sizeof text) == 0);
    CHECK(k.yields > 0);
    CHECK_EQ_I64(packets_in_use(), 0);

    /* A pool of 2 packets, the console again only on yield(). */
    boot(2, MODEL_QUEUE, 0);
    CHECK_EQ_I64(write(1, text, sizeof text), sizeof text);
    console_fiber();
    CHECK_EQ_I64(k.printed_len, sizeof text);
    CHECK(memcmp(k.printed, text, sizeof text) == 0);
    CHECK(k.yields > 0);
    CHECK_EQ_I64(packets_in_use(), 0);

    /* A console that never catches up: write gives up after its patience
     * (5 s of the model clock), reports what went out, and leaks nothing. */
    boot(MODEL_PACKETS, 2, 0);
    k.console_stuck = 1;
    uint64_t t0 = k.clock_us;
    CHECK_EQ_I64(write(1, text, sizeof text), 2 * MODEL_PACKET_SIZE);
    CHECK(k.clock_us - t0 > 5000000 && k.clock_us - t0 < 6000000);
    console_fiber();
    CHECK_EQ_I64(k.printed_len, 2 * MODEL_PACKET_SIZE);
    CHECK_EQ_I64(packets_in_use(), 0);

    /* A refused CON_WRITE leaves the packet ours: write frees it. */
    boot(MODEL_PACKETS, MODEL_QUEUE, 1);
    k.fail_writes = 1;
    CHECK_EQ_I64(write(1, text, sizeof text), ION_EARG);
    CHECK_EQ_I64(packets_in_use(), 0);
    CHECK_EQ_I64(k.printed_len, 0);
}

static void test_read_console(void)
{
    boot(MODEL_PACKETS, MODEL_QUEUE, 1);
    char buf[8];
    k.typed = "ab";
    CHECK_EQ_I64(read_console(buf, 1), 1);
    CHECK_EQ_I64(buf[0], 'a');
    CHECK_EQ_I64(k.ecalls, 1);
    /* 'b' is on the ring already: no system call. */
    CHECK_EQ_I64(read_console(buf, sizeof buf), 1);
    CHECK_EQ_I64(buf[0], 'b');
    CHECK_EQ_I64(k.ecalls, 1);
    CHECK_EQ_I64(read_console(buf, 0), 0);
}

int main(void)
{
    test_calls();
    test_full_ring();
    test_malformed_and_lost();
    test_write();
    test_write_backpressure();
    test_read_console();
    return check_summary("membrane");
}
