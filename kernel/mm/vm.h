/*
 * Sv39 virtual memory. The kernel identity-maps itself, RAM, the ION region
 * and the devices (no U bit: user code cannot touch them). Every user
 * program gets its own root table that shares those kernel mappings (the
 * same level-1 tables, copied root entries) and adds its own in the user
 * range (abi/user.h): its segments, its stack, the ION window and its
 * ProcInfo page, all with the U bit. So the kernel runs on whichever table is
 * loaded, and a trap needs no satp switch.
 *
 * The kernel never dereferences a user pointer: copy_from_user and friends
 * walk the program's table in software, check V, U and R/W on every page, and
 * copy through the kernel's identity mapping. A pointer into the kernel or
 * into nothing is an error (-1), not a fault.
 */
#ifndef RUMPK_MM_VM_H
#define RUMPK_MM_VM_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t pte_t;

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_OWNED (1UL << 8)  /* software bit: the page belongs to this table's owner */

#define SATP_SV39 (8UL << 60)

extern pte_t *kernel_pagetable;

/* Builds the kernel's table and turns paging on. */
void vm_init(uint64_t ram_start, uint64_t ram_end);

/* Maps [va, va+size) to [pa, ...) with `perm` (PTE_R/W/X/U/OWNED). Uses 2 MiB
 * pages where alignment allows. Returns 0, or -1 when out of memory or a page
 * is already mapped. */
int vm_map(pte_t *root, uint64_t va, uint64_t pa, uint64_t size, uint64_t perm);

/* The leaf entry for va (4 KiB or 2 MiB), or NULL. */
pte_t *vm_lookup(pte_t *root, uint64_t va, uint64_t *page_size);

/* A new user root sharing the kernel's mappings; NULL when out of memory. */
pte_t *vm_user_create(void);
/* Frees the user half: every table below USER_BASE..end and every page
 * mapped with PTE_OWNED. The kernel's shared tables are left alone. */
void vm_user_destroy(pte_t *root);

uint64_t vm_satp(pte_t *root);
void vm_activate(pte_t *root);

/* Copies between kernel memory and user addresses of `root`. Each returns 0,
 * or -1 when any byte is not mapped with U and the needed permission. */
int copy_from_user(pte_t *root, void *dst, uint64_t src, size_t len);
int copy_to_user(pte_t *root, uint64_t dst, const void *src, size_t len);
/* 0 when every byte of [va, va+len) is mapped with U and `need` (PTE_R or
 * PTE_W), else -1. Checks a whole buffer before a command touches any of it. */
int user_range_ok(pte_t *root, uint64_t va, uint64_t len, uint64_t need);

/* Copies a NUL-terminated string of at most max bytes (NUL included);
 * returns its length, or -1 (bad address, or no NUL within max). */
int copy_string_from_user(pte_t *root, char *dst, uint64_t src, size_t max);

/* Pages of page tables now in use (all tables). */
extern uint64_t vm_table_pages;

#endif
