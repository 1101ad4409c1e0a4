/*
 * The embedded initrd: where it is, and whether it is what the build packed.
 * At boot the kernel compares the archive it can see (between initrd_start
 * and initrd_end) with the size and CRC-32 scripts/mkinitrd.py recorded, and
 * checks the archive's end-of-archive blocks. Any mismatch is a loud error
 * naming both sizes; the file system is then not mounted rather than mounted
 * with files silently missing.
 */
#ifndef RUMPK_FS_INITRD_H
#define RUMPK_FS_INITRD_H

#include <stdint.h>

extern const uint8_t initrd_start[], initrd_end[];
extern const uint64_t initrd_packed_size;
extern const uint32_t initrd_packed_crc32;

struct initrd_status {
    uint64_t seen_size;     /* initrd_end - initrd_start */
    uint64_t packed_size;
    uint32_t seen_crc32;
    uint32_t packed_crc32;
    int ok;                 /* 1 when size, checksum and end blocks all check out */
};

extern struct initrd_status initrd_status;

/* Checks the embedded archive; prints one line, or the error lines. */
int initrd_verify(void);

#endif
