/* CRC-32 (IEEE 802.3, the one zlib.crc32 computes): the
 * build records it for the initrd, the kernel checks it at boot. Pure. */
#ifndef RUMPK_LIB_CRC32_H
#define RUMPK_LIB_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Continues a CRC: start with crc = 0. crc32("123456789") == 0xcbf43926. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);

#endif
