"""SipHash-2-4 (64- and 128-bit output), as kernel/lib/siphash.c computes it.

Pure Python with no gdb import, so the host tests check it against the same
reference vectors as the C implementation (tests/host/data/siphash24-vectors.txt).
"""
import struct

_MASK = (1 << 64) - 1


def _rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & _MASK


def _rounds(v, n):
    v0, v1, v2, v3 = v
    for _ in range(n):
        v0 = (v0 + v1) & _MASK
        v1 = _rotl(v1, 13) ^ v0
        v0 = _rotl(v0, 32)
        v2 = (v2 + v3) & _MASK
        v3 = _rotl(v3, 16) ^ v2
        v0 = (v0 + v3) & _MASK
        v3 = _rotl(v3, 21) ^ v0
        v2 = (v2 + v1) & _MASK
        v1 = _rotl(v1, 17) ^ v2
        v2 = _rotl(v2, 32)
    return [v0, v1, v2, v3]


def siphash24(key, msg, out_len=8):
    """SipHash-2-4 of `msg` under the 16-byte `key`; `out_len` 8 or 16 bytes,
    output words little-endian, as the reference implementation emits them."""
    if len(key) != 16:
        raise ValueError("SipHash key must be 16 bytes")
    if out_len not in (8, 16):
        raise ValueError("SipHash output is 8 or 16 bytes")
    k0, k1 = struct.unpack("<QQ", bytes(key))
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D,
         k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573]
    if out_len == 16:
        v[1] ^= 0xEE
    msg = bytes(msg)
    tail_len = len(msg) % 8
    for (m,) in struct.iter_unpack("<Q", msg[:len(msg) - tail_len]):
        v[3] ^= m
        v = _rounds(v, 2)
        v[0] ^= m
    b = (len(msg) & 0xFF) << 56
    for i, byte in enumerate(msg[len(msg) - tail_len:]):
        b |= byte << (8 * i)
    v[3] ^= b
    v = _rounds(v, 2)
    v[0] ^= b
    v[2] ^= 0xEE if out_len == 16 else 0xFF
    v = _rounds(v, 4)
    out = struct.pack("<Q", v[0] ^ v[1] ^ v[2] ^ v[3])
    if out_len == 16:
        v[1] ^= 0xDD
        v = _rounds(v, 4)
        out += struct.pack("<Q", v[0] ^ v[1] ^ v[2] ^ v[3])
    return out


def siphash24_128(key, msg):
    return siphash24(key, msg, 16)


# ---- provenance tags (kernel/ion/provenance.[ch]) -------------------------

def provenance_message(kind, arg, sender, seq):
    """The 32 tagged bytes: kind (4), zero (4), arg (8), sender (8), seq (8)."""
    return struct.pack("<IIQQQ", kind & 0xFFFFFFFF, 0, arg & _MASK, sender & _MASK, seq & _MASK)


def provenance_tag(key, kind, arg, sender, seq):
    """The 16-byte tag; as CmdPacket.id bytes 16..31 hold it (low half first)."""
    return siphash24_128(key, provenance_message(kind, arg, sender, seq))


def sender_key(boot_key, sender):
    """provenance_sender_key: SipHash-2-4-128(boot_key, sender as 8 bytes LE)."""
    return siphash24_128(boot_key, struct.pack("<Q", sender & _MASK))
