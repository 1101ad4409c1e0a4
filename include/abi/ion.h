/*
 * ION: the ABI between the kernel and user programs. The one and only place
 * that declares the CmdPacket, the command numbers, the ring layout and the
 * packet pool geometry; kernel, userland and (through DWARF) GDB all read
 * these definitions. Every size and offset is asserted at compile time, so a
 * layer that drifts does not build.
 *
 * History: three layers once had three CmdPacket definitions (24, 28 and 32
 * bytes); userland pushed CMD_SYS_EXEC and the kernel read 0x400 at offset 12.
 * Explicit padding and the assertions below are the fix.
 */
#ifndef RUMPK_ABI_ION_H
#define RUMPK_ABI_ION_H

#include <stddef.h>
#include <stdint.h>

/* ---- command numbers (CmdPacket.kind) ---------------------------------- */
#define CMD_NOP         0x000u  /* does nothing; completes with 0 (benchmarks) */
#define CMD_ION_FREE    0x100u  /* arg: packet index to give back to the pool */
#define CMD_ION_ALLOC   0x101u  /* result: a packet index, or an error */
#define CMD_CON_WRITE   0x200u  /* arg: packet index whose bytes go to the console */
#define CMD_CON_READ    0x201u  /* arg 0; blocks until the input ring has bytes; result: how many
                                   (the program pops them from the ring itself) */
#define CMD_CON_POLL    0x202u  /* arg 0; never blocks; result: input bytes waiting (0 or more) */
/* The CMD_FS_* and CMD_SYS_EXEC argument blocks are in abi/user.h. */
#define CMD_FS_OPEN     0x300u
#define CMD_FS_READ     0x301u
#define CMD_FS_CLOSE    0x302u
#define CMD_FS_STAT     0x303u
#define CMD_FS_READDIR  0x304u
#define CMD_FS_SEEK     0x305u
#define CMD_SYS_EXEC    0x400u  /* arg: address of a struct exec_request */
#define CMD_SYS_EXIT    0x401u  /* arg: exit status */
#define CMD_SYS_YIELD   0x402u
#define CMD_SYS_UPTIME  0x403u  /* result: microseconds since boot */
#define CMD_SYS_HALT    0x404u
#define CMD_SYS_STATS   0x405u  /* arg: SYS_STATS_* (abi/user.h); the kernel prints that table */
/* The framebuffer (docs/retina.md): ION_ENOENT without a display. The first
 * CMD_FB_GLYPH takes the screen from the console; CMD_FB_RELEASE gives it back. */
#define CMD_FB_INFO     0x500u  /* arg 0; result: width << 16 | height in pixels */
#define CMD_FB_GLYPH    0x501u  /* arg: FB_GLYPH_ARG(col, row, ch, rgb): one 8x16 cell, ch in
                                   colour rgb on black; out of range: ION_EARG */
#define CMD_FB_FLUSH    0x502u  /* arg 0; shows the cells drawn since the last flush */
#define CMD_FB_RELEASE  0x503u  /* arg 0; the console's text again (cleared, redrawn) */

/* CMD_FB_GLYPH's arg: column bits 0-7, row 8-15, character (ASCII 32..126)
 * 16-23, colour 0xRRGGBB 32-55; bits 24-31 and 56-63 must be zero. The grid
 * is width / 8 columns by height / 16 rows. */
#define FB_GLYPH_ARG(col, row, ch, rgb)                                             \
    ((uint64_t)(uint8_t)(col) | (uint64_t)(uint8_t)(row) << 8 |                     \
     (uint64_t)(uint8_t)(ch) << 16 | (uint64_t)((rgb) & 0xffffffu) << 32)
#define FB_CELL_W 8
#define FB_CELL_H 16

/* ---- the command packet ------------------------------------------------- */
typedef struct CmdPacket {
    uint32_t kind;         /* CMD_* */
    uint32_t _pad;         /* explicit: must be zero */
    uint64_t arg;          /* meaning depends on kind */
    __uint128_t id;        /* SipHash-2-4-128 provenance tag (see provenance.h) */
} CmdPacket;

_Static_assert(sizeof(CmdPacket) == 32, "CmdPacket is 32 bytes in every layer");
_Static_assert(_Alignof(CmdPacket) == 16, "CmdPacket is 16-byte aligned");
_Static_assert(offsetof(CmdPacket, kind) == 0, "CmdPacket.kind at 0");
_Static_assert(offsetof(CmdPacket, _pad) == 4, "CmdPacket._pad at 4");
_Static_assert(offsetof(CmdPacket, arg) == 8, "CmdPacket.arg at 8");
_Static_assert(offsetof(CmdPacket, id) == 16, "CmdPacket.id at 16");

/* The kernel's answer to one CmdPacket, on the completion ring. */
typedef struct CmdCompletion {
    uint32_t kind;         /* the kind it answers */
    int32_t status;        /* 0, or a negative ION_E* error */
    uint64_t seq;          /* the sender's sequence number of that packet */
    int64_t result;        /* kind-specific result */
    uint64_t _reserved;    /* must be zero */
} CmdCompletion;

_Static_assert(sizeof(CmdCompletion) == 32, "CmdCompletion is 32 bytes");
_Static_assert(offsetof(CmdCompletion, kind) == 0, "CmdCompletion.kind at 0");
_Static_assert(offsetof(CmdCompletion, status) == 4, "CmdCompletion.status at 4");
_Static_assert(offsetof(CmdCompletion, seq) == 8, "CmdCompletion.seq at 8");
_Static_assert(offsetof(CmdCompletion, result) == 16, "CmdCompletion.result at 16");

/* Errors in CmdCompletion.status. */
#define ION_OK          0
#define ION_EKIND      -1   /* unknown command */
#define ION_ETAG       -2   /* provenance tag does not verify */
#define ION_EPAD       -3   /* _pad not zero */
#define ION_EARG       -4   /* argument out of range / bad pointer */
#define ION_ENOMEM     -5   /* pool empty */
#define ION_ENOENT     -6   /* no such file */
#define ION_EBADF      -7   /* bad handle */
#define ION_EMFILE     -8   /* too many open files */
#define ION_EISDIR     -9   /* a directory where a file is needed */
#define ION_ENOTDIR   -10   /* a file where a directory is needed */

/* ---- rings -------------------------------------------------------------- */
/*
 * A single-producer/single-consumer ring. head and tail are free-running
 * (they wrap at 2^32, never masked in memory); slot i lives at index
 * i & mask; used = head - tail; capacity = mask + 1, a power of two. The
 * producer alone writes head, the consumer alone writes tail; each reads the
 * other's index with acquire and publishes its own with release ordering.
 * The slots follow the header directly.
 */
struct ion_ring {
    uint32_t head;         /* next slot the producer fills */
    uint32_t tail;         /* next slot the consumer reads */
    uint32_t mask;         /* capacity - 1 */
    uint32_t elem_size;    /* bytes per slot */
};

_Static_assert(sizeof(struct ion_ring) == 16, "ring header is 16 bytes");
_Static_assert(offsetof(struct ion_ring, head) == 0, "ring.head at 0");
_Static_assert(offsetof(struct ion_ring, tail) == 4, "ring.tail at 4");
_Static_assert(offsetof(struct ion_ring, mask) == 8, "ring.mask at 8");
_Static_assert(offsetof(struct ion_ring, elem_size) == 12, "ring.elem_size at 12");

/* An output-ring entry: which pool packet, and how many of its bytes. */
struct ion_desc {
    uint32_t packet;
    uint32_t len;
};
_Static_assert(sizeof(struct ion_desc) == 8, "ion_desc is 8 bytes");

#define ION_CMD_RING_CAPACITY      64
#define ION_COMPLETION_CAPACITY    64
#define ION_INPUT_RING_CAPACITY    256
#define ION_OUTPUT_RING_CAPACITY   64

/* The concrete rings: the header, then the typed slots (so DWARF, and with
 * it GDB, knows the element type of each ring). */
struct ion_cmd_ring {
    struct ion_ring ring;
    CmdPacket slots[ION_CMD_RING_CAPACITY];
};
struct ion_completion_ring {
    struct ion_ring ring;
    CmdCompletion slots[ION_COMPLETION_CAPACITY];
};
struct ion_input_ring {
    struct ion_ring ring;
    uint8_t slots[ION_INPUT_RING_CAPACITY];
};
struct ion_output_ring {
    struct ion_ring ring;
    struct ion_desc slots[ION_OUTPUT_RING_CAPACITY];
};

_Static_assert(offsetof(struct ion_cmd_ring, slots) == 16, "cmd ring slots follow the header");
_Static_assert(offsetof(struct ion_completion_ring, slots) == 16, "completion slots at 16");
_Static_assert(offsetof(struct ion_input_ring, slots) == 16, "input slots at 16");
_Static_assert(offsetof(struct ion_output_ring, slots) == 16, "output slots at 16");

/* ---- the packet pool ---------------------------------------------------- */
#define ION_PACKET_SIZE   512
#define ION_PACKET_COUNT  128

#endif
