/*
 * exec: path -> TarFS -> ELF validation -> a new page table with the
 * segments copied and .bss zeroed -> a user stack with argc/argv -> the ION
 * window and the ProcInfo page. Everything is checked before anything of the
 * caller changes; any failure frees what was built and prints one line
 * `exec: PATH: REASON`.
 */
#include "user/process.h"

#include "abi/systable.h"
#include "core/console.h"
#include "fs/path.h"
#include "fs/tarfs.h"
#include "ion/ion.h"
#include "lib/string.h"
#include "mm/mm.h"

static uint64_t next_pid = 1;

/* The one process struct there is room for besides a replacement being built. */
static struct process slots[2];

static struct process *slot_alloc(void)
{
    for (int i = 0; i < 2; i++)
        if (!slots[i].pagetable) {
            memset(&slots[i], 0, sizeof slots[i]);
            return &slots[i];
        }
    return 0;
}

static int refuse(const char *path, const char *reason, int status)
{
    ion_console_sync();
    kprintf("exec: %s: %s\n", path, reason);
    return status;
}

static uint64_t pte_perm(uint32_t flags)
{
    uint64_t perm = PTE_U | PTE_OWNED;
    if (flags & PF_R)
        perm |= PTE_R;
    if (flags & PF_W)
        perm |= PTE_W;
    if (flags & PF_X)
        perm |= PTE_X;
    return perm;
}

/* Maps one page of the process, owned by it, and returns its kernel address. */
static uint8_t *map_page(struct process *p, uint64_t va, uint64_t perm)
{
    uint8_t *page = page_alloc();
    if (!page)
        return 0;
    if (vm_map(p->pagetable, va, (uint64_t)page, PAGE_SIZE, perm | PTE_OWNED) != 0) {
        page_free(page);
        return 0;
    }
    p->pages++;
    return page;
}

static int load_segments(struct process *p, const uint8_t *file)
{
    for (uint32_t i = 0; i < p->image.nsegments; i++) {
        const struct elf_segment *s = &p->image.segments[i];
        uint64_t first = s->vaddr & ~(PAGE_SIZE - 1);
        uint64_t end = (s->vaddr + s->memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
        for (uint64_t va = first; va < end; va += PAGE_SIZE) {
            uint8_t *page = map_page(p, va, pte_perm(s->flags));
            if (!page)
                return -1;
            /* The file's bytes that land in this page; the rest of the
             * page, .bss included, is zero. */
            uint64_t lo = va > s->vaddr ? va : s->vaddr;
            uint64_t hi = va + PAGE_SIZE < s->vaddr + s->filesz ? va + PAGE_SIZE
                                                                  : s->vaddr + s->filesz;
            memset(page, 0, PAGE_SIZE);
            if (lo < hi)
                memcpy(page + (lo - va), file + s->offset + (lo - s->vaddr), hi - lo);
        }
    }
    return 0;
}

/* The stack: argv strings at the top, then the argv array, sp 16-aligned. */
static int build_stack(struct process *p, uint32_t argc, char *const argv[])
{
    uint64_t bottom = USER_STACK_TOP - USER_STACK_SIZE;
    uint8_t *top_page = 0;
    for (uint64_t va = bottom; va < USER_STACK_TOP; va += PAGE_SIZE) {
        uint8_t *page = map_page(p, va, PTE_R | PTE_W | PTE_U);
        if (!page)
            return -1;
        top_page = page;
    }
    /* All of argv fits in the top page (USER_ARGS_MAX * USER_ARG_MAX plus the
     * array is 2 KiB + 136 bytes), so it is written through top_page. */
    uint64_t top_va = USER_STACK_TOP - PAGE_SIZE;
    uint64_t sp = USER_STACK_TOP;
    uint64_t pointers[USER_ARGS_MAX + 1];
    for (int i = (int)argc - 1; i >= 0; i--) {
        size_t n = strlen(argv[i]) + 1;
        sp -= n;
        memcpy(top_page + (sp - top_va), argv[i], n);
        pointers[i] = sp;
    }
    pointers[argc] = 0;
    sp &= ~15UL;
    sp -= (argc + 1) * sizeof(uint64_t);
    sp &= ~15UL;
    memcpy(top_page + (sp - top_va), pointers, (argc + 1) * sizeof(uint64_t));
    p->argc = argc;
    p->argv = sp;
    p->user_sp = sp;
    return 0;
}

/* The ION window (shared pages, not owned) and the ProcInfo page. */
static int map_ion_and_procinfo(struct process *p)
{
    /* The SysTable page is read-only for programs; the rings and packets not. */
    if (vm_map(p->pagetable, ION_USER_BASE, ION_REGION_PHYS, PAGE_SIZE, PTE_R | PTE_U) != 0 ||
        vm_map(p->pagetable, ION_USER_BASE + PAGE_SIZE, ION_REGION_PHYS + PAGE_SIZE,
               ION_REGION_SIZE - PAGE_SIZE, PTE_R | PTE_W | PTE_U) != 0)
        return -1;
    struct ProcInfo *info = (struct ProcInfo *)map_page(p, PROCINFO_ADDR, PTE_R | PTE_U);
    if (!info)
        return -1;
    info->magic = PROCINFO_MAGIC;
    info->sender = p->pid;
    info->pid = p->pid;
    ion_sender_key(p->pid, info->key);
    memcpy(info->path, p->path, sizeof info->path);
    return 0;
}

int process_load(const char *path, uint32_t argc, char *const argv[], struct process **out)
{
    char norm[USER_PATH_MAX];
    if (path_normalize(path, norm + 1, sizeof norm - 1) < 0)
        return refuse(path, "path too long", ION_EARG);
    norm[0] = '/';
    if (argc > USER_ARGS_MAX)
        return refuse(path, "too many arguments", ION_EARG);
    for (uint32_t i = 0; i < argc; i++)
        if (strnlen(argv[i], USER_ARG_MAX) >= USER_ARG_MAX)
            return refuse(path, "argument too long", ION_EARG);
    if (!rootfs_mounted)
        return refuse(norm, "file not found (no file system mounted)", ION_ENOENT);
    struct tar_entry dir;
    const struct tar_entry *e = tar_lookup(&rootfs, norm, &dir);
    if (!e)
        return refuse(norm, "file not found", ION_ENOENT);
    if (e->type == TAR_DIR)
        return refuse(norm, "is a directory", ION_EARG);

    struct process *p = slot_alloc();
    if (!p)
        return refuse(norm, "no room for another process", ION_ENOMEM);
    const struct elf_limits limits = { USER_BASE, USER_STACK_TOP - USER_STACK_SIZE, PAGE_SIZE };
    const char *reason;
    if (elf_check(e->data, e->size, &limits, &p->image, &reason) != 0)
        return refuse(norm, reason, ION_EARG);

    p->pagetable = vm_user_create();
    p->pid = next_pid;
    memcpy(p->path, norm, strlen(norm) + 1);  /* the rest of p->path stays zero */
    p->entry = p->image.entry;
    vfs_table_init(&p->files);
    if (!p->pagetable || load_segments(p, e->data) != 0 || build_stack(p, argc, argv) != 0 ||
        map_ion_and_procinfo(p) != 0) {
        process_destroy(p);
        return refuse(norm, "out of memory", ION_ENOMEM);
    }
    next_pid++;
    *out = p;
    return 0;
}

void process_destroy(struct process *p)
{
    if (!p)
        return;
    ion_reclaim(p->pid);
    if (p->pagetable) {
        vm_activate(kernel_pagetable);  /* never free the table we run on */
        vm_user_destroy(p->pagetable);
    }
    p->pagetable = 0;
}
