/* Recurses with 1 KiB frames until the 64 KiB user stack runs out: the next
 * store lands below it, on an unmapped page (a store page fault). */
#include "libnexus.h"

/* Never reached (depth only grows); volatile so the compiler cannot know
 * that and call the recursion infinite. */
static volatile int stop_at = -1;

static int dive(int depth)
{
    volatile char frame[1024];
    frame[0] = (char)depth;
    frame[sizeof frame - 1] = (char)depth;
    if (depth == stop_at)
        return 0;
    /* Not a tail call: the frame stays live across the recursion. */
    return dive(depth + 1) + frame[0] + frame[sizeof frame - 1];
}

int main(void)
{
    printf("crash-stack: recursing with 1 KiB frames until the stack overflows\n");
    int r = dive(0);
    printf("crash-stack: still alive (%d)\n", r);
    return 1;
}
