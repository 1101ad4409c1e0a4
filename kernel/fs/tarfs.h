/*
 * The mounted initrd: one tar_index over the embedded archive, built once at
 * boot with memory from the page pool. Everything that opens files (the
 * monitor now, system calls later) goes through the VFS over this index.
 */
#ifndef RUMPK_FS_TARFS_H
#define RUMPK_FS_TARFS_H

#include "fs/tar.h"

extern struct tar_index rootfs;
extern int rootfs_mounted;

/* Verifies the initrd and indexes it. On failure the error is printed and
 * the kernel runs on without files. */
void tarfs_mount(void);

/* Prints every entry: mode, size, path (boot argument tarfs=ls). */
void tarfs_list_all(void);

#endif
