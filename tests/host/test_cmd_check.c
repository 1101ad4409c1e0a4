/* The CmdPacket checks: each refusal for its own reason, in order. */
#include <string.h>

#include "check.h"
#include "ion/cmd_check.h"
#include "ion/provenance.h"

static const uint8_t key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static CmdPacket stamped(uint32_t kind, uint64_t arg, uint64_t sender, uint64_t seq)
{
    CmdPacket p = { .kind = kind, .arg = arg };
    provenance_stamp(&p, key, sender, seq);
    return p;
}

int main(void)
{
    const char *why;
    CmdPacket p = stamped(CMD_SYS_EXEC, 0x1000, 7, 3);
    CHECK_EQ_I64(cmd_check(&p, key, 7, 3, &why), ION_OK);
    CHECK(why == NULL);

    /* Every known kind passes; names are the ABI's. */
    static const uint32_t known[] = { CMD_NOP, CMD_ION_FREE, CMD_ION_ALLOC, CMD_CON_WRITE,
                                      CMD_CON_READ, CMD_FS_OPEN, CMD_FS_READ, CMD_FS_CLOSE,
                                      CMD_FS_STAT, CMD_FS_READDIR, CMD_FS_SEEK, CMD_SYS_EXEC,
                                      CMD_SYS_EXIT, CMD_SYS_YIELD, CMD_SYS_UPTIME, CMD_SYS_HALT,
                                      CMD_SYS_STATS, CMD_CON_POLL, CMD_FB_INFO, CMD_FB_GLYPH,
                                      CMD_FB_FLUSH, CMD_FB_RELEASE };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        CmdPacket k = stamped(known[i], i, 7, i);
        CHECK_EQ_I64(cmd_check(&k, key, 7, i, &why), ION_OK);
        CHECK(cmd_kind_name(known[i]) != NULL);
    }
    CHECK_STR(cmd_kind_name(CMD_SYS_EXEC), "CMD_SYS_EXEC");

    /* _pad first: a drifted layout is diagnosed as such even if the tag is also wrong. */
    CmdPacket padded = p;
    padded._pad = 1;
    CHECK_EQ_I64(cmd_check(&padded, key, 7, 3, &why), ION_EPAD);
    CHECK(why && strstr(why, "_pad"));

    /* The tag binds kind, arg, sender and sequence number. */
    CmdPacket changed = p;
    changed.arg ^= 1;
    CHECK_EQ_I64(cmd_check(&changed, key, 7, 3, &why), ION_ETAG);
    CHECK(why && strstr(why, "provenance"));
    CHECK_EQ_I64(cmd_check(&p, key, 8, 3, &why), ION_ETAG);  /* another sender */
    CHECK_EQ_I64(cmd_check(&p, key, 7, 4, &why), ION_ETAG);  /* replayed later */
    uint8_t other_key[16];
    memcpy(other_key, key, 16);
    other_key[15] ^= 0x80;
    CHECK_EQ_I64(cmd_check(&p, other_key, 7, 3, &why), ION_ETAG);

    /* A well-tagged unknown kind is refused as unknown. */
    CmdPacket unknown = stamped(0x999, 0, 7, 5);
    CHECK_EQ_I64(cmd_check(&unknown, key, 7, 5, &why), ION_EKIND);
    CHECK(why && strstr(why, "unknown"));
    CHECK(cmd_kind_name(0x999) == NULL);
    CHECK(cmd_kind_name(0xffffffffu) == NULL);

    /* The history's drift: 0x400 at offset 12 of a 24-byte packet. Read as a
     * CmdPacket the kind is 0 and _pad holds 0x400: refused for its layout. */
    uint8_t drifted[32] = { 0 };
    drifted[12] = 0x00;
    drifted[13] = 0x04;
    CmdPacket as_read;
    memcpy(&as_read, drifted, sizeof as_read);
    CHECK_EQ_I64(cmd_check(&as_read, key, 7, 0, &why), ION_ETAG);  /* pad 0: bytes 4..7 */
    drifted[4] = 0x00;
    drifted[5] = 0x04;
    memcpy(&as_read, drifted, sizeof as_read);
    CHECK_EQ_I64(cmd_check(&as_read, key, 7, 0, &why), ION_EPAD);
    return check_summary("test_cmd_check");
}
