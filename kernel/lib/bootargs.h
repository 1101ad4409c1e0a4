/*
 * Boot arguments: the kernel command line from /chosen/bootargs (QEMU's
 * -append), a space-separated list of `key` and `key=value` words. Tests,
 * benchmarks and labs ask the kernel for a mode this way without rebuilding.
 */
#ifndef RUMPK_LIB_BOOTARGS_H
#define RUMPK_LIB_BOOTARGS_H

#include <stddef.h>

/* Returns 1 when `key` appears (alone or as key=value), else 0. When found
 * and buf is not NULL, copies the value (or "" when there is none) into buf,
 * truncated to size-1 characters. The last occurrence of a key wins. */
int bootarg_get(const char *args, const char *key, char *buf, size_t size);

/* Shorthand: 1 when `key` appears at all. */
int bootarg_present(const char *args, const char *key);

#endif
