#include "ion/cmd_check.h"

#include <stddef.h>

#include "ion/provenance.h"

static const struct {
    uint32_t kind;
    const char *name;
} kinds[] = {
    { CMD_NOP, "CMD_NOP" },
    { CMD_ION_FREE, "CMD_ION_FREE" },
    { CMD_ION_ALLOC, "CMD_ION_ALLOC" },
    { CMD_CON_WRITE, "CMD_CON_WRITE" },
    { CMD_CON_READ, "CMD_CON_READ" },
    { CMD_CON_POLL, "CMD_CON_POLL" },
    { CMD_FS_OPEN, "CMD_FS_OPEN" },
    { CMD_FS_READ, "CMD_FS_READ" },
    { CMD_FS_CLOSE, "CMD_FS_CLOSE" },
    { CMD_FS_STAT, "CMD_FS_STAT" },
    { CMD_FS_READDIR, "CMD_FS_READDIR" },
    { CMD_FS_SEEK, "CMD_FS_SEEK" },
    { CMD_SYS_EXEC, "CMD_SYS_EXEC" },
    { CMD_SYS_EXIT, "CMD_SYS_EXIT" },
    { CMD_SYS_YIELD, "CMD_SYS_YIELD" },
    { CMD_SYS_UPTIME, "CMD_SYS_UPTIME" },
    { CMD_SYS_HALT, "CMD_SYS_HALT" },
    { CMD_SYS_STATS, "CMD_SYS_STATS" },
    { CMD_FB_INFO, "CMD_FB_INFO" },
    { CMD_FB_GLYPH, "CMD_FB_GLYPH" },
    { CMD_FB_FLUSH, "CMD_FB_FLUSH" },
    { CMD_FB_RELEASE, "CMD_FB_RELEASE" },
};

const char *cmd_kind_name(uint32_t kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].kind == kind)
            return kinds[i].name;
    return NULL;
}

int cmd_check(const CmdPacket *p, const uint8_t key[16], uint64_t sender, uint64_t seq,
              const char **why)
{
    if (p->_pad != 0) {
        *why = "_pad is not zero (is the sender's CmdPacket layout right?)";
        return ION_EPAD;
    }
    if (!provenance_verify(p, key, sender, seq)) {
        *why = "provenance tag does not verify";
        return ION_ETAG;
    }
    if (!cmd_kind_name(p->kind)) {
        *why = "unknown command kind";
        return ION_EKIND;
    }
    *why = NULL;
    return ION_OK;
}
