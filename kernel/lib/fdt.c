#include "lib/fdt.h"

enum {
    FDT_BEGIN_NODE = 1,
    FDT_END_NODE = 2,
    FDT_PROP = 3,
    FDT_NOP = 4,
    FDT_END = 9,
};

/* Device trees are big-endian. */
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* Reads a number made of `cells` 32-bit cells (1 or 2). */
static uint64_t read_cells(const uint8_t *p, uint32_t cells)
{
    return cells == 2 ? be64(p) : be32(p);
}

static int name_is(const char *name, const char *want)
{
    /* "memory@80000000" matches "memory": compare up to the unit address. */
    while (*want && *name == *want)
        name++, want++;
    return *want == '\0' && (*name == '\0' || *name == '@');
}

static int str_eq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static void add_reserved(struct fdt_info *out, uint64_t base, uint64_t size)
{
    if (size && out->n_reserved < FDT_MAX_RESERVED)
        out->reserved[out->n_reserved++] = (struct fdt_range){ base, size };
}

#define FAIL(msg) do { *error = (msg); return -1; } while (0)

int fdt_parse(const void *blob, size_t max_size, struct fdt_info *out, const char **error)
{
    const uint8_t *b = blob;
    *out = (struct fdt_info){ .bootargs = "" };
    if (max_size < 40)
        FAIL("device tree: blob smaller than its header");
    if (be32(b) != FDT_MAGIC)
        FAIL("device tree: bad magic (expected 0xd00dfeed)");
    uint32_t total = be32(b + 4);
    uint32_t off_struct = be32(b + 8), off_strings = be32(b + 12);
    uint32_t off_rsvmap = be32(b + 16), version = be32(b + 20);
    uint32_t size_strings = be32(b + 32), size_struct = be32(b + 36);
    if (total > max_size || total < 40)
        FAIL("device tree: total size out of range");
    if (version < 17)
        FAIL("device tree: version older than 17");
    if (off_struct > total || size_struct > total - off_struct ||
        off_strings > total || size_strings > total - off_strings ||
        off_rsvmap > total - 16)
        FAIL("device tree: a block lies outside the blob");
    out->total_size = total;

    /* The memory reservation block: (address, size) pairs ending with 0,0. */
    for (uint32_t o = off_rsvmap;; o += 16) {
        if (o > total - 16)
            FAIL("device tree: unterminated memory reservation block");
        uint64_t base = be64(b + o), size = be64(b + o + 16 - 8);
        if (base == 0 && size == 0)
            break;
        add_reserved(out, base, size);
    }

    const uint8_t *s = b + off_struct, *end = s + size_struct;
    const char *path[3] = { 0 };  /* node names at depth 1 and 2 */
    int depth = 0;
    uint32_t addr_cells = 2, size_cells = 1;  /* root defaults (spec 2.3.5) */
    uint32_t resv_addr_cells = 2, resv_size_cells = 1;
    int got_memory = 0;

    while (s + 4 <= end) {
        uint32_t token = be32(s);
        s += 4;
        if (token == FDT_BEGIN_NODE) {
            const char *name = (const char *)s;
            const uint8_t *q = s;
            while (q < end && *q)
                q++;
            if (q >= end)
                FAIL("device tree: node name runs past the structure block");
            s = b + ((q + 1 - b + 3) & ~(uintptr_t)3);
            depth++;
            if (depth <= 2)
                path[depth] = name;
        } else if (token == FDT_END_NODE) {
            if (depth == 0)
                FAIL("device tree: unbalanced end of node");
            depth--;
        } else if (token == FDT_PROP) {
            if (end - s < 8)
                FAIL("device tree: property header runs past the structure block");
            uint32_t len = be32(s), nameoff = be32(s + 4);
            s += 8;
            if (len > (size_t)(end - s))
                FAIL("device tree: property value runs past the structure block");
            if (nameoff >= size_strings)
                FAIL("device tree: property name outside the strings block");
            const char *pname = (const char *)b + off_strings + nameoff;
            /* The strings block must NUL-terminate every name we compare. */
            if (b[off_strings + size_strings - 1] != '\0')
                FAIL("device tree: strings block not NUL-terminated");
            const uint8_t *v = s;
            s = b + ((s + len - b + 3) & ~(uintptr_t)3);

            if (depth == 1) {
                if (str_eq(pname, "#address-cells") && len == 4)
                    addr_cells = be32(v);
                else if (str_eq(pname, "#size-cells") && len == 4)
                    size_cells = be32(v);
            } else if (depth == 2 && name_is(path[2] ? path[2] : "", "memory") &&
                       str_eq(pname, "reg") && !got_memory) {
                if (addr_cells < 1 || addr_cells > 2 || size_cells < 1 || size_cells > 2 ||
                    len < 4 * (addr_cells + size_cells))
                    FAIL("device tree: /memory reg has an unsupported shape");
                out->memory.base = read_cells(v, addr_cells);
                out->memory.size = read_cells(v + 4 * addr_cells, size_cells);
                got_memory = 1;
            } else if (depth == 2 && name_is(path[2], "chosen") && str_eq(pname, "bootargs")) {
                if (len == 0 || v[len - 1] != '\0')
                    FAIL("device tree: /chosen/bootargs not NUL-terminated");
                out->bootargs = (const char *)v;
            } else if (depth == 2 && name_is(path[2], "chosen") && str_eq(pname, "rng-seed")) {
                out->rng_seed = v;
                out->rng_seed_len = len;
            } else if (depth == 2 && name_is(path[2], "cpus") &&
                       str_eq(pname, "timebase-frequency") && len == 4) {
                out->timebase_hz = be32(v);
            } else if (depth == 2 && name_is(path[2], "reserved-memory")) {
                if (str_eq(pname, "#address-cells") && len == 4)
                    resv_addr_cells = be32(v);
                else if (str_eq(pname, "#size-cells") && len == 4)
                    resv_size_cells = be32(v);
            } else if (depth == 3 && name_is(path[2], "reserved-memory") &&
                       str_eq(pname, "reg")) {
                if (resv_addr_cells >= 1 && resv_addr_cells <= 2 && resv_size_cells >= 1 &&
                    resv_size_cells <= 2 && len >= 4 * (resv_addr_cells + resv_size_cells))
                    add_reserved(out, read_cells(v, resv_addr_cells),
                                 read_cells(v + 4 * resv_addr_cells, resv_size_cells));
            }
        } else if (token == FDT_NOP) {
            continue;
        } else if (token == FDT_END) {
            if (depth != 0)
                FAIL("device tree: end token inside a node");
            if (!got_memory)
                FAIL("device tree: no /memory node with a reg property");
            return 0;
        } else {
            FAIL("device tree: unknown token in the structure block");
        }
    }
    FAIL("device tree: structure block ends without an end token");
}
