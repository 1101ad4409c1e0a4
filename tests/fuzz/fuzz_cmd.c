/* libFuzzer target: the CmdPacket checks on arbitrary 32-byte packets and
 * (sender, seq). Nothing but a packet stamped for exactly that sender and
 * sequence number may pass. */
#include <stdlib.h>
#include <string.h>

#include "ion/cmd_check.h"
#include "ion/provenance.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < sizeof(CmdPacket) + 16 + 16)
        return 0;
    CmdPacket p;
    memcpy(&p, data, sizeof p);
    const uint8_t *key = data + sizeof p;
    uint64_t sender, seq;
    memcpy(&sender, data + sizeof p + 16, 8);
    memcpy(&seq, data + sizeof p + 24, 8);
    const char *why;
    int status = cmd_check(&p, key, sender, seq, &why);
    if (status == ION_OK) {
        CmdPacket want = p;
        provenance_stamp(&want, key, sender, seq);
        if (p._pad != 0 || memcmp(&want.id, &p.id, sizeof p.id) != 0 || !cmd_kind_name(p.kind))
            abort();
    } else if (!why) {
        abort();
    }
    /* And the stamped version of the same packet always passes when the kind is known. */
    p._pad = 0;
    provenance_stamp(&p, key, sender, seq);
    if (cmd_kind_name(p.kind) && cmd_check(&p, key, sender, seq, &why) != ION_OK)
        abort();
    return 0;
}
