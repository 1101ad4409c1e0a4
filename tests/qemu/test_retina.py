"""Retina: the VirtIO GPU framebuffer console (docs/retina.md).

With `-device virtio-gpu-device` the kernel finds the GPU, sets up a 640x480
scanout and mirrors its console there; QMP's screendump reads the frame back
(headless, -display none). Without the device it says so in one line and
boots as before.
"""
import json
import re
import socket
import time

import pytest

SHELL_PROMPT = "nipbox> "
WIDTH, HEIGHT = 640, 480
CELL_H = 16


class Qmp:
    """A minimal QMP client on a unix socket; every read has a timeout."""

    def __init__(self, path, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.settimeout(timeout)
                self.sock.connect(str(path))
                break
            except (FileNotFoundError, ConnectionRefusedError):
                self.sock.close()
                if time.monotonic() > deadline:
                    pytest.fail(f"QMP socket {path} never accepted a connection")
                time.sleep(0.05)
        self.file = self.sock.makefile("rw", encoding="utf-8")
        self._read()  # the greeting
        self.execute("qmp_capabilities")

    def _read(self):
        line = self.file.readline()
        if not line:
            pytest.fail("QMP closed the connection")
        return json.loads(line)

    def execute(self, command, **arguments):
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        self.file.write(json.dumps(msg) + "\n")
        self.file.flush()
        while True:  # skip asynchronous events
            reply = self._read()
            if "error" in reply:
                pytest.fail(f"QMP {command}: {reply['error']}")
            if "return" in reply:
                return reply["return"]

    def close(self):
        self.file.close()
        self.sock.close()


def read_ppm(path):
    """(width, height, rgb bytes) of a binary PPM (P6, maxval 255)."""
    data = path.read_bytes()
    # The header: magic, width, height, maxval, each followed by whitespace.
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert m, f"not a binary PPM: {data[:16]!r}"
    width, height, maxval = (int(g) for g in m.groups())
    assert maxval == 255
    pixels = data[m.end():]
    assert len(pixels) == width * height * 3, "PPM body size"
    return width, height, pixels


def lit_pixels(pixels, width, y0, y1):
    """How many pixels of rows [y0, y1) are not black."""
    row = width * 3
    body = pixels[y0 * row:y1 * row]
    return sum(1 for i in range(0, len(body), 3) if body[i] or body[i + 1] or body[i + 2])


def test_console_is_mirrored_on_the_framebuffer(boot, tmp_path):
    sock = tmp_path / "qmp.sock"
    m = boot(extra=["-device", "virtio-gpu-device", "-qmp", f"unix:{sock},server=on,wait=off"])
    match = m.expect(r"\[retina\] (\d+)x(\d+) framebuffer at 0x[0-9a-f]+ "
                     r"\(virtio-gpu at slot (\d)\)", timeout=15)
    assert (int(match.group(1)), int(match.group(2))) == (WIDTH, HEIGHT)
    m.expect(re.escape(SHELL_PROMPT), timeout=15)
    assert "[retina] no display" not in m.console()
    assert "display off" not in m.console()

    qmp = Qmp(sock)
    shot = tmp_path / "screen.ppm"
    try:
        # The prompt reaches the UART a moment before the console fiber's
        # flush reaches the host: allow a few tries for it to be on screen.
        deadline = time.monotonic() + 10
        while True:
            qmp.execute("screendump", filename=str(shot))
            width, height, pixels = read_ppm(shot)
            if lit_pixels(pixels, width, 0, CELL_H) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        qmp.close()
    assert (width, height) == (WIDTH, HEIGHT)
    # The boot log fills the top text rows: each of the first four has text.
    for row in range(4):
        assert lit_pixels(pixels, width, row * CELL_H, (row + 1) * CELL_H) > 50, \
            f"text row {row} is empty"
    # Text is sparse grey on black: most of the frame stays black.
    lit = lit_pixels(pixels, width, 0, height)
    assert 0 < lit < width * height // 5, f"{lit} lit pixels of {width * height}"


def test_no_device_means_no_display_and_the_same_boot(boot):
    m = boot()
    m.expect(r"\[retina\] no display", timeout=15)
    m.expect(re.escape(SHELL_PROMPT), timeout=15)
    console = m.console()
    assert console.count("[retina]") == 1, console
    assert "framebuffer" not in console


def test_a_device_error_is_reported_in_words_and_the_boot_goes_on(boot):
    # 1 MiB of host memory for resources: a 640x480x4 one does not fit, so
    # RESOURCE_CREATE_2D answers VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY.
    m = boot(extra=["-device", "virtio-gpu-device,max_hostmem=1M"])
    m.expect(r"\[retina\] RESOURCE_CREATE_2D: out of memory \(0x1201\); display off",
             timeout=15)
    m.expect(re.escape(SHELL_PROMPT), timeout=15)
    m.sendline("hello")
    m.expect(r"\[subject\] /bin/hello exited with status 0", timeout=15)
    assert "PANIC" not in m.console()


# ---- matrix: a program draws on the framebuffer through CMD_FB_* ------------

def green_pixels(pixels, width, y0, y1):
    """Pixels of rows [y0, y1) whose green clearly beats red and blue."""
    row = width * 3
    body = pixels[y0 * row:y1 * row]
    return sum(1 for i in range(0, len(body), 3)
               if body[i + 1] > 60 and body[i + 1] > body[i] + 40 and body[i + 1] > body[i + 2] + 40)


def dark_pixels(pixels):
    """Pixels that are black or nearly so."""
    return sum(1 for i in range(0, len(pixels), 3)
               if pixels[i] < 24 and pixels[i + 1] < 24 and pixels[i + 2] < 24)


def screendump(qmp, path):
    qmp.execute("screendump", filename=str(path))
    return read_ppm(path)


def boot_with_display(boot, tmp_path):
    sock = tmp_path / "qmp.sock"
    m = boot(extra=["-device", "virtio-gpu-device", "-qmp", f"unix:{sock},server=on,wait=off"])
    m.expect(r"\[retina\] 640x480 framebuffer", timeout=15)
    m.expect(re.escape(SHELL_PROMPT), timeout=15)
    return m, Qmp(sock)


def test_matrix_rains_until_a_key_then_the_console_returns(boot, tmp_path):
    m, qmp = boot_with_display(boot, tmp_path)
    try:
        m.sendline("matrix")
        m.expect(r"matrix[\r\n]+", timeout=10)  # the echo: the command is running
        time.sleep(1.0)
        wa, ha, a = screendump(qmp, tmp_path / "a.ppm")
        time.sleep(0.5)
        wb, hb, b = screendump(qmp, tmp_path / "b.ppm")
        for w, h, shot in ((wa, ha, a), (wb, hb, b)):
            assert (w, h) == (WIDTH, HEIGHT)
            dark = dark_pixels(shot)
            assert dark > 0.7 * w * h, f"only {dark} of {w * h} pixels are dark"
            green = green_pixels(shot, w, 0, h)
            assert green > 300, f"{green} green pixels: no rain"
        assert a != b, "the rain did not move in half a second"
        # Still running: no prompt since the command.
        assert SHELL_PROMPT not in m.console().rsplit(SHELL_PROMPT + "matrix", 1)[-1]

        m.send("q")
        m.expect(re.escape(SHELL_PROMPT), timeout=10)
        # The console's text again: lit top rows, (almost) no green.
        deadline = time.monotonic() + 10
        while True:
            w, h, c = screendump(qmp, tmp_path / "c.ppm")
            lit = lit_pixels(c, w, 0, 4 * CELL_H)
            green = green_pixels(c, w, 0, h)
            if (lit > 200 and green < 50) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert lit > 200, f"top rows: {lit} lit pixels, no console text"
        assert green < 50, f"{green} green pixels left after the matrix"
    finally:
        qmp.close()
    # The key was the matrix's: the shell did not run a command `q`.
    m.sendline("uptime")
    m.expect(r"up \d+\.\d{3} s", timeout=10)
    assert "q: " not in m.console()
    assert "PANIC" not in m.console()


def test_matrix_without_a_display_says_so(boot):
    m = boot()
    m.expect(r"\[retina\] no display", timeout=15)
    m.expect(re.escape(SHELL_PROMPT), timeout=15)
    m.sendline("matrix")
    m.expect(re.escape("matrix: no display (make run-gui, or QEMU's -device "
                       "virtio-gpu-device)"), timeout=10)
    m.expect(re.escape(SHELL_PROMPT), timeout=10)
