/*
 * SipHash-2-4 (kernel/lib/siphash.c) against the authors' reference vectors,
 * and the CmdPacket provenance tag (kernel/ion/provenance.c) built on it.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "ion/provenance.h"
#include "lib/siphash.h"

#define VECTORS_PATH "tests/host/data/siphash24-vectors.txt"
#define VECTOR_COUNT 64

static void to_hex(const uint8_t *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 0xf];
    }
    out[2 * n] = '\0';
}

static void reference_key(uint8_t key[16])
{
    for (unsigned i = 0; i < 16; i++)
        key[i] = (uint8_t)i;
}

/* Every line of the vectors file: "i hex64 hex128"; key 00..0f, message
 * 00 01 .. (i-1). The 64-bit column is the output's 8 bytes little-endian. */
static void test_reference_vectors(void)
{
    uint8_t key[16], msg[VECTOR_COUNT];
    reference_key(key);
    for (unsigned i = 0; i < VECTOR_COUNT; i++)
        msg[i] = (uint8_t)i;

    FILE *f = fopen(VECTORS_PATH, "r");
    CHECK(f != NULL);
    if (!f) {
        printf("cannot open %s (run from the repository root)\n", VECTORS_PATH);
        return;
    }

    unsigned lines64 = 0, lines128 = 0;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        unsigned i;
        char want64[64], want128[64];
        int fields = sscanf(line, "%u %63s %63s", &i, want64, want128);
        if (!CHECK_EQ_I64(fields, 3) || !CHECK(i < VECTOR_COUNT))
            continue;
        /* Lines come in order, one per length. */
        CHECK_EQ_U64(i, lines64);

        uint8_t out64[8];
        uint64_t h = siphash24_64(key, msg, i);
        for (unsigned b = 0; b < 8; b++)
            out64[b] = (uint8_t)(h >> (8 * b));
        char got64[17];
        to_hex(out64, 8, got64);
        CHECK_STR(got64, want64);
        lines64++;

        uint8_t out128[16];
        siphash24_128(key, msg, i, out128);
        char got128[33];
        to_hex(out128, 16, got128);
        CHECK_STR(got128, want128);
        lines128++;
    }
    fclose(f);
    CHECK_EQ_U64(lines64, VECTOR_COUNT);
    CHECK_EQ_U64(lines128, VECTOR_COUNT);
}

/* The paper's appendix A example, as a number: 15-byte message 00..0e. */
static void test_paper_example(void)
{
    uint8_t key[16], msg[15];
    reference_key(key);
    for (unsigned i = 0; i < 15; i++)
        msg[i] = (uint8_t)i;
    CHECK_EQ_U64(siphash24_64(key, msg, sizeof msg), 0xa129ca6149be45e5ull);
}

/* Loads go byte by byte: the same bytes at any alignment give the same hash. */
static void test_unaligned_input(void)
{
    uint8_t key[16], buf[64 + 8];
    reference_key(key);
    uint8_t want[16], got[16];
    for (unsigned i = 0; i < 64; i++)
        buf[i] = (uint8_t)i;
    siphash24_128(key, buf, 37, want);
    uint64_t want64 = siphash24_64(key, buf, 37);
    for (unsigned off = 1; off < 8; off++) {
        memmove(buf + off, buf + off - 1, 64);
        siphash24_128(key, buf + off, 37, got);
        CHECK(memcmp(got, want, 16) == 0);
        CHECK_EQ_U64(siphash24_64(key, buf + off, 37), want64);
    }
}

static const uint8_t boot_key[16] = {
    0x5a, 0x17, 0xc3, 0x08, 0x9e, 0x41, 0xb2, 0x6d,
    0xf0, 0x23, 0x84, 0x7b, 0x1c, 0xe5, 0x36, 0xa9,
};

static CmdPacket make_packet(uint32_t kind, uint64_t arg)
{
    CmdPacket p;
    memset(&p, 0, sizeof p);
    p.kind = kind;
    p.arg = arg;
    return p;
}

static void test_stamp_then_verify(void)
{
    uint8_t key[16];
    provenance_sender_key(boot_key, 7, key);
    CmdPacket p = make_packet(CMD_CON_WRITE, 42);
    provenance_stamp(&p, key, 7, 1000);
    CHECK(p.id != 0);
    CHECK_EQ_U64(p.kind, CMD_CON_WRITE);  /* stamping touches only id */
    CHECK_EQ_U64(p._pad, 0);
    CHECK_EQ_U64(p.arg, 42);
    CHECK_EQ_I64(provenance_verify(&p, key, 7, 1000), 1);

    /* Every field the tag covers changes the verdict. */
    CmdPacket q = p;
    q.kind = CMD_CON_READ;
    CHECK_EQ_I64(provenance_verify(&q, key, 7, 1000), 0);
    q = p;
    q.arg = 43;
    CHECK_EQ_I64(provenance_verify(&q, key, 7, 1000), 0);
    q = p;
    q.arg ^= 1ull << 63;
    CHECK_EQ_I64(provenance_verify(&q, key, 7, 1000), 0);
    CHECK_EQ_I64(provenance_verify(&p, key, 8, 1000), 0);  /* sender */
    CHECK_EQ_I64(provenance_verify(&p, key, 7, 1001), 0);  /* seq (replay) */
    CHECK_EQ_I64(provenance_verify(&p, key, 7, 999), 0);
    CHECK_EQ_I64(provenance_verify(&p, boot_key, 7, 1000), 0);  /* key */

    /* Any single flipped bit of the id. */
    unsigned accepted = 0;
    for (unsigned bit = 0; bit < 128; bit++) {
        q = p;
        q.id ^= (__uint128_t)1 << bit;
        if (!CHECK_EQ_I64(provenance_verify(&q, key, 7, 1000), 0))
            printf("  flipped id bit %u still verifies\n", bit);
        accepted += (unsigned)provenance_verify(&q, key, 7, 1000);
    }
    CHECK_EQ_U64(accepted, 0);

    /* Extreme values round-trip too. */
    CmdPacket r = make_packet(UINT32_MAX, UINT64_MAX);
    provenance_stamp(&r, key, UINT64_MAX, UINT64_MAX);
    CHECK_EQ_I64(provenance_verify(&r, key, UINT64_MAX, UINT64_MAX), 1);
    CHECK_EQ_I64(provenance_verify(&r, key, UINT64_MAX, 0), 0);
}

static void test_sender_keys(void)
{
    static const uint64_t senders[] = {0, 1, 2, 7, 0x100, 1ull << 32, UINT64_MAX};
    enum { N = sizeof senders / sizeof senders[0] };
    uint8_t keys[N][16];
    for (unsigned i = 0; i < N; i++) {
        provenance_sender_key(boot_key, senders[i], keys[i]);
        CHECK(memcmp(keys[i], boot_key, 16) != 0);
        /* = SipHash-2-4-128(boot_key, sender as 8 bytes LE). */
        uint8_t le[8], want[16];
        for (unsigned b = 0; b < 8; b++)
            le[b] = (uint8_t)(senders[i] >> (8 * b));
        siphash24_128(boot_key, le, sizeof le, want);
        CHECK(memcmp(keys[i], want, 16) == 0);
    }
    for (unsigned i = 0; i < N; i++)
        for (unsigned j = i + 1; j < N; j++)
            if (!CHECK(memcmp(keys[i], keys[j], 16) != 0))
                printf("  senders %u and %u got the same key\n", i, j);

    /* One sender's key does not vouch for another's packets. */
    CmdPacket p = make_packet(CMD_SYS_EXIT, 0);
    provenance_stamp(&p, keys[1], senders[1], 5);
    CHECK_EQ_I64(provenance_verify(&p, keys[1], senders[1], 5), 1);
    CHECK_EQ_I64(provenance_verify(&p, keys[2], senders[1], 5), 0);
}

/* The documented layout, rebuilt by hand: kind u32, 4 zero bytes, arg,
 * sender, seq, all little-endian; id = tag bytes 0..7 low, 8..15 high. */
static void test_message_layout(void)
{
    const uint32_t kind = 0x11223344u;
    const uint64_t arg = 0x8877665544332211ull;
    const uint64_t sender = 0x0102030405060708ull;
    const uint64_t seq = 0xf0e0d0c0b0a09080ull;
    const uint8_t msg[32] = {
        0x44, 0x33, 0x22, 0x11, 0x00, 0x00, 0x00, 0x00,
        0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
        0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
        0x80, 0x90, 0xa0, 0xb0, 0xc0, 0xd0, 0xe0, 0xf0,
    };
    uint8_t key[16], want[16], got[16];
    provenance_sender_key(boot_key, sender, key);
    siphash24_128(key, msg, sizeof msg, want);
    provenance_tag(key, kind, arg, sender, seq, got);
    CHECK(memcmp(got, want, 16) == 0);

    CmdPacket p = make_packet(kind, arg);
    provenance_stamp(&p, key, sender, seq);
    uint64_t lo = 0, hi = 0;
    for (unsigned b = 0; b < 8; b++) {
        lo |= (uint64_t)want[b] << (8 * b);
        hi |= (uint64_t)want[8 + b] << (8 * b);
    }
    CHECK_EQ_U64((uint64_t)p.id, lo);
    CHECK_EQ_U64((uint64_t)(p.id >> 64), hi);

    /* _pad is not part of the tag (it is checked on its own, ION_EPAD). */
    p._pad = 1;
    CHECK_EQ_I64(provenance_verify(&p, key, sender, seq), 1);
}

/* The word-message entry point is the byte one on the words' LE bytes. */
static void test_words_match_bytes(void)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (unsigned n = 0; n <= 8; n++) {
        for (unsigned round = 0; round < 200; round++) {
            uint64_t words[8], k[2];
            uint8_t bytes[64], key[16], want[16];
            for (unsigned i = 0; i < 2 + n; i++) {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;   /* xorshift64 */
                if (i < 2) k[i] = x; else words[i - 2] = x;
            }
            for (unsigned b = 0; b < 8; b++) {
                key[b] = (uint8_t)(k[0] >> (8 * b));
                key[8 + b] = (uint8_t)(k[1] >> (8 * b));
                for (unsigned w = 0; w < n; w++)
                    bytes[8 * w + b] = (uint8_t)(words[w] >> (8 * b));
            }
            siphash24_128(key, bytes, 8 * n, want);
            uint64_t got[2];
            siphash24_128_words(k[0], k[1], words, n, got);
            uint64_t lo = 0, hi = 0;
            for (unsigned b = 0; b < 8; b++) {
                lo |= (uint64_t)want[b] << (8 * b);
                hi |= (uint64_t)want[8 + b] << (8 * b);
            }
            CHECK_EQ_U64(got[0], lo);
            CHECK_EQ_U64(got[1], hi);
        }
    }
}

int main(void)
{
    test_reference_vectors();
    test_paper_example();
    test_unaligned_input();
    test_stamp_then_verify();
    test_sender_keys();
    test_message_layout();
    test_words_match_bytes();
    return check_summary("test_siphash");
}
