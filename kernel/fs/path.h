/*
 * Path normalization, the one place that decides what a path names: leading
 * '/', "./", "//", a trailing '/', "." and ".." (never above the root) all
 * collapse, so "bin/hello", "/bin/hello" and "./bin//hello" are one file.
 * The result has no leading or trailing '/'; the root is "". Pure.
 */
#ifndef RUMPK_FS_PATH_H
#define RUMPK_FS_PATH_H

#include <stddef.h>

/* Writes the normalized form of `in` to `out` (size bytes, NUL included).
 * Returns its length, or -1 when it does not fit (then `out` holds "" if
 * size > 0; a NULL `in` is -1 too). ".." at the root stays at the root. */
int path_normalize(const char *in, char *out, size_t size);

#endif
