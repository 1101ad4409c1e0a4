/*
 * Provenance tags for CmdPacket.id: a SipHash-2-4-128 MAC (lib/siphash.h)
 * that ties a packet's contents to its sender and sequence number, so the
 * kernel can tell a packet a program really sent from a forged or replayed
 * one.
 *
 * The tagged message is exactly 32 bytes, every field little-endian:
 *
 *   offset  size  field
 *        0     4  kind    (CmdPacket.kind)
 *        4     4  zero    (where CmdPacket._pad sits; always hashed as 0)
 *        8     8  arg     (CmdPacket.arg)
 *       16     8  sender  (who sent it; not stored in the packet)
 *       24     8  seq     (the sender's sequence number; not stored either)
 *
 * The 16 tag bytes go into CmdPacket.id as two little-endian halves: bytes
 * 0..7 are id's low 64 bits, bytes 8..15 its high 64 bits.
 *
 * Keys: the kernel holds a boot key; each sender gets its own key,
 * provenance_sender_key(boot_key, sender), so a program can tag its packets
 * without knowing the boot key or any other sender's key.
 *
 * The tag does not cover _pad: whether it is zero is checked on its own
 * (ION_EPAD).
 */
#ifndef RUMPK_ION_PROVENANCE_H
#define RUMPK_ION_PROVENANCE_H

#include <stdint.h>

#include "abi/ion.h"

#define PROVENANCE_MSG_LEN 32

/* The 16-byte tag of the message above, under `key`. */
void provenance_tag(const uint8_t key[16], uint32_t kind, uint64_t arg, uint64_t sender,
                    uint64_t seq, uint8_t out[16]);

/* Sets p->id to the tag of p->kind and p->arg from (sender, seq). */
void provenance_stamp(CmdPacket *p, const uint8_t key[16], uint64_t sender, uint64_t seq);

/* 1 when p->id is the tag of p->kind and p->arg from (sender, seq), else 0.
 * All 16 bytes are compared, in time independent of where they differ. */
int provenance_verify(const CmdPacket *p, const uint8_t key[16], uint64_t sender,
                      uint64_t seq);

/* A sender's own key: SipHash-2-4-128(boot_key, sender as 8 bytes LE). */
void provenance_sender_key(const uint8_t boot_key[16], uint64_t sender, uint8_t out[16]);

#endif
