"""A small, fast reader of DWARF debugging information entries, for the
layouts of a few named types (scripts/rumpklib/dwarf_layout.py).

pyelftools parses every entry through `construct` and sets up a parser per
compilation unit; reading the ABI types of the kernel and twenty user
programs that way takes about two seconds, too slow for a check that runs
on every build. This reader decodes the .debug_info and .debug_abbrev
bytes directly and hands out DIE objects with the part of pyelftools' DIE
interface that dwarf_layout uses (tag, attributes[NAME].value,
get_DIE_from_attribute, iter_children, cu.header), so the layout code is
the same for both readers; tests/tools/test_tools.py checks that the two
give identical layouts for every ELF of the build.

Whatever it does not know (a form, a unit type, a string index) raises
Unsupported, and the caller falls back to pyelftools. Nothing here imports
gdb; pyelftools is used only for its tables of DWARF names.
"""
import struct

from elftools.dwarf.enums import ENUM_DW_AT, ENUM_DW_FORM, ENUM_DW_TAG


class Unsupported(Exception):
    """Something this reader does not decode: use pyelftools instead."""


def _invert(enum):
    out = {}
    for name, value in enum.items():
        if isinstance(value, int):
            out.setdefault(value, name)
    return out


_TAGS = _invert(ENUM_DW_TAG)
_ATS = _invert(ENUM_DW_AT)
_FORMS = _invert(ENUM_DW_FORM)

_REF_CU = {"DW_FORM_ref1", "DW_FORM_ref2", "DW_FORM_ref4", "DW_FORM_ref8",
           "DW_FORM_ref_udata"}
_FIXED = {"DW_FORM_data1": 1, "DW_FORM_ref1": 1, "DW_FORM_flag": 1, "DW_FORM_strx1": 1,
          "DW_FORM_addrx1": 1, "DW_FORM_data2": 2, "DW_FORM_ref2": 2, "DW_FORM_strx2": 2,
          "DW_FORM_addrx2": 2, "DW_FORM_strx3": 3, "DW_FORM_addrx3": 3, "DW_FORM_data4": 4,
          "DW_FORM_ref4": 4, "DW_FORM_strx4": 4, "DW_FORM_addrx4": 4, "DW_FORM_ref_sup4": 4,
          "DW_FORM_data8": 8, "DW_FORM_ref8": 8, "DW_FORM_ref_sig8": 8, "DW_FORM_ref_sup8": 8}
_UNSIGNED = {1: "B", 2: "H", 4: "I", 8: "Q"}


def _uleb(buf, pos):
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def _sleb(buf, pos):
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            if byte & 0x40:
                value -= 1 << shift
            return value, pos


class Attribute:
    __slots__ = ("name", "form", "value")

    def __init__(self, name, form, value):
        self.name, self.form, self.value = name, form, value


class Unit:
    """One compilation unit: its header and its abbreviations."""

    def __init__(self, reader, offset):
        r = reader
        self.reader = r
        self.cu_offset = offset
        (length,) = struct.unpack_from(r.order + "I", r.info, offset)
        pos = offset + 4
        self.offset_size = 4
        if length == 0xFFFFFFFF:
            (length,) = struct.unpack_from(r.order + "Q", r.info, pos)
            pos += 8
            self.offset_size = 8
        self.end = pos + length
        if self.end > len(r.info):
            raise Unsupported("unit runs past .debug_info")
        (version,) = struct.unpack_from(r.order + "H", r.info, pos)
        pos += 2
        if not 2 <= version <= 5:
            raise Unsupported(f"DWARF version {version}")
        off_fmt = r.order + ("I" if self.offset_size == 4 else "Q")
        if version >= 5:
            unit_type, address_size = r.info[pos], r.info[pos + 1]
            pos += 2
            if unit_type not in (1, 3):   # DW_UT_compile, DW_UT_partial
                raise Unsupported(f"unit type {unit_type}")
            (abbrev_offset,) = struct.unpack_from(off_fmt, r.info, pos)
            pos += self.offset_size
        else:
            (abbrev_offset,) = struct.unpack_from(off_fmt, r.info, pos)
            pos += self.offset_size
            address_size = r.info[pos]
            pos += 1
        self.version = version
        self.header = {"version": version, "address_size": address_size,
                       "debug_abbrev_offset": abbrev_offset, "unit_length": length}
        self.die_offset = pos
        self.abbrevs = r.abbrev_table(abbrev_offset)
        self._top = None

    def get_top_DIE(self):
        if self._top is None:
            self._top = self.reader.die_at(self.die_offset, self)
        return self._top


class DIE:
    """The part of pyelftools' DIE that dwarf_layout reads."""

    __slots__ = ("offset", "cu", "tag", "has_children", "attributes", "size")

    def __init__(self, offset, cu, tag, has_children, attributes, size):
        self.offset, self.cu, self.tag = offset, cu, tag
        self.has_children, self.attributes, self.size = has_children, attributes, size

    def get_DIE_from_attribute(self, name):
        attr = self.attributes[name]
        if attr.form in _REF_CU:
            return self.cu.reader.die_at(attr.value + self.cu.cu_offset, self.cu)
        if attr.form == "DW_FORM_ref_addr":
            return self.cu.reader.die_at(attr.value, None)
        raise Unsupported(f"reference form {attr.form}")

    def iter_children(self):
        if not self.has_children:
            return
        reader = self.cu.reader
        pos = self.offset + self.size
        while True:
            child = reader.die_at(pos, self.cu)
            if child is None:   # the null entry ending the list
                return
            yield child
            pos = reader.next_sibling(child)


class Reader:
    """DIEs of one ELF's .debug_info, decoded on demand and remembered."""

    def __init__(self, info, abbrev, debug_str=b"", line_str=b"", little_endian=True):
        self.info, self.abbrev = info, abbrev
        self.debug_str, self.line_str = debug_str, line_str
        self.order = "<" if little_endian else ">"
        self._abbrevs = {}
        self._dies = {}
        self._units = {}
        self._unit_starts = None

    # -- units -------------------------------------------------------------

    def unit_at(self, offset):
        unit = self._units.get(offset)
        if unit is None:
            unit = self._units[offset] = Unit(self, offset)
        return unit

    def _unit_containing(self, offset):
        if self._unit_starts is None:
            starts, pos = [], 0
            while pos + 4 <= len(self.info):
                u = self.unit_at(pos)
                starts.append((pos, u.end))
                pos = u.end
            self._unit_starts = starts
        for start, end in self._unit_starts:
            if start <= offset < end:
                return self.unit_at(start)
        raise Unsupported(f"no unit holds offset {offset:#x}")

    # -- abbreviations -------------------------------------------------------

    def abbrev_table(self, offset):
        table = self._abbrevs.get(offset)
        if table is not None:
            return table
        table, buf, pos = {}, self.abbrev, offset
        while True:
            code, pos = _uleb(buf, pos)
            if code == 0:
                break
            tag, pos = _uleb(buf, pos)
            children = buf[pos]
            pos += 1
            specs = []
            while True:
                at, pos = _uleb(buf, pos)
                form, pos = _uleb(buf, pos)
                if at == 0 and form == 0:
                    break
                const = None
                if form == 0x21:   # DW_FORM_implicit_const: the value is here
                    const, pos = _sleb(buf, pos)
                form_name = _FORMS.get(form)
                if form_name is None:
                    raise Unsupported(f"form {form:#x}")
                specs.append((_ATS.get(at, at), form_name, const))
            table[code] = (_TAGS.get(tag, tag), bool(children), specs)
        self._abbrevs[offset] = table
        return table

    # -- entries -------------------------------------------------------------

    def die_at(self, offset, unit):
        """The DIE at `offset` of .debug_info (None for a null entry)."""
        if offset in self._dies:
            return self._dies[offset]
        if unit is None or not unit.cu_offset <= offset < unit.end:
            unit = self._unit_containing(offset)
        code, pos = _uleb(self.info, offset)
        if code == 0:
            self._dies[offset] = None
            return None
        try:
            tag, children, specs = unit.abbrevs[code]
        except KeyError:
            raise Unsupported(f"abbreviation {code} missing at {offset:#x}") from None
        attrs = {}
        for name, form, const in specs:
            value, pos, form = self._value(form, const, pos, unit)
            attrs[name] = Attribute(name, form, value)
        die = DIE(offset, unit, tag, children, attrs, pos - offset)
        self._dies[offset] = die
        return die

    def next_sibling(self, die):
        """Where the entry after `die` (and its children) starts."""
        if not die.has_children:
            return die.offset + die.size
        sib = die.attributes.get("DW_AT_sibling")
        if sib is not None and sib.form in _REF_CU:
            return sib.value + die.cu.cu_offset
        if sib is not None and sib.form == "DW_FORM_ref_addr":
            return sib.value
        pos = die.offset + die.size
        while True:
            child = self.die_at(pos, die.cu)
            if child is None:   # the null entry: one byte, code 0
                return pos + 1
            pos = self.next_sibling(child)

    def _value(self, form, const, pos, unit):
        """(value, position after it, form) as pyelftools would give them."""
        buf, order = self.info, self.order
        size = _FIXED.get(form)
        if size is not None:
            if form.startswith(("DW_FORM_strx", "DW_FORM_addrx")):
                raise Unsupported(form)
            if size == 3:
                raise Unsupported(form)
            (value,) = struct.unpack_from(order + _UNSIGNED[size], buf, pos)
            if form == "DW_FORM_flag":
                value = value != 0
            return value, pos + size, form
        if form in ("DW_FORM_udata", "DW_FORM_ref_udata"):
            value, pos = _uleb(buf, pos)
            return value, pos, form
        if form == "DW_FORM_sdata":
            value, pos = _sleb(buf, pos)
            return value, pos, form
        if form in ("DW_FORM_strp", "DW_FORM_line_strp", "DW_FORM_sec_offset",
                    "DW_FORM_ref_addr"):
            if form == "DW_FORM_ref_addr" and unit.version == 2:
                size = unit.header["address_size"]
            else:
                size = unit.offset_size
            (value,) = struct.unpack_from(order + _UNSIGNED[size], buf, pos)
            if form == "DW_FORM_strp":
                value = self._string(self.debug_str, value)
            elif form == "DW_FORM_line_strp":
                value = self._string(self.line_str, value)
            return value, pos + size, form
        if form == "DW_FORM_string":
            end = buf.index(b"\0", pos)
            return bytes(buf[pos:end]), end + 1, form
        if form == "DW_FORM_addr":
            size = unit.header["address_size"]
            (value,) = struct.unpack_from(order + _UNSIGNED[size], buf, pos)
            return value, pos + size, form
        if form == "DW_FORM_flag_present":
            return True, pos, form
        if form == "DW_FORM_implicit_const":
            return const, pos, form
        if form in ("DW_FORM_exprloc", "DW_FORM_block"):
            n, pos = _uleb(buf, pos)
        elif form == "DW_FORM_block1":
            n, pos = buf[pos], pos + 1
        elif form == "DW_FORM_block2":
            (n,) = struct.unpack_from(order + "H", buf, pos)
            pos += 2
        elif form == "DW_FORM_block4":
            (n,) = struct.unpack_from(order + "I", buf, pos)
            pos += 4
        elif form == "DW_FORM_data16":
            return bytes(buf[pos:pos + 16]), pos + 16, form
        elif form == "DW_FORM_indirect":
            real, pos = _uleb(buf, pos)
            name = _FORMS.get(real)
            if name is None or name == "DW_FORM_implicit_const":
                raise Unsupported(f"indirect form {real:#x}")
            value, pos, _ = self._value(name, None, pos, unit)
            return value, pos, name
        else:
            raise Unsupported(form)
        return list(buf[pos:pos + n]), pos + n, form

    @staticmethod
    def _string(table, offset):
        end = table.find(b"\0", offset)
        if offset >= len(table) or end < 0:
            raise Unsupported(f"string offset {offset:#x} outside its table")
        return bytes(table[offset:end])


def reader_for(elf):
    """A Reader over the DWARF sections of a pyelftools ELFFile (whose
    .debug_* bytes are already relocated when it is an object file)."""
    def data(name):
        sec = elf.get_section_by_name(name)
        return sec.data() if sec is not None else b""

    info, abbrev = data(".debug_info"), data(".debug_abbrev")
    if not info:
        raise Unsupported("no .debug_info")
    if elf.get_section_by_name(".debug_str_offsets") is not None:
        raise Unsupported("string index forms")
    return Reader(info, abbrev, data(".debug_str"), data(".debug_line_str"),
                  elf.little_endian)
