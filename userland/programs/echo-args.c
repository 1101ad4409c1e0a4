/*
 * Shows what the kernel handed over: argc, then each argv[i] on its own
 * line (everything after the '=' up to the end of the line, so an argument
 * with spaces or an empty one reads plainly), and whether argv ends with
 * NULL.
 *
 *   argc=3
 *   argv[0]=echo-args
 *   argv[1]=a b
 *   argv[2]=
 */
#include "libnexus.h"

int main(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    if (argv[argc] != NULL) {
        printf("argv[%d] is not NULL\n", argc);
        return 1;
    }
    return 0;
}
