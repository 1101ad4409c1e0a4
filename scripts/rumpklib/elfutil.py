"""Small ELF helpers shared by the standalone tools (scripts/abi-check,
scripts/initrd-check, scripts/memmap) on top of pyelftools: symbol values,
bytes at a virtual address read from the section headers, and the RISC-V
relocations of an object file's DWARF, which pyelftools 0.29 cannot apply
("Unsupported relocation type: 1").

Needs pyelftools (Debian: python3-pyelftools). Nothing here imports gdb.
"""
import io
import struct

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile
from elftools.elf.relocation import RelocationSection

EM_RISCV = 243

# RISC-V relocation types that occur in the .debug_* sections of an object
# file: absolute values (section offsets, addresses) and the ADD/SUB/SET
# pairs GCC emits for label differences (lengths, DW_AT_high_pc) under
# linker relaxation. (bits, how): how is "set", "add" or "sub".
_RISCV_DEBUG_RELOCS = {
    1: (32, "set"),    # R_RISCV_32
    2: (64, "set"),    # R_RISCV_64
    33: (8, "add"), 34: (16, "add"), 35: (32, "add"), 36: (64, "add"),   # R_RISCV_ADD8..64
    37: (8, "sub"), 38: (16, "sub"), 39: (32, "sub"), 40: (64, "sub"),   # R_RISCV_SUB8..64
    52: (6, "sub6"),   # R_RISCV_SUB6 (DW_CFA_advance_loc)
    53: (6, "set6"),   # R_RISCV_SET6
    54: (8, "set"), 55: (16, "set"), 56: (32, "set"),                    # R_RISCV_SET8..32
}
_RISCV_IGNORED = {51}  # R_RISCV_RELAX: a hint for the linker, no value


def open_elf(path):
    """(file object, ELFFile); raises ValueError (without the path) when the
    file is not an ELF pyelftools can read, OSError when it cannot be read."""
    f = open(path, "rb")
    try:
        return f, ELFFile(f)
    except ELFError as e:
        f.close()
        raise ValueError(f"not an ELF file pyelftools can read ({e})") from None


def symbols(elf, names=None):
    """{name: (value, size)} from .symtab (only `names` when given). Global
    symbols win over local ones of the same name."""
    symtab = elf.get_section_by_name(".symtab")
    out = {}
    if symtab is None:
        return out
    for sym in symtab.iter_symbols():
        if not sym.name or (names is not None and sym.name not in names):
            continue
        if sym.name in out and sym["st_info"]["bind"] == "STB_LOCAL":
            continue
        out[sym.name] = (sym["st_value"], sym["st_size"])
    return out


def section_containing(elf, addr):
    """The allocated section whose [sh_addr, sh_addr + sh_size) holds addr,
    or None. Empty sections never contain anything."""
    for sec in elf.iter_sections():
        if not sec["sh_flags"] & 0x2:   # SHF_ALLOC
            continue
        start, size = sec["sh_addr"], sec["sh_size"]
        if size and start <= addr < start + size:
            return sec
    return None


def read_vaddr(elf, addr, size):
    """The `size` bytes at virtual address `addr`, from the section that
    holds them (zeros in a NOBITS section). Raises ValueError when no
    section holds the whole range."""
    if size == 0:
        return b""
    sec = section_containing(elf, addr)
    if sec is None or addr + size > sec["sh_addr"] + sec["sh_size"]:
        raise ValueError(f"no section holds {size} bytes at {addr:#x}")
    if sec["sh_type"] == "SHT_NOBITS":
        return bytes(size)
    start = addr - sec["sh_addr"]
    elf.stream.seek(sec["sh_offset"] + start)
    data = elf.stream.read(size)
    if len(data) != size:
        raise ValueError(f"the file ends inside {sec.name} ({len(data)} of {size} bytes "
                         f"at {addr:#x})")
    return data


def _apply(buf, offset, bits, how, value):
    if how == "set6":
        buf[offset] = (buf[offset] & 0xC0) | (value & 0x3F)
        return
    if how == "sub6":
        buf[offset] = (buf[offset] & 0xC0) | (((buf[offset] & 0x3F) - value) & 0x3F)
        return
    fmt = {8: "<B", 16: "<H", 32: "<I", 64: "<Q"}[bits]
    mask = (1 << bits) - 1
    if how == "set":
        new = value
    else:
        old = struct.unpack_from(fmt, buf, offset)[0]
        new = old + value if how == "add" else old - value
    struct.pack_into(fmt, buf, offset, new & mask)


def relocated_debug_image(path):
    """A file object holding the ELF at `path` with the relocations of its
    .debug_* sections applied, for a RISC-V relocatable object (gcc -g -c),
    so that pyelftools can read its DWARF with relocate_dwarf_sections=False.
    Symbol values in an object file are section-relative, which is exactly
    what one debug section's reference into another needs. Raises
    ValueError for a relocation type it does not know."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    elf = ELFFile(io.BytesIO(bytes(data)))
    if elf["e_machine"] != "EM_RISCV" or elf["e_type"] != "ET_REL":
        raise ValueError("only RISC-V relocatable objects are relocated here")
    symtab = elf.get_section_by_name(".symtab")
    for rsec in elf.iter_sections():
        if not isinstance(rsec, RelocationSection):
            continue
        target = elf.get_section(rsec["sh_info"])
        if not target.name.startswith(".debug_") or target["sh_type"] == "SHT_NOBITS":
            continue
        if target["sh_flags"] & 0x800:  # SHF_COMPRESSED
            raise ValueError(f"{target.name} is compressed: cannot relocate it in place")
        base, size = target["sh_offset"], target["sh_size"]
        syms = elf.get_section(rsec["sh_link"]) if rsec["sh_link"] else symtab
        for rel in rsec.iter_relocations():
            rtype = rel["r_info_type"]
            if rtype in _RISCV_IGNORED:
                continue
            if rtype not in _RISCV_DEBUG_RELOCS:
                raise ValueError(f"relocation type {rtype} in {rsec.name} is not supported")
            bits, how = _RISCV_DEBUG_RELOCS[rtype]
            offset = rel["r_offset"]
            if offset + max(bits // 8, 1) > size:
                raise ValueError(f"relocation at {offset:#x} outside {target.name}")
            value = syms.get_symbol(rel["r_info_sym"])["st_value"] if rel["r_info_sym"] else 0
            value += rel["r_addend"] if rel.is_RELA() else 0
            _apply(data, base + offset, bits, how, value)
    return io.BytesIO(bytes(data))
