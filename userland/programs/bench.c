/*
 * bench [SAMPLES]: what system calls cost a user program, in guest
 * instructions counted with rdinstret (the kernel lets U-mode read it). Exact
 * under `-icount shift=0,sleep=off` (make bench); anywhere else the counter
 * is a host timestamp and the figures are only rough.
 *
 * Each figure is the median over SAMPLES samples (default 31, after 3 warm-up
 * ones) of a batch of calls, minus the same loop run empty, per call; printed
 * as `[bench] NAME per-op=N min=N max=N samples=N batch=N` like the kernel's.
 *
 *   syscall-nop        one CMD_NOP per ecall: the whole round trip (stamp the
 *                      packet, ecall, the kernel checks and runs it, completion)
 *   syscall-nop-batch  32 CMD_NOPs per ecall: the cost per command
 *   console-write-64   write(1, 64 bytes): packet alloc, copy, CMD_CON_WRITE
 *                      (the console fiber prints it afterwards, outside the count)
 *   yield              CMD_SYS_YIELD when no other fiber is ready
 */
#include "libnexus.h"
#include "lib/sort.h"

#define MAX_SAMPLES 63
#define WARMUP 3

static inline uint64_t instret(void)
{
    uint64_t v;
    __asm__ volatile("rdinstret %0" : "=r"(v));
    return v;
}

typedef void (*op_fn)(int k);

static void op_empty(int k)
{
    for (int i = 0; i < k; i++)
        __asm__ volatile("" ::: "memory");
}

static void op_nop(int k)
{
    for (int i = 0; i < k; i++)
        nexus_call(CMD_NOP, 0, NULL);
}

static void op_nop_batch(int k)
{
    for (int b = 0; b < k; b += 32) {
        uint64_t seq[32];
        for (int i = 0; i < 32; i++)
            seq[i] = nexus_submit(CMD_NOP, 0);
        for (int i = 0; i < 32; i++)
            nexus_wait(seq[i], NULL);
    }
}

static const char line64[65] =
    "bench: 64 bytes to the console through CMD_CON_WRITE ..........\n";

static void op_write(int k)
{
    for (int i = 0; i < k; i++)
        write(1, line64, 64);
}

static void op_yield(int k)
{
    for (int i = 0; i < k; i++)
        yield();
}

/* settle: run between samples, outside the count (lets the console drain). */
static void measure(const char *name, op_fn op, int batch, int samples, int settle)
{
    uint64_t v[MAX_SAMPLES];
    for (int i = 0; i < WARMUP + samples; i++) {
        uint64_t t0 = instret();
        op(batch);
        uint64_t t1 = instret();
        op_empty(batch);
        uint64_t t2 = instret();
        uint64_t op_cost = t1 - t0, empty = t2 - t1;
        if (i >= WARMUP)
            v[i - WARMUP] = (op_cost > empty ? op_cost - empty : 0) / (uint64_t)batch;
        if (settle)
            yield();
    }
    sort_u64(v, samples);
    printf("[bench] %s per-op=%lu min=%lu max=%lu samples=%d batch=%d\n", name,
           (unsigned long)v[samples / 2], (unsigned long)v[0], (unsigned long)v[samples - 1],
           samples, batch);
}

int main(int argc, char **argv)
{
    int samples = argc > 1 ? atoi(argv[1]) : 31;
    if (samples <= 0 || samples > MAX_SAMPLES)
        samples = 31;
    printf("[bench] user benchmarks: instructions per operation (rdinstret)\n");
    measure("syscall-nop", op_nop, 16, samples, 0);
    measure("syscall-nop-batch", op_nop_batch, 32, samples, 0);
    measure("console-write-64", op_write, 1, samples, 1);
    measure("yield", op_yield, 16, samples, 0);
    printf("[bench] user benchmarks done\n");
    return 0;
}
