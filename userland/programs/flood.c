/*
 * flood [N]: N lines (default 200) through printf, then one write() of many
 * packets' worth: more output than the packet pool (128) and the output ring
 * (64) hold at once, so libnexus must wait for the console fiber to give
 * packets back. Every line is numbered: a lost or repeated packet shows.
 */
#include "libnexus.h"

int main(int argc, char **argv)
{
    int lines = argc > 1 ? atoi(argv[1]) : 200;
    for (int i = 1; i <= lines; i++)
        printf("flood: line %4d of %d ..........................................\n", i, lines);

    /* 40 lines of 64 bytes in one write: five packets. */
    static char block[40 * 64];
    for (int i = 0; i < 40; i++) {
        char *line = block + i * 64;
        snprintf(line, 64, "flood: block line %2d ", i + 1);
        size_t len = strlen(line);
        memset(line + len, '=', 63 - len);
        line[63] = '\n';
    }
    int64_t n = write(STDOUT_FILENO, block, sizeof block);
    if (n != (int64_t)sizeof block) {
        printf("flood: write returned %ld, want %lu\n", (long)n, (unsigned long)sizeof block);
        return 1;
    }
    printf("flood: done, %d lines and a %lu-byte block\n", lines, (unsigned long)sizeof block);
    return 0;
}
