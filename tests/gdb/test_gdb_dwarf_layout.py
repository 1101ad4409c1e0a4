"""scripts/rumpklib/dwarf_layout.py without GDB: which ELFs count as userland,
the layout cache, and the comparison sentences (the standalone abi-check
tool will share this module)."""
import shutil
import subprocess
import sys

import pytest

from gdbtools import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from rumpklib import dwarf_layout  # noqa: E402

CC = "riscv64-unknown-elf-gcc"
PROGRAM = r"""
#include <stdint.h>
typedef struct CmdPacket { uint32_t kind; uint32_t _pad; uint64_t arg; __uint128_t id; }
    __attribute__((aligned(16))) CmdPacket;
CmdPacket p;
"""


@pytest.fixture
def tree(tmp_path):
    """build/ with the kernel, a userland ELF, a stripped copy of it and a
    nested build tree (a kernel.elf of its own) holding another program."""
    if shutil.which(CC) is None:
        pytest.skip(f"{CC} is not installed")
    build = tmp_path / "build"
    (build / "userland").mkdir(parents=True)
    (build / "rootfs-bin").mkdir()
    (build / "other" / "userland").mkdir(parents=True)
    shutil.copy(ROOT / "build" / "kernel.elf", build / "kernel.elf")
    shutil.copy(ROOT / "build" / "kernel.elf", build / "other" / "kernel.elf")
    src = tmp_path / "prog.c"
    src.write_text(PROGRAM)
    prog = build / "userland" / "prog.elf"
    subprocess.run([CC, "-march=rv64gc", "-mabi=lp64d", "-ffreestanding", "-nostdlib", "-g",
                    "-Wl,-e,0", str(src), "-o", str(prog)], check=True)
    subprocess.run(["riscv64-unknown-elf-objcopy", "--strip-debug", str(prog),
                    str(build / "rootfs-bin" / "prog")], check=True)
    shutil.copy(prog, build / "other" / "userland" / "prog.elf")
    (build / "userland" / "notes.txt").write_text("not an ELF")
    return build


def test_userland_elfs_are_riscv_executables_with_dwarf_that_are_not_a_kernel(tree):
    stripped = []
    found = dwarf_layout.find_userland_elfs(str(tree), str(tree / "kernel.elf"), stripped)
    assert found == [str(tree / "userland" / "prog.elf")]
    assert stripped == [str(tree / "rootfs-bin" / "prog")]


def test_layouts_are_cached_by_size_and_mtime_and_compare_equal(tree, tmp_path):
    cache = tmp_path / "cache" / "abi.json"
    prog = tree / "userland" / "prog.elf"
    first = dwarf_layout.read_layouts_cached(str(prog), cache_file=str(cache))
    assert cache.exists() and str(prog.resolve()) in cache.read_text()
    again = dwarf_layout.read_layouts_cached(str(prog), cache_file=str(cache))
    assert again == first
    kernel = dwarf_layout.first_layouts(str(tree / "kernel.elf"))
    assert set(kernel) == set(dwarf_layout.ABI_TYPES)
    assert dwarf_layout.compare(kernel["CmdPacket"], first["CmdPacket"][0]) == []
    assert set(first) == {"CmdPacket"}   # the program declares nothing else


def test_compare_names_fields_and_offsets():
    F = dwarf_layout.Field
    ref = dwarf_layout.Layout("CmdPacket", 32, 16, [F("kind", 0, 4, "uint32_t"),
                                                    F("_pad", 4, 4, "uint32_t"),
                                                    F("arg", 8, 8, "uint64_t")], "k/kernel.elf")
    other = dwarf_layout.Layout("CmdPacket", 24, 8, [F("kind", 0, 4, "uint32_t"),
                                                     F("arg", 4, 4, "uint32_t"),
                                                     F("extra", 8, 8, "uint64_t")], "u/hello.elf")
    assert dwarf_layout.compare(ref, other) == [
        "CmdPacket: size 24 in hello.elf, 32 in kernel.elf",
        "CmdPacket: alignment 8 in hello.elf, 16 in kernel.elf",
        "CmdPacket._pad: missing in hello.elf (at offset 4 size 4 in kernel.elf)",
        "CmdPacket.arg: offset 4 size 4 in hello.elf, offset 8 size 8 in kernel.elf",
        "CmdPacket.extra: only in hello.elf (offset 8 size 8)",
    ]


def test_a_file_that_is_not_an_elf_or_has_no_dwarf_is_refused_with_a_reason(tree):
    with pytest.raises(ValueError, match="no DWARF"):
        dwarf_layout.read_layouts(str(tree / "rootfs-bin" / "prog"))
    with pytest.raises(ValueError, match="not an ELF"):
        dwarf_layout.read_layouts(str(tree / "userland" / "notes.txt"))
