"""`systable [ADDR]`: the SysTable user programs find the ION rings through.

Its address is not written down here: it is what the kernel itself uses,
the global ion.systable (the kernel's view of the ION region, 0x80100000).
Before ion_init has run that pointer is NULL and the command falls back to
SYSTABLE_PHYS (or SYSTABLE_ADDR) as include/abi/systable.h defines it. The
whole table is read in one read and decoded at DWARF's offsets; magic,
version and size are checked against the header's constants and DWARF, and
each ring pointer is followed to its header. The table holds the addresses
user programs see (their ION window, SYSTABLE_ADDR); they are translated to
the kernel's view to be followed.
"""
import gdb

from rumpk import abi, ion, utils
from rumpk.settings import paint

SYSTABLE = utils.CachedType("struct SysTable")


def magic_text(value):
    """'RUMPKSYS' for 0x5359534b504d5552 (the u64's bytes, little-endian)."""
    raw = value.to_bytes(8, "little")
    return "".join(chr(b) if 32 <= b < 127 else "." for b in raw)


def locate(arg):
    """(address, how it was found) of the SysTable as the kernel sees it."""
    if arg.strip():
        return utils.to_int(gdb.parse_and_eval(arg)), arg.strip()
    st = ion.state()
    if st["systable"]:
        return st["systable"], "ion.systable"
    for name in ("SYSTABLE_PHYS", "SYSTABLE_ADDR"):
        fallback = abi.constant(name)
        if fallback is not None:
            return fallback, f"{name}; ion.systable is still NULL: ion_init has not run"
    raise gdb.GdbError("ion.systable is NULL (ion_init has not run) and "
                       "include/abi/systable.h was not found")


def kernel_view(value, table_address):
    """A SysTable address as the kernel sees it. The table holds the
    addresses user programs see (their ION window at SYSTABLE_ADDR); the
    kernel sees the same region where it read the table."""
    user_base = abi.constant("SYSTABLE_ADDR")
    size = abi.constant("ION_REGION_SIZE", 0)
    if user_base is not None and user_base != table_address and \
            user_base <= value < user_base + size:
        return table_address + (value - user_base)
    return value


def ring_field_type(field):
    """The typed ring pointer type of a SysTable ring field (cmd_ring ->
    struct ion_cmd_ring *), from the type of the matching ion_state field."""
    if not field.endswith("_ring"):
        return None
    ion_field = ion.ring_field(field[:-len("_ring")])
    if ion_field is None:
        return None
    for f in utils.layout("struct ion_state").fields:
        if f.name == ion_field:
            return f.type
    return None


def report(address, how):
    from rumpk import rings
    lay = utils.layout(SYSTABLE.get_type())
    raw = utils.read(address, lay.size)
    s = lay.decode(raw)
    out = [paint(f"SysTable at 0x{address:x} ({lay.size} bytes, from {how})", "1")]
    rows = []
    want_magic = abi.constant("SYSTABLE_MAGIC")
    for f in lay.fields:
        v = s[f.name]
        note = ""
        if f.name == "magic":
            text = f'"{magic_text(v)}" (0x{v:016x})'
            if v == 0:
                note = ("not written yet (the kernel writes it last)", "33")
            elif want_magic is not None and v != want_magic:
                note = (f"WRONG: SYSTABLE_MAGIC is \"{magic_text(want_magic)}\"", "31")
            else:
                note = ("ok", "32")
        elif s["magic"] == 0 and f.name in ("version", "size"):
            text = str(v)   # not filled in yet: nothing to check
        elif f.name == "version":
            text = str(v)
            want = abi.constant("SYSTABLE_VERSION")
            note = ("ok", "32") if v == want else (f"SYSTABLE_VERSION is {want}", "31")
        elif f.name == "size":
            text = str(v)
            note = (("ok", "32") if v == lay.size
                    else (f"WRONG: sizeof(struct SysTable) is {lay.size} in DWARF", "31"))
        elif ring_field_type(f.name) is not None or f.name == "packet_pool":
            text = f"0x{v:x}"
            kv = kernel_view(v, address)
            ptype = ring_field_type(f.name)
            if kv != v:
                text += f" = 0x{kv:x} in the kernel"
            if v and ptype is not None:
                try:
                    r = rings.from_value(gdb.Value(kv).cast(ptype), f.name)
                    why = r.why()
                    note = (f"{ptype.target()}: head {r.head} tail {r.tail} "
                            f"used {r.used}/{r.capacity}" + (f", {why}" if why else ""),
                            "31" if why else "")
                except gdb.GdbError as e:
                    note = (str(e), "31")
        elif f.name.endswith("_us"):
            text = f"{v} us"
        elif f.size == 8 and f.type.strip_typedefs().code in (gdb.TYPE_CODE_INT,
                                                              gdb.TYPE_CODE_PTR):
            text = f"0x{v:x}"
        else:
            text = str(v)
        rows.append([f"+{f.offset:<3}", f.name, text, note if note else ""])
    out += utils.table(rows, indent="  ").splitlines()
    return out


class SysTableCommand(gdb.Command):
    """Show the SysTable: systable [ADDR]

Reads struct SysTable where the kernel put it (ion.systable; SYSTABLE_ADDR
before ion_init) or at ADDR: the magic as text, version and size checked
against include/abi/systable.h and DWARF, and each ring with its head, tail
and fill level."""

    def __init__(self):
        super().__init__("systable", gdb.COMMAND_DATA, gdb.COMPLETE_EXPRESSION)

    @utils.kernel_view
    def invoke(self, arg, from_tty):
        address, how = locate(arg)
        print("\n".join(report(address, how)))


SysTableCommand()
