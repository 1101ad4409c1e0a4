/*
 * elf_check_cli FILE...: the kernel's own ELF validator (kernel/loader/
 * elf_check.c, compiled unchanged for the host) run on files, reporting
 * check by check in lines a script can split on tabs. scripts/elf-explain
 * takes its verdict from here, so the tool and the kernel's loader cannot
 * disagree. Built by `make build/host/elf_check_cli`.
 *
 * The limits are the loader's (kernel/user/process.c):
 *   { USER_BASE, USER_STACK_TOP - USER_STACK_SIZE, PAGE_SIZE }
 *
 * Output, per file (fields separated by one tab; numbers in hex with 0x):
 *   file      PATH  SIZE
 *   limits    USER_BASE  USER_END  PAGE_SIZE
 *   step      INDEX  NAME  pass|FAIL|skip  WHAT  [REASON]
 *   verdict   ok | refused  [STEP_INDEX  STEP_NAME  REASON]
 * and when the file passes, what the loader is given:
 *   entry     ADDR
 *   segment   INDEX  VADDR  MEMSZ  FILESZ  OFFSET  FLAGS(rwx)
 *   bss_start ADDR
 *   image_end ADDR
 *   end
 * A file that cannot be read gives `error PATH MESSAGE` (and status 2).
 * Exit status: 0 all passed, 1 some file was refused, 2 usage or I/O error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi/user.h"
#include "loader/elf_check.h"

#define LOADER_PAGE_SIZE 4096UL  /* PAGE_SIZE of kernel/mm/page_pool.h */

static const struct elf_limits loader_limits = {
    USER_BASE, USER_STACK_TOP - USER_STACK_SIZE, LOADER_PAGE_SIZE
};

/* The whole file in a buffer of exactly its size (ASan sees any overread). */
static unsigned char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? 2 * cap : 65536;
            unsigned char *more = realloc(buf, cap);
            if (!more) {
                free(buf);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            buf = more;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        errno = EIO;
        return NULL;
    }
    unsigned char *exact = malloc(len ? len : 1);
    if (!exact) {
        free(buf);
        errno = ENOMEM;
        return NULL;
    }
    memcpy(exact, buf, len);
    free(buf);
    *size = len;
    return exact;
}

static void flags_text(uint32_t flags, char out[4])
{
    out[0] = (flags & PF_R) ? 'r' : '-';
    out[1] = (flags & PF_W) ? 'w' : '-';
    out[2] = (flags & PF_X) ? 'x' : '-';
    out[3] = '\0';
}

/* 0 passed, 1 refused, 2 unreadable. */
static int explain(const char *path)
{
    size_t size = 0;
    unsigned char *file = slurp(path, &size);
    if (!file) {
        printf("error\t%s\t%s\n", path, strerror(errno));
        return 2;
    }
    struct elf_image img;
    const char *reason = NULL;
    int failed_step = -1;
    int rc = elf_check_steps_run(file, size, &loader_limits, &img, &reason, &failed_step);

    printf("file\t%s\t0x%zx\n", path, size);
    printf("limits\t0x%llx\t0x%llx\t0x%llx\n", (unsigned long long)loader_limits.user_base,
           (unsigned long long)loader_limits.user_end,
           (unsigned long long)loader_limits.page_size);
    for (int i = 0; i < elf_check_step_count; i++) {
        const char *state = i < failed_step ? "pass" : i == failed_step ? "FAIL" : "skip";
        printf("step\t%d\t%s\t%s\t%s", i, elf_check_steps[i].name, state,
               elf_check_steps[i].what);
        if (i == failed_step && reason)
            printf("\t%s", reason);
        printf("\n");
    }
    if (rc != 0) {
        printf("verdict\trefused\t%d\t%s\t%s\n", failed_step,
               failed_step < elf_check_step_count ? elf_check_steps[failed_step].name : "?",
               reason ? reason : "?");
    } else {
        printf("verdict\tok\n");
        printf("entry\t0x%llx\n", (unsigned long long)img.entry);
        for (uint32_t i = 0; i < img.nsegments; i++) {
            const struct elf_segment *s = &img.segments[i];
            char fl[4];
            flags_text(s->flags, fl);
            printf("segment\t%u\t0x%llx\t0x%llx\t0x%llx\t0x%llx\t%s\n", i,
                   (unsigned long long)s->vaddr, (unsigned long long)s->memsz,
                   (unsigned long long)s->filesz, (unsigned long long)s->offset, fl);
        }
        printf("bss_start\t0x%llx\n", (unsigned long long)img.bss_start);
        printf("image_end\t0x%llx\n", (unsigned long long)img.image_end);
    }
    printf("end\n");
    free(file);
    return rc != 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fprintf(argc < 2 ? stderr : stdout,
                "usage: elf_check_cli FILE...\n"
                "Runs the kernel's ELF validator (kernel/loader/elf_check.c) on each FILE with\n"
                "the loader's limits and prints each step as tab-separated lines.\n"
                "Exit status: 0 all passed, 1 some file refused, 2 usage or I/O error.\n");
        return argc < 2 ? 2 : 0;
    }
    int status = 0;
    for (int i = 1; i < argc; i++) {
        int rc = explain(argv[i]);
        if (rc > status)
            status = rc;
    }
    return status;
}
