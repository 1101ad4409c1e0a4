/*
 * bench [N]: what a system call costs, measured with CMD_SYS_UPTIME (1 us
 * resolution, so each figure is an average over N rounds, default 2000).
 *
 *   bench: nop               2000 calls      14250 ns/call
 *   ...
 *
 *   nop          one CMD_NOP per ecall: the round trip
 *   nop-batch32  32 CMD_NOPs per ecall: the cost per command
 *   alloc-free   CMD_ION_ALLOC then CMD_ION_FREE (two ecalls)
 *   write-0      CMD_ION_ALLOC + an empty CMD_CON_WRITE (the output path, no bytes)
 *   yield        CMD_SYS_YIELD
 */
#include "libnexus.h"

static void result(const char *name, int rounds, uint64_t us)
{
    unsigned long ns = rounds ? (unsigned long)(us * 1000 / (uint64_t)rounds) : 0;
    printf("bench: %-12s %8d calls %10lu ns/call\n", name, rounds, ns);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 2000;
    if (rounds <= 0)
        rounds = 2000;
    uint64_t t0, t1;

    t0 = uptime_us();
    for (int i = 0; i < rounds; i++)
        nexus_call(CMD_NOP, 0, NULL);
    t1 = uptime_us();
    result("nop", rounds, t1 - t0);

    t0 = uptime_us();
    int batches = (rounds + 31) / 32;
    for (int b = 0; b < batches; b++) {
        uint64_t seq[32];
        for (int i = 0; i < 32; i++)
            seq[i] = nexus_submit(CMD_NOP, 0);
        for (int i = 0; i < 32; i++)
            nexus_wait(seq[i], NULL);
    }
    t1 = uptime_us();
    result("nop-batch32", batches * 32, t1 - t0);

    t0 = uptime_us();
    for (int i = 0; i < rounds; i++) {
        int64_t index;
        if (nexus_call(CMD_ION_ALLOC, 0, &index) == ION_OK)
            nexus_call(CMD_ION_FREE, (uint64_t)index, NULL);
    }
    t1 = uptime_us();
    result("alloc-free", rounds, t1 - t0);

    t0 = uptime_us();
    for (int i = 0; i < rounds; i++) {
        int64_t index;
        if (nexus_call(CMD_ION_ALLOC, 0, &index) != ION_OK) {
            yield();
            continue;
        }
        if (nexus_call(CMD_CON_WRITE, (uint64_t)(uint32_t)index, NULL) != ION_OK)
            nexus_call(CMD_ION_FREE, (uint64_t)index, NULL);
    }
    t1 = uptime_us();
    result("write-0", rounds, t1 - t0);

    t0 = uptime_us();
    for (int i = 0; i < rounds; i++)
        yield();
    t1 = uptime_us();
    result("yield", rounds, t1 - t0);
    return 0;
}
