/*
 * The SysTable: one page at a fixed address through which user programs (and
 * GDB) find the ION rings and the packet pool. The kernel fills it once at
 * boot. The ION region (SysTable, rings, packet pool) lives in the RAM gap
 * between OpenSBI's protected 512 KiB at 0x80000000 and the kernel at
 * 0x80200000 (ION_REGION_PHYS, where the kernel sees it). User programs see
 * the same pages in their ION window at ION_USER_BASE (abi/user.h), so the
 * SysTable is at SYSTABLE_ADDR there, and the addresses it holds are those
 * of the user window.
 */
#ifndef RUMPK_ABI_SYSTABLE_H
#define RUMPK_ABI_SYSTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "abi/ion.h"
#include "abi/user.h"

#define ION_REGION_PHYS   0x80100000UL
#define ION_REGION_SIZE   0x00100000UL   /* 1 MiB, up to the kernel */
#define SYSTABLE_ADDR     ION_USER_BASE  /* as user programs see it */
#define SYSTABLE_PHYS     ION_REGION_PHYS /* as the kernel sees it */

#define SYSTABLE_MAGIC    0x5359534b504d5552ULL  /* "RUMPKSYS" little-endian */
#define SYSTABLE_VERSION  1

struct SysTable {
    uint64_t magic;             /* SYSTABLE_MAGIC */
    uint32_t version;           /* SYSTABLE_VERSION */
    uint32_t size;              /* sizeof(struct SysTable) */
    uint64_t cmd_ring;          /* struct ion_cmd_ring *: user -> kernel commands */
    uint64_t completion_ring;   /* struct ion_completion_ring *: kernel -> user answers */
    uint64_t input_ring;        /* struct ion_input_ring *: console input bytes */
    uint64_t output_ring;       /* struct ion_output_ring *: console output packets */
    uint64_t packet_pool;       /* ION_PACKET_COUNT buffers of ION_PACKET_SIZE bytes */
    uint32_t packet_size;
    uint32_t packet_count;
    uint64_t boot_time_us;      /* when the kernel filled this in */
};

_Static_assert(sizeof(struct SysTable) == 72, "SysTable size");
_Static_assert(offsetof(struct SysTable, magic) == 0, "SysTable.magic at 0");
_Static_assert(offsetof(struct SysTable, version) == 8, "SysTable.version at 8");
_Static_assert(offsetof(struct SysTable, size) == 12, "SysTable.size at 12");
_Static_assert(offsetof(struct SysTable, cmd_ring) == 16, "SysTable.cmd_ring at 16");
_Static_assert(offsetof(struct SysTable, completion_ring) == 24, "SysTable.completion_ring at 24");
_Static_assert(offsetof(struct SysTable, input_ring) == 32, "SysTable.input_ring at 32");
_Static_assert(offsetof(struct SysTable, output_ring) == 40, "SysTable.output_ring at 40");
_Static_assert(offsetof(struct SysTable, packet_pool) == 48, "SysTable.packet_pool at 48");
_Static_assert(offsetof(struct SysTable, packet_size) == 56, "SysTable.packet_size at 56");
_Static_assert(offsetof(struct SysTable, packet_count) == 60, "SysTable.packet_count at 60");
_Static_assert(offsetof(struct SysTable, boot_time_us) == 64, "SysTable.boot_time_us at 64");

#endif
