/*
 * SipHash-2-4: a keyed pseudorandom function for short messages
 * (J.-P. Aumasson and D. J. Bernstein, "SipHash: a fast short-input PRF",
 * INDOCRYPT 2012, https://131002.net/siphash/siphash.pdf). Two compression
 * rounds per 8-byte block, four finalization rounds; 128-bit key.
 *
 * Both outputs match the authors' reference implementation byte for byte
 * (tests/host/data/siphash24-vectors.txt). Pure code: no kernel dependency,
 * builds freestanding and for the host.
 */
#ifndef RUMPK_LIB_SIPHASH_H
#define RUMPK_LIB_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* The 64-bit output. The reference writes it out as 8 little-endian bytes;
 * this returns it as the number those bytes encode. */
uint64_t siphash24_64(const uint8_t key[16], const void *msg, size_t len);

/* The 128-bit output, as the 16 bytes the reference emits. */
void siphash24_128(const uint8_t key[16], const void *msg, size_t len, uint8_t out[16]);

/* The same 128-bit hash of a message made of whole 64-bit words (its bytes
 * are the words in little-endian order), key as two little-endian words:
 * out[0] is the first 8 bytes of the output, out[1] the last 8. No byte
 * shuffling, which is what the per-packet provenance tags need to be cheap. */
void siphash24_128_words(uint64_t k0, uint64_t k1, const uint64_t *words, size_t nwords,
                         uint64_t out[2]);

#endif
