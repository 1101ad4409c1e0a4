/* libFuzzer target: the ustar parser and index on arbitrary bytes, then a
 * few lookups. Memory comes from malloc, sized exactly as tar_scan asked. */
#include <stdlib.h>

#include "fs/tar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tar_scan_result scan;
    struct tar_error err;
    if (tar_scan(data, size, &scan, &err) != 0)
        return 0;
    struct tar_entry *entries = malloc((scan.entries ? scan.entries : 1) * sizeof *entries);
    char *names = malloc(scan.name_bytes ? scan.name_bytes : 1);
    struct tar_index idx;
    if (tar_index_build(&idx, data, size, &scan, entries, names, &err) == 0) {
        struct tar_entry dir;
        for (uint32_t i = 0; i < idx.count; i++) {
            const struct tar_entry *e = &idx.entries[i];
            if (e->type == TAR_FILE && (e->data < data || e->data + e->size > data + size))
                abort();  /* a file's bytes must lie inside the archive */
            if (tar_lookup(&idx, e->path, &dir) == NULL)
                abort();  /* every indexed path can be found again */
        }
        tar_lookup(&idx, "/bin/../etc//./motd", &dir);
    }
    free(entries);
    free(names);
    return 0;
}
