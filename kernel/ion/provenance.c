#include "ion/provenance.h"

#include "lib/siphash.h"

static void put_le(uint8_t *p, uint64_t x, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        p[i] = (uint8_t)(x >> (8 * i));
}

static uint64_t get_le64(const uint8_t *p)
{
    uint64_t x = 0;
    for (unsigned i = 0; i < 8; i++)
        x |= (uint64_t)p[i] << (8 * i);
    return x;
}

void provenance_tag(const uint8_t key[16], uint32_t kind, uint64_t arg, uint64_t sender,
                    uint64_t seq, uint8_t out[16])
{
    uint8_t msg[PROVENANCE_MSG_LEN];
    put_le(msg + 0, kind, 4);
    put_le(msg + 4, 0, 4);
    put_le(msg + 8, arg, 8);
    put_le(msg + 16, sender, 8);
    put_le(msg + 24, seq, 8);
    siphash24_128(key, msg, sizeof msg, out);
}

void provenance_stamp(CmdPacket *p, const uint8_t key[16], uint64_t sender, uint64_t seq)
{
    uint8_t tag[16];
    provenance_tag(key, p->kind, p->arg, sender, seq, tag);
    p->id = ((__uint128_t)get_le64(tag + 8) << 64) | get_le64(tag);
}

int provenance_verify(const CmdPacket *p, const uint8_t key[16], uint64_t sender,
                      uint64_t seq)
{
    uint8_t want[16], got[16];
    provenance_tag(key, p->kind, p->arg, sender, seq, want);
    put_le(got, (uint64_t)p->id, 8);
    put_le(got + 8, (uint64_t)(p->id >> 64), 8);

    uint8_t diff = 0;
    for (unsigned i = 0; i < 16; i++)
        diff |= (uint8_t)(want[i] ^ got[i]);
    return diff == 0;
}

void provenance_sender_key(const uint8_t boot_key[16], uint64_t sender, uint8_t out[16])
{
    uint8_t msg[8];
    put_le(msg, sender, 8);
    siphash24_128(boot_key, msg, sizeof msg, out);
}
