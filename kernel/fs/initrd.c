#include "fs/initrd.h"

#include "core/console.h"
#include "fs/tar.h"
#include "lib/crc32.h"

struct initrd_status initrd_status;

int initrd_verify(void)
{
    struct initrd_status *s = &initrd_status;
    s->seen_size = (uint64_t)(initrd_end - initrd_start);
    s->packed_size = initrd_packed_size;
    s->packed_crc32 = initrd_packed_crc32;
    s->ok = 0;
    if (s->seen_size != s->packed_size) {
        kprintf("[initrd] ERROR: the kernel sees %lu bytes of initrd at 0x%lx, but %lu were "
                "packed (%s by %ld bytes): not mounting it\n",
                (unsigned long)s->seen_size, (unsigned long)initrd_start,
                (unsigned long)s->packed_size,
                s->seen_size < s->packed_size ? "truncated" : "too long",
                (long)(s->seen_size < s->packed_size ? s->packed_size - s->seen_size
                                                      : s->seen_size - s->packed_size));
        return -1;
    }
    s->seen_crc32 = crc32_update(0, initrd_start, s->seen_size);
    if (s->seen_crc32 != s->packed_crc32) {
        kprintf("[initrd] ERROR: %lu bytes as packed, but CRC-32 0x%08x instead of 0x%08x: "
                "the archive changed after packing; not mounting it\n",
                (unsigned long)s->seen_size, s->seen_crc32, s->packed_crc32);
        return -1;
    }
    /* A complete archive ends with two zero blocks. */
    int zero_tail = s->seen_size >= 2 * TAR_BLOCK;
    for (uint64_t i = s->seen_size - 2 * TAR_BLOCK; zero_tail && i < s->seen_size; i++)
        zero_tail = initrd_start[i] == 0;
    if (!zero_tail) {
        kprintf("[initrd] ERROR: %lu bytes with the right checksum, but no end-of-archive "
                "blocks: the packer wrote an incomplete archive; not mounting it\n",
                (unsigned long)s->seen_size);
        return -1;
    }
    s->ok = 1;
    kprintf("[initrd] %lu bytes at 0x%lx, CRC-32 0x%08x: as packed\n",
            (unsigned long)s->seen_size, (unsigned long)initrd_start, s->seen_crc32);
    return 0;
}
