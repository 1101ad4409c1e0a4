/*
 * exit N: ends with status N (through exit(), not by returning), so the
 * kernel's `[subject] /bin/exit exited with status N` can be checked.
 * From NipBox run it as /bin/exit: a bare `exit` is the shell's builtin.
 */
#include "libnexus.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        printf("usage: exit N\n");
        exit(2);
    }
    exit(atoi(argv[1]));
}
