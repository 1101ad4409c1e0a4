#include "ion/provenance.h"

#include "lib/siphash.h"

static void put_le(uint8_t *p, uint64_t x, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        p[i] = (uint8_t)(x >> (8 * i));
}

static uint64_t get_le64(const uint8_t *p)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* A key is loaded for every packet: one load when it is aligned. */
    if (((uintptr_t)p & 7) == 0)
        return *(const uint64_t __attribute__((may_alias)) *)p;
#endif
    uint64_t x = 0;
    for (unsigned i = 0; i < 8; i++)
        x |= (uint64_t)p[i] << (8 * i);
    return x;
}

/* The message as four little-endian words: kind (with the zero pad word
 * above it), arg, sender, seq; the same bytes provenance_tag documents. */
static void tag_words(const uint8_t key[16], uint32_t kind, uint64_t arg, uint64_t sender,
                      uint64_t seq, uint64_t tag[2])
{
    const uint64_t msg[PROVENANCE_MSG_LEN / 8] = { kind, arg, sender, seq };
    siphash24_128_words(get_le64(key), get_le64(key + 8), msg, PROVENANCE_MSG_LEN / 8, tag);
}

void provenance_tag(const uint8_t key[16], uint32_t kind, uint64_t arg, uint64_t sender,
                    uint64_t seq, uint8_t out[16])
{
    uint64_t tag[2];
    tag_words(key, kind, arg, sender, seq, tag);
    put_le(out, tag[0], 8);
    put_le(out + 8, tag[1], 8);
}

void provenance_stamp(CmdPacket *p, const uint8_t key[16], uint64_t sender, uint64_t seq)
{
    uint64_t tag[2];
    tag_words(key, p->kind, p->arg, sender, seq, tag);
    p->id = ((__uint128_t)tag[1] << 64) | tag[0];
}

int provenance_verify(const CmdPacket *p, const uint8_t key[16], uint64_t sender,
                      uint64_t seq)
{
    uint64_t want[2];
    tag_words(key, p->kind, p->arg, sender, seq, want);
    /* Both halves always compared: time independent of where they differ. */
    uint64_t diff = (want[0] ^ (uint64_t)p->id) | (want[1] ^ (uint64_t)(p->id >> 64));
    return diff == 0;
}

void provenance_sender_key(const uint8_t boot_key[16], uint64_t sender, uint8_t out[16])
{
    uint8_t msg[8];
    put_le(msg, sender, 8);
    siphash24_128(boot_key, msg, sizeof msg, out);
}
