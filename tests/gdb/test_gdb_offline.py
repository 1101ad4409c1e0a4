"""The GDB extensions on the kernel ELF alone (no QEMU): layouts, the ABI
check and the pretty-printers on values built from bytes inside GDB."""
import re
import shutil
import subprocess

import pytest

from gdbtools import ROOT

# Values built from bytes with gdb.Value(bytes, type). The bytes follow
# docs/abi.md (the layouts are asserted in include/abi/); the trap frame is
# filled through its DWARF field offsets.
MAKE_VALUES = r"""python
import gdb, struct
def mk(tname, raw):
    return gdb.Value(bytes(raw), gdb.lookup_type(tname))
def pkt(kind, pad, arg, ident):
    return struct.pack('<IIQ', kind, pad, arg) + ident.to_bytes(16, 'little')
ID = 0xfedcba9876543210_0123456789abcdef
gdb.set_convenience_variable('p', mk('CmdPacket', pkt(0x400, 0, 0xdeadbeef, ID)))
gdb.set_convenience_variable('bad', mk('CmdPacket', pkt(0x999, 7, 0x1234, 1)))
gdb.set_convenience_variable('c', mk('CmdCompletion', struct.pack('<IiQqQ', 0x0, -2, 3, 0, 0)))
tf_type = gdb.lookup_type('struct trap_frame')
def tf(**regs):
    raw = bytearray(tf_type.sizeof)
    for f in tf_type.fields():
        if f.name in regs:
            struct.pack_into('<Q', raw, f.bitpos // 8, regs[f.name])
    return gdb.Value(bytes(raw), tf_type)
kmain = int(gdb.parse_and_eval('(unsigned long)&kmain'))
gdb.set_convenience_variable('tf', tf(scause=13, stval=0, sepc=kmain + 4, ra=kmain, sp=0x80300000))
gdb.set_convenience_variable('tf_ill', tf(scause=2, stval=0x13, sepc=kmain))
gdb.set_convenience_variable('tf_irq', tf(scause=(1 << 63) | 5, sepc=kmain))
gdb.set_convenience_variable('tf_res', tf(scause=10, sepc=kmain))
st = struct.pack('<QIIQQQQQIIQ', 0x5359534b504d5552, 1, 72, 0x140001000, 0x140002000,
                 0x140003000, 0x140004000, 0x140010000, 512, 128, 3134)
gdb.set_convenience_variable('st', mk('struct SysTable', st))
# A command ring whose indices wrapped past 2^32: tail 0xfffffffe, head 2,
# so the four entries sit in slots 62, 63, 0, 1.
ring = bytearray(gdb.lookup_type('struct ion_cmd_ring').sizeof)
struct.pack_into('<IIII', ring, 0, 2, 0xfffffffe, 63, 32)
for n, slot in enumerate((62, 63, 0, 1)):
    ring[16 + 32 * slot:16 + 32 * slot + 32] = pkt(0x402, 0, n, n)
gdb.set_convenience_variable('ring', mk('struct ion_cmd_ring', ring))
broken = bytearray(ring)
struct.pack_into('<I', broken, 8, 5)           # mask 5: capacity 6
gdb.set_convenience_variable('broken', mk('struct ion_cmd_ring', broken))
gdb.set_convenience_variable('hdr', mk('struct ion_ring', struct.pack('<IIII', 9, 1, 63, 32)))
gdb.set_convenience_variable('hdr_bad', mk('struct ion_ring', struct.pack('<IIII', 0, 0, 63, 0)))
fiber_type = gdb.lookup_type('struct fiber')
fb = bytearray(fiber_type.sizeof)
off = {f.name: f.bitpos // 8 for f in fiber_type.fields()}
struct.pack_into('<II', fb, off['id'], 4, 1)   # id 4, FIBER_READY
fb[off['name']:off['name'] + 1] = b'A'
struct.pack_into('<Q', fb, off['ctx'], kmain)  # ctx.ra
gdb.set_convenience_variable('fib', mk('struct fiber', fb))
end"""


def test_printers_decode_values_built_from_bytes(gdb_offline):
    r = gdb_offline([MAKE_VALUES, "print $p", "print $bad", "print $c", "print $st",
                     "print $fib", "print $hdr", "print $hdr_bad", "print/x $p.arg"])
    out = r.output
    # The 128-bit id in hex from its two halves (high bit set: not an int() in GDB 13).
    assert ("$1 = {kind = CMD_SYS_EXEC (0x400), _pad = 0, arg = 0xdeadbeef, "
            "id = 0xfedcba98765432100123456789abcdef}") in out, out
    assert "$2 = {kind = 0x999 (unknown kind), _pad = 7, arg = 0x1234, id = 0x0000" in out, out
    assert ("$3 = {kind = CMD_NOP (0x0), status = ION_ETAG (-2), seq = 3, result = 0}"
            in out), out
    assert re.search(r'\$4 = SysTable "RUMPKSYS" version 1, 72 bytes = \{magic = "RUMPKSYS", '
                     r"version = 1, size = 72, cmd_ring = 0x140001000, ", out), out
    assert re.search(r"\$5 = fiber 4 'A' ready, 0 switches, saved pc 0x[0-9a-f]+ <kmain> "
                     r"= \{ctx = \{ra = \d+", out), out
    assert "$6 = {head = 9, tail = 1, mask = 63, elem_size = 32} (used 8 of 64)" in out, out
    assert "$7 = {head = 0, tail = 0, mask = 63, elem_size = 0} <elem_size is zero>" in out, out
    assert "$8 = 0xdeadbeef" in out, out  # fields still reachable, formats still apply


def test_trap_frame_printer_names_the_cause_like_trap_describe(gdb_offline):
    r = gdb_offline([MAKE_VALUES, "print $tf", "print $tf_ill", "print $tf_irq",
                     "print $tf_res"])
    out = r.output
    assert re.search(r"\$1 = load page fault at 0x0, sepc 0x[0-9a-f]+ <kmain\+4> = "
                     r"\{ra = 0x[0-9a-f]+ <kmain>, sp = 0x80300000", out), out
    assert "$2 = illegal instruction (encoding 0x00000013), sepc" in out, out
    assert "$3 = supervisor timer interrupt, sepc" in out, out
    assert "$4 = reserved cause 10, sepc" in out, out
    # Every register by its ABI name, x1..x31 order, then the CSRs.
    names = re.findall(r"\b(\w+) = 0x", out.split("$1 = ")[1].split("\n")[0])
    assert names[:5] == ["ra", "sp", "gp", "tp", "t0"], names
    assert names[-5:] == ["t6", "sepc", "sstatus", "scause", "stval"], names


def test_typed_ring_printer_is_an_array_limited_by_print_elements(gdb_offline):
    r = gdb_offline([MAKE_VALUES, "print $ring", "set print elements 2", "print $ring",
                     "print $broken"])
    out = r.output
    first = re.search(r"\$1 = ion_cmd_ring: head 2, tail 4294967294, used 4/64 = \{(.*)\}$",
                      out, re.M)
    assert first, out
    kinds = re.findall(r"kind = CMD_SYS_YIELD \(0x402\), _pad = 0, arg = 0x(\d)", first[1])
    assert kinds == ["0", "1", "2", "3"], first[1]   # oldest first, across the wrap
    second = re.search(r"^\$2 = .*$", out, re.M)[0]
    assert second.count("CMD_SYS_YIELD") == 2 and second.endswith("...}"), second
    assert "$3 = ion_cmd_ring: head 2, tail 4294967294, <capacity is not a power of two>" in out


def test_printers_are_registered_on_the_kernel_objfile_and_can_be_disabled(gdb_offline):
    r = gdb_offline([MAKE_VALUES, "info pretty-printer",
                     "disable pretty-printer .* rumpk;CmdPacket", "print $p"])
    out = r.output
    listing = out.split("objfile")[1]
    assert "kernel.elf pretty-printers:" in listing, out
    for name in ("CmdPacket", "CmdCompletion", "SysTable", "fiber", "ion_ring",
                 "ion_typed_ring", "trap_frame"):
        assert re.search(rf"^\s+{name}$", listing, re.M), name
    assert "1 printer disabled" in out, out
    assert re.search(r"\$1 = \{kind = 1024, _pad = 0, arg = 3735928559, id = ", out), out


def test_pkt_dumps_a_packet_with_its_fields_bracketed_under_the_bytes(gdb_offline):
    r = gdb_offline([MAKE_VALUES, "pkt $bad"])
    lines = r.output.splitlines()
    start = lines.index("CmdPacket (not in memory)")
    assert lines[start + 1:start + 5] == [
        "  +0x00  99 09 00 00 07 00 00 00 34 12 00 00 00 00 00 00",
        "         [   kind  ] [   _pad  ] [         arg         ]",
        "  +0x10  01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
        "         [                      id                     ]",
    ], lines
    assert "  kind  0x999 (unknown kind)" in lines
    assert "  _pad  7" in lines
    assert "  arg   0x1234" in lines
    assert ("  id    0x00000000000000000000000000000001 (low half 0x0000000000000001, "
            "high half 0x0000000000000000)") in lines
    assert "  tag   not checked: no target (the key is in the kernel's RAM)" in lines
    assert "  warning: _pad is 7, not zero: the kernel refuses it (ION_EPAD)" in lines
    assert ("  warning: kind 0x999 is no CMD_* of include/abi/ion.h: the kernel answers "
            "ION_EKIND") in lines


def test_ring_draws_a_ring_built_from_bytes_with_the_wrap_and_checks_it(gdb_offline):
    r = gdb_offline([MAKE_VALUES, "ring $ring", "ring $ring --check", "ring $broken --check"])
    out = r.output
    assert "$ring: struct ion_cmd_ring" in out, out
    assert ("  head 2  tail 4294967294  mask 0x3f  elem_size 32  -> 64 x CmdPacket slots, "
            "used 4, free 60") in out
    strip = re.search(r"^  slots  0 (\S+)$", out, re.M)[1]
    assert strip == "##" + "." * 60 + "##", strip
    marks = re.search(r"^  slots  0 \S+\n(.*)$", out, re.M)[1]
    assert marks.index("H") - len("  slots  0 ") == 2 and marks.rstrip().endswith("T"), marks
    assert ("used: indices 4294967294..1 in slots 62..63 then 0..1 (wraps past the last "
            "slot); the indices wrap past 2^32") in out
    assert re.search(r"\[4294967294\] slot 62 +\{kind = CMD_SYS_YIELD \(0x402\), _pad = 0, "
                     r"arg = 0x0,", out), out
    assert re.search(r"\[ *1\] slot 1 +\{kind = CMD_SYS_YIELD \(0x402\), _pad = 0, arg = 0x3,",
                     out), out
    assert "$ring: OK" in out
    assert re.search(r"^    FAIL  capacity is not a power of two +\(mask 0x5, capacity 6\)$",
                     out, re.M), out
    assert "    warn  typed ring: capacity 6 but the slots array has 64 entries" in out, out
    assert "$broken: FAILS: capacity is not a power of two" in out, out


@pytest.fixture
def lone_kernel(tmp_path):
    """A copy of the kernel in a build folder of its own: no userland ELF."""
    kernel = tmp_path / "kernel.elf"
    shutil.copy(ROOT / "build" / "kernel.elf", kernel)
    return kernel


def test_pkt_layout_shows_the_kernels_cmdpacket_and_says_no_userland_elf(gdb_offline,
                                                                          lone_kernel):
    r = gdb_offline(["pkt --layout"], kernel=lone_kernel)
    lines = r.output.splitlines()
    assert lines[0] == "CmdPacket as each ELF's DWARF declares it (offset, size, type):"
    assert re.match(r"  field\s+\S*kernel\.elf$", lines[1]), lines
    assert [re.sub(r"\s+", " ", ln.strip()) for ln in lines[2:7]] == [
        "kind 0 4 uint32_t", "_pad 4 4 uint32_t", "arg 8 8 uint64_t",
        "id 16 16 __int128 unsigned", "(size) 32 bytes, align 16"], lines
    assert re.search(r"^  no userland ELF \(no RISC-V executable under .* besides the "
                     r"kernel\)$", r.output, re.M), r.output


def test_abi_check_reports_the_kernels_layouts_when_there_is_nothing_to_compare(gdb_offline,
                                                                                lone_kernel):
    r = gdb_offline(["abi check"], kernel=lone_kernel)
    out = r.output
    assert re.search(r"^ABI layouts in \S*kernel\.elf \(DWARF\):$", out, re.M), out
    for header in ("CmdPacket (32 bytes, align 16)", "CmdCompletion (32 bytes, align 8)",
                   "struct ion_ring (16 bytes, align 4)", "struct ion_desc (8 bytes, align 4)",
                   "struct SysTable (72 bytes, align 8)"):
        assert header in out, header
    assert re.search(r"^\s+16\s+16\s+id\s+__int128 unsigned$", out, re.M), out
    assert re.search(r"^\s+64\s+8\s+boot_time_us\s+uint64_t$", out, re.M), out
    assert "no userland ELF to compare" in out, out
    assert "abi check: OK (5 types, 1 ELF)" in out, out


def test_the_userland_elfs_in_build_agree_with_the_kernel(gdb_offline):
    """The real check: every userland ELF the build made (if any yet) has the
    kernel's layouts; stripped copies are skipped, not failed."""
    r = gdb_offline(["abi check", "pkt --layout"])
    out = r.output
    assert re.search(r"abi check: OK \(5 types, \d+ ELFs?\)", out), out
    assert "DIFFERS" not in out and "differs:" not in out, out
    if "userland ELF" in out and "against the kernel" in out:
        assert re.search(r"^  CmdPacket\s+same in \d+", out, re.M), out


DRIFTED = r"""
#include <stdint.h>
/* The history's 24-byte CmdPacket: arg shrank to 32 bits, no explicit pad. */
typedef struct CmdPacket {
    uint32_t kind;
    uint32_t arg;
    __uint128_t id;
} __attribute__((packed, aligned(8))) CmdPacket;
struct ion_ring { uint32_t head, tail, mask, elem_size; };
CmdPacket sample;
struct ion_ring ring;
"""


@pytest.fixture
def drifted_elf(tmp_path):
    cc = "riscv64-unknown-elf-gcc"
    if shutil.which(cc) is None:
        pytest.skip(f"{cc} is not installed")
    src = tmp_path / "drifted.c"
    src.write_text(DRIFTED)
    elf = tmp_path / "drifted.elf"
    subprocess.run([cc, "-march=rv64gc", "-mabi=lp64d", "-ffreestanding", "-nostdlib", "-g",
                    "-Wl,-e,0", str(src), "-o", str(elf)], check=True)
    return elf


def test_abi_check_and_pkt_layout_name_each_difference_of_a_drifted_elf(gdb_offline,
                                                                        drifted_elf):
    r = gdb_offline([f"abi check {drifted_elf}", f"pkt --layout {drifted_elf}"])
    out = r.output
    assert "1 userland ELF against the kernel:" in out, out
    assert re.search(r"^  CmdPacket\s+DIFFERS in 1$", out, re.M), out
    assert re.search(r"^  struct ion_ring\s+same in 1$", out, re.M), out
    assert re.search(r"^  struct SysTable\s+not declared in 1", out, re.M), out
    assert re.search(r"^  \S*drifted\.elf: CmdPacket:$", out, re.M), out
    assert "CmdPacket: size 24 in drifted.elf, 32 in kernel.elf" in out, out
    assert "CmdPacket.arg: offset 4 size 4 in drifted.elf, offset 8 size 8 in kernel.elf" in out
    assert "CmdPacket.id: offset 8 size 16 in drifted.elf, offset 16 size 16 in kernel.elf" in out
    assert "CmdPacket._pad: missing in drifted.elf (at offset 4 size 4 in kernel.elf)" in out
    assert re.search(r"abi check: \d+ difference\(s\)", out), out
    # Side by side: the kernel's column, then the drifted ELF's.
    row = re.search(r"^  arg\s+8\s+8\s+uint64_t\s+4\s+4\s+uint32_t$", out, re.M)
    assert row, out
    assert re.search(r"^  _pad\s+4\s+4\s+uint32_t\s+-$", out, re.M), out
    assert re.search(r"\(size\)\s+32 bytes, align 16\s+24 bytes, align 8", out), out


def test_commands_that_need_the_kernel_running_say_so(gdb_offline):
    r = gdb_offline(["fiber list", "fiber bt 1", "ring cmd", "systable", "pkt ion.cmd->slots"])
    out = r.output
    assert out.count("no target: fiber_table lives in the kernel's RAM") == 2, out
    assert out.count("no target: the ION state lives in the kernel's RAM") == 2, out
    assert "cannot read 32 bytes at 0x0" in out or "NULL" in out or "Cannot access" in out, out


def test_help_names_every_command_and_function(gdb_offline):
    r = gdb_offline(["help fiber", "help info fibers", "help ring", "help pkt", "help systable",
                     "help abi check", "help function fiber", "help function current_fiber",
                     "help function ring_used", "help set rumpk color", "show rumpk color"])
    out = r.output
    for text in ("fiber bt -- Backtrace of a fiber", "fiber list -- List the kernel's fibers",
                 "Show an ION ring: ring [EXPR] [--check]", "Dump CmdPackets: pkt",
                 "Show the SysTable: systable [ADDR]", "Compare the ABI layouts",
                 "$fiber(N): fiber_table[N]", "$current_fiber(): *current_fiber",
                 "$ring_used(RING): entries in a ring",
                 "Colour in rumpk output is off."):
        assert text in out, text


def test_colour_is_off_without_a_terminal_and_under_no_color(gdb_offline):
    import os
    env = dict(os.environ, NO_COLOR="1")
    argv = ["gdb-multiarch", "-nx", "-batch", "-ex", f"file {ROOT}/build/kernel.elf",
            "-ex", f"source {ROOT}/gdb/rumpk-gdb.py", "-ex", "show rumpk color",
            "-ex", "set rumpk color on", "-ex", "abi check"]
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=30).stdout
    assert "Colour in rumpk output is off." in out, out
    assert "\x1b[32mOK\x1b[0m" in out or "\x1b[1m" in out, out   # on when asked for


def test_colour_is_on_by_default_on_a_terminal():
    import os

    import pexpect
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["TERM"] = "xterm"
    child = pexpect.spawn("gdb-multiarch", ["-nx", "-batch", "-ex", f"file {ROOT}/build/kernel.elf",
                                            "-ex", f"source {ROOT}/gdb/rumpk-gdb.py",
                                            "-ex", "show rumpk color", "-ex", "ring $nothing"],
                          env=env, encoding="utf-8", timeout=30)
    child.expect(pexpect.EOF)
    assert "Colour in rumpk output is on." in child.before, child.before
