/*
 * The ELF64 validator the loader runs before it changes anything: a pure
 * function of the file's bytes and the loader's limits. It reads only inside
 * [file, file + size), does every sum on file-controlled values with an
 * overflow check, and either refuses the file with a short reason (shown to
 * the user as "exec: PATH: REASON") or describes exactly what to map.
 *
 * The checks and their reasons, in order, are in docs/elf-loader.md.
 */
#ifndef RUMPK_LOADER_ELF_CHECK_H
#define RUMPK_LOADER_ELF_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* ---- the ELF64 format (only what the validator needs) ------------------- */

#define EI_NIDENT     16
#define EI_MAG0       0
#define EI_CLASS      4
#define EI_DATA       5
#define EI_VERSION    6
#define ELFCLASS64    2
#define ELFDATA2LSB   1
#define EV_CURRENT    1
#define ET_EXEC       2
#define EM_RISCV      243
#define PT_LOAD       1
#define PF_X          0x1
#define PF_W          0x2
#define PF_R          0x4

typedef struct {
    uint8_t  e_ident[EI_NIDENT];
    uint16_t e_type;
    uint16_t e_machine;
    uint32_t e_version;
    uint64_t e_entry;
    uint64_t e_phoff;
    uint64_t e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize;
    uint16_t e_phentsize;
    uint16_t e_phnum;
    uint16_t e_shentsize;
    uint16_t e_shnum;
    uint16_t e_shstrndx;
} Elf64_Ehdr;

typedef struct {
    uint32_t p_type;
    uint32_t p_flags;
    uint64_t p_offset;
    uint64_t p_vaddr;
    uint64_t p_paddr;
    uint64_t p_filesz;
    uint64_t p_memsz;
    uint64_t p_align;
} Elf64_Phdr;

_Static_assert(sizeof(Elf64_Ehdr) == 64, "Elf64_Ehdr is 64 bytes");
_Static_assert(sizeof(Elf64_Phdr) == 56, "Elf64_Phdr is 56 bytes");

/* ---- the validator ------------------------------------------------------- */

#define ELF_MAX_SEGMENTS 8     /* PT_LOAD segments a program may have */
#define ELF_MAX_PHNUM    64    /* program headers (of any type) walked at most */

struct elf_segment {
    uint64_t vaddr, memsz, filesz, offset;
    uint32_t flags;            /* PF_R|PF_W|PF_X (other p_flags bits dropped) */
};

struct elf_image {
    uint64_t entry;
    uint32_t nsegments;
    struct elf_segment segments[ELF_MAX_SEGMENTS];  /* PT_LOAD only, sorted by vaddr */
    uint64_t bss_start;        /* vaddr + filesz of the lowest segment with memsz > filesz,
                                  0 if none */
    uint64_t image_end;        /* highest vaddr + memsz, rounded up to a page */
};

/* What the loader allows. page_size must be a power of two and user_base,
 * user_end page-aligned with user_base < user_end (else every file is refused
 * with "bad loader limits": a kernel bug, not a file problem). */
struct elf_limits {
    uint64_t user_base, user_end;  /* every byte of every segment in [base, end) */
    uint64_t page_size;
};

/* Runs every check in order. Returns 0 when the file may be loaded, with *out
 * filled in and *reason NULL; else -1 with *reason set to a short phrase
 * ("not an ELF file", "wrong machine", ...) and *out zeroed. out and reason
 * may be NULL.
 * On success every PT_LOAD segment is non-empty, lies inside the file
 * (offset..offset+filesz) and inside the limits, shares no page with another,
 * has filesz <= memsz, vaddr = offset (mod page_size), at least one permission
 * and never both W and X; the entry point is a 2-byte aligned address in the
 * file-backed part of an executable segment. */
int elf_check(const uint8_t *file, size_t size, const struct elf_limits *lim,
              struct elf_image *out, const char **reason);

/* The checks in order, for tools that print check by check. */
struct elf_check_step {
    const char *name;          /* "magic", "machine", "overlap", ... */
    const char *what;          /* what it requires, in a few words */
};
extern const struct elf_check_step elf_check_steps[];
extern const int elf_check_step_count;

/* Like elf_check, but also reports how far it got: *failed_step is the index
 * in elf_check_steps of the failing check, or elf_check_step_count when all
 * passed. */
int elf_check_steps_run(const uint8_t *file, size_t size, const struct elf_limits *lim,
                        struct elf_image *out, const char **reason, int *failed_step);

#endif
