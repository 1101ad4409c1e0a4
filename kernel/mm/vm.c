#include "mm/vm.h"

#include "abi/systable.h"
#include "arch/riscv64/csr.h"
#include "core/console.h"
#include "core/panic.h"
#include "drivers/plic.h"
#include "drivers/power.h"
#include "drivers/uart.h"
#include "lib/string.h"
#include "mm/mm.h"

pte_t *kernel_pagetable;
uint64_t vm_table_pages;

#define MEGA (2UL << 20)
#define PTE_PA(pte) (((pte) >> 10) << 12)
#define PA_PTE(pa) (((uint64_t)(pa) >> 12) << 10)
#define VPN(va, level) (((va) >> (12 + 9 * (level))) & 0x1ff)
#define USER_ROOT_FIRST VPN(USER_BASE, 2)   /* root slots that belong to user programs */
#define USER_ROOT_LAST VPN(PROCINFO_ADDR, 2)

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __kernel_end[], __ksyms_start[], __ksyms_end[];

static pte_t *new_table(void)
{
    pte_t *t = page_alloc();
    if (t)
        vm_table_pages++;
    return t;
}

/* The entry for va at `leaf_level` (0: 4 KiB, 1: 2 MiB), creating tables on
 * the way when `create`. NULL when missing, or when a bigger leaf is in the way. */
static pte_t *walk(pte_t *root, uint64_t va, int leaf_level, int create)
{
    pte_t *table = root;
    for (int level = 2; level > leaf_level; level--) {
        pte_t *e = &table[VPN(va, level)];
        if (*e & PTE_V) {
            if (*e & (PTE_R | PTE_W | PTE_X))
                return NULL;  /* a leaf at a higher level covers va */
            table = (pte_t *)PTE_PA(*e);
        } else {
            if (!create)
                return NULL;
            pte_t *next = new_table();
            if (!next)
                return NULL;
            *e = PA_PTE(next) | PTE_V;
            table = next;
        }
    }
    return &table[VPN(va, leaf_level)];
}

int vm_map(pte_t *root, uint64_t va, uint64_t pa, uint64_t size, uint64_t perm)
{
    uint64_t end = va + size;
    while (va < end) {
        int mega = !(va & (MEGA - 1)) && !(pa & (MEGA - 1)) && end - va >= MEGA;
        pte_t *e = walk(root, va, mega ? 1 : 0, 1);
        if (!e || (*e & PTE_V))
            return -1;
        *e = PA_PTE(pa) | perm | PTE_V | PTE_A | PTE_D;
        va += mega ? MEGA : PAGE_SIZE;
        pa += mega ? MEGA : PAGE_SIZE;
    }
    return 0;
}

pte_t *vm_lookup(pte_t *root, uint64_t va, uint64_t *page_size)
{
    pte_t *table = root;
    for (int level = 2; level >= 0; level--) {
        pte_t *e = &table[VPN(va, level)];
        if (!(*e & PTE_V))
            return NULL;
        if (*e & (PTE_R | PTE_W | PTE_X)) {
            if (page_size)
                *page_size = 1UL << (12 + 9 * level);
            return e;
        }
        table = (pte_t *)PTE_PA(*e);
    }
    return NULL;
}

uint64_t vm_satp(pte_t *root)
{
    return SATP_SV39 | ((uint64_t)root >> 12);
}

void vm_activate(pte_t *root)
{
    csr_write(satp, vm_satp(root));
    __asm__ volatile("sfence.vma zero, zero" ::: "memory");
}

static void map_kernel(uint64_t va, uint64_t end, uint64_t perm, const char *what)
{
    if (vm_map(kernel_pagetable, va, va, end - va, perm) != 0)
        panic("vm: cannot map %s 0x%lx-0x%lx", what, (unsigned long)va, (unsigned long)end);
}

void vm_init(uint64_t ram_start, uint64_t ram_end)
{
    (void)ram_start;
    kernel_pagetable = new_table();
    if (!kernel_pagetable)
        panic("vm: no page for the kernel's root table");
    /* Devices: the test finisher, the PLIC, the UART and the virtio slots. */
    map_kernel(TEST_FINISHER_BASE, TEST_FINISHER_BASE + PAGE_SIZE, PTE_R | PTE_W, "finisher");
    map_kernel(PLIC_BASE, PLIC_BASE + 0x400000, PTE_R | PTE_W, "PLIC");
    map_kernel(UART0_BASE, UART0_BASE + 0x9000, PTE_R | PTE_W, "UART and virtio");
    /* The ION region, then the kernel image section by section, so that no
     * page is writable and executable, then the rest of RAM (the page pool,
     * the device tree) as data. */
    map_kernel(ION_REGION_PHYS, ION_REGION_PHYS + ION_REGION_SIZE, PTE_R | PTE_W, "ION region");
    map_kernel((uint64_t)__text_start, (uint64_t)__text_end, PTE_R | PTE_X, "kernel text");
    map_kernel((uint64_t)__rodata_start, (uint64_t)__rodata_end, PTE_R, "kernel rodata");
    map_kernel((uint64_t)__data_start, (uint64_t)__ksyms_start, PTE_R | PTE_W, "kernel data");
    map_kernel((uint64_t)__ksyms_start, (uint64_t)__ksyms_end, PTE_R, "kernel symbols");
    map_kernel((uint64_t)__kernel_end, ram_end, PTE_R | PTE_W, "RAM");
    vm_activate(kernel_pagetable);
    kprintf("[vm] Sv39 on: kernel mapped with %lu page-table pages\n",
            (unsigned long)vm_table_pages);
}

pte_t *vm_user_create(void)
{
    pte_t *root = new_table();
    if (!root)
        return NULL;
    /* Share the kernel's level-1 tables: identical kernel mappings, no copy. */
    for (int i = 0; i < 512; i++)
        if (i < (int)USER_ROOT_FIRST || i > (int)USER_ROOT_LAST)
            root[i] = kernel_pagetable[i];
    return root;
}

static void free_user_table(pte_t *table, int level)
{
    for (int i = 0; i < 512; i++) {
        pte_t e = table[i];
        if (!(e & PTE_V))
            continue;
        if (e & (PTE_R | PTE_W | PTE_X)) {
            if (e & PTE_OWNED)
                page_free((void *)PTE_PA(e));
        } else if (level > 0) {
            free_user_table((pte_t *)PTE_PA(e), level - 1);
        }
        table[i] = 0;
    }
    page_free(table);
    vm_table_pages--;
}

void vm_user_destroy(pte_t *root)
{
    if (!root)
        return;
    for (uint64_t i = USER_ROOT_FIRST; i <= USER_ROOT_LAST; i++) {
        if (root[i] & PTE_V)
            free_user_table((pte_t *)PTE_PA(root[i]), 1);
        root[i] = 0;
    }
    page_free(root);
    vm_table_pages--;
}

/* The kernel address of user address va if the page is mapped with U and
 * `need` permission, else 0. */
static uint8_t *user_byte(pte_t *root, uint64_t va, uint64_t need, uint64_t *room)
{
    if (va < USER_BASE || va >= PROCINFO_ADDR + PAGE_SIZE)
        return 0;
    uint64_t size;
    pte_t *e = vm_lookup(root, va, &size);
    if (!e || (*e & (PTE_U | need)) != (PTE_U | need))
        return 0;
    *room = size - (va & (size - 1));
    return (uint8_t *)(PTE_PA(*e) + (va & (size - 1)));
}

int user_range_ok(pte_t *root, uint64_t va, uint64_t len, uint64_t need)
{
    if (len > USER_END - USER_BASE)
        return -1;  /* bigger than user space itself: no need to walk it */
    while (len) {
        uint64_t room;
        if (!user_byte(root, va, need, &room))
            return -1;
        if (room >= len)
            return 0;
        va += room, len -= room;
    }
    return 0;
}

/* Copies len bytes between kernel memory `kbuf` and user address `va`,
 * page by page through the kernel's mapping of each user page; `need` is
 * PTE_R (from the user) or PTE_W (to the user). */
static int copy_user(pte_t *root, uint64_t va, uint8_t *kbuf, size_t len, uint64_t need)
{
    while (len) {
        uint64_t room;
        uint8_t *u = user_byte(root, va, need, &room);
        if (!u)
            return -1;
        size_t n = len < room ? len : room;
        if (need == PTE_W)
            memcpy(u, kbuf, n);
        else
            memcpy(kbuf, u, n);
        kbuf += n, va += n, len -= n;
    }
    return 0;
}

int copy_from_user(pte_t *root, void *dst, uint64_t src, size_t len)
{
    return copy_user(root, src, dst, len, PTE_R);
}

int copy_to_user(pte_t *root, uint64_t dst, const void *src, size_t len)
{
    /* copy_user only reads kbuf when writing to the user. */
    return copy_user(root, dst, (uint8_t *)(uintptr_t)src, len, PTE_W);
}

int copy_string_from_user(pte_t *root, char *dst, uint64_t src, size_t max)
{
    for (size_t i = 0; i < max; i++) {
        uint64_t room;
        uint8_t *s = user_byte(root, src + i, PTE_R, &room);
        if (!s)
            return -1;
        dst[i] = (char)*s;
        if (!*s)
            return (int)i;
    }
    return -1;
}
