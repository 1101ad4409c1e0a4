/*
 * soak-out N: N console packets of exactly 64 bytes each, one write() per
 * packet, every line numbered and carrying a running checksum, then a summary
 * line with the totals. A test counts what arrived and recomputes the
 * checksum: a lost, repeated or torn packet shows.
 */
#include "libnexus.h"

int main(int argc, char **argv)
{
    long packets = argc > 1 ? strtol(argv[1], 0, 10) : 1000;
    uint32_t sum = 0;
    char line[64];
    for (long i = 0; i < packets; i++) {
        sum = sum * 31 + (uint32_t)i;
        int n = snprintf(line, sizeof line, "soak %09ld %08x ", i, sum);
        memset(line + n, '.', sizeof line - 1 - n);
        line[63] = '\n';
        if (write(STDOUT_FILENO, line, sizeof line) != (int64_t)sizeof line) {
            printf("soak-out: write %ld failed\n", i);
            return 1;
        }
    }
    printf("soak-out: %ld packets, %ld bytes, checksum %08x\n", packets, packets * 64,
           (unsigned)sum);
    return 0;
}
