"""Names and constants of the ABI, read from include/abi/*.h.

The kernel is built with -g, not -g3, so its DWARF has the types but not the
macros (CMD_*, ION_E*, SYSTABLE_*). Rather than copy them, read them from the
very headers the kernel was compiled from: DWARF says where CmdPacket and
struct SysTable were declared (Symbol.symtab), and those files are parsed
for `#define NAME VALUE`. Every header in that directory is read
(include/abi/*.h); falls back to include/abi/ in this repository when the
recorded path does not exist (an ELF built elsewhere).
"""
import os
import re

import gdb

from rumpk import utils

_DEFINE = re.compile(r"^\s*#\s*define\s+([A-Z_][A-Z0-9_]*)\s+(\S+)", re.M)
_NUMBER = re.compile(r"^\(?\s*(-?(?:0[xX][0-9a-fA-F]+|\d+))[uUlL]*\s*\)?$")

_cache = utils.type_cache({})


def header_path(tag):
    """The header that declares `struct tag`, from DWARF."""
    sym = gdb.lookup_static_symbol(tag, gdb.SYMBOL_STRUCT_DOMAIN)
    if sym is not None and sym.symtab is not None:
        path = sym.symtab.fullname()
        if os.path.exists(path):
            return path
    return None


def constants():
    """{NAME: int} of every numeric #define in the ABI headers (every .h
    beside the ones that declare CmdPacket and struct SysTable)."""
    if "constants" in _cache:
        return _cache["constants"]
    dirs = []
    for tag in ("CmdPacket", "SysTable"):
        path = header_path(tag)
        if path and os.path.dirname(path) not in dirs:
            dirs.append(os.path.dirname(path))
    if not dirs:
        dirs.append(os.path.join(utils.REPO_ROOT, "include", "abi"))
    paths = sorted(os.path.join(d, n) for d in dirs if os.path.isdir(d)
                   for n in os.listdir(d) if n.endswith(".h"))
    raw = {}
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            for name, value in _DEFINE.findall(f.read()):
                raw.setdefault(name, value)
    values = {}
    for _ in range(4):  # NAME OTHER_NAME chains (SYSTABLE_ADDR ION_USER_BASE)
        for name, value in raw.items():
            m = _NUMBER.match(value)
            if m:
                values[name] = int(m.group(1), 0)
            elif value in values:
                values[name] = values[value]
    _cache["constants"] = values
    _cache["headers"] = paths
    return values


def headers():
    constants()
    return _cache["headers"]


def _names(prefix, exclude=()):
    key = "names:" + prefix
    if key not in _cache:
        table = {}
        for name, value in constants().items():
            if name.startswith(prefix) and name not in exclude:
                table.setdefault(value, name)
        _cache[key] = table
    return _cache[key]


def kind_name(kind):
    """'CMD_SYS_EXEC' for 0x400, None for a kind the ABI does not define."""
    return _names("CMD_").get(kind)


def status_name(status):
    """'ION_ETAG' for -2, None when unknown."""
    names = _names("ION_E")
    if status == constants().get("ION_OK", 0):
        return "ION_OK"
    return names.get(status)


def format_kind(kind):
    name = kind_name(kind)
    return f"{name} (0x{kind:x})" if name else f"0x{kind:x} (unknown kind)"


def format_status(status):
    name = status_name(status)
    return f"{name} ({status})" if name else str(status)


def constant(name, default=None):
    return constants().get(name, default)


def defines_beside(tag):
    """{NAME: int} of the numeric #defines in the header that declares
    `struct tag` (for kernel-private constants such as FIBER_STACK_PAINT in
    kernel/core/fiber.h)."""
    key = "beside:" + tag
    if key not in _cache:
        values = {}
        path = header_path(tag)
        if path:
            with open(path, encoding="utf-8", errors="replace") as f:
                for name, value in _DEFINE.findall(f.read()):
                    m = _NUMBER.match(value)
                    if m:
                        values[name] = int(m.group(1), 0)
        _cache[key] = values
    return _cache[key]
