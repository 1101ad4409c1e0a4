/*
 * Kernel benchmarks in guest instructions. Each figure is the median over
 * SAMPLES samples (after WARMUP discarded ones) of one batch of `batch`
 * operations, minus the same loop run empty, divided by the operations in
 * the batch. Interrupts are off while a sample runs, so a timer tick cannot
 * land in it; under `-icount shift=0,sleep=off` every sample of a
 * deterministic operation then gives the same count.
 */
#include "core/bench.h"

#include "abi/ion.h"
#include "arch/riscv64/csr.h"
#include "core/boot.h"
#include "core/console.h"
#include "core/fiber.h"
#include "fs/tarfs.h"
#include "fs/vfs.h"
#include "ion/provenance.h"
#include "ion/ring.h"
#include "lib/bootargs.h"
#include "lib/sort.h"
#include "lib/string.h"
#include "mm/mm.h"
#include "user/process.h"

#define SAMPLES 31
#define WARMUP 3

int bench_mode;

/* An operation under test: runs it `k` times. */
typedef void (*bench_op)(uint32_t k);

static void op_empty(uint32_t k)
{
    for (uint32_t i = 0; i < k; i++)
        __asm__ volatile("" ::: "memory");
}

/* Instructions `op(k)` takes, interrupts off. */
static uint64_t run_once(bench_op op, uint32_t k)
{
    uint64_t irq = interrupts_save();
    uint64_t t0 = read_instret();
    op(k);
    uint64_t t1 = read_instret();
    interrupts_restore(irq);
    return t1 - t0;
}

/* Measures `op` and prints its line; ops_per_call: operations one call of
 * the loop body performs (2 for a yield round trip: two switches). */
static void measure(const char *name, bench_op op, uint32_t batch, int samples,
                    uint32_t ops_per_call)
{
    uint64_t v[SAMPLES];
    if (samples > SAMPLES)
        samples = SAMPLES;
    for (int i = 0; i < WARMUP; i++)
        run_once(op, batch);
    for (int i = 0; i < samples; i++) {
        uint64_t total = run_once(op, batch);
        uint64_t empty = run_once(op_empty, batch);
        total = total > empty ? total - empty : 0;
        v[i] = total / ((uint64_t)batch * ops_per_call);
    }
    sort_u64(v, samples);
    kprintf("[bench] %s per-op=%lu min=%lu max=%lu samples=%d batch=%u\n", name,
            (unsigned long)v[samples / 2], (unsigned long)v[0], (unsigned long)v[samples - 1],
            samples, (unsigned)(batch * ops_per_call));
}

/* --- fiber switch: yield to a partner fiber and back ----------------------- */

static volatile int partner_stop;

static void partner(void *arg)
{
    (void)arg;
    uint64_t irq = interrupts_save();   /* as the measuring side: no tick mid-sample */
    while (!partner_stop)
        fiber_yield();
    interrupts_restore(irq);
}

static void op_yield(uint32_t k)
{
    for (uint32_t i = 0; i < k; i++)
        fiber_yield();
}

static void bench_switch(void)
{
    partner_stop = 0;
    struct fiber *p = fiber_create("bench-partner", partner, 0);
    if (!p) {
        kprintf("[bench] fiber-switch skipped: no fiber for the partner\n");
        return;
    }
    /* Let every other fiber run until it blocks (the console fiber waits for
     * output): then the run queue holds only the partner. */
    for (int i = 0; i < 8; i++)
        fiber_yield();
    uint64_t before = p->switches;
    measure("fiber-switch", op_yield, 256, SAMPLES, 2);
    uint64_t expected = (uint64_t)(WARMUP + SAMPLES) * 256;
    if (p->switches - before != expected)
        kprintf("[bench] fiber-switch warning: the partner ran %lu times, not %lu: other "
                "fibers took part\n", (unsigned long)(p->switches - before),
                (unsigned long)expected);
    partner_stop = 1;
    fiber_yield();  /* the partner sees the flag and exits */
}

/* --- ring push + pop --------------------------------------------------------- */

static struct {
    struct ion_ring ring;
    CmdPacket slots[64];
} small_ring;

static void op_ring(uint32_t k)
{
    CmdPacket in = { .kind = CMD_NOP, .arg = 42 }, out;
    for (uint32_t i = 0; i < k; i++) {
        ion_ring_push(&small_ring.ring, &in);
        ion_ring_pop(&small_ring.ring, &out);
        __asm__ volatile("" ::"r"(&out) : "memory");
    }
}

/* --- SipHash-2-4-128 of one CmdPacket ---------------------------------------- */

static void op_siphash(uint32_t k)
{
    static const uint8_t key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    CmdPacket p = { .kind = CMD_CON_WRITE, .arg = 0x1234 };
    for (uint32_t i = 0; i < k; i++) {
        provenance_stamp(&p, key, 7, i);
        __asm__ volatile("" ::"r"(&p) : "memory");
    }
}

/* --- page allocation + free --------------------------------------------------- */

static void op_page(uint32_t k)
{
    for (uint32_t i = 0; i < k; i++)
        page_free(page_alloc());
}

/* --- TarFS: lookups in the bench archive, reading a 1 MiB file ---------------- */

#define LOOKUP_NAMES 16
static char lookup_names[LOOKUP_NAMES][40];

static void op_lookup(uint32_t k)
{
    for (uint32_t i = 0; i < k; i++) {
        const struct tar_entry *e = tar_lookup(&rootfs, lookup_names[i % LOOKUP_NAMES], NULL);
        __asm__ volatile("" ::"r"(e) : "memory");
    }
}

#define BIG_FILE "/bench/one-mib.bin"
static struct vfs_table read_table;
static uint8_t read_buffer[4096];
static uint64_t read_bytes;

static void op_read_file(uint32_t k)
{
    for (uint32_t i = 0; i < k; i++) {
        int32_t h = vfs_open(&read_table, &rootfs, BIG_FILE);
        int64_t n;
        read_bytes = 0;
        while ((n = vfs_read(&read_table, h, read_buffer, sizeof read_buffer)) > 0)
            read_bytes += (uint64_t)n;
        vfs_close(&read_table, h);
    }
}

static void bench_tarfs(void)
{
    /* 16 names spread over the 10,000 files, first and last included. */
    for (int i = 0; i < LOOKUP_NAMES; i++) {
        unsigned n = (unsigned)(i * 9999 / (LOOKUP_NAMES - 1));
        char *s = lookup_names[i];
        memcpy(s, "/bench/files/f", 14);
        for (int d = 4; d >= 0; d--, n /= 10)
            s[14 + d] = (char)('0' + n % 10);
        s[19] = 0;
    }
    if (!tar_lookup(&rootfs, lookup_names[LOOKUP_NAMES - 1], NULL)) {
        kprintf("[bench] tarfs-lookup skipped: %s is not in the initrd (make bench builds "
                "an archive with 10,000 files)\n", lookup_names[LOOKUP_NAMES - 1]);
    } else {
        kprintf("[bench] tarfs-entries %u\n", rootfs.count);
        measure("tarfs-lookup", op_lookup, LOOKUP_NAMES * 4, SAMPLES, 1);
    }
    vfs_table_init(&read_table);
    struct vfs_stat st;
    if (vfs_stat(&rootfs, BIG_FILE, &st) != 0 || st.size != (1u << 20)) {
        kprintf("[bench] tarfs-read-1mib skipped: no 1 MiB %s in the initrd\n", BIG_FILE);
        return;
    }
    measure("tarfs-read-1mib", op_read_file, 1, 7, 1);
    if (read_bytes != (1u << 20))
        kprintf("[bench] tarfs-read-1mib warning: read %lu bytes\n", (unsigned long)read_bytes);
}

/* --- bench=gdb: what the GDB latency figures inspect --------------------------- */

#define GDB_PARKED 64
struct bench_big_ring {
    struct ion_ring ring;
    CmdPacket slots[1024];
};
struct bench_big_ring bench_ring;   /* `ring bench_ring` */
CmdPacket bench_packets[16];        /* `pkt bench_packets 16` */

static void parked(void *arg)
{
    (void)arg;
    for (;;)
        fiber_block();
}

static void gdb_scene(void)
{
    int made = 0;
    for (int i = 0; i < GDB_PARKED; i++) {
        static const char digits[] = "0123456789";
        char name[16] = "parked-";
        name[7] = digits[i / 10];
        name[8] = digits[i % 10];
        name[9] = 0;
        made += fiber_create(name, parked, 0) != 0;
    }
    static const uint8_t key[16] = { 0 };
    ion_ring_init(&bench_ring.ring, 1024, sizeof(CmdPacket));
    for (uint32_t i = 0; i < 1024 + 512; i++) {   /* wrapped, 1,000 entries in use */
        CmdPacket p = { .kind = CMD_NOP, .arg = i };
        provenance_stamp(&p, key, 1, i);
        if (ion_ring_push(&bench_ring.ring, &p) != 0) {
            CmdPacket out;
            ion_ring_pop(&bench_ring.ring, &out);
            ion_ring_push(&bench_ring.ring, &p);
        }
    }
    for (uint32_t i = 0; i < 24; i++) {
        CmdPacket out;
        ion_ring_pop(&bench_ring.ring, &out);
    }
    for (uint32_t i = 0; i < 16; i++) {
        bench_packets[i] = (CmdPacket){ .kind = CMD_CON_WRITE, .arg = i };
        provenance_stamp(&bench_packets[i], key, 1, i);
    }
    kprintf("[bench] gdb scene: %d parked fibers, bench_ring %u/%u used, bench_packets 16\n",
            made, ion_ring_used(&bench_ring.ring), ion_ring_capacity(&bench_ring.ring));
}

/* --- the exec of a program through its exit ------------------------------------ */

static uint64_t exec_started;

void bench_exec_begin(void)
{
    if (bench_mode)
        exec_started = read_instret();
}

void bench_exec_end(const char *path)
{
    if (!bench_mode || !exec_started)
        return;
    uint64_t n = read_instret() - exec_started;
    exec_started = 0;
    kprintf("[bench] exec %s instructions=%lu\n", path, (unsigned long)n);
}

void bench_fiber(void *arg)
{
    (void)arg;
    char what[8] = "";
    bootarg_get(boot_info.bootargs, "bench", what, sizeof what);
    bench_mode = 1;
    if (strcmp(what, "gdb") == 0) {
        gdb_scene();
    } else {
        kprintf("[bench] kernel benchmarks: instructions per operation (rdinstret)\n");
        bench_switch();
        ion_ring_init(&small_ring.ring, 64, sizeof(CmdPacket));
        measure("ring-push-pop", op_ring, 256, SAMPLES, 1);
        measure("siphash-cmdpacket", op_siphash, 64, SAMPLES, 1);
        measure("page-alloc-free", op_page, 64, SAMPLES, 1);
        bench_tarfs();
        kprintf("[bench] kernel benchmarks done\n");
    }
    struct fiber *s = fiber_create("subject", subject_main, 0);
    if (s)
        s->budget_ticks = 0;
}
