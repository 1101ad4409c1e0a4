"""GDB's `fb` (gdb/rumpk/fb.py): the framebuffer's geometry, and the current
frame saved as a PNG from the guest's memory."""
import re
import struct
import zlib

GPU = ["-device", "virtio-gpu-device"]


def read_png(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height = header[0], header[1]
    raw = zlib.decompress(idat)
    stride = 1 + width * 3
    rows = [raw[y * stride + 1:(y + 1) * stride] for y in range(height)]
    assert all(raw[y * stride] == 0 for y in range(height))   # filter "none" on every row
    return width, height, rows


def test_fb_shows_the_geometry_and_saves_the_console_as_a_png(gdb, tmp_path):
    png = tmp_path / "frame.png"
    r = gdb(["break debug_hook_exec", "continue", "fb", f"fb save {png}"], extra=GPU)
    out = r.output
    m = re.search(r"fb: (\d+)x(\d+), 32 bits per pixel .* bytes at 0x([0-9a-f]+); VirtIO GPU "
                  r"in virtio-mmio slot \d", out)
    assert m, out
    assert re.search(rf"fb: saved {m[1]}x{m[2]} to {png} \(\d+ bytes; \d+ of", out), out
    width, height, rows = read_png(png)
    assert (width, height) == (int(m[1]), int(m[2]))
    # The boot console is drawn from the top: text there, the bottom still black.
    top = sum(1 for row in rows[:64] for i in range(0, len(row), 3) if any(row[i:i + 3]))
    bottom = sum(1 for row in rows[-64:] for i in range(0, len(row), 3) if any(row[i:i + 3]))
    assert top > 200 and bottom == 0, (top, bottom)


def test_fb_without_a_display_says_so(gdb):
    r = gdb(["break debug_hook_exec", "continue", "fb"])
    assert "fb: no display: the kernel found no VirtIO GPU" in r.output, r.output
