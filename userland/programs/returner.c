/* Returns 7 from main: crt0 must hand main's value to exit(). */
#include "libnexus.h"

int main(void)
{
    printf("returner: returning 7 from main\n");
    return 7;
}
