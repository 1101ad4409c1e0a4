/*
 * cmdflood [N]: N (default 100,000) CMD_NOP packets, as fast as the command
 * ring takes them: submitted 64 at a time with no yield in between, so the
 * ring is always full when the kernel drains it. Every one must be answered,
 * in order, with status 0: the kernel must neither drop nor duplicate a
 * command, nor let the completion ring overflow.
 */
#include "libnexus.h"

#define BATCH 64

int main(int argc, char **argv)
{
    long total = argc > 1 ? strtol(argv[1], 0, 10) : 100000;
    long answered = 0, failed = 0;
    while (answered + failed < total) {
        uint64_t seqs[BATCH];
        int n = 0;
        for (; n < BATCH && answered + failed + n < total; n++)
            seqs[n] = nexus_submit(CMD_NOP, (uint64_t)(answered + failed + n));
        for (int i = 0; i < n; i++) {
            int64_t result;
            if (nexus_wait(seqs[i], &result) == 0)
                answered++;
            else
                failed++;
        }
    }
    printf("cmdflood: %ld commands, %ld answered, %ld failed\n", total, answered, failed);
    return failed ? 1 : 0;
}
