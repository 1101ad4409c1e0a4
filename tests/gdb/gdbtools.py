"""Helpers for the GDB tests (imported by them; pytest does not collect this file)."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent


def mask(text):
    """Output with what changes from build to build masked: addresses,
    line numbers and hex tags."""
    text = re.sub(r"0x[0-9a-f]+", "0x?", text)
    return re.sub(r"(\.[cS]):\d+", r"\1:?", text)


def frames(bt_text):
    """The function names of a backtrace's frames, innermost first."""
    return re.findall(r"^#\d+\s+(?:0x[0-9a-f]+ in )?([A-Za-z_]\w*) \(", bt_text, re.M)


def source_line(path, needle, offset=0):
    """The 1-based line number of the first line of `path` containing
    `needle`, plus `offset` (so tests follow the source as it moves)."""
    for n, line in enumerate((ROOT / path).read_text().splitlines(), 1):
        if needle in line:
            return n + offset
    raise AssertionError(f"{needle!r} not found in {path}")
