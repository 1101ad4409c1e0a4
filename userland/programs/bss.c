/*
 * Checks what the kernel's loader must get right about the data segment:
 *   - all of .sbss and .bss (from __bss_start to __bss_end, user.ld) is zero,
 *     including its first bytes, which share a page with the end of .data:
 *     a loader that copies whole pages of the file instead of p_filesz bytes
 *     leaves file bytes there;
 *   - initialised .data and .sdata (a multi-page array, a pattern, a string,
 *     scalars) arrived intact.
 * Prints `bss: ok` and exits 0, or one `bss: FAIL ...` line per problem and
 * exits 1.
 *
 * The scan of .bss runs first thing in main, before any system call: nothing
 * has written to .bss yet (crt0 does not touch it, on purpose), so every
 * byte of it must still be zero, libnexus's own variables included.
 */
#include "libnexus.h"

extern char __bss_start[], __bss_end[];

/* .bss and .sbss (small objects go to .sbss, reached through gp). */
unsigned char big_zero[64 * 1024];
unsigned long zero_scalar;
int zero_int;
char *zero_pointer;

/* .data: a 8 KiB array over three pages, in four runs. */
unsigned int data_big[2048] = {
    [0 ... 511] = 0x11111111u,
    [512 ... 1023] = 0x22222222u,
    [1024 ... 1535] = 0x33333333u,
    [1536 ... 2047] = 0x44444444u,
};
unsigned long long data_pattern[4] = {
    0x0123456789abcdefull, 0xfedcba9876543210ull, 0xdeadbeefcafef00dull, 0x5555aaaa5555aaaaull,
};
char data_string[] = "the quick brown fox jumps over the lazy dog";
/* .sdata */
long data_scalar = 0x1122334455667788l;
int data_int = -42;

static int failures;

static void fail_line(const char *what, unsigned long where, unsigned long got, unsigned long want)
{
    printf("bss: FAIL %s at %lu: 0x%lx, want 0x%lx\n", what, where, got, want);
    failures++;
}

int main(void)
{
    /* First: nothing may run before this scan. */
    const volatile unsigned char *bss = (const volatile unsigned char *)__bss_start;
    unsigned long bss_len = (unsigned long)(__bss_end - __bss_start);
    unsigned long first_dirty = bss_len, dirty = 0;
    for (unsigned long i = 0; i < bss_len; i++) {
        if (bss[i] != 0) {
            if (first_dirty == bss_len)
                first_dirty = i;
            dirty++;
        }
    }

    if (dirty)
        printf("bss: FAIL %lu of %lu .bss bytes are not zero, the first at %p (offset %lu): 0x%02x\n",
               dirty, bss_len, (void *)(__bss_start + first_dirty), first_dirty,
               (unsigned)bss[first_dirty]);
    failures += dirty != 0;

    /* The named objects too, in case the linker put them elsewhere. */
    const volatile unsigned char *big = big_zero;
    for (unsigned long i = 0; i < sizeof big_zero; i++)
        if (big[i] != 0) {
            fail_line("big_zero", i, big[i], 0);
            break;
        }
    if (*(volatile unsigned long *)&zero_scalar != 0)
        fail_line("zero_scalar", 0, zero_scalar, 0);
    if (*(volatile int *)&zero_int != 0)
        fail_line("zero_int", 0, (unsigned long)zero_int, 0);
    if (*(char *volatile *)&zero_pointer != NULL)
        fail_line("zero_pointer", 0, (unsigned long)zero_pointer, 0);

    const volatile unsigned int *words = data_big;
    for (unsigned long i = 0; i < 2048; i++) {
        unsigned int want = 0x11111111u * (unsigned)(i / 512 + 1);
        if (words[i] != want) {
            fail_line("data_big", i, words[i], want);
            break;
        }
    }
    static const unsigned long long want_pattern[4] = {
        0x0123456789abcdefull, 0xfedcba9876543210ull, 0xdeadbeefcafef00dull, 0x5555aaaa5555aaaaull,
    };
    for (unsigned long i = 0; i < 4; i++)
        if (((volatile unsigned long long *)data_pattern)[i] != want_pattern[i])
            fail_line("data_pattern", i, data_pattern[i], want_pattern[i]);
    if (strcmp(data_string, "the quick brown fox jumps over the lazy dog") != 0) {
        printf("bss: FAIL data_string is \"%.60s\"\n", data_string);
        failures++;
    }
    if (*(volatile long *)&data_scalar != 0x1122334455667788l)
        fail_line("data_scalar", 0, (unsigned long)data_scalar, 0x1122334455667788ul);
    if (*(volatile int *)&data_int != -42)
        fail_line("data_int", 0, (unsigned long)data_int, (unsigned long)-42);

    if (failures)
        return 1;
    printf("bss: ok (%lu bytes of .bss zero, .data intact)\n", bss_len);
    return 0;
}
