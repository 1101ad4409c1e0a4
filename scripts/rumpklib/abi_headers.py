"""Numeric #defines of the project's C headers, for tools that must not copy
them: `constants(["include/abi/user.h", ...])` -> {"USER_BASE": 0x100000000,
...}. Values written as another macro's name (SYSTABLE_ADDR ION_USER_BASE)
are followed; anything that is not a plain number or such a name (an
expression) is left out. gdb/rumpk/abi.py reads the same headers inside
GDB; this one imports nothing but the standard library.
"""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

_DEFINE = re.compile(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]+([^\s/]+)", re.M)
_NUMBER = re.compile(r"^\(?\s*(-?(?:0[xX][0-9a-fA-F]+|\d+))[uUlL]*\s*\)?$")

# The headers the tools read: the ABI, and where the kernel keeps the
# addresses of the devices and the ION region's layout.
DEFAULT_HEADERS = ("include/abi/ion.h", "include/abi/systable.h", "include/abi/user.h",
                   "kernel/ion/ion.h", "kernel/drivers/power.h", "kernel/drivers/plic.h",
                   "kernel/drivers/uart.h", "kernel/mm/page_pool.h")


def constants(paths=DEFAULT_HEADERS, root=ROOT):
    """{NAME: int} of the numeric #defines in `paths` (relative to root).
    The first definition of a name wins. Missing files raise OSError."""
    raw = {}
    for path in paths:
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            for name, value in _DEFINE.findall(f.read()):
                raw.setdefault(name, value)
    values = {}
    for _ in range(4):   # chains of names
        for name, value in raw.items():
            m = _NUMBER.match(value)
            if m:
                values[name] = int(m.group(1), 0)
            elif value in values:
                values[name] = values[value]
    return values
