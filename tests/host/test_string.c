/*
 * The kernel's memcpy and memset (kernel/lib/string.c), renamed k_* for the
 * host build so they do not replace libc's: every length 0..80 at every
 * source and destination alignment 0..7, against a byte-by-byte reference,
 * with guard bytes around the destination that must stay untouched.
 */
/* The build renames the kernel's functions with -D for string.c; this file
 * uses libc's under their own names. */
#undef memcpy
#undef memset
#undef memmove
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#include "check.h"

void *k_memcpy(void *dst, const void *src, size_t n);
void *k_memset(void *dst, int c, size_t n);

#define GUARD 0xa5

static void test_memcpy(void)
{
    _Alignas(8) unsigned char src[128], dst[128];
    for (unsigned i = 0; i < sizeof src; i++)
        src[i] = (unsigned char)(i * 7 + 1);
    for (unsigned sa = 0; sa < 8; sa++)
        for (unsigned da = 0; da < 8; da++)
            for (unsigned n = 0; n <= 80; n++) {
                memset(dst, GUARD, sizeof dst);
                CHECK(k_memcpy(dst + 8 + da, src + sa, n) == dst + 8 + da);
                int ok = 1;
                for (unsigned i = 0; i < sizeof dst; i++) {
                    int inside = i >= 8 + da && i < 8 + da + n;
                    unsigned char want = inside ? src[sa + (i - 8 - da)] : GUARD;
                    ok &= dst[i] == want;
                }
                CHECK(ok);
            }
}

static void test_memset(void)
{
    _Alignas(8) unsigned char dst[128];
    for (unsigned da = 0; da < 8; da++)
        for (unsigned n = 0; n <= 80; n++)
            for (int c = 0; c < 256; c += 0x5b) {
                memset(dst, GUARD, sizeof dst);
                CHECK(k_memset(dst + 8 + da, c, n) == dst + 8 + da);
                int ok = 1;
                for (unsigned i = 0; i < sizeof dst; i++) {
                    int inside = i >= 8 + da && i < 8 + da + n;
                    ok &= dst[i] == (inside ? (unsigned char)c : GUARD);
                }
                CHECK(ok);
            }
}

int main(void)
{
    test_memcpy();
    test_memset();
    return check_summary("string");
}
