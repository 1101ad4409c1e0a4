/*
 * The ELF64 validator: a table of checks run in order, each a function that
 * returns NULL (passed) or its reason. A check may rely on everything the
 * checks before it established, and on nothing else: "machine" may read the
 * header because "magic" made sure the file holds one; "overlap" may round
 * segment ends up to a page because "user_range" bounded them below
 * user_end. docs/elf-loader.md explains why each check exists.
 *
 * Reading the file: the header and each program header are copied out with
 * memcpy (the file need not be aligned), only after a check has shown they lie
 * inside it. The bytes are little-endian, and so is every machine this builds
 * for (RISC-V and the host), so a copy is a decode.
 */
#include "loader/elf_check.h"

#include <stddef.h>
#include <stdint.h>

#include "lib/string.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "elf_check.c decodes little-endian ELF files by copying: it needs a little-endian machine"
#endif

enum step {
    STEP_LIMITS, STEP_MAGIC, STEP_CLASS, STEP_DATA, STEP_VERSION, STEP_MACHINE, STEP_TYPE,
    STEP_PHENTSIZE, STEP_PHNUM, STEP_PHDRS, STEP_SHDRS, STEP_LOADS, STEP_FILE_RANGE, STEP_SIZES,
    STEP_USER_RANGE, STEP_OVERLAP, STEP_ALIGN, STEP_PERMISSIONS, STEP_ENTRY,
    STEP_COUNT
};

const struct elf_check_step elf_check_steps[] = {
    [STEP_LIMITS]      = { "limits", "the loader's own limits are sane" },
    [STEP_MAGIC]       = { "magic", "starts with \\x7fELF and holds a whole ELF64 header" },
    [STEP_CLASS]       = { "class", "ELFCLASS64" },
    [STEP_DATA]        = { "data", "little-endian (ELFDATA2LSB)" },
    [STEP_VERSION]     = { "version", "EV_CURRENT in e_ident and e_version" },
    [STEP_MACHINE]     = { "machine", "e_machine is EM_RISCV (243)" },
    [STEP_TYPE]        = { "type", "e_type is ET_EXEC" },
    [STEP_PHENTSIZE]   = { "phentsize", "e_phentsize is 56" },
    [STEP_PHNUM]       = { "phnum", "1 to 64 program headers" },
    [STEP_PHDRS]       = { "phdrs", "the program header table lies inside the file" },
    [STEP_SHDRS]       = { "shdrs", "the section header table lies inside the file" },
    [STEP_LOADS]       = { "loads", "1 to 8 PT_LOAD segments" },
    [STEP_FILE_RANGE]  = { "file_range", "every segment's file bytes lie inside the file" },
    [STEP_SIZES]       = { "sizes", "0 < memsz and filesz <= memsz" },
    [STEP_USER_RANGE]  = { "user_range", "every segment byte inside user space" },
    [STEP_OVERLAP]     = { "overlap", "no page shared by two segments" },
    [STEP_ALIGN]       = { "align", "p_align a power of two; vaddr = offset modulo the page" },
    [STEP_PERMISSIONS] = { "permissions", "some permission, readable if writable, never W+X" },
    [STEP_ENTRY]       = { "entry", "entry point on code of an executable segment" },
};
const int elf_check_step_count = STEP_COUNT;
_Static_assert(sizeof elf_check_steps / sizeof elf_check_steps[0] == STEP_COUNT,
               "one elf_check_steps entry per step");

/* What the checks know so far. */
struct ctx {
    const uint8_t *file;
    size_t size;
    const struct elf_limits *lim;
    Elf64_Ehdr eh;                       /* from STEP_MAGIC on */
    Elf64_Phdr loads[ELF_MAX_SEGMENTS];  /* from STEP_LOADS on: the PT_LOADs, by vaddr */
    uint32_t nloads;
};

/* ---- helpers ------------------------------------------------------------- */

/* *sum = a + b; -1 (and *sum untouched) when it does not fit in 64 bits. */
static int add_u64(uint64_t a, uint64_t b, uint64_t *sum)
{
    if (b > UINT64_MAX - a)
        return -1;
    *sum = a + b;
    return 0;
}

static int is_pow2(uint64_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

static uint64_t page_down(const struct ctx *c, uint64_t x)
{
    return x & ~(c->lim->page_size - 1);
}

/* Only for x <= user_end, which is page-aligned: never wraps. */
static uint64_t page_up(const struct ctx *c, uint64_t x)
{
    return page_down(c, x + c->lim->page_size - 1);
}

/* Program header i; only after STEP_PHDRS showed the table is in the file. */
static void read_phdr(const struct ctx *c, uint32_t i, Elf64_Phdr *ph)
{
    memcpy(ph, c->file + (size_t)c->eh.e_phoff + (size_t)i * sizeof *ph, sizeof *ph);
}

/* ---- the checks, in order ------------------------------------------------- */

static const char *check_limits(struct ctx *c)
{
    const struct elf_limits *l = c->lim;
    if (!l || !is_pow2(l->page_size) || l->user_base % l->page_size != 0 ||
        l->user_end % l->page_size != 0 || l->user_base >= l->user_end)
        return "bad loader limits";
    return NULL;
}

static const char *check_magic(struct ctx *c)
{
    if (!c->file || c->size < sizeof c->eh || memcmp(c->file, "\x7f" "ELF", 4) != 0)
        return "not an ELF file";
    memcpy(&c->eh, c->file, sizeof c->eh);
    return NULL;
}

static const char *check_class(struct ctx *c)
{
    return c->eh.e_ident[EI_CLASS] == ELFCLASS64 ? NULL : "not a 64-bit ELF";
}

static const char *check_data(struct ctx *c)
{
    return c->eh.e_ident[EI_DATA] == ELFDATA2LSB ? NULL : "not little-endian";
}

static const char *check_version(struct ctx *c)
{
    if (c->eh.e_ident[EI_VERSION] != EV_CURRENT || c->eh.e_version != EV_CURRENT)
        return "unsupported ELF version";
    return NULL;
}

static const char *check_machine(struct ctx *c)
{
    return c->eh.e_machine == EM_RISCV ? NULL : "wrong machine";
}

static const char *check_type(struct ctx *c)
{
    return c->eh.e_type == ET_EXEC ? NULL : "not an executable (ET_EXEC)";
}

static const char *check_phentsize(struct ctx *c)
{
    return c->eh.e_phentsize == sizeof(Elf64_Phdr) ? NULL : "bad program header size";
}

static const char *check_phnum(struct ctx *c)
{
    if (c->eh.e_phnum == 0)
        return "no program headers";
    if (c->eh.e_phnum > ELF_MAX_PHNUM)  /* PN_XNUM (0xffff) lands here too */
        return "too many program headers";
    return NULL;
}

static const char *check_phdrs(struct ctx *c)
{
    uint64_t table_end;
    uint64_t table_size = (uint64_t)c->eh.e_phnum * sizeof(Elf64_Phdr);  /* <= 64 * 56 */
    if (add_u64(c->eh.e_phoff, table_size, &table_end) || table_end > c->size)
        return "program headers outside the file";
    return NULL;
}

/* The loader never reads sections, but a linker writes their table last: one
 * that runs past the end is how a truncated file shows. No table (e_shoff 0,
 * e_shnum 0) is fine. */
static const char *check_shdrs(struct ctx *c)
{
    uint64_t table_end;
    uint64_t table_size = (uint64_t)c->eh.e_shnum * c->eh.e_shentsize;  /* < 2^32 */
    if (add_u64(c->eh.e_shoff, table_size, &table_end) || table_end > c->size)
        return "section headers outside the file";
    return NULL;
}

/* Collects the PT_LOAD headers and sorts them by vaddr (insertion sort: 8 at most). */
static const char *check_loads(struct ctx *c)
{
    for (uint32_t i = 0; i < c->eh.e_phnum; i++) {
        Elf64_Phdr ph;
        read_phdr(c, i, &ph);
        if (ph.p_type != PT_LOAD)
            continue;
        if (c->nloads == ELF_MAX_SEGMENTS)
            return "too many loadable segments";
        uint32_t j = c->nloads++;
        for (; j > 0 && c->loads[j - 1].p_vaddr > ph.p_vaddr; j--)
            c->loads[j] = c->loads[j - 1];
        c->loads[j] = ph;
    }
    return c->nloads ? NULL : "no loadable segment";
}

/* Every program header, not only PT_LOAD: a header pointing outside the file
 * is a malformed file whatever its type. */
static const char *check_file_range(struct ctx *c)
{
    for (uint32_t i = 0; i < c->eh.e_phnum; i++) {
        Elf64_Phdr ph;
        uint64_t end;
        read_phdr(c, i, &ph);
        if (add_u64(ph.p_offset, ph.p_filesz, &end) || end > c->size)
            return "segment file range outside the file";
    }
    return NULL;
}

static const char *check_sizes(struct ctx *c)
{
    for (uint32_t i = 0; i < c->nloads; i++) {
        if (c->loads[i].p_filesz > c->loads[i].p_memsz)
            return "segment filesz larger than memsz";
        if (c->loads[i].p_memsz == 0)
            return "empty loadable segment";
    }
    return NULL;
}

/* [vaddr, vaddr + memsz) inside [user_base, user_end), the sum not wrapping.
 * The limits are page-aligned, so the pages these bytes touch are inside too. */
static const char *check_user_range(struct ctx *c)
{
    for (uint32_t i = 0; i < c->nloads; i++) {
        const Elf64_Phdr *ph = &c->loads[i];
        uint64_t end;
        if (add_u64(ph->p_vaddr, ph->p_memsz, &end) || ph->p_vaddr < c->lim->user_base ||
            end > c->lim->user_end)
            return "segment outside user space";
    }
    return NULL;
}

/* Page-granular: permissions are per page, so two segments may not even
 * share one. Sorted by vaddr and non-empty, so neighbours are enough. */
static const char *check_overlap(struct ctx *c)
{
    for (uint32_t i = 1; i < c->nloads; i++) {
        const Elf64_Phdr *prev = &c->loads[i - 1], *cur = &c->loads[i];
        if (page_up(c, prev->p_vaddr + prev->p_memsz) > page_down(c, cur->p_vaddr))
            return "segments overlap";
    }
    return NULL;
}

/* The loader maps file pages straight onto memory pages, so a segment's bytes
 * must sit at the same offset within a page in both. */
static const char *check_align(struct ctx *c)
{
    uint64_t page = c->lim->page_size;
    for (uint32_t i = 0; i < c->nloads; i++) {
        const Elf64_Phdr *ph = &c->loads[i];
        if (ph->p_align > 1 && (!is_pow2(ph->p_align) ||
                                ph->p_vaddr % ph->p_align != ph->p_offset % ph->p_align))
            return "segment misaligned";
        if (ph->p_vaddr % page != ph->p_offset % page)
            return "segment misaligned";
    }
    return NULL;
}

static const char *check_permissions(struct ctx *c)
{
    for (uint32_t i = 0; i < c->nloads; i++) {
        uint32_t f = c->loads[i].p_flags;
        if ((f & PF_W) && (f & PF_X))
            return "segment both writable and executable";
        if ((f & (PF_R | PF_W | PF_X)) == 0)
            return "segment with no permissions";
        if ((f & PF_W) && !(f & PF_R))  /* Sv39 reserves W without R */
            return "segment writable but not readable";
    }
    return NULL;
}

/* The entry must be on bytes from the file (the zeros past filesz are not
 * code) of an executable segment, at an instruction boundary (2 bytes: RVC). */
static const char *check_entry(struct ctx *c)
{
    uint64_t entry = c->eh.e_entry;
    for (uint32_t i = 0; i < c->nloads; i++) {
        const Elf64_Phdr *ph = &c->loads[i];
        if ((ph->p_flags & PF_X) && entry >= ph->p_vaddr && entry - ph->p_vaddr < ph->p_filesz)
            return entry % 2 == 0 ? NULL : "entry point misaligned";
    }
    return "entry point not in an executable segment";
}

typedef const char *check_fn(struct ctx *c);

/* Each step's function; a NULL here would crash, so the list mirrors enum step. */
static check_fn *const checks[STEP_COUNT] = {
    [STEP_LIMITS]      = check_limits,
    [STEP_MAGIC]       = check_magic,
    [STEP_CLASS]       = check_class,
    [STEP_DATA]        = check_data,
    [STEP_VERSION]     = check_version,
    [STEP_MACHINE]     = check_machine,
    [STEP_TYPE]        = check_type,
    [STEP_PHENTSIZE]   = check_phentsize,
    [STEP_PHNUM]       = check_phnum,
    [STEP_PHDRS]       = check_phdrs,
    [STEP_SHDRS]       = check_shdrs,
    [STEP_LOADS]       = check_loads,
    [STEP_FILE_RANGE]  = check_file_range,
    [STEP_SIZES]       = check_sizes,
    [STEP_USER_RANGE]  = check_user_range,
    [STEP_OVERLAP]     = check_overlap,
    [STEP_ALIGN]       = check_align,
    [STEP_PERMISSIONS] = check_permissions,
    [STEP_ENTRY]       = check_entry,
};

/* ---- the image and the runners ------------------------------------------- */

static void describe(const struct ctx *c, struct elf_image *img)
{
    memset(img, 0, sizeof *img);
    img->entry = c->eh.e_entry;
    img->nsegments = c->nloads;
    for (uint32_t i = 0; i < c->nloads; i++) {
        const Elf64_Phdr *ph = &c->loads[i];
        struct elf_segment *s = &img->segments[i];
        s->vaddr = ph->p_vaddr;
        s->memsz = ph->p_memsz;
        s->filesz = ph->p_filesz;
        s->offset = ph->p_offset;
        s->flags = ph->p_flags & (PF_R | PF_W | PF_X);
        if (img->bss_start == 0 && ph->p_memsz > ph->p_filesz)
            img->bss_start = ph->p_vaddr + ph->p_filesz;
        uint64_t end = page_up(c, ph->p_vaddr + ph->p_memsz);
        if (end > img->image_end)
            img->image_end = end;
    }
}

int elf_check_steps_run(const uint8_t *file, size_t size, const struct elf_limits *lim,
                        struct elf_image *out, const char **reason, int *failed_step)
{
    struct ctx c;
    memset(&c, 0, sizeof c);
    c.file = file;
    c.size = size;
    c.lim = lim;

    const char *why = NULL;
    int step;
    for (step = 0; step < STEP_COUNT; step++) {
        why = checks[step](&c);
        if (why)
            break;
    }
    if (failed_step)
        *failed_step = step;
    if (reason)
        *reason = why;
    if (why) {
        if (out)
            memset(out, 0, sizeof *out);
        return -1;
    }
    if (out)
        describe(&c, out);
    return 0;
}

int elf_check(const uint8_t *file, size_t size, const struct elf_limits *lim,
              struct elf_image *out, const char **reason)
{
    return elf_check_steps_run(file, size, lim, out, reason, NULL);
}
