#!/usr/bin/python3
"""Writes malformed ustar archives, each refused by the kernel's tar parser
(kernel/fs/tar.c) at boot when embedded with `make INITRD_ARCHIVE=FILE`.

    gen-bad-tars.py OUTDIR

OUTDIR gets one archive per case and a MANIFEST: "FILE<TAB>REASON", REASON
being the phrase the kernel's boot line carries. Every archive keeps valid
header checksums (except the checksum case) and ends with the two zero
blocks (except the case about them), so it gets past the size, CRC and
end-block checks and meets the parser. Python 3 standard library only.
"""
import io
import os
import sys
import tarfile

BLOCK = 512


def good_archive():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in (("bin/", None), ("bin/hello", b"hello\n" * 100), ("etc/motd", b"hi\n")):
            info = tarfile.TarInfo(name.rstrip("/"))
            info.mtime = 0
            if data is None:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            else:
                info.size = len(data)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(data))
    return bytearray(buf.getvalue())


def reseal(archive, header):
    """Recomputes the checksum of the header at offset `header`."""
    h = archive[header:header + BLOCK]
    h[148:156] = b" " * 8
    archive[header + 148:header + 156] = b"%06o\0 " % sum(h)


def set_field(archive, header, offset, length, value):
    archive[header + offset:header + offset + length] = value.ljust(length, b"\0")[:length]
    reseal(archive, header)


def cases():
    g = good_archive
    second = BLOCK  # bin/hello's header (bin/ takes one block)
    a = g(); a[second + 148] ^= 0x01
    yield "bad-checksum.tar", a, "header checksum mismatch"
    a = g(); set_field(a, second, 124, 12, b"00000000x12")
    yield "size-not-octal.tar", a, "size field is not octal"
    a = g(); set_field(a, second, 124, 12, b"77777777777")
    yield "size-past-end.tar", a, "file data runs past the end of the archive"
    a = g(); set_field(a, second, 257, 6, b"xstar")
    yield "bad-magic.tar", a, "not a ustar header (bad magic)"
    a = g(); set_field(a, second, 0, 100, b"../../etc/passwd")
    yield "dotdot-escape.tar", a, "escapes"
    a = g(); set_field(a, second, 0, 100, b"")
    yield "empty-name.tar", a, "empty name"
    a = g(); set_field(a, second, 156, 1, b"L")
    yield "gnu-long-name.tar", a, "GNU long name entry not supported"
    a = g(); set_field(a, second, 156, 1, b"x")
    yield "pax-header.tar", a, "pax extended header not supported"
    a = g(); a[second:second + BLOCK] = bytes(BLOCK)  # a wiped header in the middle
    yield "lone-zero-block.tar", a, "lone zero block followed by data"
    a = g(); del a[len(a) - 10 * BLOCK:]; a += b"\x01" * BLOCK
    yield "no-end-blocks.tar", a, "no end-of-archive blocks"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    lines = []
    for name, data, reason in cases():
        with open(os.path.join(out, name), "wb") as f:
            f.write(bytes(data))
        lines.append(f"{name}\t{reason}")
    with open(os.path.join(out, "MANIFEST"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
