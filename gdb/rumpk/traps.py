"""Traps in words: scause/stval the way kernel/core/trap_describe.c says them.

The names are not copied here: they are read from the kernel's own tables
(exception_names, interrupt_names in trap_describe.c's .rodata), which GDB
can read from the ELF with or without a target. The phrasing rules (which
causes carry an address in stval, which an instruction encoding) mirror
trap_describe().
"""
import gdb

from rumpk import utils

INTERRUPT_BIT = 1 << 63
# Exceptions whose stval is the faulting address (trap_describe's case list).
_ADDRESS_CAUSES = (0, 1, 4, 5, 6, 7, 12, 13, 15)
_ILLEGAL_INSTRUCTION = 2
RESERVED = "reserved cause"

# struct trap_frame's fields are x1..x31 in order, then the CSRs; their
# ABI names are the field names themselves (ra, sp, gp, tp, t0, ..., t6).

_tables = utils.type_cache({})


def _read_names(symbol):
    """The kernel's `const char *const NAME[]` as a list (None for holes)."""
    sym = gdb.lookup_static_symbol(symbol) or gdb.lookup_global_symbol(symbol)
    if sym is None:
        return None
    value = sym.value()
    psize = value.type.target().sizeof
    raw = utils.read(int(value.address), value.type.sizeof)   # the whole table at once
    ptrs = [utils.decode_int(raw, i, psize) for i in range(0, len(raw), psize)]
    names = []
    for p in ptrs:
        if p == 0:
            names.append(None)
            continue
        try:
            names.append(gdb.Value(p).cast(gdb.lookup_type("char").pointer()).string())
        except (gdb.error, gdb.MemoryError):
            names.append(None)
    return names


def cause_tables():
    """(exception names, interrupt names) from the kernel image."""
    if "t" not in _tables:
        _tables["t"] = (_read_names("exception_names") or [],
                        _read_names("interrupt_names") or [])
    return _tables["t"]


def cause_name(scause):
    """trap_cause_name(): 'load access fault', 'supervisor timer interrupt'..."""
    exceptions, interrupts = cause_tables()
    code = scause & ~INTERRUPT_BIT
    table = interrupts if scause & INTERRUPT_BIT else exceptions
    name = table[code] if code < len(table) else None
    return name or RESERVED


def describe(scause, stval):
    """trap_describe(): 'load access fault at 0x0',
    'illegal instruction (encoding 0x00000000)', 'breakpoint'."""
    name = cause_name(scause)
    if scause & INTERRUPT_BIT:
        return name
    if scause in _ADDRESS_CAUSES:
        return f"{name} at 0x{stval:x}"
    if scause == _ILLEGAL_INSTRUCTION:
        return f"{name} (encoding 0x{stval:08x})"
    if name == RESERVED:
        return f"{name} {scause}"
    return name
