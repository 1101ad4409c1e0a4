/* libFuzzer target: the device-tree reader. Pointers it returns lie inside the blob. */
#include <stdlib.h>

#include "lib/fdt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fdt_info info;
    const char *err;
    if (fdt_parse(data, size, &info, &err) != 0)
        return 0;
    if (info.total_size > size)
        abort();
    if (*info.bootargs && ((const uint8_t *)info.bootargs < data ||
                           (const uint8_t *)info.bootargs >= data + size))
        abort();
    if (info.rng_seed && (info.rng_seed < data || info.rng_seed + info.rng_seed_len > data + size))
        abort();
    return 0;
}
