"""What every command shares: cached types, DWARF layouts, memory reads,
symbols, and where the repository is.

After Linux's scripts/gdb/linux/utils.py:
- CachedType looks a type up once; every type-derived cache is dropped when
  a new objfile is loaded (file, add-symbol-file, a rebuilt kernel).
- Target memory is read in few, large reads (a whole struct, a whole ring,
  the whole fiber table) and decoded with the `struct` module at the offsets
  and sizes the DWARF gives (Layout); no offset is written down here.
- Reads of target state are cached until the target runs or stops again, or
  someone writes memory or registers from GDB.
"""
import contextlib
import os
import struct
import sys

import gdb

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(PACKAGE_DIR))
SCRIPTS_DIR = os.path.join(REPO_ROOT, "scripts")
if SCRIPTS_DIR not in sys.path:
    sys.path.insert(0, SCRIPTS_DIR)   # rumpklib (dwarf_layout), shared with scripts/

# The ABI is little-endian (docs/abi.md); every decode below says so once.
ENDIAN = "<"

# ---- cache invalidation -------------------------------------------------

_type_caches = []     # cleared when the symbols change
_target_caches = []   # cleared whenever target state may have changed


def type_cache(d):
    """Registers dict `d` to be emptied when a new objfile is loaded."""
    _type_caches.append(d)
    return d


def target_cache(d):
    """Registers dict `d` to be emptied on every stop (and memory write)."""
    _target_caches.append(d)
    return d


def _clear_types(_event=None):
    for c in _type_caches:
        c.clear()
    _clear_target()


def _clear_target(_event=None):
    for c in _target_caches:
        c.clear()


gdb.events.new_objfile.connect(_clear_types)
gdb.events.clear_objfiles.connect(_clear_types)
for _name in ("stop", "cont", "memory_changed", "register_changed", "exited",
              "inferior_call", "connection_removed"):
    _registry = getattr(gdb.events, _name, None)
    if _registry is not None:
        _registry.connect(_clear_target)


class CachedType:
    """A gdb.Type looked up on first use and forgotten when symbols change."""

    def __init__(self, name):
        self._name = name
        self._cache = type_cache({})

    def get_type(self):
        t = self._cache.get("t")
        if t is None:
            try:
                t = gdb.lookup_type(self._name)
            except gdb.error:
                raise gdb.GdbError(f"no type '{self._name}' in the symbols: "
                                   "load the kernel first (file build/kernel.elf)") from None
            self._cache["t"] = t
        return t

    def __repr__(self):
        return f"CachedType({self._name!r})"


# ---- layouts from DWARF -----------------------------------------------------

class Field:
    __slots__ = ("name", "offset", "size", "type")

    def __init__(self, name, offset, size, gtype):
        self.name, self.offset, self.size, self.type = name, offset, size, gtype

    def __repr__(self):
        return f"Field({self.name!r}, offset={self.offset}, size={self.size})"


class Layout:
    """A structure's fields, offsets and sizes as GDB reads them from DWARF
    (Type.fields() bitpos and sizeof), and a decoder from raw bytes."""

    def __init__(self, gtype):
        self.type = gtype
        self.name = str(gtype)
        t = gtype.strip_typedefs()
        if t.code not in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION):
            raise gdb.GdbError(f"{self.name} is not a structure")
        self.size = t.sizeof
        self.fields = []
        for f in t.fields():
            if not hasattr(f, "bitpos") or f.artificial:
                continue
            if f.bitsize:
                raise gdb.GdbError(f"{self.name}.{f.name}: bit-fields are not decoded")
            self.fields.append(Field(f.name, f.bitpos // 8, f.type.sizeof, f.type))
        self._by_name = {f.name: f for f in self.fields}

    def __getitem__(self, name):
        try:
            return self._by_name[name]
        except KeyError:
            raise gdb.GdbError(f"{self.name} has no field '{name}'") from None

    def __contains__(self, name):
        return name in self._by_name

    def offset(self, name):
        return self[name].offset

    def decode(self, buf, base=0):
        """{field: value} of the structure at buf[base:]: integers for
        scalars and pointers (16-byte ones whole, from their two halves),
        bytes for char arrays, lists for other arrays, dicts for structs."""
        return {f.name: decode_scalar_or_aggregate(f.type, buf, base + f.offset)
                for f in self.fields}


_layouts = type_cache({})


def layout(type_or_name):
    """The (cached) Layout of a structure type or type name."""
    key = type_or_name if isinstance(type_or_name, str) else str(type_or_name)
    lay = _layouts.get(key)
    if lay is None:
        t = CachedType(key).get_type() if isinstance(type_or_name, str) else type_or_name
        lay = _layouts[key] = Layout(t)
    return lay


_INT_FORMATS = {1: "B", 2: "H", 4: "I", 8: "Q"}


def _is_signed(t):
    if t.code == gdb.TYPE_CODE_PTR:
        return False
    try:
        return t.is_signed
    except (AttributeError, ValueError):
        return False


def decode_int(buf, offset, size, signed=False):
    """A little-endian integer of `size` bytes (1, 2, 4, 8 or 16)."""
    if size == 16:
        lo, hi = struct.unpack_from(ENDIAN + "QQ", buf, offset)
        value = lo | hi << 64
        if signed and value >> 127:
            value -= 1 << 128
        return value
    fmt = _INT_FORMATS[size]
    return struct.unpack_from(ENDIAN + (fmt.lower() if signed else fmt), buf, offset)[0]


def decode_scalar_or_aggregate(gtype, buf, offset):
    t = gtype.strip_typedefs()
    code = t.code
    if code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_ENUM, gdb.TYPE_CODE_BOOL,
                gdb.TYPE_CODE_CHAR, gdb.TYPE_CODE_PTR):
        return decode_int(buf, offset, t.sizeof, _is_signed(t))
    if code == gdb.TYPE_CODE_FLT:
        return struct.unpack_from(ENDIAN + ("f" if t.sizeof == 4 else "d"), buf, offset)[0]
    if code == gdb.TYPE_CODE_ARRAY:
        elem = t.target()
        n = t.sizeof // elem.sizeof if elem.sizeof else 0
        if elem.sizeof == 1 and elem.strip_typedefs().code in (gdb.TYPE_CODE_INT,
                                                               gdb.TYPE_CODE_CHAR):
            return bytes(buf[offset:offset + n])
        return [decode_scalar_or_aggregate(elem, buf, offset + i * elem.sizeof)
                for i in range(n)]
    if code == gdb.TYPE_CODE_STRUCT:
        return layout(gtype).decode(buf, offset)
    return bytes(buf[offset:offset + t.sizeof])


# ---- target memory ------------------------------------------------------

_reads = target_cache({})


def have_target():
    """True when GDB is connected to a live target (QEMU)."""
    return gdb.selected_thread() is not None


def read(address, size):
    """`size` bytes of target memory at `address`, in one read, cached until
    the next stop. Without a target GDB reads the ELF's sections."""
    key = (address, size)
    data = _reads.get(key)
    if data is None:
        try:
            data = bytes(gdb.selected_inferior().read_memory(address, size))
        except gdb.MemoryError as e:
            data = _read_kernel_from_user_mode(address, size)
            if data is None:
                where = ("" if have_target()
                         else " (no target: only the ELF's sections are readable)")
                raise gdb.GdbError(f"cannot read {size} bytes at 0x{address:x}: {e}{where}") \
                    from None
        _reads[key] = data
    return data


KERNEL_PHYS = (0x80000000, 0x100000000)   # RAM, mapped at its physical addresses


@contextlib.contextmanager
def physical_memory():
    """GDB's memory accesses go to physical addresses meanwhile (QEMU's
    Qqemu.PhyMemMode). The kernel is mapped at its physical addresses, so
    kernel variables read the same either way; user addresses do not."""
    gdb.execute("maintenance packet Qqemu.PhyMemMode:1", to_string=True)
    try:
        yield
    finally:
        gdb.execute("maintenance packet Qqemu.PhyMemMode:0", to_string=True)


def stopped_in_user_mode():
    """True when the live target stopped in U-mode (QEMU's virtual $priv)."""
    try:
        return have_target() and int(gdb.parse_and_eval("$priv")) == 0
    except gdb.error:
        return False


def kernel_readable():
    """A context in which kernel memory can be read: stopped in U-mode, QEMU
    refuses GDB the kernel's pages (no U bit), so go through physical memory."""
    return physical_memory() if stopped_in_user_mode() else contextlib.nullcontext()


def _read_kernel_from_user_mode(address, size):
    """The kernel's bytes at `address` when a plain read failed because we
    are stopped in U-mode; None otherwise."""
    if not (KERNEL_PHYS[0] <= address < KERNEL_PHYS[1] and stopped_in_user_mode()):
        return None
    try:
        with physical_memory():
            return bytes(gdb.selected_inferior().read_memory(address, size))
    except (gdb.error, gdb.MemoryError):
        return None


def kernel_view(invoke):
    """Decorates a command's invoke: the whole command runs in kernel_readable()."""
    def wrapper(self, *args):
        with kernel_readable():
            return invoke(self, *args)
    wrapper.__doc__ = invoke.__doc__
    return wrapper


def global_address(name):
    """The address of the global (or file-static) variable `name`."""
    sym = gdb.lookup_global_symbol(name) or gdb.lookup_static_symbol(name)
    if sym is None:
        raise gdb.GdbError(f"no symbol '{name}' in the kernel's symbols")
    return int(sym.value().address), sym.type


def read_global(name):
    """(address, bytes, gdb.Type) of the global `name`, read in one piece."""
    address, gtype = global_address(name)
    return address, read(address, gtype.sizeof), gtype


def value_bytes(value):
    """The bytes of a gdb.Value. GDB 13 has no Value.bytes: fetch the whole
    value (one read if it is lazy), then take the bytes out of GDB's copy,
    field by field. Works for values built from bytes (no address) too."""
    if value.is_lazy:
        value.fetch_lazy()
    out = bytearray()
    _append_bytes(value, value.type.strip_typedefs(), out)
    return bytes(out)


def _append_bytes(value, t, out):
    code = t.code
    if code == gdb.TYPE_CODE_STRUCT:
        start = len(out)
        for f in t.fields():
            if not hasattr(f, "bitpos") or f.artificial:
                continue
            out.extend(b"\0" * (start + f.bitpos // 8 - len(out)))
            _append_bytes(value[f], f.type.strip_typedefs(), out)
        out.extend(b"\0" * (start + t.sizeof - len(out)))
    elif code == gdb.TYPE_CODE_ARRAY:
        elem = t.target().strip_typedefs()
        n = t.sizeof // elem.sizeof if elem.sizeof else 0
        if elem.sizeof == 1 and elem.code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_CHAR):
            try:
                out.extend(value.string(encoding="latin-1", length=n).encode("latin-1"))
                return
            except (gdb.error, UnicodeError):
                pass
        for i in range(n):
            _append_bytes(value[i], elem, out)
    elif t.sizeof == 16 and code == gdb.TYPE_CODE_INT:
        # int() refuses integers wider than 8 bytes in GDB 13.
        text = value.format_string(format="x")
        out.extend(int(text, 16).to_bytes(16, "little"))
    elif code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_ENUM, gdb.TYPE_CODE_BOOL,
                  gdb.TYPE_CODE_CHAR, gdb.TYPE_CODE_PTR):
        out.extend((int(value) & ((1 << (8 * t.sizeof)) - 1)).to_bytes(t.sizeof, "little"))
    elif code == gdb.TYPE_CODE_FLT:
        out.extend(struct.pack(ENDIAN + ("f" if t.sizeof == 4 else "d"), float(value)))
    else:
        raise gdb.GdbError(f"cannot take the bytes of a {t}")


def to_int(value):
    """int() of a gdb.Value of any integer or pointer type up to 16 bytes."""
    t = value.type.strip_typedefs()
    if t.sizeof > 8 and t.code == gdb.TYPE_CODE_INT:
        return int(value.format_string(format="x"), 16)
    return int(value)


# ---- symbols ------------------------------------------------------------

def symbol(pc):
    """'schedule+58' (or '0x...' when no symbol covers pc)."""
    text = gdb.format_address(pc)          # "0x80203a1c <schedule+58>"
    if "<" in text:
        return text[text.index("<") + 1:text.rindex(">")]
    return f"0x{pc:x}"


def source_line(pc, return_address=False):
    """'kernel/core/fiber.c:139' for pc (the call's line for a return
    address), or '' when unknown."""
    sal = gdb.find_pc_line(pc - 1 if return_address and pc else pc)
    if sal.symtab is None or not sal.line:
        return ""
    return f"{sal.symtab.filename}:{sal.line}"


def describe_pc(pc, return_address=False):
    """'0x80203a1c schedule+58 (kernel/core/fiber.c:139)'."""
    where = source_line(pc, return_address)
    return f"0x{pc:x} {symbol(pc)}" + (f" ({where})" if where else "")


def minimal_address(name):
    """The address of a symbol with or without debug info (assembly labels)."""
    try:
        return int(gdb.parse_and_eval(f"(unsigned long)&{name}"))
    except gdb.error:
        return None


# ---- output -------------------------------------------------------------

def table(rows, header=None, aligns=None, indent=""):
    """Rows of cells (strings) as aligned text; aligns: '<' or '>' per column.
    A cell may be a (text, colour) pair: padded first, then painted."""
    from rumpk.settings import paint
    all_rows = ([header] if header else []) + rows
    ncol = max(len(r) for r in all_rows)
    aligns = aligns or "<" * ncol

    def text(cell):
        return cell[0] if isinstance(cell, tuple) else cell

    widths = [max(len(text(r[i])) for r in all_rows if i < len(r)) for i in range(ncol)]
    lines = []
    for n, r in enumerate(all_rows):
        cells = []
        for i, cell in enumerate(r):
            last = i == len(r) - 1
            s = text(cell)
            padded = s if last and aligns[i] == "<" else f"{s:{aligns[i]}{widths[i]}}"
            if isinstance(cell, tuple) and cell[1]:
                padded = padded.replace(s, paint(s, cell[1]), 1)
            elif header and n == 0:
                padded = paint(padded, "1")
            cells.append(padded)
        lines.append(indent + "  ".join(cells).rstrip())
    return "\n".join(lines)


def parse_int(text):
    """An integer in C syntax, or None."""
    try:
        return int(text, 0)
    except ValueError:
        return None


def kernel_objfile():
    """The objfile of the kernel (the one that defines kmain), or None."""
    for objfile in gdb.objfiles():
        try:
            if objfile.lookup_global_symbol("kmain") is not None:
                return objfile
        except (gdb.error, AttributeError):
            continue
    return None


def kernel_path():
    objfile = kernel_objfile()
    if objfile is None:
        raise gdb.GdbError("no kernel loaded: file build/kernel.elf")
    return objfile.filename


def display_path(path):
    """`path` relative to the current directory when it is inside it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel
