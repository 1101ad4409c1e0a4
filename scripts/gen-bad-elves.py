#!/usr/bin/env python3
"""Writes malformed variants of a good RISC-V user ELF, for the kernel's ELF
validator (kernel/loader/elf_check.c, docs/elf-loader.md).

    gen-bad-elves.py GOOD.elf OUTDIR

OUTDIR gets one file per case: at least one per validation rule, plus nasty
combinations (the first failing check names the reason), plus good.elf (an
exact copy), and MANIFEST: one line per file, "FILENAME<TAB>REASON", REASON
being the phrase the kernel must refuse it with ("ok" for good.elf).

The cases are the ones tests/host/test_elf_check.c applies in memory (same
names, m_ prefix there): keep the two lists in step.

GOOD.elf must look like tests/host/data/good-user.elf: ELF64 RISC-V ET_EXEC,
an R+X PT_LOAD, an R+W PT_LOAD with .bss, a non-PT_LOAD program header, room
for 7 more program headers before the first segment's bytes, and the section
header table at the end of the file. Python 3 standard library only.
"""
import argparse
import os
import struct
import sys

USER_BASE = 0x100000000
USER_END = 0x140000000
ION_USER_BASE = 0x140000000
KERNEL_BASE = 0x80200000
PAGE = 4096
U64_MAX = (1 << 64) - 1

PT_LOAD, PT_NOTE = 1, 4
PF_X, PF_W, PF_R = 1, 2, 4
PHDR_SIZE = 56

# Field name -> (offset, struct format), little-endian.
EHDR = {"class": (4, "B"), "data": (5, "B"), "ident_version": (6, "B"), "type": (16, "H"),
        "machine": (18, "H"), "version": (20, "I"), "entry": (24, "Q"), "phoff": (32, "Q"),
        "shoff": (40, "Q"), "phentsize": (54, "H"), "phnum": (56, "H"), "shnum": (60, "H")}
PHDR = {"type": (0, "I"), "flags": (4, "I"), "offset": (8, "Q"), "vaddr": (16, "Q"),
        "filesz": (32, "Q"), "memsz": (40, "Q"), "align": (48, "Q")}

# The reasons, as kernel/loader/elf_check.c spells them.
NOT_ELF = "not an ELF file"
NOT_64 = "not a 64-bit ELF"
NOT_LE = "not little-endian"
BAD_VERSION = "unsupported ELF version"
WRONG_MACHINE = "wrong machine"
NOT_EXEC = "not an executable (ET_EXEC)"
BAD_PHENTSIZE = "bad program header size"
NO_PHDRS = "no program headers"
TOO_MANY_PHDRS = "too many program headers"
PHDRS_OUTSIDE = "program headers outside the file"
SHDRS_OUTSIDE = "section headers outside the file"
NO_LOAD = "no loadable segment"
TOO_MANY_LOADS = "too many loadable segments"
FILE_RANGE = "segment file range outside the file"
FILESZ_GT_MEMSZ = "segment filesz larger than memsz"
EMPTY_SEGMENT = "empty loadable segment"
OUTSIDE_USER = "segment outside user space"
OVERLAP = "segments overlap"
MISALIGNED = "segment misaligned"
WX = "segment both writable and executable"
NO_PERMS = "segment with no permissions"
WRITE_ONLY = "segment writable but not readable"
ENTRY_NOT_X = "entry point not in an executable segment"
ENTRY_MISALIGNED = "entry point misaligned"


def mask(fmt):
    """All ones in a field of this struct format (values wrap like the C fields)."""
    return (1 << (8 * struct.calcsize(fmt))) - 1


class Elf:
    """A mutable copy of the good file, with its program headers found."""

    def __init__(self, data):
        self.b = bytearray(data)
        phnum = self.get("phnum")
        loads = [i for i in range(phnum) if self.ph(i, "type") == PT_LOAD]
        try:
            self.text = next(i for i in loads if self.ph(i, "flags") & PF_X)
            self.data = next(i for i in loads if self.ph(i, "flags") & PF_W)
            self.other = next(i for i in range(phnum) if i not in loads)
        except StopIteration:
            raise ValueError("needs an R+X PT_LOAD, an R+W PT_LOAD and one other header")
        self.text_vaddr = self.ph(self.text, "vaddr")
        self.text_offset = self.ph(self.text, "offset")
        self.text_size = self.ph(self.text, "filesz")
        self.data_vaddr = self.ph(self.data, "vaddr")

    def get(self, field):
        off, fmt = EHDR[field]
        return struct.unpack_from("<" + fmt, self.b, off)[0]

    def set(self, field, value):
        off, fmt = EHDR[field]
        struct.pack_into("<" + fmt, self.b, off, value & mask(fmt))

    def ph_at(self, i):
        return self.get("phoff") + i * PHDR_SIZE

    def ph(self, i, field):
        off, fmt = PHDR[field]
        return struct.unpack_from("<" + fmt, self.b, self.ph_at(i) + off)[0]

    def set_ph(self, i, field, value):
        off, fmt = PHDR[field]
        struct.pack_into("<" + fmt, self.b, self.ph_at(i) + off, value & mask(fmt))

    def cut(self, size):
        del self.b[size:]

    def add_loads(self, n):
        """n more one-page R-only PT_LOADs mapping the text's file page above the image."""
        phnum = self.get("phnum")
        first_bytes = min(self.ph(i, "offset") for i in (self.text, self.data))
        if self.ph_at(phnum + n) > first_bytes:
            raise ValueError(f"no room for {n} more program headers before offset {first_bytes:#x}")
        for k in range(n):
            i = phnum + k
            self.b[self.ph_at(i):self.ph_at(i) + PHDR_SIZE] = bytes(PHDR_SIZE)
            for field, value in (("type", PT_LOAD), ("flags", PF_R), ("offset", self.text_offset),
                                 ("vaddr", USER_BASE + 0x10000 + k * PAGE),
                                 ("filesz", self.text_size), ("memsz", self.text_size),
                                 ("align", PAGE)):
                self.set_ph(i, field, value)
        self.set("phnum", phnum + n)


CASES = []  # (name, reason, mutate)


def case(name, reason):
    def register(mutate):
        CASES.append((name, reason, mutate))
        return mutate
    return register


# --- the header -------------------------------------------------------------

@case("empty", NOT_ELF)
def empty(e): e.cut(0)
@case("magic-only", NOT_ELF)
def magic_only(e): e.cut(4)
@case("truncated-header", NOT_ELF)
def truncated_header(e): e.cut(63)
@case("bad-magic", NOT_ELF)
def bad_magic(e): e.b[1] = ord("X")
@case("class32", NOT_64)
def class32(e): e.set("class", 1)
@case("class-none", NOT_64)
def class_none(e): e.set("class", 0)
@case("big-endian", NOT_LE)
def big_endian(e): e.set("data", 2)
@case("ident-version0", BAD_VERSION)
def ident_version0(e): e.set("ident_version", 0)
@case("e-version2", BAD_VERSION)
def e_version2(e): e.set("version", 2)
@case("x86-64", WRONG_MACHINE)
def x86_64(e): e.set("machine", 62)
@case("aarch64", WRONG_MACHINE)
def aarch64(e): e.set("machine", 183)
@case("et-dyn", NOT_EXEC)
def et_dyn(e): e.set("type", 3)
@case("et-rel", NOT_EXEC)
def et_rel(e): e.set("type", 1)

# --- the header tables ------------------------------------------------------

@case("phentsize32", BAD_PHENTSIZE)
def phentsize32(e): e.set("phentsize", 32)
@case("phentsize64", BAD_PHENTSIZE)
def phentsize64(e): e.set("phentsize", 64)
@case("phnum0", NO_PHDRS)
def phnum0(e): e.set("phnum", 0)
@case("phnum65", TOO_MANY_PHDRS)
def phnum65(e): e.set("phnum", 65)
@case("phnum-xnum", TOO_MANY_PHDRS)
def phnum_xnum(e): e.set("phnum", 0xffff)
@case("phoff-past-end", PHDRS_OUTSIDE)
def phoff_past_end(e): e.set("phoff", len(e.b))
@case("phoff-straddles-end", PHDRS_OUTSIDE)
def phoff_straddles_end(e): e.set("phoff", len(e.b) - PHDR_SIZE)
@case("phoff-wraps", PHDRS_OUTSIDE)
def phoff_wraps(e): e.set("phoff", U64_MAX - 8)
@case("shoff-past-end", SHDRS_OUTSIDE)
def shoff_past_end(e): e.set("shoff", len(e.b))
@case("shnum-huge", SHDRS_OUTSIDE)
def shnum_huge(e): e.set("shnum", 0xffff)
@case("truncated-half", SHDRS_OUTSIDE)
def truncated_half(e): e.cut(len(e.b) // 2)
@case("truncated-last-byte", SHDRS_OUTSIDE)
def truncated_last_byte(e): e.cut(len(e.b) - 1)

# --- the PT_LOAD list and file ranges -----------------------------------------

@case("no-load", NO_LOAD)
def no_load(e):
    e.set_ph(e.text, "type", PT_NOTE)
    e.set_ph(e.data, "type", PT_NOTE)
@case("nine-loads", TOO_MANY_LOADS)
def nine_loads(e): e.add_loads(7)
@case("text-offset-past-end", FILE_RANGE)
def text_offset_past_end(e): e.set_ph(e.text, "offset", len(e.b))
@case("data-filesz-past-end", FILE_RANGE)
def data_filesz_past_end(e): e.set_ph(e.data, "filesz", len(e.b))
@case("offset-filesz-wraps", FILE_RANGE)
def offset_filesz_wraps(e): e.set_ph(e.text, "offset", U64_MAX - 0xf)
@case("other-header-past-end", FILE_RANGE)
def other_header_past_end(e): e.set_ph(e.other, "offset", len(e.b))

# --- sizes and addresses --------------------------------------------------------

@case("filesz-gt-memsz", FILESZ_GT_MEMSZ)
def filesz_gt_memsz(e): e.set_ph(e.text, "filesz", e.ph(e.text, "memsz") + 1)
@case("memsz0", EMPTY_SEGMENT)
def memsz0(e):
    e.set_ph(e.data, "filesz", 0)
    e.set_ph(e.data, "memsz", 0)
@case("kernel-mapping", OUTSIDE_USER)
def kernel_mapping(e):
    e.set_ph(e.text, "vaddr", KERNEL_BASE)
    e.set("entry", KERNEL_BASE)
@case("vaddr0", OUTSIDE_USER)
def vaddr0(e): e.set_ph(e.text, "vaddr", 0)
@case("below-user-base", OUTSIDE_USER)
def below_user_base(e):
    e.set_ph(e.text, "vaddr", USER_BASE - PAGE)  # straddles the base
    e.set_ph(e.text, "memsz", 2 * PAGE)
@case("wraps-address-space", OUTSIDE_USER)
def wraps_address_space(e): e.set_ph(e.data, "vaddr", 0xfffffffffffff000)
@case("memsz-huge", OUTSIDE_USER)
def memsz_huge(e): e.set_ph(e.data, "memsz", U64_MAX)
@case("past-user-end", OUTSIDE_USER)
def past_user_end(e): e.set_ph(e.data, "memsz", USER_END - e.data_vaddr + 1)
@case("in-ion-window", OUTSIDE_USER)
def in_ion_window(e): e.set_ph(e.data, "vaddr", ION_USER_BASE)

# --- overlaps and alignment -------------------------------------------------------

@case("overlap-same-vaddr", OVERLAP)
def overlap_same_vaddr(e): e.set_ph(e.data, "vaddr", e.text_vaddr)
@case("overlap-bytes", OVERLAP)
def overlap_bytes(e): e.set_ph(e.text, "memsz", e.data_vaddr - e.text_vaddr + 0x800)
@case("share-page", OVERLAP)
def share_page(e):
    # Byte-disjoint from the text but in its page: one page both R+X and R+W.
    e.set_ph(e.data, "vaddr", e.text_vaddr + 0xf00)
    e.set_ph(e.data, "offset", e.text_offset + 0xf00)
@case("overlap-table-reversed", OVERLAP)
def overlap_table_reversed(e):
    t, d = e.ph_at(e.text), e.ph_at(e.data)
    e.b[t:t + PHDR_SIZE], e.b[d:d + PHDR_SIZE] = e.b[d:d + PHDR_SIZE], e.b[t:t + PHDR_SIZE]
    e.set_ph(e.text, "vaddr", e.text_vaddr)  # the data's header now, first in the table
@case("misaligned-vaddr", MISALIGNED)
def misaligned_vaddr(e): e.set_ph(e.text, "vaddr", e.text_vaddr + 4)
@case("misaligned-offset", MISALIGNED)
def misaligned_offset(e): e.set_ph(e.text, "offset", e.text_offset + 4)
@case("misaligned-align0", MISALIGNED)
def misaligned_align0(e):
    e.set_ph(e.text, "align", 0)
    e.set_ph(e.text, "vaddr", e.text_vaddr + 4)
@case("align-not-pow2", MISALIGNED)
def align_not_pow2(e): e.set_ph(e.text, "align", 3)
@case("align-64k", MISALIGNED)
def align_64k(e): e.set_ph(e.text, "align", 0x10000)

# --- permissions and the entry point -------------------------------------------------

@case("text-wx", WX)
def text_wx(e): e.set_ph(e.text, "flags", PF_R | PF_W | PF_X)
@case("data-wx", WX)
def data_wx(e): e.set_ph(e.data, "flags", PF_R | PF_W | PF_X)
@case("no-permissions", NO_PERMS)
def no_permissions(e): e.set_ph(e.data, "flags", 0)
@case("write-only", WRITE_ONLY)
def write_only(e): e.set_ph(e.data, "flags", PF_W)
@case("entry-deadbeef", ENTRY_NOT_X)
def entry_deadbeef(e): e.set("entry", 0xdeadbeef)
@case("entry0", ENTRY_NOT_X)
def entry0(e): e.set("entry", 0)
@case("entry-in-data", ENTRY_NOT_X)
def entry_in_data(e): e.set("entry", e.data_vaddr)
@case("entry-past-filesz", ENTRY_NOT_X)
def entry_past_filesz(e):
    e.set_ph(e.text, "memsz", e.text_size + 0x200)  # zeros after the code: not code
    e.set("entry", (e.text_vaddr + e.text_size + 0x100) & ~1)
@case("entry-end-of-text", ENTRY_NOT_X)
def entry_end_of_text(e): e.set("entry", e.text_vaddr + e.text_size)
@case("entry-odd", ENTRY_MISALIGNED)
def entry_odd(e): e.set("entry", e.text_vaddr + 1)

# --- combinations: the first failing check names the reason ------------------------

@case("x86-64-dyn", WRONG_MACHINE)
def x86_64_dyn(e): x86_64(e); et_dyn(e)
@case("class32-big-endian", NOT_64)
def class32_big_endian(e): class32(e); big_endian(e)
@case("overlap-and-wx", OVERLAP)
def overlap_and_wx(e): overlap_same_vaddr(e); data_wx(e)
@case("kernel-mapping-deadbeef", OUTSIDE_USER)
def kernel_mapping_deadbeef(e): kernel_mapping(e); entry_deadbeef(e)
@case("xv6-trio", NOT_64)
def xv6_trio(e): x86_64(e); class32(e); entry_deadbeef(e)
@case("wx-and-misaligned-entry", WX)
def wx_and_misaligned_entry(e): text_wx(e); entry_odd(e)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("good", help="a good RISC-V user ELF (tests/host/data/good-user.elf)")
    ap.add_argument("outdir", help="where the variants and MANIFEST go (created)")
    args = ap.parse_args()

    with open(args.good, "rb") as f:
        good = f.read()
    try:
        Elf(good)
    except (ValueError, struct.error) as err:
        sys.exit(f"gen-bad-elves: {args.good}: not the kind of ELF this expects: {err}")

    os.makedirs(args.outdir, exist_ok=True)
    manifest = [("good.elf", "ok")]
    with open(os.path.join(args.outdir, "good.elf"), "wb") as f:
        f.write(good)
    for name, reason, mutate in CASES:
        e = Elf(good)
        mutate(e)
        filename = name + ".elf"
        with open(os.path.join(args.outdir, filename), "wb") as f:
            f.write(e.b)
        manifest.append((filename, reason))
    with open(os.path.join(args.outdir, "MANIFEST"), "w") as f:
        for filename, reason in manifest:
            f.write(f"{filename}\t{reason}\n")
    print(f"gen-bad-elves: {len(CASES)} bad variants and good.elf in {args.outdir}")


if __name__ == "__main__":
    main()
