/*
 * SipHash-2-4 after Aumasson and Bernstein, "SipHash: a fast short-input PRF"
 * (INDOCRYPT 2012), and their reference implementation, including its
 * 128-bit-output variant. Every load goes byte by byte (little-endian), so
 * neither alignment nor host byte order matters.
 */
#include "lib/siphash.h"

struct sip_state {
    uint64_t v0, v1, v2, v3;
};

static inline uint64_t rotl64(uint64_t x, unsigned n)
{
    return (x << n) | (x >> (64 - n));
}

static uint64_t load_le64(const uint8_t *p)
{
    uint64_t x = 0;
    for (unsigned i = 0; i < 8; i++)
        x |= (uint64_t)p[i] << (8 * i);
    return x;
}

static void store_le64(uint8_t *p, uint64_t x)
{
    for (unsigned i = 0; i < 8; i++)
        p[i] = (uint8_t)(x >> (8 * i));
}

/* One SipRound (the paper's figure 2.1). */
static inline __attribute__((always_inline)) void sip_round(struct sip_state *s)
{
    s->v0 += s->v1;
    s->v1 = rotl64(s->v1, 13);
    s->v1 ^= s->v0;
    s->v0 = rotl64(s->v0, 32);

    s->v2 += s->v3;
    s->v3 = rotl64(s->v3, 16);
    s->v3 ^= s->v2;

    s->v0 += s->v3;
    s->v3 = rotl64(s->v3, 21);
    s->v3 ^= s->v0;

    s->v2 += s->v1;
    s->v1 = rotl64(s->v1, 17);
    s->v1 ^= s->v2;
    s->v2 = rotl64(s->v2, 32);
}

/* c = 2 rounds per message word. */
static inline __attribute__((always_inline)) void sip_compress(struct sip_state *s, uint64_t m)
{
    s->v3 ^= m;
    sip_round(s);
    sip_round(s);
    s->v0 ^= m;
}

/* d = 4 finalization rounds; returns v0 ^ v1 ^ v2 ^ v3. Unrolled: the
 * loop counter would cost more than the rounds' own bookkeeping. */
static inline __attribute__((always_inline)) uint64_t sip_finalize_rounds(struct sip_state *s)
{
#pragma GCC unroll 4
    for (unsigned i = 0; i < 4; i++)
        sip_round(s);
    return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

/* Initialization and compression of the whole message, shared by both
 * widths; `wide` selects the 128-bit variant's extra constant. */
static void sip_absorb(struct sip_state *s, const uint8_t key[16], const void *msg,
                       size_t len, int wide)
{
    const uint8_t *in = msg;
    uint64_t k0 = load_le64(key);
    uint64_t k1 = load_le64(key + 8);

    /* "somepseudorandomlygeneratedbytes" */
    s->v0 = k0 ^ 0x736f6d6570736575ull;
    s->v1 = k1 ^ 0x646f72616e646f6dull;
    s->v2 = k0 ^ 0x6c7967656e657261ull;
    s->v3 = k1 ^ 0x7465646279746573ull;
    if (wide)
        s->v1 ^= 0xee;

    size_t whole = len - len % 8;
    for (size_t i = 0; i < whole; i += 8)
        sip_compress(s, load_le64(in + i));

    /* Last word: the remaining 0..7 bytes, with len mod 256 in the top byte. */
    uint64_t last = (uint64_t)(len & 0xff) << 56;
    for (size_t i = 0; i < len % 8; i++)
        last |= (uint64_t)in[whole + i] << (8 * i);
    sip_compress(s, last);
}

uint64_t siphash24_64(const uint8_t key[16], const void *msg, size_t len)
{
    struct sip_state s;
    sip_absorb(&s, key, msg, len, 0);
    s.v2 ^= 0xff;
    return sip_finalize_rounds(&s);
}

void siphash24_128_words(uint64_t k0, uint64_t k1, const uint64_t *words, size_t nwords,
                         uint64_t out[2])
{
    struct sip_state s;
    s.v0 = k0 ^ 0x736f6d6570736575ull;
    s.v1 = k1 ^ 0x646f72616e646f6dull ^ 0xee;
    s.v2 = k0 ^ 0x6c7967656e657261ull;
    s.v3 = k1 ^ 0x7465646279746573ull;
    for (size_t i = 0; i < nwords; i++)
        sip_compress(&s, words[i]);
    sip_compress(&s, (uint64_t)((nwords * 8) & 0xff) << 56);  /* no tail bytes: just the length */
    s.v2 ^= 0xee;
    out[0] = sip_finalize_rounds(&s);
    s.v1 ^= 0xdd;
    out[1] = sip_finalize_rounds(&s);
}

void siphash24_128(const uint8_t key[16], const void *msg, size_t len, uint8_t out[16])
{
    struct sip_state s;
    sip_absorb(&s, key, msg, len, 1);
    s.v2 ^= 0xee;
    store_le64(out, sip_finalize_rounds(&s));
    s.v1 ^= 0xdd;
    store_le64(out + 8, sip_finalize_rounds(&s));
}
