/* What the kernel learned at boot, kept in one global that GDB can print. */
#ifndef RUMPK_CORE_BOOT_H
#define RUMPK_CORE_BOOT_H

#include <stdint.h>

#include "lib/fdt.h"

struct boot_info {
    uint64_t hartid;
    const void *fdt_blob;
    struct fdt_info fdt;
    const char *bootargs;     /* points into the device tree blob */
    uint64_t boot_time_us;    /* `time` when kmain started */
    uint64_t ready_time_us;   /* `time` when boot finished */
};

extern struct boot_info boot_info;

#endif
