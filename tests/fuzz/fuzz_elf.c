/* libFuzzer target: the ELF validator on arbitrary bytes. Whatever it
 * accepts must satisfy the loader's invariants. */
#include <stdlib.h>

#include "abi/user.h"
#include "loader/elf_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct elf_limits lim = { USER_BASE, USER_STACK_TOP - USER_STACK_SIZE, 4096 };
    struct elf_image img;
    const char *reason;
    if (elf_check(data, size, &lim, &img, &reason) != 0)
        return 0;
    int entry_ok = 0;
    for (uint32_t i = 0; i < img.nsegments; i++) {
        const struct elf_segment *s = &img.segments[i];
        if (s->vaddr < lim.user_base || s->vaddr + s->memsz > lim.user_end ||
            s->vaddr + s->memsz < s->vaddr || s->filesz > s->memsz ||
            s->offset + s->filesz > size || ((s->flags & PF_W) && (s->flags & PF_X)))
            abort();
        if (i > 0 && (img.segments[i - 1].vaddr + img.segments[i - 1].memsz + 4095) / 4096 >
                         s->vaddr / 4096)
            abort();  /* overlapping pages */
        if ((s->flags & PF_X) && img.entry >= s->vaddr && img.entry < s->vaddr + s->memsz)
            entry_ok = 1;
    }
    if (!entry_ok)
        abort();
    return 0;
}
