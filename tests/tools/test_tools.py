"""The standalone inspection tools (docs/tools.md): scripts/abi-check,
scripts/initrd-check, scripts/elf-explain and scripts/memmap, on the real
build and on deliberately broken inputs, plus the shared code under
scripts/rumpklib/ they rest on (the fast DWARF reader must agree with
pyelftools on every ELF of the build)."""
import glob
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from conftest import BUILD, ROOT, build_variant

sys.path.insert(0, str(ROOT / "scripts"))
from rumpklib import dwarf_layout, dwarf_quick  # noqa: E402

PY = "/usr/bin/python3"
SCRIPTS = ROOT / "scripts"
KERNEL = BUILD / "kernel.elf"
USER_ELFS = sorted(glob.glob(str(BUILD / "userland" / "*.elf")))
CROSS_CC = "riscv64-unknown-elf-gcc"
TOOLS = ("abi-check", "initrd-check", "elf-explain", "memmap")


def run(tool, *args, timeout=120):
    proc = subprocess.run([PY, str(SCRIPTS / tool), *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
    proc.all = proc.stdout + proc.stderr
    return proc


@pytest.fixture(scope="module", autouse=True)
def built():
    if not KERNEL.exists() or not USER_ELFS:
        pytest.fail("build/kernel.elf or build/userland/*.elf missing: run make")


def cross_cc():
    if shutil.which(CROSS_CC) is None:
        pytest.skip(f"{CROSS_CC} is not installed")
    return CROSS_CC


# ---- every tool ------------------------------------------------------------------------------

@pytest.mark.parametrize("tool", TOOLS)
def test_each_tool_has_help_and_exit_status_2_for_bad_usage(tool):
    proc = run(tool, "--help")
    assert proc.returncode == 0, proc.all
    assert "usage:" in proc.stdout and "Exit status" in proc.stdout
    proc = run(tool, "--no-such-option")
    assert proc.returncode == 2, proc.all


# ---- abi-check -------------------------------------------------------------------------------

DRIFT_C = r"""
#include <stdint.h>
/* The history's drift: the argument shrank to 32 bits (include/abi/ion.h has uint64_t). */
typedef struct CmdPacket { uint32_t kind; uint32_t _pad; uint32_t arg; __uint128_t id; } CmdPacket;
CmdPacket drifted;
"""

PROCINFO_C = r"""
#include <stdint.h>
struct ProcInfo { uint64_t magic; uint64_t sender; uint8_t key[16]; uint64_t pid; char path[128]; };
struct fs_stat { uint32_t type; uint32_t mode; uint64_t size; };
struct ProcInfo p;
struct fs_stat s;
void _start(void) { for (;;) { } }
"""


def test_abi_check_passes_on_the_build():
    proc = run("abi-check")
    assert proc.returncode == 0, proc.all
    n = len(dwarf_layout.BOUNDARY_TYPES)
    assert f"OK: {n} structures agree between build/kernel.elf and {len(USER_ELFS)} userland" \
        in proc.stdout


def test_abi_check_covers_every_boundary_structure_and_says_which_are_absent():
    assert len(dwarf_layout.BOUNDARY_TYPES) == 17
    proc = run("abi-check", "--verbose")
    assert proc.returncode == 0, proc.all
    for name in dwarf_layout.BOUNDARY_TYPES:
        assert re.search(rf"^{re.escape(name)} \(\d+ bytes, align \d+\)$", proc.stdout, re.M), name
    # No user program uses the output ring's descriptor: fine, but said.
    assert re.search(r"struct ion_desc .*\n(?:.*\n)*?  not declared in \d+ \(not used there\): "
                     r"\S+\.elf", proc.stdout)


def test_abi_check_names_struct_field_layer_and_offset_of_a_drifted_object(tmp_path):
    cc = cross_cc()
    src = tmp_path / "drift.c"
    src.write_text(DRIFT_C)
    obj = tmp_path / "drift.o"
    subprocess.run([cc, "-march=rv64imac", "-mabi=lp64", "-ffreestanding", "-g", "-c", str(src),
                    "-o", str(obj)], check=True, capture_output=True)
    proc = run("abi-check", "--kernel", KERNEL, obj)
    assert proc.returncode == 1, proc.all
    assert "DRIFT" in proc.stdout
    line = next(l for l in proc.stdout.splitlines() if "CmdPacket.arg" in l)
    assert "at offset 8" in line and str(obj) in line, line
    assert "size 4 (uint32_t)" in line and "size 8 (uint64_t)" in line, line
    assert "build/kernel.elf" in line


def test_abi_check_reports_a_drifted_linked_program_field_by_field(tmp_path):
    cc = cross_cc()
    src = tmp_path / "prog.c"
    src.write_text(PROCINFO_C)
    elf = tmp_path / "prog.elf"
    subprocess.run([cc, "-march=rv64imac", "-mabi=lp64", "-ffreestanding", "-nostdlib", "-g",
                    "-Wl,-e,_start", str(src), "-o", str(elf)], check=True, capture_output=True)
    proc = run("abi-check", "--kernel", KERNEL, elf)
    assert proc.returncode == 1, proc.all
    out = proc.stdout
    assert f"struct ProcInfo in {elf}: 168 bytes, 296 in build/kernel.elf" in out
    assert f"struct ProcInfo.path at offset 40 in {elf}: offset 40 size 128 (char[128]) there, " \
           f"offset 40 size 256 (char[256]) in build/kernel.elf" in out
    assert f"struct fs_stat.size at offset 0 in {elf}: offset 8 size 8 (uint64_t) there" in out
    assert f"struct fs_stat.type at offset 8 in {elf}: offset 0 size 4" in out


def test_abi_check_refuses_what_it_cannot_read(tmp_path):
    text = tmp_path / "notes.elf"
    text.write_text("not an ELF")
    proc = run("abi-check", "--kernel", KERNEL, text)
    assert proc.returncode == 2 and "cannot read its DWARF: not an ELF" in proc.all
    stripped = BUILD / "rootfs-bin" / "bin" / "hello"
    proc = run("abi-check", "--kernel", KERNEL, stripped)
    assert proc.returncode == 2 and "no DWARF" in proc.all
    proc = run("abi-check", "--kernel", tmp_path / "missing.elf", stripped)
    assert proc.returncode == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run("abi-check", "--userland-dir", empty)
    assert proc.returncode == 2 and "no *.elf" in proc.all


def test_the_build_runs_abi_check_and_fails_on_drift(tmp_path):
    """The Makefile's rule, run for real: with a drifted user ELF the stamp is
    not written and make fails; with a good one it is. The kernel is a copy
    that make is told not to rebuild (-o)."""
    makefile = (ROOT / "Makefile").read_text()
    all_line = next(l for l in makefile.splitlines() if l.startswith("all:"))
    assert "$(BUILD)/abi-check.ok" in all_line
    listed = subprocess.run(["make", "-n", "-p", "-q", "no-such-target-really"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60).stdout
    assert re.search(r"^all: .*build/abi-check\.ok", listed, re.M)
    cc = cross_cc()
    src = tmp_path / "drift.c"
    src.write_text(DRIFT_C + "void _start(void) { for (;;) { } }\n")
    drift = tmp_path / "drift.elf"
    subprocess.run([cc, "-march=rv64imac", "-mabi=lp64", "-ffreestanding", "-nostdlib", "-g",
                    "-Wl,-e,_start", str(src), "-o", str(drift)], check=True, capture_output=True)
    build = tmp_path / "b"
    build.mkdir()
    shutil.copy(KERNEL, build / "kernel.elf")
    good = tmp_path / "hello.elf"
    shutil.copy(USER_ELFS[0], good)

    def make(user_elfs):
        return subprocess.run(["make", "-s", "--no-print-directory", f"BUILD={build}",
                               "-o", f"{build}/kernel.elf", f"USER_ELFS={user_elfs}",
                               f"{build}/abi-check.ok"],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)

    proc = make(f"{good} {drift}")
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "CmdPacket.arg at offset 8" in proc.stdout
    assert not (build / "abi-check.ok").exists()
    proc = make(str(good))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (build / "abi-check.ok").exists()


def test_the_selective_reader_gives_exactly_what_pyelftools_gives():
    """read_layouts_selective (candidate units only, dwarf_quick's decoder)
    against read_layouts (every unit, pyelftools), on every ELF of the build."""
    for path in [str(KERNEL)] + USER_ELFS:
        fast = dwarf_layout.read_layouts_selective(path, dwarf_layout.BOUNDARY_TYPES)
        slow = dwarf_layout.read_layouts(path, dwarf_layout.BOUNDARY_TYPES)
        assert fast == slow, path
        assert fast, path


def test_dwarf_quick_decodes_every_top_level_entry_as_pyelftools_does():
    """Not only the entries the layouts need: every attribute of every
    top-level entry (and the members of every structure) of the kernel and of
    the largest program."""
    from elftools.elf.elffile import ELFFile

    def norm(v):
        return list(v) if isinstance(v, (list, tuple)) else v

    for path in (KERNEL, BUILD / "userland" / "nipbox.elf"):
        with open(path, "rb") as f:
            elf = ELFFile(f)
            dwarf = elf.get_dwarf_info()
            reader = dwarf_quick.reader_for(elf)
            checked = 0
            for cu in dwarf.iter_CUs():
                unit = reader.unit_at(cu.cu_offset)
                mine = list(unit.get_top_DIE().iter_children())
                theirs = list(cu.get_top_DIE().iter_children())
                assert [d.offset for d in mine] == [d.offset for d in theirs], path
                for a, b in zip(mine, theirs):
                    assert a.tag == b.tag and a.size == b.size, (path, a.offset)
                    assert {k: norm(v.value) for k, v in a.attributes.items()} == \
                        {k: norm(v.value) for k, v in b.attributes.items()}, (path, a.offset)
                    if a.tag == "DW_TAG_structure_type":
                        assert [c.offset for c in a.iter_children()] == \
                            [c.offset for c in b.iter_children()]
                    checked += 1
            assert checked > 100, path


def test_dwarf_layout_compare_keeps_its_sentences():
    """compare() (GDB's abi check) is differences() worded: the same sentences."""
    F = dwarf_layout.Field
    ref = dwarf_layout.Layout("S", 16, 8, [F("a", 0, 4, "uint32_t"), F("b", 8, 8, "uint64_t")],
                              "k/kernel.elf")
    other = dwarf_layout.Layout("S", 16, 8, [F("b", 0, 8, "uint64_t"), F("a", 8, 4, "int")],
                                "u/x.elf")
    diffs = dwarf_layout.differences(ref, other)
    assert [d.sentence for d in diffs] == dwarf_layout.compare(ref, other) == [
        "S.a: offset 8 size 4 in x.elf, offset 0 size 4 in kernel.elf",
        "S.b: offset 0 size 8 in x.elf, offset 8 size 8 in kernel.elf"]
    assert [(d.struct, d.field, d.kind, d.offset) for d in diffs] == [
        ("S", "a", "placement", 0), ("S", "b", "placement", 8)]


def test_abi_check_is_fast():
    """The build runs it: the whole check (Python start-up included) well
    under the two seconds a full pyelftools parse takes."""
    import time
    t = time.monotonic()
    proc = run("abi-check")
    took = time.monotonic() - t
    assert proc.returncode == 0, proc.all
    assert took < 3.0, took   # ~0.4 s here; generous for a loaded machine


# ---- initrd-check ----------------------------------------------------------------------------

def test_initrd_check_passes_on_the_build():
    proc = run("initrd-check")
    assert proc.returncode == 0, proc.all
    size = os.path.getsize(BUILD / "initrd.tar")
    assert f"OK: the kernel embeds build/initrd.tar as packed ({size} bytes" in proc.stdout
    assert "bytes    identical" in proc.stdout


@pytest.fixture(scope="module")
def cut_kernel(tmp_path_factory):
    """A kernel whose embedded initrd is the first half of the packed one
    (the recorded size and CRC-32 stay the full archive's)."""
    data = (BUILD / "initrd.tar").read_bytes()
    cut = tmp_path_factory.mktemp("cut") / "cut.tar"
    cut.write_bytes(data[: len(data) // 2 // 512 * 512])
    out = build_variant("test-tools-cut", INITRD_EMBED=cut)
    return out, cut


def test_initrd_check_fails_on_a_cut_initrd_naming_both_sizes(cut_kernel):
    out, cut = cut_kernel
    seen, packed = os.path.getsize(cut), os.path.getsize(out / "initrd.tar")
    proc = run("initrd-check", out / "kernel.elf")
    assert proc.returncode == 1, proc.all
    assert (f"size: the kernel embeds {seen} bytes, but {packed} were packed "
            f"(initrd_packed_size): truncated by {packed - seen} bytes") in proc.stdout
    assert re.search(r"entries  embedded: \d+ \(breaks at byte \d+: ", proc.stdout), proc.stdout
    assert f"identical for the first {seen} bytes; then the embedded copy ends" in proc.stdout
    assert "the kernel does not have: /" in proc.stdout


def test_initrd_check_finds_the_first_differing_byte(tmp_path):
    data = bytearray((BUILD / "initrd.tar").read_bytes())
    at = len(data) // 3
    data[at] ^= 0xFF
    other = tmp_path / "other.tar"
    other.write_bytes(bytes(data))
    proc = run("initrd-check", KERNEL, "--tar", other)
    assert proc.returncode == 1, proc.all
    assert f"first difference at byte {at} ({at:#x})" in proc.stdout
    assert "this kernel was packed from another archive" in proc.stdout


def test_initrd_check_refuses_unreadable_input(tmp_path):
    assert run("initrd-check", tmp_path / "missing.elf").returncode == 2
    proc = run("initrd-check", USER_ELFS[0], "--tar", BUILD / "initrd.tar")
    assert proc.returncode == 2 and "no symbol initrd_start" in proc.all


# ---- elf-explain -----------------------------------------------------------------------------

# The loader's own verdict, independently of the tool's front end: elf_check()
# with the limits kernel/user/process.c passes; prints FILE<TAB>REASON or ok.
DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
#include "abi/user.h"
#include "loader/elf_check.h"
#include "mm/page_pool.h"

int main(int argc, char **argv)
{
    const struct elf_limits lim = { USER_BASE, USER_STACK_TOP - USER_STACK_SIZE, PAGE_SIZE };
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f)
            return 2;
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        unsigned char *buf = malloc(n ? (size_t)n : 1);
        if (fread(buf, 1, (size_t)n, f) != (size_t)n)
            return 2;
        fclose(f);
        const char *reason = NULL;
        int rc = elf_check(buf, (size_t)n, &lim, NULL, &reason);
        printf("%s\t%s\n", argv[i], rc == 0 ? "ok" : reason);
        free(buf);
    }
    return 0;
}
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("bad-elves")
    subprocess.run([PY, str(SCRIPTS / "gen-bad-elves.py"),
                    str(ROOT / "tests" / "host" / "data" / "good-user.elf"), str(out)],
                   check=True, capture_output=True, timeout=60)
    manifest = dict(line.split("\t") for line in (out / "MANIFEST").read_text().splitlines())
    return out, manifest


def test_the_tools_validator_uses_the_loaders_limits():
    process_c = (ROOT / "kernel" / "user" / "process.c").read_text()
    assert "{ USER_BASE, USER_STACK_TOP - USER_STACK_SIZE, PAGE_SIZE }" in process_c
    cli_c = (SCRIPTS / "elf_check_cli.c").read_text()
    assert "USER_BASE, USER_STACK_TOP - USER_STACK_SIZE, LOADER_PAGE_SIZE" in cli_c
    assert re.search(r"#define PAGE_SIZE 4096UL", (ROOT / "kernel" / "mm" /
                                                   "page_pool.h").read_text())
    assert "#define LOADER_PAGE_SIZE 4096UL" in cli_c


def test_elf_explain_agrees_with_the_kernels_validator_on_every_file(corpus, tmp_path):
    out, manifest = corpus
    files = sorted(str(p) for p in out.iterdir() if p.name != "MANIFEST") + USER_ELFS
    assert len(files) >= 66 + len(USER_ELFS) and len(USER_ELFS) >= 10
    driver_c = tmp_path / "driver.c"
    driver_c.write_text(DRIVER)
    driver = tmp_path / "driver"
    subprocess.run(["gcc", "-std=c11", "-O1", "-Wall", "-Werror", f"-I{ROOT / 'kernel'}",
                    f"-I{ROOT / 'include'}", "-o", str(driver), str(driver_c),
                    str(ROOT / "kernel" / "loader" / "elf_check.c")],
                   check=True, capture_output=True, timeout=120)
    kernel_says = dict(line.split("\t") for line in subprocess.run(
        [str(driver), *files], check=True, capture_output=True, text=True).stdout.splitlines())

    proc = run("elf-explain", "--brief", *files)
    assert proc.returncode == 1, proc.all    # the corpus holds refused files
    tool_says, tool_step = {}, {}
    for line in proc.stdout.splitlines():
        f = line.split("\t")
        tool_says[f[0]] = "ok" if f[1] == "ok" else f[3]
        tool_step[f[0]] = f[2] if f[1] == "refused" else None
    assert tool_says == kernel_says        # every file, the reason phrase identical
    for name, reason in manifest.items():  # and what the kernel prints under QEMU
        assert tool_says[str(out / name)] == reason, name
    for path in USER_ELFS:
        assert tool_says[path] == "ok", path
    # the failing check is the one docs/elf-loader.md lists for that phrase
    steps = {"wrong machine": "machine", "not an ELF file": "magic", "segments overlap":
             "overlap", "segment outside user space": "user_range",
             "section headers outside the file": "shdrs", "entry point misaligned": "entry"}
    for path, reason in tool_says.items():
        if reason in steps:
            assert tool_step[path] == steps[reason], (path, reason)


def test_elf_explain_names_the_failing_check(corpus):
    out, _ = corpus
    proc = run("elf-explain", out / "x86-64.elf")
    assert proc.returncode == 1, proc.all
    text = proc.stdout
    assert re.search(r"^\s+4 version\s+ok\s", text, re.M)
    assert re.search(r"^\s+5 machine\s+FAIL\s+e_machine is EM_RISCV \(243\): wrong machine$",
                     text, re.M)
    assert "(e_machine is 62 (x86-64))" in text
    assert re.search(r"^\s+6 type\s+--\s+not run$", text, re.M)
    assert 'Verdict: REFUSED by check 5 "machine": wrong machine' in text
    assert "Nothing is mapped" in text
    proc = run("elf-explain", out / "truncated-half.elf")
    assert proc.returncode == 1
    assert re.search(r"10 shdrs\s+FAIL .*: section headers outside the file", proc.stdout)


def test_elf_explain_shows_the_mapping_of_a_good_program():
    hello = BUILD / "userland" / "hello.elf"
    proc = run("elf-explain", hello)
    assert proc.returncode == 0, proc.all
    text = proc.stdout
    assert "Verdict: ACCEPTED" in text
    assert text.count(" ok    ") == 19
    assert re.search(r"Program headers \(\d+\):", text)
    assert re.search(r"^\s+0\s+0x100000000-0x100\w+\s+\d+ pages?\s+r-x\s+copy 0x\w+ bytes "
                     r"from file offset 0x1000$", text, re.M), text
    m = re.search(r"^\.bss begins at (0x[0-9a-f]+)", text, re.M)
    assert m, text
    from elftools.elf.elffile import ELFFile
    with open(hello, "rb") as f:
        elf = ELFFile(f)
        bss = [s for s in elf.iter_sections() if s.name in (".sbss", ".bss") and s["sh_size"]]
        data = [s for s in elf.iter_segments() if s["p_type"] == "PT_LOAD" and s["p_flags"] & 2]
    assert int(m.group(1), 16) == data[0]["p_vaddr"] + data[0]["p_filesz"]
    assert int(m.group(1), 16) == min(s["sh_addr"] for s in bss)


def test_elf_explain_refuses_a_missing_file(tmp_path):
    proc = run("elf-explain", tmp_path / "nothing.elf")
    assert proc.returncode == 2 and "No such file" in proc.all


# ---- memmap ----------------------------------------------------------------------------------

LABELS = ("OpenSBI", "ION region", "SysTable", "command ring", "packets", ".text", ".rodata",
          "initrd", ".data", ".bss", ".ksyms", "page pool", "device tree", "test finisher",
          "PLIC", "UART", "virtio", "user stack", "ION window", "ProcInfo", "heap",
          "0x80000000", "0x80100000", "0x80200000", "0x0c000000", "0x10000000", "0x10001000",
          "0x00100000", "0x88000000", "0x1_0000_0000", "0x1_3fff_0000", "0x1_4000_0000",
          "0x1_4010_0000", "512 KiB", "1 MiB", "RAM (128 MiB)")


def svg_texts(path):
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    titles = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}title")]
    return "\n".join(texts), "\n".join(titles)


def test_memmap_writes_a_well_formed_svg_with_every_region(tmp_path):
    out = tmp_path / "map.svg"
    proc = run("memmap", "-o", out)
    assert proc.returncode == 0, proc.all
    texts, titles = svg_texts(out)
    for label in LABELS:
        assert label in texts, label
    # The kernel's sections with their sizes, from its section headers.
    from elftools.elf.elffile import ELFFile
    with open(KERNEL, "rb") as f:
        secs = {s.name: (s["sh_addr"], s["sh_size"]) for s in ELFFile(f).iter_sections()}
    start, size = secs[".text"]
    assert f".text: {start:#010x}-{start + size:#010x}" in titles
    start, size = secs[".ksyms"]
    assert f".ksyms (symbol table): {start:#010x}-{start + size:#010x}" in titles
    # PNG: written when a converter works, and said either way.
    png = tmp_path / "map.png"
    if png.exists():
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert "wrote" in proc.stdout and "map.png" in proc.stdout
    else:
        assert "SVG only: no SVG-to-PNG converter works here" in proc.stdout


def test_memmap_follows_the_ram_size_and_can_leave_out_the_user_side(tmp_path):
    out = tmp_path / "map.svg"
    proc = run("memmap", "--ram", "256M", "--no-user", "--no-png", "-o", out)
    assert proc.returncode == 0, proc.all
    texts, _ = svg_texts(out)
    assert "0x90000000" in texts and "0x8fe00000" in texts and "RAM (256 MiB)" in texts
    assert "ProcInfo" not in texts
    assert run("memmap", "--ram", "lots", "-o", out).returncode == 2
    assert run("memmap", "--kernel", tmp_path / "none.elf", "-o", out).returncode == 2


def test_the_documented_picture_is_a_memmap_svg():
    doc = ROOT / "docs" / "memmap.svg"
    texts, _ = svg_texts(doc)
    for label in LABELS:
        assert label in texts, label
    assert "memmap.svg" in (ROOT / "docs" / "architecture.md").read_text()
    assert "memmap.svg" in (ROOT / "docs" / "boot.md").read_text()
