/* CRC-32 against known values (zlib.crc32 computes the same). */
#include <string.h>

#include "check.h"
#include "lib/crc32.h"

int main(void)
{
    CHECK_EQ_U64(crc32_update(0, "", 0), 0);
    CHECK_EQ_U64(crc32_update(0, "123456789", 9), 0xcbf43926u);
    CHECK_EQ_U64(crc32_update(0, "The quick brown fox jumps over the lazy dog", 43), 0x414fa339u);
    /* Fed in pieces, the same as at once. */
    const char *text = "The quick brown fox jumps over the lazy dog";
    for (size_t cut = 0; cut <= 43; cut++)
        CHECK_EQ_U64(crc32_update(crc32_update(0, text, cut), text + cut, 43 - cut), 0x414fa339u);
    /* 1 MiB of zeros: zlib.crc32(bytes(1 << 20)) */
    static unsigned char zeros[1 << 20];
    CHECK_EQ_U64(crc32_update(0, zeros, sizeof zeros), 0xa738ea1cu);
    return check_summary("test_crc32");
}
