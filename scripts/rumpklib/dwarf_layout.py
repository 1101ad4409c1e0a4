"""The layouts of the ABI structures as an ELF's DWARF declares them.

Shared by GDB's `abi check` and `pkt --layout` (gdb/rumpk/) and by a
standalone checker: every layer (kernel, userland) is compiled from
include/abi/, and its debug information says what the compiler actually
made of those declarations. Comparing the layers' DWARF is how a drifted
CmdPacket (the history's 24-byte variant put CMD_SYS_EXEC at offset 12 of
what the kernel read) is caught before anything runs.

Needs pyelftools (Debian: python3-pyelftools). Nothing here imports gdb.
"""
import dataclasses
import json
import os
import struct

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile

# The structures that cross the kernel/user boundary (docs/abi.md), as C
# spells them: a bare name is a typedef, "struct X" a structure tag.
ABI_TYPES = ("CmdPacket", "CmdCompletion", "struct ion_ring", "struct ion_desc",
             "struct SysTable")

# Every structure that crosses the boundary (scripts/abi-check): the above,
# the typed rings (include/abi/ion.h) and the argument blocks and ProcInfo
# of include/abi/user.h.
BOUNDARY_TYPES = ABI_TYPES + (
    "struct ion_cmd_ring", "struct ion_completion_ring", "struct ion_input_ring",
    "struct ion_output_ring",
    "struct ProcInfo", "struct exec_request", "struct fs_io", "struct fs_seek",
    "struct fs_stat", "struct fs_stat_request", "struct fs_dirent",
    "struct fs_readdir_request")

EM_RISCV = 243
_CU_NAME = "DW_AT_name"


@dataclasses.dataclass(frozen=True)
class Field:
    name: str
    offset: int          # bytes from the start of the structure
    size: int            # bytes
    type_name: str
    bit_offset: int = None   # bit-fields only: bits from the start of the structure
    bit_size: int = None

    def span(self):
        if self.bit_size is not None:
            return f"bits {self.bit_offset}..{self.bit_offset + self.bit_size - 1}"
        return f"offset {self.offset} size {self.size}"


@dataclasses.dataclass
class Layout:
    name: str                # as asked for: "CmdPacket", "struct ion_ring"
    size: int
    align: int
    fields: list
    elf: str = ""            # where it was read
    unit: str = ""           # the compilation unit that declared it first

    def field(self, name):
        for f in self.fields:
            if f.name == name:
                return f
        return None


def _name(die):
    attr = die.attributes.get("DW_AT_name")
    return attr.value.decode("utf-8", "replace") if attr else None


def _type_die(die):
    if "DW_AT_type" not in die.attributes:
        return None
    return die.get_DIE_from_attribute("DW_AT_type")


def _array_count(die):
    count = 1
    for sub in die.iter_children():
        if sub.tag != "DW_TAG_subrange_type":
            continue
        if "DW_AT_count" in sub.attributes:
            count *= sub.attributes["DW_AT_count"].value
        elif "DW_AT_upper_bound" in sub.attributes:
            count *= sub.attributes["DW_AT_upper_bound"].value + 1
        else:
            count *= 0  # flexible array member
    return count


def type_size(die):
    """Bytes of the type `die` (typedefs and qualifiers followed)."""
    while die is not None:
        if "DW_AT_byte_size" in die.attributes:
            return die.attributes["DW_AT_byte_size"].value
        if die.tag == "DW_TAG_pointer_type":
            return die.cu.header["address_size"]
        if die.tag == "DW_TAG_array_type":
            return type_size(_type_die(die)) * _array_count(die)
        die = _type_die(die)
    return 0


def type_align(die):
    """Alignment of `die`: DW_AT_alignment when the source asked for one,
    else what the psABI gives (scalars: their size; aggregates: their
    strictest member)."""
    while die is not None:
        if "DW_AT_alignment" in die.attributes:
            return die.attributes["DW_AT_alignment"].value
        if die.tag in ("DW_TAG_structure_type", "DW_TAG_union_type"):
            return max([type_align(_type_die(m)) for m in die.iter_children()
                        if m.tag == "DW_TAG_member"] or [1])
        if die.tag in ("DW_TAG_base_type", "DW_TAG_pointer_type", "DW_TAG_enumeration_type"):
            return max(1, min(type_size(die), 16))
        die = _type_die(die)
    return 1


def type_name(die):
    """The type as C would spell it: uint32_t, struct ion_ring *, CmdPacket[64]."""
    if die is None:
        return "void"
    tag = die.tag
    name = _name(die)
    if tag in ("DW_TAG_base_type", "DW_TAG_typedef"):
        return name or "?"
    if tag in ("DW_TAG_structure_type", "DW_TAG_union_type", "DW_TAG_enumeration_type"):
        kw = {"DW_TAG_structure_type": "struct", "DW_TAG_union_type": "union",
              "DW_TAG_enumeration_type": "enum"}[tag]
        return f"{kw} {name}" if name else f"{kw} {{...}}"
    if tag == "DW_TAG_pointer_type":
        return type_name(_type_die(die)) + " *"
    if tag == "DW_TAG_array_type":
        return f"{type_name(_type_die(die))}[{_array_count(die)}]"
    if tag in ("DW_TAG_const_type", "DW_TAG_volatile_type"):
        return f"{tag[7:-5]} {type_name(_type_die(die))}"
    if tag == "DW_TAG_subroutine_type":
        return "function"
    return name or tag


def _member_offset(member):
    attr = member.attributes.get("DW_AT_data_member_location")
    if attr is None:
        return 0
    if isinstance(attr.value, int):
        return attr.value
    # DWARF 2 style: a location expression, DW_OP_plus_uconst N (0x23, ULEB128).
    expr = list(attr.value)
    if expr and expr[0] == 0x23:
        value, shift = 0, 0
        for byte in expr[1:]:
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        return value
    raise ValueError(f"unsupported member location {expr!r}")


def layout_of_struct(die, name, elf="", unit=""):
    """The Layout of the structure DIE `die` (a complete definition)."""
    fields = []
    for m in die.iter_children():
        if m.tag != "DW_TAG_member":
            continue
        t = _type_die(m)
        size = type_size(t)
        if "DW_AT_bit_size" in m.attributes:
            bits = m.attributes["DW_AT_bit_size"].value
            if "DW_AT_data_bit_offset" in m.attributes:
                bit_off = m.attributes["DW_AT_data_bit_offset"].value
            else:
                bit_off = 8 * _member_offset(m)
            fields.append(Field(_name(m) or "", bit_off // 8, size, type_name(t), bit_off, bits))
        else:
            fields.append(Field(_name(m) or "", _member_offset(m), size, type_name(t)))
    return Layout(name, die.attributes["DW_AT_byte_size"].value, type_align(die), fields,
                  elf, unit)


def _is_complete_struct(die):
    return (die.tag in ("DW_TAG_structure_type", "DW_TAG_union_type")
            and "DW_AT_declaration" not in die.attributes
            and "DW_AT_byte_size" in die.attributes)


def _resolve_typedef(die):
    """The structure a typedef names (through further typedefs/qualifiers)."""
    t = _type_die(die)
    while t is not None and t.tag in ("DW_TAG_typedef", "DW_TAG_const_type",
                                      "DW_TAG_volatile_type"):
        t = _type_die(t)
    return t if t is not None and _is_complete_struct(t) else None


def _wanted(names):
    """({typedef names}, {tag: "struct tag"}) of the names asked for."""
    return ({n for n in names if not n.startswith("struct ")},
            {n[len("struct "):]: n for n in names if n.startswith("struct ")})


def _scan_unit(cu, wanted_typedefs, wanted_tags, path, found):
    """Appends to found[name] the Layout of each wanted type the compilation
    unit `cu` declares at its top level."""
    top = cu.get_top_DIE()
    unit = _name(top) or "?"
    for die in top.iter_children():
        name = _name(die)
        if name is None:
            continue
        if die.tag == "DW_TAG_typedef" and name in wanted_typedefs:
            target = _resolve_typedef(die)
            if target is not None:
                found.setdefault(name, []).append(
                    layout_of_struct(target, name, path, unit))
        elif _is_complete_struct(die) and name in wanted_tags:
            key = wanted_tags[name]
            found.setdefault(key, []).append(
                layout_of_struct(die, key, path, unit))


def read_layouts(path, names=ABI_TYPES):
    """{name: [Layout, ...]} for each of `names` the ELF at `path` declares,
    one Layout per compilation unit that declares it (normally identical;
    they differ when one unit was compiled against another definition).
    Names the ELF does not declare are absent. Raises ValueError (saying
    why, without the path) when the file is not an ELF or has no DWARF."""
    wanted_typedefs, wanted_tags = _wanted(names)
    found = {}
    try:
        with open(path, "rb") as f:
            elf = ELFFile(f)
            if not elf.has_dwarf_info():
                raise ValueError("no DWARF (build with -g)")
            try:
                dwarf = elf.get_dwarf_info()
            except ELFError as e:
                if elf["e_type"] == "ET_REL":
                    raise ValueError(f"a relocatable object pyelftools cannot relocate "
                                     f"({e}): give a linked ELF") from None
                raise
            for cu in dwarf.iter_CUs():
                _scan_unit(cu, wanted_typedefs, wanted_tags, path, found)
    except ELFError as e:
        raise ValueError(f"not an ELF file pyelftools can read ({e})") from None
    return found


def _unit_spans(info, little_endian=True):
    """[(offset, end, offset_size)] of the units in the raw .debug_info bytes
    (only their initial lengths are read). Stops at a unit that runs past
    the section: pyelftools will say what is wrong with it."""
    order = "<" if little_endian else ">"
    spans, off = [], 0
    while off + 4 <= len(info):
        (length,) = struct.unpack_from(order + "I", info, off)
        if length == 0xFFFFFFFF:
            if off + 12 > len(info):
                break
            (length,) = struct.unpack_from(order + "Q", info, off + 4)
            end, offset_size = off + 12 + length, 8
        else:
            end, offset_size = off + 4 + length, 4
        if end > len(info) or end <= off:
            spans.append((off, len(info), offset_size))
            break
        spans.append((off, end, offset_size))
        off = end
    return spans


def _occurrences(table, name):
    """Every offset in a string table at which `name` NUL-terminated can be
    read. Linkers merge string tables and share tails ("ion_ring" may be
    the end of a longer string), so every occurrence counts, not only those
    that start a string."""
    needle = name.encode() + b"\0"
    found, at = [], table.find(needle)
    while at >= 0:
        found.append(at)
        at = table.find(needle, at + 1)
    return found


def _candidate_needles(elf, bare_names, offset_size, order):
    """Byte strings at least one of which a unit's DIE bytes contain when
    the unit names one of bare_names, or None when that cannot be told
    from the bytes (string index forms, a supplementary string file)."""
    if elf.get_section_by_name(".debug_str_offsets") is not None or \
            elf.get_section_by_name(".gnu_debugaltlink") is not None or \
            elf.get_section_by_name(".debug_sup") is not None:
        return None
    fmt = order + ("I" if offset_size == 4 else "Q")
    needles = set()
    for secname in (".debug_str", ".debug_line_str"):
        sec = elf.get_section_by_name(secname)
        if sec is None:
            continue
        table = sec.data()
        for name in bare_names:
            needles.update(struct.pack(fmt, at) for at in _occurrences(table, name))
    for name in bare_names:
        needles.add(name.encode() + b"\0")   # DW_FORM_string: the name inline
    return needles


def read_layouts_selective(path, names=BOUNDARY_TYPES):
    """What read_layouts() returns (the same Layouts, in the same order),
    faster: only the compilation units that can name one of `names` are
    read, and they are read with rumpklib.dwarf_quick rather than
    pyelftools' DIE parser. A unit that declares `struct ion_ring` holds the
    name inline (DW_FORM_string) or the offset of a "ion_ring" in
    .debug_str (DW_FORM_strp), so a plain search of its raw bytes rules out
    most units: most of the kernel and of a user program declare none of the
    ABI types. When the names cannot be seen in the bytes (DWARF 5 string
    index forms) every unit is read; when dwarf_quick meets something it
    does not decode, pyelftools reads the units instead.

    Also reads RISC-V relocatable objects (gcc -g -c), whose DWARF
    pyelftools 0.29 cannot relocate itself: the relocations of the .debug_*
    sections are applied first (rumpklib.elfutil). Raises ValueError (saying
    why, without the path) when the file is not an ELF or has no DWARF."""
    from rumpklib import dwarf_quick, elfutil   # here: GDB's abi check needs neither

    wanted_typedefs, wanted_tags = _wanted(names)
    bare = sorted(wanted_typedefs | set(wanted_tags))
    try:
        with open(path, "rb") as f:
            elf = ELFFile(f)
            if not elf.has_dwarf_info() or elf.get_section_by_name(".debug_info") is None:
                raise ValueError("no DWARF (build with -g)")
            relocate = True
            if elf["e_type"] == "ET_REL" and elf["e_machine"] == "EM_RISCV":
                elf = ELFFile(elfutil.relocated_debug_image(path))
                relocate = False
            info = elf.get_section_by_name(".debug_info").data()
            order = "<" if elf.little_endian else ">"
            needles, units = {}, []
            for offset, end, offset_size in _unit_spans(info, elf.little_endian):
                if offset_size not in needles:
                    needles[offset_size] = _candidate_needles(elf, bare, offset_size, order)
                wanted = needles[offset_size]
                if wanted is None or any(n in info[offset:end] for n in wanted):
                    units.append(offset)
            try:
                reader = dwarf_quick.reader_for(elf)
                found = {}
                for offset in units:
                    _scan_unit(reader.unit_at(offset), wanted_typedefs, wanted_tags, path, found)
                return found
            except (dwarf_quick.Unsupported, IndexError, KeyError, ValueError, struct.error):
                pass   # pyelftools reads them, or says what is wrong
            try:
                dwarf = elf.get_dwarf_info(relocate_dwarf_sections=relocate)
            except ELFError as e:
                if elf["e_type"] == "ET_REL":
                    raise ValueError(f"a relocatable object pyelftools cannot relocate "
                                     f"({e}): give a linked ELF") from None
                raise
            found = {}
            for offset in units:
                _scan_unit(dwarf.get_CU_at(offset), wanted_typedefs, wanted_tags, path, found)
            return found
    except ELFError as e:
        raise ValueError(f"not an ELF file pyelftools can read ({e})") from None
    except struct.error as e:
        raise ValueError(f"damaged DWARF ({e})") from None


def _to_json(layouts):
    return {n: [dataclasses.asdict(lay) for lay in ls] for n, ls in layouts.items()}


def _from_json(data):
    return {n: [Layout(**{**d, "fields": [Field(**f) for f in d["fields"]]}) for d in ls]
            for n, ls in data.items()}


def read_layouts_cached(path, names=ABI_TYPES, cache_file=None):
    """read_layouts(), remembered in the JSON file `cache_file` (if given)
    per ELF, keyed by its size and modification time: parsing DWARF with
    pyelftools takes a quarter of a second per ELF."""
    if cache_file is None:
        return read_layouts(path, names)
    real = os.path.realpath(path)
    st = os.stat(real)
    stamp = [st.st_size, st.st_mtime_ns, list(names)]
    try:
        with open(cache_file) as f:
            cache = json.load(f)
    except (OSError, ValueError):
        cache = {}
    entry = cache.get(real)
    if entry and entry.get("stamp") == stamp:
        return _from_json(entry["layouts"])
    layouts = read_layouts(path, names)
    cache[real] = {"stamp": stamp, "layouts": _to_json(layouts)}
    try:
        os.makedirs(os.path.dirname(cache_file), exist_ok=True)
        tmp = f"{cache_file}.{os.getpid()}"
        with open(tmp, "w") as f:
            json.dump(cache, f)
        os.replace(tmp, cache_file)
    except OSError:
        pass  # a read-only build tree: no cache, same answer
    return layouts


def first_layouts(path, names=ABI_TYPES, cache_file=None):
    """{name: Layout}: the first declaration of each name in the ELF."""
    return {n: ls[0] for n, ls in read_layouts_cached(path, names, cache_file).items()}


@dataclasses.dataclass(frozen=True)
class Difference:
    """One way two Layouts of a structure differ. kind: "size", "align"
    (the structure's), "missing" (a field of the reference absent from the
    other), "extra" (a field only the other has), "placement" (offset,
    size or bits), "type" (same place, another type), "order". ref and
    other are the Fields involved (None where there is none; the sizes or
    alignments for "size" and "align"); offset is where the field sits in
    the reference (in the other for "extra"), None for the whole structure.
    sentence is the difference in words, as compare() gives it."""
    struct: str
    field: str
    kind: str
    offset: int
    ref: object
    other: object
    sentence: str


def differences(ref, other):
    """The Differences between two Layouts of the same structure, in the
    order compare() words them. `ref` is the reference (the kernel), `other`
    the layer checked against it."""
    a, b = os.path.basename(ref.elf) or "reference", os.path.basename(other.elf) or "other"
    if a == b:
        a, b = f"{a} ({ref.unit})", f"{b} ({other.unit})"
    n = ref.name
    diffs = []
    if ref.size != other.size:
        diffs.append(Difference(n, None, "size", None, ref.size, other.size,
                                f"{n}: size {other.size} in {b}, {ref.size} in {a}"))
    if ref.align != other.align:
        diffs.append(Difference(n, None, "align", None, ref.align, other.align,
                                f"{n}: alignment {other.align} in {b}, {ref.align} in {a}"))
    for rf in ref.fields:
        of = other.field(rf.name)
        if of is None:
            diffs.append(Difference(n, rf.name, "missing", rf.offset, rf, None,
                                    f"{n}.{rf.name}: missing in {b} "
                                    f"(at offset {rf.offset} size {rf.size} in {a})"))
            continue
        if (rf.offset, rf.size, rf.bit_offset, rf.bit_size) != \
                (of.offset, of.size, of.bit_offset, of.bit_size):
            diffs.append(Difference(n, rf.name, "placement", rf.offset, rf, of,
                                    f"{n}.{rf.name}: {of.span()} in {b}, {rf.span()} in {a}"))
        elif rf.type_name != of.type_name:
            diffs.append(Difference(n, rf.name, "type", rf.offset, rf, of,
                                    f"{n}.{rf.name}: type {of.type_name} in {b}, "
                                    f"{rf.type_name} in {a} (same offset and size)"))
    for of in other.fields:
        if ref.field(of.name) is None:
            diffs.append(Difference(n, of.name, "extra", of.offset, None, of,
                                    f"{n}.{of.name}: only in {b} ({of.span()})"))
    ref_order = [f.name for f in ref.fields if other.field(f.name)]
    other_order = [f.name for f in other.fields if ref.field(f.name)]
    if ref_order != other_order and not diffs:
        diffs.append(Difference(n, None, "order", None, ref_order, other_order,
                                f"{n}: fields in another order in {b}"))
    return diffs


def compare(ref, other):
    """Differences between two Layouts of the same structure, as sentences
    naming the field and its offsets (empty when they agree). `ref` is the
    reference (the kernel), `other` the layer checked against it."""
    return [d.sentence for d in differences(ref, other)]


def format_layout(layout, indent="  "):
    """The layout as an aligned table: offset, size, field, type."""
    width = max([len(f.name) for f in layout.fields] + [5])
    lines = [f"{layout.name} ({layout.size} bytes, align {layout.align})",
             f"{indent}{'offset':>6}  {'size':>4}  {'field':<{width}}  type"]
    for f in layout.fields:
        where = f"{f.offset:>6}" if f.bit_size is None else f"{f.offset:>4}:{f.bit_offset % 8}"
        size = f"{f.size:>4}" if f.bit_size is None else f"{f.bit_size:>3}b"
        lines.append(f"{indent}{where}  {size}  {f.name:<{width}}  {f.type_name}")
    return "\n".join(lines)


def _elf_header(path):
    """(e_type, e_machine) of an ELF file, or None."""
    try:
        with open(path, "rb") as f:
            head = f.read(20)
    except OSError:
        return None
    if len(head) < 20 or head[:4] != b"\x7fELF" or head[5] != 1:  # little-endian only
        return None
    return int.from_bytes(head[16:18], "little"), int.from_bytes(head[18:20], "little")


def _symbols_and_dwarf(path):
    """(defines kmain?, has DWARF?) of an ELF file."""
    try:
        with open(path, "rb") as f:
            elf = ELFFile(f)
            symtab = elf.get_section_by_name(".symtab")
            is_kernel = bool(symtab and symtab.get_symbol_by_name("kmain"))
            return is_kernel, elf.get_section_by_name(".debug_info") is not None
    except Exception:  # pyelftools raises more than ELFError on malformed files
        return False, False


def find_userland_elfs(build_dir, kernel=None, stripped=None):
    """The userland ELFs under build_dir with DWARF: RISC-V executables
    (ET_EXEC or ET_DYN) that are not a kernel (no `kmain` symbol: the kernel
    itself and its first link pass are skipped). Folders holding a
    kernel.elf of their own are other build trees and are not entered.
    Executables without DWARF (stripped copies, e.g. for an initrd) are
    appended to the list `stripped` when one is given. Sorted paths."""
    skip = {os.path.realpath(kernel)} if kernel else set()
    top = os.path.realpath(build_dir)
    found = []
    for root, dirs, files in os.walk(build_dir):
        if os.path.realpath(root) != top and "kernel.elf" in files:
            dirs[:] = []
            continue
        # Not program trees: logs, fuzzing corpora (malformed ELFs on purpose), lab workspaces.
        dirs[:] = sorted(d for d in dirs if d not in ("test-logs", "fuzz", "fuzz-long", "labs")
                         and not d.startswith("."))
        for name in sorted(files):
            path = os.path.join(root, name)
            header = _elf_header(path)
            if header is None or header[1] != EM_RISCV or header[0] not in (2, 3):
                continue
            if os.path.realpath(path) in skip:
                continue
            is_kernel, has_dwarf = _symbols_and_dwarf(path)
            if is_kernel:
                continue
            if has_dwarf:
                found.append(path)
            elif stripped is not None:
                stripped.append(path)
    return found
