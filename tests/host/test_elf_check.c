/*
 * The ELF64 validator (kernel/loader/elf_check.c) against a real RISC-V user
 * program (tests/host/data/good-user.elf, built from good-user.c/.ld):
 * - the good file passes with the segments readelf -lW shows;
 * - a table of mutations of it, each refused by its own check with its own
 *   reason (the same cases scripts/gen-bad-elves.py writes as files), and
 *   near-misses that must still pass;
 * - bad loader limits;
 * - the good file cut at every length, random byte damage to its headers and
 *   nasty values in every header field: never a crash (every file handed to
 *   the validator is malloc'd at its exact size, so ASan sees any overread),
 *   and whatever passes is re-verified here, independently of elf_check.c.
 *
 * Field offsets are written out here rather than taken from elf_check.h, so a
 * wrong struct layout there cannot hide behind the same mistake here.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi/user.h"
#include "check.h"
#include "loader/elf_check.h"

#define GOOD_ELF "tests/host/data/good-user.elf"
#define PAGE 4096u

/* ELF64 header and program header fields: byte offsets (little-endian). */
enum {
    E_CLASS = 4, E_DATA = 5, E_IVERSION = 6, E_TYPE = 16, E_MACHINE = 18, E_VERSION = 20,
    E_ENTRY = 24, E_PHOFF = 32, E_SHOFF = 40, E_PHENTSIZE = 54, E_PHNUM = 56,
    E_SHENTSIZE = 58, E_SHNUM = 60,
    P_TYPE = 0, P_FLAGS = 4, P_OFFSET = 8, P_VADDR = 16, P_FILESZ = 32, P_MEMSZ = 40,
    P_ALIGN = 48, PHDR_SIZE = 56,
};

/* good-user.elf's program headers (riscv64-unknown-elf-readelf -lW):
 *   RISCV_ATTRIBUT 0x002008 0x0000000000000000 ... 0x000034 0x000000 R   0x1
 *   LOAD           0x001000 0x0000000100000000 ... 0x00005d 0x00005d R E 0x1000
 *   LOAD           0x002000 0x0000000100001000 ... 0x000008 0x001008 RW  0x1000
 * Entry 0x100000000; 9272 bytes, the section header table last (0x21f8, 9 x 64). */
enum { PH_ATTR = 0, PH_TEXT = 1, PH_DATA = 2, GOOD_PHNUM = 3 };
#define TEXT_VADDR  0x100000000ull
#define TEXT_OFFSET 0x1000ull
#define TEXT_SIZE   0x5dull
#define DATA_VADDR  0x100001000ull
#define DATA_OFFSET 0x2000ull
#define DATA_FILESZ 0x8ull
#define DATA_MEMSZ  0x1008ull
#define GOOD_SIZE   9272u

static const struct elf_limits limits = { USER_BASE, USER_END, PAGE };

static uint8_t *good;      /* the file as read */
static size_t good_size;

/* ---- bytes ------------------------------------------------------------------ */

static uint64_t get(const uint8_t *p, int width)
{
    uint64_t v = 0;
    for (int i = width - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void put(uint8_t *p, int width, uint64_t v)
{
    for (int i = 0; i < width; i++, v >>= 8)
        p[i] = (uint8_t)v;
}


/* A mutable copy of the good file; mutations only ever shrink it. */
struct buf {
    uint8_t p[GOOD_SIZE];
    size_t size;
};

static void eh_set(struct buf *b, int field, int width, uint64_t v) { put(b->p + field, width, v); }
static uint64_t eh_get(const struct buf *b, int field, int width) { return get(b->p + field, width); }

static uint8_t *ph_at(struct buf *b, int i)
{
    return b->p + eh_get(b, E_PHOFF, 8) + (size_t)i * PHDR_SIZE;
}
static void ph_set(struct buf *b, int i, int field, int width, uint64_t v)
{
    put(ph_at(b, i) + field, width, v);
}
static uint64_t ph_get(struct buf *b, int i, int field, int width)
{
    return get(ph_at(b, i) + field, width);
}

/* Runs the validator on exactly b->size bytes of fresh heap. */
static int run(const struct buf *b, const struct elf_limits *lim, struct elf_image *img,
               const char **reason, int *step)
{
    uint8_t *copy = malloc(b->size ? b->size : 1);
    memcpy(copy, b->p, b->size);
    int rc = elf_check_steps_run(copy, b->size, lim, img, reason, step);
    free(copy);
    return rc;
}

/* ---- the invariants, checked independently of elf_check.c ------------------- */

static uint64_t up(uint64_t x) { return (x + PAGE - 1) & ~(uint64_t)(PAGE - 1); }
static uint64_t down(uint64_t x) { return x & ~(uint64_t)(PAGE - 1); }

/* Everything a passing file must satisfy; returns 1 when it does. Compares
 * the image with the file's own PT_LOAD headers too. */
static int image_is_sound(const uint8_t *file, size_t size, const struct elf_image *img)
{
    int ok = 1;
    ok &= CHECK(img->nsegments >= 1 && img->nsegments <= ELF_MAX_SEGMENTS);
    if (!ok)
        return 0;
    int entry_ok = 0;
    uint64_t bss = 0, end_max = 0;
    for (uint32_t i = 0; i < img->nsegments; i++) {
        const struct elf_segment *s = &img->segments[i];
        ok &= CHECK(s->memsz > 0 && s->filesz <= s->memsz);
        ok &= CHECK(s->offset <= size && s->filesz <= size - s->offset);
        ok &= CHECK(s->vaddr >= limits.user_base && s->vaddr < limits.user_end);
        ok &= CHECK(s->memsz <= limits.user_end - s->vaddr);
        ok &= CHECK(s->flags != 0 && (s->flags & ~(uint32_t)(PF_R | PF_W | PF_X)) == 0);
        ok &= CHECK(!((s->flags & PF_W) && (s->flags & PF_X)));
        ok &= CHECK(!(s->flags & PF_W) || (s->flags & PF_R));
        ok &= CHECK(s->vaddr % PAGE == s->offset % PAGE);
        if (i > 0) {
            const struct elf_segment *p = &img->segments[i - 1];
            ok &= CHECK(up(p->vaddr + p->memsz) <= down(s->vaddr));  /* sorted, no shared page */
        }
        if ((s->flags & PF_X) && img->entry >= s->vaddr && img->entry - s->vaddr < s->filesz)
            entry_ok = 1;
        if (!bss && s->memsz > s->filesz)
            bss = s->vaddr + s->filesz;
        if (up(s->vaddr + s->memsz) > end_max)
            end_max = up(s->vaddr + s->memsz);
    }
    ok &= CHECK(entry_ok);
    ok &= CHECK(img->entry % 2 == 0);
    ok &= CHECK_EQ_U64(img->bss_start, bss);
    ok &= CHECK_EQ_U64(img->image_end, end_max);

    /* The file's own headers: as many PT_LOADs, each found in the image. */
    uint64_t phoff = get(file + E_PHOFF, 8), phnum = get(file + E_PHNUM, 2);
    uint32_t loads = 0;
    ok &= CHECK(phoff <= size && phnum * PHDR_SIZE <= size - phoff);
    for (uint64_t i = 0; ok && i < phnum; i++) {
        const uint8_t *ph = file + phoff + i * PHDR_SIZE;
        if (get(ph + P_TYPE, 4) != PT_LOAD)
            continue;
        loads++;
        int found = 0;
        for (uint32_t j = 0; j < img->nsegments; j++) {
            const struct elf_segment *s = &img->segments[j];
            found |= s->vaddr == get(ph + P_VADDR, 8) && s->memsz == get(ph + P_MEMSZ, 8) &&
                     s->filesz == get(ph + P_FILESZ, 8) && s->offset == get(ph + P_OFFSET, 8) &&
                     s->flags == (get(ph + P_FLAGS, 4) & 7);
        }
        ok &= CHECK(found);
    }
    ok &= CHECK_EQ_U64(loads, img->nsegments);
    ok &= CHECK_EQ_U64(get(file + E_ENTRY, 8), img->entry);
    return ok;
}

/* ---- the good file ---------------------------------------------------------- */

static void test_good(void)
{
    struct buf b = { .size = good_size };
    memcpy(b.p, good, good_size);

    /* The fixture is the one this file describes. */
    CHECK_EQ_U64(good_size, GOOD_SIZE);
    CHECK_EQ_U64(eh_get(&b, E_PHNUM, 2), GOOD_PHNUM);
    CHECK_EQ_U64(ph_get(&b, PH_ATTR, P_TYPE, 4), 0x70000003);  /* PT_RISCV_ATTRIBUTES */
    CHECK_EQ_U64(ph_get(&b, PH_TEXT, P_TYPE, 4), PT_LOAD);
    CHECK_EQ_U64(ph_get(&b, PH_DATA, P_TYPE, 4), PT_LOAD);
    /* The mutations below add program headers after the table: room of zeros. */
    for (size_t i = 64 + GOOD_PHNUM * PHDR_SIZE; i < TEXT_OFFSET; i++)
        if (!CHECK_EQ_U64(good[i], 0))
            break;

    struct elf_image img;
    const char *reason = "unset";
    int step = -1;
    CHECK_EQ_I64(run(&b, &limits, &img, &reason, &step), 0);
    CHECK_STR(reason, NULL);
    CHECK_EQ_I64(step, elf_check_step_count);
    CHECK_EQ_U64(img.entry, TEXT_VADDR);
    CHECK_EQ_U64(img.nsegments, 2);
    CHECK_EQ_U64(img.segments[0].vaddr, TEXT_VADDR);
    CHECK_EQ_U64(img.segments[0].memsz, TEXT_SIZE);
    CHECK_EQ_U64(img.segments[0].filesz, TEXT_SIZE);
    CHECK_EQ_U64(img.segments[0].offset, TEXT_OFFSET);
    CHECK_EQ_U64(img.segments[0].flags, PF_R | PF_X);
    CHECK_EQ_U64(img.segments[1].vaddr, DATA_VADDR);
    CHECK_EQ_U64(img.segments[1].memsz, DATA_MEMSZ);
    CHECK_EQ_U64(img.segments[1].filesz, DATA_FILESZ);
    CHECK_EQ_U64(img.segments[1].offset, DATA_OFFSET);
    CHECK_EQ_U64(img.segments[1].flags, PF_R | PF_W);
    CHECK_EQ_U64(img.bss_start, DATA_VADDR + DATA_FILESZ);
    CHECK_EQ_U64(img.image_end, 0x100003000ull);  /* .bss runs into a second page */
    image_is_sound(good, good_size, &img);

    /* elf_check is the same without the step; out and reason may be NULL. */
    struct elf_image img2;
    reason = "unset";
    CHECK_EQ_I64(elf_check(good, good_size, &limits, &img2, &reason), 0);
    CHECK_STR(reason, NULL);
    CHECK(memcmp(&img, &img2, sizeof img) == 0);
    CHECK_EQ_I64(elf_check(good, good_size, &limits, NULL, NULL), 0);
    CHECK_EQ_I64(elf_check(good, 10, &limits, NULL, NULL), -1);
}

/* ---- the steps ------------------------------------------------------------------ */

static int step_index(const char *name)
{
    for (int i = 0; i < elf_check_step_count; i++)
        if (strcmp(elf_check_steps[i].name, name) == 0)
            return i;
    return -1;
}

static void test_steps(void)
{
    static const char *const order[] = {
        "limits", "magic", "class", "data", "version", "machine", "type", "phentsize",
        "phnum", "phdrs", "shdrs", "loads", "file_range", "sizes", "user_range", "overlap",
        "align", "permissions", "entry",
    };
    CHECK_EQ_I64(elf_check_step_count, (int)(sizeof order / sizeof order[0]));
    for (int i = 0; i < elf_check_step_count && i < (int)(sizeof order / sizeof order[0]); i++) {
        CHECK_STR(elf_check_steps[i].name, order[i]);
        CHECK(elf_check_steps[i].what && elf_check_steps[i].what[0]);
    }
}

/* ---- mutations: each refused by its own check -------------------------------------- */

/* Adds n program headers after the table, each a one-page R-only PT_LOAD
 * mapping the text's file page at its own address above the image. */
static void add_loads(struct buf *b, int n)
{
    int phnum = (int)eh_get(b, E_PHNUM, 2);
    for (int k = 0; k < n; k++) {
        int i = phnum + k;
        memset(ph_at(b, i), 0, PHDR_SIZE);
        ph_set(b, i, P_TYPE, 4, PT_LOAD);
        ph_set(b, i, P_FLAGS, 4, PF_R);
        ph_set(b, i, P_OFFSET, 8, TEXT_OFFSET);
        ph_set(b, i, P_VADDR, 8, 0x100010000ull + (uint64_t)k * PAGE);
        ph_set(b, i, P_FILESZ, 8, TEXT_SIZE);
        ph_set(b, i, P_MEMSZ, 8, TEXT_SIZE);
        ph_set(b, i, P_ALIGN, 8, PAGE);
    }
    eh_set(b, E_PHNUM, 2, (uint64_t)(phnum + n));
}

static void swap_phdrs(struct buf *b, int i, int j)
{
    uint8_t tmp[PHDR_SIZE];
    memcpy(tmp, ph_at(b, i), PHDR_SIZE);
    memcpy(ph_at(b, i), ph_at(b, j), PHDR_SIZE);
    memcpy(ph_at(b, j), tmp, PHDR_SIZE);
}

/* The header */
static void m_empty(struct buf *b) { b->size = 0; }
static void m_magic_only(struct buf *b) { b->size = 4; }
static void m_truncated_header(struct buf *b) { b->size = 63; }
static void m_bad_magic(struct buf *b) { b->p[1] = 'X'; }
static void m_class32(struct buf *b) { b->p[E_CLASS] = 1; }
static void m_class_none(struct buf *b) { b->p[E_CLASS] = 0; }
static void m_big_endian(struct buf *b) { b->p[E_DATA] = 2; }
static void m_ident_version0(struct buf *b) { b->p[E_IVERSION] = 0; }
static void m_e_version2(struct buf *b) { eh_set(b, E_VERSION, 4, 2); }
static void m_x86_64(struct buf *b) { eh_set(b, E_MACHINE, 2, 62); }
static void m_aarch64(struct buf *b) { eh_set(b, E_MACHINE, 2, 183); }
static void m_et_dyn(struct buf *b) { eh_set(b, E_TYPE, 2, 3); }
static void m_et_rel(struct buf *b) { eh_set(b, E_TYPE, 2, 1); }
/* The header tables */
static void m_phentsize32(struct buf *b) { eh_set(b, E_PHENTSIZE, 2, 32); }
static void m_phentsize64(struct buf *b) { eh_set(b, E_PHENTSIZE, 2, 64); }
static void m_phnum0(struct buf *b) { eh_set(b, E_PHNUM, 2, 0); }
static void m_phnum65(struct buf *b) { eh_set(b, E_PHNUM, 2, 65); }
static void m_phnum_xnum(struct buf *b) { eh_set(b, E_PHNUM, 2, 0xffff); }
static void m_phoff_past_end(struct buf *b) { eh_set(b, E_PHOFF, 8, b->size); }
static void m_phoff_straddles_end(struct buf *b) { eh_set(b, E_PHOFF, 8, b->size - PHDR_SIZE); }
static void m_phoff_wraps(struct buf *b) { eh_set(b, E_PHOFF, 8, UINT64_MAX - 8); }
static void m_shoff_past_end(struct buf *b) { eh_set(b, E_SHOFF, 8, b->size); }
static void m_shnum_huge(struct buf *b) { eh_set(b, E_SHNUM, 2, 0xffff); }
static void m_truncated_half(struct buf *b) { b->size /= 2; }
static void m_truncated_last_byte(struct buf *b) { b->size -= 1; }
/* The PT_LOAD list */
static void m_no_load(struct buf *b)
{
    ph_set(b, PH_TEXT, P_TYPE, 4, 4);  /* PT_NOTE */
    ph_set(b, PH_DATA, P_TYPE, 4, 4);
}
static void m_nine_loads(struct buf *b) { add_loads(b, 7); }
/* File ranges */
static void m_text_offset_past_end(struct buf *b) { ph_set(b, PH_TEXT, P_OFFSET, 8, b->size); }
static void m_data_filesz_past_end(struct buf *b) { ph_set(b, PH_DATA, P_FILESZ, 8, b->size); }
static void m_offset_filesz_wraps(struct buf *b)
{
    ph_set(b, PH_TEXT, P_OFFSET, 8, UINT64_MAX - 0xf);  /* + filesz wraps to a small number */
}
static void m_other_header_past_end(struct buf *b) { ph_set(b, PH_ATTR, P_OFFSET, 8, b->size); }
/* Sizes */
static void m_filesz_gt_memsz(struct buf *b) { ph_set(b, PH_TEXT, P_FILESZ, 8, TEXT_SIZE + 1); }
static void m_memsz0(struct buf *b)
{
    ph_set(b, PH_DATA, P_FILESZ, 8, 0);
    ph_set(b, PH_DATA, P_MEMSZ, 8, 0);
}
/* Where the segments go */
static void m_kernel_mapping(struct buf *b)
{
    ph_set(b, PH_TEXT, P_VADDR, 8, 0x80200000);
    eh_set(b, E_ENTRY, 8, 0x80200000);
}
static void m_vaddr0(struct buf *b) { ph_set(b, PH_TEXT, P_VADDR, 8, 0); }
static void m_below_user_base(struct buf *b)
{
    ph_set(b, PH_TEXT, P_VADDR, 8, USER_BASE - PAGE);  /* straddles the base */
    ph_set(b, PH_TEXT, P_MEMSZ, 8, 2 * PAGE);
}
static void m_wraps_address_space(struct buf *b)
{
    ph_set(b, PH_DATA, P_VADDR, 8, 0xfffffffffffff000ull);  /* + 0x1008 wraps to 8 */
}
static void m_memsz_huge(struct buf *b) { ph_set(b, PH_DATA, P_MEMSZ, 8, UINT64_MAX); }
static void m_past_user_end(struct buf *b)
{
    ph_set(b, PH_DATA, P_MEMSZ, 8, USER_END - DATA_VADDR + 1);
}
static void m_in_ion_window(struct buf *b) { ph_set(b, PH_DATA, P_VADDR, 8, ION_USER_BASE); }
/* Overlaps */
static void m_overlap_same_vaddr(struct buf *b) { ph_set(b, PH_DATA, P_VADDR, 8, TEXT_VADDR); }
static void m_overlap_bytes(struct buf *b) { ph_set(b, PH_TEXT, P_MEMSZ, 8, 0x1800); }
static void m_share_page(struct buf *b)
{
    /* Byte-disjoint, but both in the page at TEXT_VADDR, so one page would
     * have to be both R+X and R+W. Everything else is valid. */
    ph_set(b, PH_DATA, P_VADDR, 8, TEXT_VADDR + 0xf00);
    ph_set(b, PH_DATA, P_OFFSET, 8, TEXT_OFFSET + 0xf00);
}
static void m_overlap_table_reversed(struct buf *b)
{
    swap_phdrs(b, PH_TEXT, PH_DATA);
    ph_set(b, PH_TEXT, P_VADDR, 8, TEXT_VADDR);  /* now the data's header */
}
/* Alignment */
static void m_misaligned_vaddr(struct buf *b) { ph_set(b, PH_TEXT, P_VADDR, 8, TEXT_VADDR + 4); }
static void m_misaligned_offset(struct buf *b) { ph_set(b, PH_TEXT, P_OFFSET, 8, TEXT_OFFSET + 4); }
static void m_misaligned_align0(struct buf *b)
{
    ph_set(b, PH_TEXT, P_ALIGN, 8, 0);  /* no p_align to break: the page rule alone */
    ph_set(b, PH_TEXT, P_VADDR, 8, TEXT_VADDR + 4);
}
static void m_align_not_pow2(struct buf *b) { ph_set(b, PH_TEXT, P_ALIGN, 8, 3); }
static void m_align_64k(struct buf *b) { ph_set(b, PH_TEXT, P_ALIGN, 8, 0x10000); }
/* Permissions */
static void m_text_wx(struct buf *b) { ph_set(b, PH_TEXT, P_FLAGS, 4, PF_R | PF_W | PF_X); }
static void m_data_wx(struct buf *b) { ph_set(b, PH_DATA, P_FLAGS, 4, PF_R | PF_W | PF_X); }
static void m_no_permissions(struct buf *b) { ph_set(b, PH_DATA, P_FLAGS, 4, 0); }
static void m_write_only(struct buf *b) { ph_set(b, PH_DATA, P_FLAGS, 4, PF_W); }
/* The entry point */
static void m_entry_deadbeef(struct buf *b) { eh_set(b, E_ENTRY, 8, 0xdeadbeef); }
static void m_entry0(struct buf *b) { eh_set(b, E_ENTRY, 8, 0); }
static void m_entry_in_data(struct buf *b) { eh_set(b, E_ENTRY, 8, DATA_VADDR); }
static void m_entry_past_filesz(struct buf *b)
{
    ph_set(b, PH_TEXT, P_MEMSZ, 8, 0x200);  /* zeros after the code: not code */
    eh_set(b, E_ENTRY, 8, TEXT_VADDR + 0x100);
}
static void m_entry_end_of_text(struct buf *b) { eh_set(b, E_ENTRY, 8, TEXT_VADDR + TEXT_SIZE); }
static void m_entry_odd(struct buf *b) { eh_set(b, E_ENTRY, 8, TEXT_VADDR + 1); }
/* Combinations: the first failing check names the reason */
static void m_x86_64_dyn(struct buf *b) { m_x86_64(b); m_et_dyn(b); }
static void m_class32_big_endian(struct buf *b) { m_class32(b); m_big_endian(b); }
static void m_overlap_and_wx(struct buf *b) { m_overlap_same_vaddr(b); m_data_wx(b); }
static void m_kernel_mapping_deadbeef(struct buf *b) { m_kernel_mapping(b); m_entry_deadbeef(b); }
static void m_xv6_trio(struct buf *b) { m_x86_64(b); m_class32(b); m_entry_deadbeef(b); }
static void m_wx_and_misaligned_entry(struct buf *b) { m_text_wx(b); m_entry_odd(b); }

/* Near misses: must still pass. */
static void ok_table_reversed(struct buf *b) { swap_phdrs(b, PH_TEXT, PH_DATA); }
static void ok_exec_only_text(struct buf *b) { ph_set(b, PH_TEXT, P_FLAGS, 4, PF_X); }
static void ok_eight_loads(struct buf *b) { add_loads(b, 6); }
static void ok_phnum64(struct buf *b)
{
    eh_set(b, E_PHNUM, 2, 64);  /* 61 more headers, all zeros: PT_NULL */
}
static void ok_align0(struct buf *b) { ph_set(b, PH_TEXT, P_ALIGN, 8, 0); }
static void ok_align1(struct buf *b) { ph_set(b, PH_DATA, P_ALIGN, 8, 1); }
static void ok_end_at_user_end(struct buf *b)
{
    ph_set(b, PH_DATA, P_MEMSZ, 8, USER_END - DATA_VADDR);
}
static void ok_phdrs_at_odd_offset(struct buf *b)
{
    memmove(b->p + 0x101, ph_at(b, 0), GOOD_PHNUM * PHDR_SIZE);
    eh_set(b, E_PHOFF, 8, 0x101);
}
static void ok_no_section_table(struct buf *b)
{
    eh_set(b, E_SHOFF, 8, 0);
    eh_set(b, E_SHNUM, 2, 0);
}
static void ok_entry_last_halfword(struct buf *b) { eh_set(b, E_ENTRY, 8, TEXT_VADDR + 0x5c); }
static void ok_extra_flag_bits(struct buf *b)
{
    ph_set(b, PH_TEXT, P_FLAGS, 4, 0xf0000000u | PF_R | PF_X);  /* PF_MASKPROC: dropped */
}
static void ok_pages_touching(struct buf *b)
{
    ph_set(b, PH_TEXT, P_MEMSZ, 8, PAGE);  /* text ends exactly where data begins */
}

struct mutation {
    int line;
    const char *name;
    void (*apply)(struct buf *b);
    const char *step;    /* the check that refuses it; NULL: it must pass */
    const char *reason;
};

#define BAD(fn, step, reason) { __LINE__, #fn, fn, step, reason }
#define OK(fn) { __LINE__, #fn, fn, NULL, NULL }

static const struct mutation mutations[] = {
    BAD(m_empty, "magic", "not an ELF file"),
    BAD(m_magic_only, "magic", "not an ELF file"),
    BAD(m_truncated_header, "magic", "not an ELF file"),
    BAD(m_bad_magic, "magic", "not an ELF file"),
    BAD(m_class32, "class", "not a 64-bit ELF"),
    BAD(m_class_none, "class", "not a 64-bit ELF"),
    BAD(m_big_endian, "data", "not little-endian"),
    BAD(m_ident_version0, "version", "unsupported ELF version"),
    BAD(m_e_version2, "version", "unsupported ELF version"),
    BAD(m_x86_64, "machine", "wrong machine"),
    BAD(m_aarch64, "machine", "wrong machine"),
    BAD(m_et_dyn, "type", "not an executable (ET_EXEC)"),
    BAD(m_et_rel, "type", "not an executable (ET_EXEC)"),
    BAD(m_phentsize32, "phentsize", "bad program header size"),
    BAD(m_phentsize64, "phentsize", "bad program header size"),
    BAD(m_phnum0, "phnum", "no program headers"),
    BAD(m_phnum65, "phnum", "too many program headers"),
    BAD(m_phnum_xnum, "phnum", "too many program headers"),
    BAD(m_phoff_past_end, "phdrs", "program headers outside the file"),
    BAD(m_phoff_straddles_end, "phdrs", "program headers outside the file"),
    BAD(m_phoff_wraps, "phdrs", "program headers outside the file"),
    BAD(m_shoff_past_end, "shdrs", "section headers outside the file"),
    BAD(m_shnum_huge, "shdrs", "section headers outside the file"),
    BAD(m_truncated_half, "shdrs", "section headers outside the file"),
    BAD(m_truncated_last_byte, "shdrs", "section headers outside the file"),
    BAD(m_no_load, "loads", "no loadable segment"),
    BAD(m_nine_loads, "loads", "too many loadable segments"),
    BAD(m_text_offset_past_end, "file_range", "segment file range outside the file"),
    BAD(m_data_filesz_past_end, "file_range", "segment file range outside the file"),
    BAD(m_offset_filesz_wraps, "file_range", "segment file range outside the file"),
    BAD(m_other_header_past_end, "file_range", "segment file range outside the file"),
    BAD(m_filesz_gt_memsz, "sizes", "segment filesz larger than memsz"),
    BAD(m_memsz0, "sizes", "empty loadable segment"),
    BAD(m_kernel_mapping, "user_range", "segment outside user space"),
    BAD(m_vaddr0, "user_range", "segment outside user space"),
    BAD(m_below_user_base, "user_range", "segment outside user space"),
    BAD(m_wraps_address_space, "user_range", "segment outside user space"),
    BAD(m_memsz_huge, "user_range", "segment outside user space"),
    BAD(m_past_user_end, "user_range", "segment outside user space"),
    BAD(m_in_ion_window, "user_range", "segment outside user space"),
    BAD(m_overlap_same_vaddr, "overlap", "segments overlap"),
    BAD(m_overlap_bytes, "overlap", "segments overlap"),
    BAD(m_share_page, "overlap", "segments overlap"),
    BAD(m_overlap_table_reversed, "overlap", "segments overlap"),
    BAD(m_misaligned_vaddr, "align", "segment misaligned"),
    BAD(m_misaligned_offset, "align", "segment misaligned"),
    BAD(m_misaligned_align0, "align", "segment misaligned"),
    BAD(m_align_not_pow2, "align", "segment misaligned"),
    BAD(m_align_64k, "align", "segment misaligned"),
    BAD(m_text_wx, "permissions", "segment both writable and executable"),
    BAD(m_data_wx, "permissions", "segment both writable and executable"),
    BAD(m_no_permissions, "permissions", "segment with no permissions"),
    BAD(m_write_only, "permissions", "segment writable but not readable"),
    BAD(m_entry_deadbeef, "entry", "entry point not in an executable segment"),
    BAD(m_entry0, "entry", "entry point not in an executable segment"),
    BAD(m_entry_in_data, "entry", "entry point not in an executable segment"),
    BAD(m_entry_past_filesz, "entry", "entry point not in an executable segment"),
    BAD(m_entry_end_of_text, "entry", "entry point not in an executable segment"),
    BAD(m_entry_odd, "entry", "entry point misaligned"),
    BAD(m_x86_64_dyn, "machine", "wrong machine"),
    BAD(m_class32_big_endian, "class", "not a 64-bit ELF"),
    BAD(m_overlap_and_wx, "overlap", "segments overlap"),
    BAD(m_kernel_mapping_deadbeef, "user_range", "segment outside user space"),
    BAD(m_xv6_trio, "class", "not a 64-bit ELF"),
    BAD(m_wx_and_misaligned_entry, "permissions", "segment both writable and executable"),
    OK(ok_table_reversed),
    OK(ok_exec_only_text),
    OK(ok_eight_loads),
    OK(ok_phnum64),
    OK(ok_align0),
    OK(ok_align1),
    OK(ok_end_at_user_end),
    OK(ok_phdrs_at_odd_offset),
    OK(ok_no_section_table),
    OK(ok_entry_last_halfword),
    OK(ok_extra_flag_bits),
    OK(ok_pages_touching),
};

static void test_mutations(void)
{
    int bad = 0;
    for (size_t i = 0; i < sizeof mutations / sizeof mutations[0]; i++) {
        const struct mutation *m = &mutations[i];
        static struct buf b;
        memcpy(b.p, good, good_size);
        b.size = good_size;
        m->apply(&b);

        struct elf_image img;
        const char *reason = "unset";
        int step = -1;
        int rc = run(&b, &limits, &img, &reason, &step);
        const char *step_name = step >= 0 && step < elf_check_step_count
                                    ? elf_check_steps[step].name : "(all passed)";
        if (m->reason) {
            bad++;
            check_eq_i64_at(__FILE__, m->line, m->name, rc, -1);
            check_str_at(__FILE__, m->line, m->name, reason, m->reason);
            check_str_at(__FILE__, m->line, m->name, step_name, m->step);
            static const struct elf_image zero;
            check_true_at(__FILE__, m->line, "image zeroed on failure",
                          memcmp(&img, &zero, sizeof img) == 0);
        } else {
            check_eq_i64_at(__FILE__, m->line, m->name, rc, 0);
            check_str_at(__FILE__, m->line, m->name, reason, NULL);
            if (rc == 0)
                image_is_sound(b.p, b.size, &img);
        }
    }
    CHECK(bad >= 30);
}

/* A few images the near-misses must produce exactly. */
static void test_near_miss_images(void)
{
    struct buf b;
    struct elf_image img;
    const char *reason;

    memcpy(b.p, good, good_size);
    b.size = good_size;
    ok_eight_loads(&b);
    CHECK_EQ_I64(run(&b, &limits, &img, &reason, NULL), 0);
    CHECK_EQ_U64(img.nsegments, 8);
    CHECK_EQ_U64(img.segments[7].vaddr, 0x100015000ull);  /* sorted by vaddr */
    CHECK_EQ_U64(img.image_end, 0x100016000ull);
    CHECK_EQ_U64(img.bss_start, DATA_VADDR + DATA_FILESZ);

    memcpy(b.p, good, good_size);
    ok_end_at_user_end(&b);
    CHECK_EQ_I64(run(&b, &limits, &img, &reason, NULL), 0);
    CHECK_EQ_U64(img.image_end, USER_END);

    memcpy(b.p, good, good_size);
    ok_extra_flag_bits(&b);
    CHECK_EQ_I64(run(&b, &limits, &img, &reason, NULL), 0);
    CHECK_EQ_U64(img.segments[0].flags, PF_R | PF_X);

    memcpy(b.p, good, good_size);
    ok_table_reversed(&b);
    CHECK_EQ_I64(run(&b, &limits, &img, &reason, NULL), 0);
    CHECK_EQ_U64(img.segments[0].vaddr, TEXT_VADDR);
    CHECK_EQ_U64(img.segments[1].vaddr, DATA_VADDR);

    /* No .bss anywhere: bss_start 0. */
    memcpy(b.p, good, good_size);
    ph_set(&b, PH_DATA, P_MEMSZ, 8, DATA_FILESZ);
    CHECK_EQ_I64(run(&b, &limits, &img, &reason, NULL), 0);
    CHECK_EQ_U64(img.bss_start, 0);
    CHECK_EQ_U64(img.image_end, 0x100002000ull);
}

/* ---- the loader's own limits ------------------------------------------------------- */

static void test_bad_limits(void)
{
    static const struct elf_limits bad[] = {
        { USER_BASE, USER_END, 0 },
        { USER_BASE, USER_END, 3000 },
        { USER_BASE + 1, USER_END, PAGE },
        { USER_BASE, USER_END - 1, PAGE },
        { USER_END, USER_BASE, PAGE },
        { USER_BASE, USER_BASE, PAGE },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *reason = NULL;
        int step = -1;
        CHECK_EQ_I64(elf_check_steps_run(good, good_size, &bad[i], NULL, &reason, &step), -1);
        CHECK_STR(reason, "bad loader limits");
        CHECK_EQ_I64(step, step_index("limits"));
    }
    const char *reason = NULL;
    CHECK_EQ_I64(elf_check(good, good_size, NULL, NULL, &reason), -1);
    CHECK_STR(reason, "bad loader limits");

    /* Tighter limits than the image: refused where it sticks out. */
    struct elf_limits tight = { USER_BASE, DATA_VADDR + PAGE, PAGE };
    CHECK_EQ_I64(elf_check(good, good_size, &tight, NULL, &reason), -1);
    CHECK_STR(reason, "segment outside user space");
    tight.user_end = 0x100003000ull;  /* exactly the data's end, rounded up */
    CHECK_EQ_I64(elf_check(good, good_size, &tight, NULL, &reason), 0);
    /* A bigger page: text and data now share one. */
    struct elf_limits big_page = { USER_BASE, USER_END, 0x10000 };
    CHECK_EQ_I64(elf_check(good, good_size, &big_page, NULL, &reason), -1);
    CHECK_STR(reason, "segments overlap");
}

/* ---- robustness ---------------------------------------------------------------------- */

/* Every length from 0 to the full size: only the full file passes. */
static void test_truncation(void)
{
    unsigned long passed = 0;
    for (size_t len = 0; len <= good_size; len++) {
        uint8_t *copy = malloc(len ? len : 1);
        memcpy(copy, good, len);
        const char *reason = NULL;
        int rc = elf_check(copy, len, &limits, NULL, &reason);
        free(copy);
        if (len < good_size) {
            if (!check_true_at(__FILE__, __LINE__, "a cut file is refused", rc == -1))
                printf("  length %zu passed\n", len);
        } else {
            CHECK_EQ_I64(rc, 0);
        }
        passed += rc == 0;
    }
    CHECK_EQ_U64(passed, 1);
}

/* xorshift64: a fixed seed, the same run every time. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Runs one damaged file; whatever passes must be sound. Returns rc. */
static int run_damaged(const struct buf *b, unsigned long *refused_by)
{
    uint8_t *copy = malloc(b->size ? b->size : 1);
    memcpy(copy, b->p, b->size);
    struct elf_image img;
    const char *reason = NULL;
    int step = -1;
    int rc = elf_check_steps_run(copy, b->size, &limits, &img, &reason, &step);
    if (rc == 0) {
        image_is_sound(copy, b->size, &img);
    } else {
        CHECK(reason && reason[0]);
        CHECK(step >= 0 && step < elf_check_step_count);
        if (step >= 0 && step < elf_check_step_count)
            refused_by[step]++;
    }
    free(copy);
    return rc;
}

/* The same without a section table (e_shoff, e_shnum 0), so nothing at the
 * file's end gives the cut away: the program headers and the segments' file
 * ranges must. Passes exactly from the end of the last range a program
 * header names (the attributes, 0x2008 + 0x34) on; before that, each cut
 * inside the header table would be an overread if a check were off by one. */
static void test_truncation_without_sections(void)
{
    static struct buf b;
    memcpy(b.p, good, good_size);
    ok_no_section_table(&b);
    const size_t last_range_end = 0x2008 + 0x34;
    for (size_t len = 0; len <= good_size; len++) {
        b.size = len;
        unsigned long unused[32] = { 0 };
        int rc = run_damaged(&b, unused);
        if (!check_true_at(__FILE__, __LINE__, "passes iff every range is inside",
                           (rc == 0) == (len >= last_range_end)))
            printf("  length %zu: rc %d\n", len, rc);
    }
}

/* One random byte of the first 512 (the header, the program headers and the
 * zeros after them) set to a random value, 10,000 times. */
static void test_random_bytes(void)
{
    static struct buf b;
    unsigned long refused_by[32] = { 0 }, passed = 0;
    for (int iter = 0; iter < 10000; iter++) {
        memcpy(b.p, good, good_size);
        b.size = good_size;
        b.p[rng() % 512] = (uint8_t)rng();
        passed += run_damaged(&b, refused_by) == 0;
    }
    /* Both outcomes happen: damage to e_ident refuses, damage to p_paddr does not. */
    CHECK(passed > 0 && passed < 10000);
    CHECK(refused_by[step_index("magic")] > 0);
    CHECK(refused_by[step_index("machine")] > 0);
}

/* Boundary values written into whole header fields: the values an overflow
 * bug would trip on. 10,000 files, 1 to 3 fields each. */
static void test_nasty_fields(void)
{
    static const uint64_t values[] = {
        0, 1, 2, 0x38, 0x40, 0x1000, 0xfff, 0x7fffffff, 0x80000000, 0xffffffff,
        0x80200000, USER_BASE - 1, USER_BASE, USER_BASE + 0xf00, USER_END - PAGE, USER_END,
        GOOD_SIZE - 1, GOOD_SIZE, 0x7fffffffffffffffull, 0x8000000000000000ull,
        UINT64_MAX - PAGE, UINT64_MAX - 0x37, UINT64_MAX,
    };
    static const struct { int offset, width; } eh_fields[] = {
        { E_TYPE, 2 }, { E_MACHINE, 2 }, { E_ENTRY, 8 }, { E_PHOFF, 8 }, { E_SHOFF, 8 },
        { E_PHENTSIZE, 2 }, { E_PHNUM, 2 }, { E_SHENTSIZE, 2 }, { E_SHNUM, 2 },
    };
    static const struct { int offset, width; } ph_fields[] = {
        { P_TYPE, 4 }, { P_FLAGS, 4 }, { P_OFFSET, 8 }, { P_VADDR, 8 },
        { P_FILESZ, 8 }, { P_MEMSZ, 8 }, { P_ALIGN, 8 },
    };
    const int n_eh = sizeof eh_fields / sizeof eh_fields[0];
    const int n_ph = sizeof ph_fields / sizeof ph_fields[0];
    static struct buf b;
    unsigned long refused_by[32] = { 0 }, passed = 0;
    for (int iter = 0; iter < 10000; iter++) {
        memcpy(b.p, good, good_size);
        b.size = good_size;
        int n = 1 + (int)(rng() % 3);
        for (int k = 0; k < n; k++) {
            uint64_t v = values[rng() % (sizeof values / sizeof values[0])];
            if (rng() % 2 == 0)
                v += rng() % 3 - 1;  /* and their neighbours */
            int f = (int)(rng() % (uint64_t)(n_eh + n_ph * GOOD_PHNUM));
            if (f < n_eh) {
                eh_set(&b, eh_fields[f].offset, eh_fields[f].width, v);
            } else {
                f -= n_eh;
                uint8_t *ph = b.p + 64 + (f / n_ph) * PHDR_SIZE;  /* the table where it was */
                put(ph + ph_fields[f % n_ph].offset, ph_fields[f % n_ph].width, v);
            }
        }
        passed += run_damaged(&b, refused_by) == 0;
    }
    CHECK(passed > 0);
    int steps_seen = 0;
    for (int s = 0; s < elf_check_step_count; s++)
        steps_seen += refused_by[s] > 0;
    CHECK(steps_seen >= 10);
}

int main(void)
{
    good = check_read_file(GOOD_ELF, &good_size);
    if (good_size != GOOD_SIZE) {
        printf("test_elf_check: %s is %zu bytes, this test describes %u: "
               "update it from riscv64-unknown-elf-readelf -lW\n", GOOD_ELF, good_size, GOOD_SIZE);
        return 1;
    }
    test_good();
    test_steps();
    test_mutations();
    test_near_miss_images();
    test_bad_limits();
    test_truncation();
    test_truncation_without_sections();
    test_random_bytes();
    test_nasty_fields();
    free(good);
    return check_summary("test_elf_check");
}
