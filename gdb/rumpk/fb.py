"""fb: the Retina framebuffer from GDB.

    fb                 geometry: size, pixel format, where the pixels are
    fb save FILE.png   the current frame, read from the guest's memory (.ppm too)

The pixels are what the kernel drew (retina_display.pixels, 0x00RRGGBB per
pixel, row after row), read in one piece; the host's copy behind QEMU's
window may lag until the kernel's next flush. Works from either side (the
kernel's memory is read through QEMU's physical-memory mode from U-mode).
"""
import struct
import zlib

import gdb

from rumpk import utils


def display():
    try:
        d = gdb.parse_and_eval("retina_display")
    except gdb.error:
        raise gdb.GdbError("fb: this kernel has no retina_display (no framebuffer driver)") \
            from None
    width, height = int(d["width"]), int(d["height"])
    pixels = int(d["pixels"])
    if not pixels or not width or not height:
        raise gdb.GdbError("fb: no display: the kernel found no VirtIO GPU (QEMU needs "
                           "-device virtio-gpu-device; make run-gui adds it)")
    return width, height, pixels, int(d["slot"])


def rgb_rows(width, height, pixels):
    """The frame as rows of RGB bytes."""
    raw = utils.read(pixels, width * height * 4)
    rows = []
    for y in range(height):
        line = bytearray(width * 3)
        base = y * width * 4
        # 0x00RRGGBB little-endian in memory: B, G, R, 0.
        line[0::3] = raw[base + 2:base + width * 4:4]
        line[1::3] = raw[base + 1:base + width * 4:4]
        line[2::3] = raw[base + 0:base + width * 4:4]
        rows.append(bytes(line))
    return rows


def png(width, height, rows):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)   # 8-bit RGB
    body = zlib.compress(b"".join(b"\0" + r for r in rows), 6)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body)
            + chunk(b"IEND", b""))


class Fb(gdb.Command):
    """The Retina framebuffer: fb | fb save FILE.png|FILE.ppm"""

    def __init__(self):
        super().__init__("fb", gdb.COMMAND_DATA, gdb.COMPLETE_FILENAME)

    @utils.kernel_view
    def invoke(self, arg, from_tty):
        words = gdb.string_to_argv(arg)
        width, height, pixels, slot = display()
        if not words:
            print(f"fb: {width}x{height}, 32 bits per pixel (0x00RRGGBB; B8G8R8X8 for the "
                  f"device), {width * 4} bytes per row, {width * height * 4} bytes at "
                  f"0x{pixels:x}; VirtIO GPU in virtio-mmio slot {slot}")
            return
        if words[0] != "save" or len(words) != 2:
            raise gdb.GdbError("usage: fb | fb save FILE.png|FILE.ppm")
        path = words[1]
        rows = rgb_rows(width, height, pixels)
        if path.endswith(".ppm"):
            data = f"P6\n{width} {height}\n255\n".encode() + b"".join(rows)
        else:
            data = png(width, height, rows)
        with open(path, "wb") as f:
            f.write(data)
        lit = sum(1 for r in rows for i in range(0, len(r), 3) if any(r[i:i + 3]))
        print(f"fb: saved {width}x{height} to {path} ({len(data)} bytes; {lit} of "
              f"{width * height} pixels not black)")


Fb()
