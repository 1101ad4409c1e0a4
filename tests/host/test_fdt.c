/*
 * fdt_parse (kernel/lib/fdt.c): a real QEMU virt device tree, trees built
 * here to reach each branch and each error, and a fuzz loop over the real
 * tree. Every blob handed to fdt_parse is malloc'd at its exact size, so ASan
 * reports any read past it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/fdt.h"

#define REAL_DTB "tests/host/data/virt-128M.dtb"

/* Structure block tokens and header field offsets (devicetree spec 5.2, 5.4). */
enum { BEGIN_NODE = 1, END_NODE = 2, PROP = 3, NOP = 4, END = 9 };
enum {
    H_MAGIC = 0, H_TOTALSIZE = 4, H_OFF_STRUCT = 8, H_OFF_STRINGS = 12, H_OFF_RSVMAP = 16,
    H_VERSION = 20, H_LAST_COMP = 24, H_SIZE_STRINGS = 32, H_SIZE_STRUCT = 36, H_SIZE = 40,
};

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- a small FDT builder ------------------------------------------------ */

struct fdt_builder {
    uint8_t rsvmap[16 * 16];
    size_t rsvmap_len;
    uint8_t dt[4096];  /* the structure block */
    size_t dt_len;
    char strings[1024];
    size_t strings_len;
};

/* The buffers are far larger than any test tree; running out is a test bug. */
static void need(size_t used, size_t more, size_t cap)
{
    if (used + more > cap) {
        fprintf(stderr, "test_fdt: builder buffer too small\n");
        exit(2);
    }
}

static void fb_u32(struct fdt_builder *b, uint32_t v)
{
    need(b->dt_len, 4, sizeof b->dt);
    put_be32(b->dt + b->dt_len, v);
    b->dt_len += 4;
}

/* Appends raw bytes, then zero padding to the next 4-byte boundary. */
static void fb_bytes(struct fdt_builder *b, const void *data, size_t len)
{
    need(b->dt_len, len + 3, sizeof b->dt);
    if (len)  /* data may be NULL for an empty property */
        memcpy(b->dt + b->dt_len, data, len);
    b->dt_len += len;
    while (b->dt_len % 4)
        b->dt[b->dt_len++] = 0;
}

static void fb_memreserve(struct fdt_builder *b, uint64_t base, uint64_t size)
{
    need(b->rsvmap_len, 16, sizeof b->rsvmap);
    put_be32(b->rsvmap + b->rsvmap_len, (uint32_t)(base >> 32));
    put_be32(b->rsvmap + b->rsvmap_len + 4, (uint32_t)base);
    put_be32(b->rsvmap + b->rsvmap_len + 8, (uint32_t)(size >> 32));
    put_be32(b->rsvmap + b->rsvmap_len + 12, (uint32_t)size);
    b->rsvmap_len += 16;
}

/* The offset of `name` in the strings block, added on first use. */
static uint32_t fb_string(struct fdt_builder *b, const char *name)
{
    for (size_t o = 0; o < b->strings_len; o += strlen(b->strings + o) + 1)
        if (strcmp(b->strings + o, name) == 0)
            return (uint32_t)o;
    size_t len = strlen(name) + 1;
    need(b->strings_len, len, sizeof b->strings);
    memcpy(b->strings + b->strings_len, name, len);
    b->strings_len += len;
    return (uint32_t)(b->strings_len - len);
}

static void fb_begin_node(struct fdt_builder *b, const char *name)
{
    fb_u32(b, BEGIN_NODE);
    fb_bytes(b, name, strlen(name) + 1);
}

static void fb_end_node(struct fdt_builder *b)
{
    fb_u32(b, END_NODE);
}

static void fb_prop(struct fdt_builder *b, const char *name, const void *value, uint32_t len)
{
    fb_u32(b, PROP);
    fb_u32(b, len);
    fb_u32(b, fb_string(b, name));
    fb_bytes(b, value, len);
}

static void fb_prop_u32(struct fdt_builder *b, const char *name, uint32_t v)
{
    uint8_t cell[4];
    put_be32(cell, v);
    fb_prop(b, name, cell, 4);
}

static void fb_prop_str(struct fdt_builder *b, const char *name, const char *s)
{
    fb_prop(b, name, s, (uint32_t)strlen(s) + 1);
}

/* A reg property of one (base, size) entry in the given cell counts. */
static void fb_prop_reg(struct fdt_builder *b, uint32_t addr_cells, uint32_t size_cells,
                        uint64_t base, uint64_t size)
{
    uint8_t v[16];
    uint32_t n = 0;
    if (addr_cells == 2)
        put_be32(v + 4 * n++, (uint32_t)(base >> 32));
    put_be32(v + 4 * n++, (uint32_t)base);
    if (size_cells == 2)
        put_be32(v + 4 * n++, (uint32_t)(size >> 32));
    put_be32(v + 4 * n++, (uint32_t)size);
    fb_prop(b, "reg", v, 4 * n);
}

/* Lays out header, reservation block (plus its 0,0 terminator), structure
 * block and strings block in a buffer malloc'd at exactly the total size. */
static uint8_t *fb_finish(const struct fdt_builder *b, size_t *size)
{
    size_t off_rsvmap = H_SIZE;
    size_t off_struct = off_rsvmap + b->rsvmap_len + 16;
    size_t off_strings = off_struct + b->dt_len;
    size_t total = off_strings + b->strings_len;
    uint8_t *blob = calloc(1, total);
    put_be32(blob + H_MAGIC, FDT_MAGIC);
    put_be32(blob + H_TOTALSIZE, (uint32_t)total);
    put_be32(blob + H_OFF_STRUCT, (uint32_t)off_struct);
    put_be32(blob + H_OFF_STRINGS, (uint32_t)off_strings);
    put_be32(blob + H_OFF_RSVMAP, (uint32_t)off_rsvmap);
    put_be32(blob + H_VERSION, 17);
    put_be32(blob + H_LAST_COMP, 16);
    put_be32(blob + H_SIZE_STRINGS, (uint32_t)b->strings_len);
    put_be32(blob + H_SIZE_STRUCT, (uint32_t)b->dt_len);
    memcpy(blob + off_rsvmap, b->rsvmap, b->rsvmap_len);
    memcpy(blob + off_struct, b->dt, b->dt_len);
    memcpy(blob + off_strings, b->strings, b->strings_len);
    *size = total;
    return blob;
}

/* The usual start of a tree: the root with its cell counts, /chosen, /cpus
 * and /memory. The caller adds nodes and closes the root. */
static void fb_usual_tree(struct fdt_builder *b, uint32_t addr_cells, uint32_t size_cells,
                          uint64_t mem_base, uint64_t mem_size)
{
    fb_begin_node(b, "");
    fb_prop_u32(b, "#address-cells", addr_cells);
    fb_prop_u32(b, "#size-cells", size_cells);
    fb_begin_node(b, "chosen");
    fb_prop_str(b, "bootargs", "console=ttyS0 selftest=fdt");
    fb_end_node(b);
    fb_begin_node(b, "cpus");
    fb_prop_u32(b, "#address-cells", 1);
    fb_prop_u32(b, "#size-cells", 0);
    fb_prop_u32(b, "timebase-frequency", 10000000);
    fb_end_node(b);
    fb_begin_node(b, "memory@80000000");
    fb_prop_str(b, "device_type", "memory");
    fb_prop_reg(b, addr_cells, size_cells, mem_base, mem_size);
    fb_end_node(b);
}

static void fb_close_root(struct fdt_builder *b)
{
    fb_end_node(b);
    fb_u32(b, END);
}

/* ---- trees that parse --------------------------------------------------- */

static void test_usual_tree_two_cells(void)
{
    struct fdt_builder b = { 0 };
    fb_usual_tree(&b, 2, 2, 0x100000000, 0x200000000);
    fb_close_root(&b);
    size_t size;
    uint8_t *blob = fb_finish(&b, &size);
    struct fdt_info info;
    const char *err = NULL;
    CHECK_EQ_I64(fdt_parse(blob, size, &info, &err), 0);
    CHECK_EQ_U64(info.total_size, size);
    CHECK_EQ_U64(info.memory.base, 0x100000000);
    CHECK_EQ_U64(info.memory.size, 0x200000000);
    CHECK_STR(info.bootargs, "console=ttyS0 selftest=fdt");
    CHECK((const uint8_t *)info.bootargs > blob && (const uint8_t *)info.bootargs < blob + size);
    CHECK_EQ_U64(info.timebase_hz, 10000000);
    CHECK_EQ_I64(info.n_reserved, 0);
    /* A larger max_size is fine: the header's total size counts. */
    uint8_t *roomy = calloc(1, size + 100);
    memcpy(roomy, blob, size);
    CHECK_EQ_I64(fdt_parse(roomy, size + 100, &info, &err), 0);
    CHECK_EQ_U64(info.total_size, size);
    free(roomy);
    free(blob);
}

static void test_one_cell_addresses(void)
{
    struct fdt_builder b = { 0 };
    fb_usual_tree(&b, 1, 1, 0x80000000, 0x4000000);
    fb_close_root(&b);
    size_t size;
    uint8_t *blob = fb_finish(&b, &size);
    struct fdt_info info;
    const char *err = NULL;
    CHECK_EQ_I64(fdt_parse(blob, size, &info, &err), 0);
    CHECK_EQ_U64(info.memory.base, 0x80000000);
    CHECK_EQ_U64(info.memory.size, 0x4000000);
    free(blob);
}

/* Without #address-cells/#size-cells the root defaults to 2 and 1. */
static void test_default_cells_and_absent_nodes(void)
{
    struct fdt_builder b = { 0 };
    fb_begin_node(&b, "");
    fb_begin_node(&b, "memory@80000000");
    fb_prop_reg(&b, 2, 1, 0x80000000, 0x1000000);
    fb_end_node(&b);
    fb_close_root(&b);
    size_t size;
    uint8_t *blob = fb_finish(&b, &size);
    struct fdt_info info;
    const char *err = NULL;
    CHECK_EQ_I64(fdt_parse(blob, size, &info, &err), 0);
    CHECK_EQ_U64(info.memory.base, 0x80000000);
    CHECK_EQ_U64(info.memory.size, 0x1000000);
    CHECK_STR(info.bootargs, "");  /* no /chosen */
    CHECK_EQ_U64(info.timebase_hz, 0);  /* no /cpus */
    free(blob);
}

/* /memreserve/ entries come first, then /reserved-memory children in order;
 * zero sizes and children without reg are skipped. */
static void test_reserved_ranges(void)
{
    struct fdt_builder b = { 0 };
    fb_memreserve(&b, 0x80000000, 0x40000);
    fb_memreserve(&b, 0x87000000, 0);
    fb_memreserve(&b, 0x87e00000, 0x200000);
    fb_usual_tree(&b, 2, 2, 0x80000000, 0x8000000);
    fb_begin_node(&b, "reserved-memory");
    fb_prop_u32(&b, "#address-cells", 2);
    fb_prop_u32(&b, "#size-cells", 2);
    fb_prop(&b, "ranges", NULL, 0);
    fb_begin_node(&b, "mmode_resv0@80000000");
    fb_prop_reg(&b, 2, 2, 0x80040000, 0x20000);
    fb_prop(&b, "no-map", NULL, 0);
    fb_end_node(&b);
    fb_begin_node(&b, "no-reg");
    fb_prop_str(&b, "compatible", "shared-dma-pool");
    fb_end_node(&b);
    fb_begin_node(&b, "high@1000000000");
    fb_prop_reg(&b, 2, 2, 0x1000000000, 0x300000000);
    fb_end_node(&b);
    fb_end_node(&b);
    fb_close_root(&b);
    size_t size;
    uint8_t *blob = fb_finish(&b, &size);
    struct fdt_info info;
    const char *err = NULL;
    CHECK_EQ_I64(fdt_parse(blob, size, &info, &err), 0);
    if (CHECK_EQ_I64(info.n_reserved, 4)) {
        CHECK_EQ_U64(info.reserved[0].base, 0x80000000);
        CHECK_EQ_U64(info.reserved[0].size, 0x40000);
        CHECK_EQ_U64(info.reserved[1].base, 0x87e00000);
        CHECK_EQ_U64(info.reserved[1].size, 0x200000);
        CHECK_EQ_U64(info.reserved[2].base, 0x80040000);
        CHECK_EQ_U64(info.reserved[2].size, 0x20000);
        CHECK_EQ_U64(info.reserved[3].base, 0x1000000000);
        CHECK_EQ_U64(info.reserved[3].size, 0x300000000);
    }
    CHECK_EQ_U64(info.memory.size, 0x8000000);
    free(blob);
}

/* /reserved-memory with its own 1-cell counts, and one with counts the
 * parser cannot read (3 cells): that child is skipped, not misread. */
static void test_reserved_memory_cells(void)
{
    struct fdt_builder b = { 0 };
    fb_usual_tree(&b, 2, 2, 0x80000000, 0x8000000);
    fb_begin_node(&b, "reserved-memory");
    fb_prop_u32(&b, "#address-cells", 1);
    fb_prop_u32(&b, "#size-cells", 1);
    fb_begin_node(&b, "fw@80000000");
    fb_prop_reg(&b, 1, 1, 0x80000000, 0x80000);
    fb_end_node(&b);
    fb_end_node(&b);
    fb_close_root(&b);
    size_t size;
    uint8_t *blob = fb_finish(&b, &size);
    struct fdt_info info;
    const char *err = NULL;
    CHECK_EQ_I64(fdt_parse(blob, size, &info, &err), 0);
    if (CHECK_EQ_I64(info.n_reserved, 1)) {
        CHECK_EQ_U64(info.reserved[0].base, 0x80000000);
        CHECK_EQ_U64(info.reserved[0].size, 0x80000);
    }
    free(blob);

    struct fdt_builder c = { 0 };
    fb_usual_tree(&c, 2, 2, 0x80000000, 0x8000000);
    fb_begin_node(&c, "reserved-memory");
    fb_prop_u32(&c, "#address-cells", 3);
    fb_begin_node(&c, "odd");
    fb_prop_reg(&c, 2, 2, 0x80000000, 0x1000);
    fb_end_node(&c);
    fb_end_node(&c);
    fb_close_root(&c);
    blob = fb_finish(&c, &size);
    CHECK_EQ_I64(fdt_parse(blob, size, &info, &err), 0);
    CHECK_EQ_I64(info.n_reserved, 0);
    free(blob);
}

/* More ranges than fit: the first FDT_MAX_RESERVED are kept. */
static void test_reserved_overflow(void)
{
    struct fdt_builder b = { 0 };
    for (uint64_t i = 0; i < FDT_MAX_RESERVED + 4; i++)
        fb_memreserve(&b, 0x80000000 + i * 0x10000, 0x1000);
    fb_usual_tree(&b, 2, 2, 0x80000000, 0x8000000);
    fb_close_root(&b);
    size_t size;
    uint8_t *blob = fb_finish(&b, &size);
    struct fdt_info info;
    const char *err = NULL;
    CHECK_EQ_I64(fdt_parse(blob, size, &info, &err), 0);
    CHECK_EQ_I64(info.n_reserved, FDT_MAX_RESERVED);
    CHECK_EQ_U64(info.reserved[FDT_MAX_RESERVED - 1].base,
                 0x80000000 + (FDT_MAX_RESERVED - 1) * 0x10000);
    free(blob);
}

/* Nodes that look like the wanted ones but are not: only the first /memory
 * at depth 2 counts, NOP tokens are skipped, properties elsewhere ignored. */
static void test_decoys(void)
{
    struct fdt_builder b = { 0 };
    fb_begin_node(&b, "");
    fb_prop_u32(&b, "#address-cells", 2);
    fb_prop_u32(&b, "#size-cells", 2);
    fb_prop_str(&b, "bootargs", "root-level");
    fb_u32(&b, NOP);
    fb_begin_node(&b, "memoryx@0");
    fb_prop_reg(&b, 2, 2, 0x1000, 0x1000);
    fb_end_node(&b);
    fb_begin_node(&b, "soc");
    fb_begin_node(&b, "memory@0");
    fb_prop_reg(&b, 2, 2, 0x2000, 0x2000);
    fb_end_node(&b);
    fb_begin_node(&b, "chosen");
    fb_prop_str(&b, "bootargs", "deep");
    fb_end_node(&b);
    fb_end_node(&b);
    fb_begin_node(&b, "memory@80000000");
    fb_u32(&b, NOP);
    fb_prop_reg(&b, 2, 2, 0x80000000, 0x8000000);
    fb_end_node(&b);
    fb_begin_node(&b, "memory@c0000000");
    fb_prop_reg(&b, 2, 2, 0xc0000000, 0x1000000);
    fb_end_node(&b);
    fb_begin_node(&b, "chosen");
    fb_prop_str(&b, "bootargs", "right");
    fb_end_node(&b);
    fb_close_root(&b);
    size_t size;
    uint8_t *blob = fb_finish(&b, &size);
    struct fdt_info info;
    const char *err = NULL;
    CHECK_EQ_I64(fdt_parse(blob, size, &info, &err), 0);
    CHECK_EQ_U64(info.memory.base, 0x80000000);
    CHECK_EQ_U64(info.memory.size, 0x8000000);
    CHECK_STR(info.bootargs, "right");
    free(blob);
}

/* ---- trees that must be rejected ---------------------------------------- */

/* fdt_parse must fail with an error that names the problem. */
#define EXPECT_ERROR(blob, max_size, part) expect_error_at(__LINE__, blob, max_size, part)

static void expect_error_at(int line, const uint8_t *blob, size_t max_size, const char *part)
{
    struct fdt_info info;
    const char *err = NULL;
    check_eq_i64_at(__FILE__, line, "fdt_parse", fdt_parse(blob, max_size, &info, &err), -1);
    check_true_at(__FILE__, line, "error is a non-empty string", err && *err);
    check_contains_at(__FILE__, line, "error", err, part);
}

/* A valid tree for the header and block corruptions to start from. */
static uint8_t *usual_blob(size_t *size)
{
    struct fdt_builder b = { 0 };
    fb_usual_tree(&b, 2, 2, 0x80000000, 0x8000000);
    fb_close_root(&b);
    return fb_finish(&b, size);
}

static void test_bad_header(void)
{
    size_t size;
    uint8_t *blob = usual_blob(&size);
    EXPECT_ERROR(blob, H_SIZE - 1, "smaller than its header");

    put_be32(blob + H_MAGIC, 0xfeedd00d);
    EXPECT_ERROR(blob, size, "bad magic");
    put_be32(blob + H_MAGIC, FDT_MAGIC);

    EXPECT_ERROR(blob, size - 1, "total size out of range");
    put_be32(blob + H_TOTALSIZE, H_SIZE - 1);
    EXPECT_ERROR(blob, size, "total size out of range");
    put_be32(blob + H_TOTALSIZE, (uint32_t)size);

    put_be32(blob + H_VERSION, 16);
    EXPECT_ERROR(blob, size, "version older than 17");
    put_be32(blob + H_VERSION, 17);

    CHECK_EQ_I64(fdt_parse(blob, size, &(struct fdt_info){ 0 }, &(const char *){ NULL }), 0);
    free(blob);
}

static void test_blocks_outside(void)
{
    size_t size;
    uint8_t *blob = usual_blob(&size);
    uint32_t off_struct = get_be32(blob + H_OFF_STRUCT);
    uint32_t size_struct = get_be32(blob + H_SIZE_STRUCT);
    uint32_t off_strings = get_be32(blob + H_OFF_STRINGS);
    uint32_t size_strings = get_be32(blob + H_SIZE_STRINGS);

    put_be32(blob + H_SIZE_STRUCT, (uint32_t)size);
    EXPECT_ERROR(blob, size, "outside the blob");
    put_be32(blob + H_SIZE_STRUCT, size_struct);
    put_be32(blob + H_OFF_STRUCT, (uint32_t)size + 4);
    EXPECT_ERROR(blob, size, "outside the blob");
    put_be32(blob + H_OFF_STRUCT, off_struct);

    put_be32(blob + H_SIZE_STRINGS, size_strings + 1);
    EXPECT_ERROR(blob, size, "outside the blob");
    put_be32(blob + H_SIZE_STRINGS, size_strings);
    /* 0xffffffff: offset + size must not wrap around into range. */
    put_be32(blob + H_OFF_STRINGS, 0xffffffff);
    EXPECT_ERROR(blob, size, "outside the blob");
    put_be32(blob + H_OFF_STRINGS, off_strings);

    put_be32(blob + H_OFF_RSVMAP, (uint32_t)size - 15);
    EXPECT_ERROR(blob, size, "outside the blob");

    /* A reservation map without its 0,0 end: point it at the strings, whose
     * text never holds 16 zero bytes. */
    put_be32(blob + H_OFF_RSVMAP, off_strings);
    EXPECT_ERROR(blob, size, "unterminated memory reservation block");
    free(blob);
}

/* Builds the root node's start, then lets each case add its defect. */
static void fb_root_start(struct fdt_builder *b)
{
    *b = (struct fdt_builder){ 0 };
    fb_begin_node(b, "");
    fb_prop_u32(b, "#address-cells", 2);
}

static void test_bad_structure(void)
{
    struct fdt_builder b;
    size_t size;
    uint8_t *blob;

    fb_root_start(&b);
    fb_u32(&b, PROP);
    fb_u32(&b, 0x1000);
    fb_u32(&b, fb_string(&b, "x"));
    blob = fb_finish(&b, &size);
    EXPECT_ERROR(blob, size, "property value runs past");
    free(blob);

    fb_root_start(&b);
    fb_u32(&b, PROP);
    fb_u32(&b, 0);
    blob = fb_finish(&b, &size);
    EXPECT_ERROR(blob, size, "property header runs past");
    free(blob);

    fb_root_start(&b);
    fb_u32(&b, PROP);
    fb_u32(&b, 0);
    fb_u32(&b, (uint32_t)b.strings_len);  /* one past the last string */
    fb_close_root(&b);
    blob = fb_finish(&b, &size);
    EXPECT_ERROR(blob, size, "property name outside the strings block");
    free(blob);

    fb_root_start(&b);
    fb_close_root(&b);
    blob = fb_finish(&b, &size);
    blob[size - 1] = 'x';  /* the strings block is last */
    EXPECT_ERROR(blob, size, "strings block not NUL-terminated");
    free(blob);

    fb_root_start(&b);
    fb_u32(&b, BEGIN_NODE);
    fb_bytes(&b, "abcd", 4);  /* no NUL before the block ends */
    blob = fb_finish(&b, &size);
    EXPECT_ERROR(blob, size, "node name runs past");
    free(blob);

    fb_root_start(&b);
    fb_end_node(&b);
    blob = fb_finish(&b, &size);
    EXPECT_ERROR(blob, size, "without an end token");
    free(blob);

    fb_root_start(&b);
    fb_end_node(&b);
    fb_end_node(&b);
    fb_u32(&b, END);
    blob = fb_finish(&b, &size);
    EXPECT_ERROR(blob, size, "unbalanced end of node");
    free(blob);

    fb_root_start(&b);
    fb_u32(&b, END);
    blob = fb_finish(&b, &size);
    EXPECT_ERROR(blob, size, "end token inside a node");
    free(blob);

    fb_root_start(&b);
    fb_u32(&b, 7);
    blob = fb_finish(&b, &size);
    EXPECT_ERROR(blob, size, "unknown token");
    free(blob);
}

static void test_bad_content(void)
{
    struct fdt_builder b;
    size_t size;
    uint8_t *blob;

    fb_root_start(&b);
    fb_begin_node(&b, "chosen");
    fb_prop_str(&b, "bootargs", "quiet");
    fb_end_node(&b);
    fb_close_root(&b);
    blob = fb_finish(&b, &size);
    EXPECT_ERROR(blob, size, "no /memory node");
    free(blob);

    /* A /memory node without reg is no /memory for the kernel. */
    fb_root_start(&b);
    fb_begin_node(&b, "memory@80000000");
    fb_prop_str(&b, "device_type", "memory");
    fb_end_node(&b);
    fb_close_root(&b);
    blob = fb_finish(&b, &size);
    EXPECT_ERROR(blob, size, "no /memory node");
    free(blob);

    fb_root_start(&b);
    fb_begin_node(&b, "chosen");
    fb_prop(&b, "bootargs", "quiet", 5);  /* no NUL */
    fb_end_node(&b);
    fb_close_root(&b);
    blob = fb_finish(&b, &size);
    EXPECT_ERROR(blob, size, "bootargs not NUL-terminated");
    free(blob);

    fb_root_start(&b);
    fb_begin_node(&b, "chosen");
    fb_prop(&b, "bootargs", NULL, 0);
    fb_end_node(&b);
    fb_close_root(&b);
    blob = fb_finish(&b, &size);
    EXPECT_ERROR(blob, size, "bootargs not NUL-terminated");
    free(blob);

    /* fb_root_start set #address-cells 2; 3 cells cannot be read. */
    fb_root_start(&b);
    fb_prop_u32(&b, "#address-cells", 3);
    fb_begin_node(&b, "memory@80000000");
    fb_prop_reg(&b, 2, 2, 0x80000000, 0x1000000);
    fb_end_node(&b);
    fb_close_root(&b);
    blob = fb_finish(&b, &size);
    EXPECT_ERROR(blob, size, "unsupported shape");
    free(blob);

    /* reg shorter than one (address, size) entry. */
    fb_root_start(&b);
    fb_prop_u32(&b, "#size-cells", 2);
    fb_begin_node(&b, "memory@80000000");
    fb_prop_reg(&b, 1, 2, 0x80000000, 0x1000000);
    fb_end_node(&b);
    fb_close_root(&b);
    blob = fb_finish(&b, &size);
    EXPECT_ERROR(blob, size, "unsupported shape");
    free(blob);
}

/* ---- the real QEMU tree and the fuzz loop ------------------------------- */


/* `qemu-system-riscv64 -machine virt,dumpdtb=... -m 128M -smp 1 -append
 * "selftest=timer quiet"`, cut to the total size in its header. */
static void test_real_tree(const uint8_t *dtb, size_t size)
{
    struct fdt_info info;
    const char *err = NULL;
    if (!CHECK_EQ_I64(fdt_parse(dtb, size, &info, &err), 0)) {
        printf("  error: %s\n", err ? err : "(none)");
        return;
    }
    CHECK_EQ_U64(info.total_size, size);
    CHECK_EQ_U64(info.memory.base, 0x80000000);
    CHECK_EQ_U64(info.memory.size, 128 << 20);
    CHECK_STR(info.bootargs, "selftest=timer quiet");
    CHECK_EQ_U64(info.timebase_hz, 10000000);
    CHECK_EQ_I64(info.n_reserved, 0);  /* QEMU adds none; OpenSBI adds its own later */
    /* QEMU puts 32 random bytes in /chosen/rng-seed: the per-boot key's entropy. */
    CHECK_EQ_U64(info.rng_seed_len, 32);
    CHECK(info.rng_seed >= dtb && info.rng_seed + info.rng_seed_len <= dtb + size);
}

/* Parses a malloc'd copy of exactly `len` bytes. The result must be a clean
 * failure or a success whose fields stay inside the blob. */
static int parse_copy_sanely(const uint8_t *bytes, size_t len, int *rc)
{
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, bytes, len);
    struct fdt_info info;
    const char *err = NULL;
    *rc = fdt_parse(copy, len, &info, &err);
    int sane;
    if (*rc == 0) {
        const uint8_t *args = (const uint8_t *)info.bootargs;
        int args_inside = args >= copy && args < copy + len;
        /* strlen lets ASan check the string ends inside the blob. */
        sane = info.total_size <= len && info.n_reserved >= 0 &&
               info.n_reserved <= FDT_MAX_RESERVED &&
               (args_inside ? strlen(info.bootargs) < len : *info.bootargs == '\0');
    } else {
        sane = *rc == -1 && err && *err;
    }
    free(copy);
    return sane;
}

static void test_fuzz_real_tree(const uint8_t *dtb, size_t size)
{
    /* Every truncation fails cleanly (the header's total size is too big),
     * except the full length. */
    for (size_t len = 0; len <= size; len++) {
        int rc;
        CHECK(parse_copy_sanely(dtb, len, &rc));
        CHECK_EQ_I64(rc, len == size ? 0 : -1);
    }

    /* Single-byte corruptions of the header, the reservation map and the
     * first 512 bytes of the structure block. */
    uint8_t *work = malloc(size);
    memcpy(work, dtb, size);
    size_t limit = get_be32(dtb + H_OFF_STRUCT) + 512;
    if (limit > size)
        limit = size;
    static const uint8_t masks[] = { 0x01, 0x02, 0x80, 0xff };
    for (size_t off = 0; off < limit; off++) {
        for (size_t m = 0; m < sizeof masks; m++) {
            work[off] ^= masks[m];
            int rc;
            CHECK(parse_copy_sanely(work, size, &rc));
            work[off] = dtb[off];
        }
    }
    free(work);
}

int main(void)
{
    test_usual_tree_two_cells();
    test_one_cell_addresses();
    test_default_cells_and_absent_nodes();
    test_reserved_ranges();
    test_reserved_memory_cells();
    test_reserved_overflow();
    test_decoys();
    test_bad_header();
    test_blocks_outside();
    test_bad_structure();
    test_bad_content();

    size_t size = 0;
    uint8_t *dtb = check_read_file(REAL_DTB, &size);
    if (CHECK(dtb != NULL)) {
        test_real_tree(dtb, size);
        test_fuzz_real_tree(dtb, size);
    } else {
        printf("  cannot read %s (run from the repository root)\n", REAL_DTB);
    }
    free(dtb);
    return check_summary("test_fdt");
}
