#!/usr/bin/python3
"""Lab 07: the loader copies exactly p_filesz bytes of each segment from the
file and leaves the rest of p_memsz (.bss) zero, as C promises; crt0 does
not help (it never touches .bss), so what a program sees at its first
instruction is what the loader made."""
import os
import re
import struct

from rumpklib.labkit import (CheckFailed, boot_gdbstub, check, exact_text, gdb_background, grade,
                             program_end)

PT_LOAD, PF_W = 1, 2
VERDICT = (r"(?P<ok>bss: ok \((?P<bytes>\d+) bytes of \.bss zero, \.data intact\))\r"
           r"|(?P<fail>bss: FAIL [^\r\n]+)\r"
           r"|(?P<rejected>\[ion\] rejected CmdPacket from sender \S+ seq \d+: [^;\r\n]+)[;\r]"
           r"|(?P<end>\[subject\] /bin/bss (?:exited|killed)[^\r\n]*)\r")


def data_segment(path):
    """(vaddr, offset, filesz, memsz) of the writable PT_LOAD of an ELF64 file,
    and the file's bytes."""
    with open(path, "rb") as f:
        elf = f.read()
    if elf[:4] != b"\x7fELF" or elf[4] != 2:
        raise CheckFailed(f"{path} is not an ELF64 file")
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        p_type, p_flags, offset, vaddr, _paddr, filesz, memsz, _align = struct.unpack_from(
            "<IIQQQQQQ", elf, phoff + i * phentsize)
        if p_type == PT_LOAD and p_flags & PF_W:
            return (vaddr, offset, filesz, memsz), elf
    raise CheckFailed(f"{path} has no writable PT_LOAD segment")


@check("the shell starts")
def shell(lab):
    lab.shell()


@check("bss prints `bss: ok` (every .bss byte zero, .data intact) and exits with status 0",
       parent=shell)
def bss_ok(lab):
    c = lab.shell()
    c.sendline("bss")
    m = c.expect(VERDICT, timeout=5, what="bss's verdict (bss: ok / bss: FAIL)")
    if not m.group("ok"):
        c.matched.pop()
        if m.group("rejected"):
            raise CheckFailed(f"bss never printed a word: the kernel refused its first system "
                              f"call ({m.group('rejected').strip()})", console=c)
        fails = re.findall(r"bss: FAIL [^\n]*", exact_text(c))
        raise CheckFailed(f"{len(fails) or 'no'} FAIL line(s), the first: "
                          f"{fails[0] if fails else m.group(0).strip()}", console=c)
    how = program_end(c, "/bin/bss")
    if how != ("exited", 0):
        raise CheckFailed(f"bss said ok but {how[0]} ({how[1]}), want exited with status 0",
                          console=c)


@check("at bss's first instruction, .data is the file's bytes and everything from p_filesz "
       "to p_memsz is zero (GDB reads the segment)", parent=shell)
def segment_in_memory(lab):
    """The loader alone: GDB stops in user_enter for /bin/bss (the program's
    page table is live, not one instruction of the program has run) and
    dumps its data segment."""
    staged = os.path.join(lab.tree, "build", "rootfs-bin", "bin", "bss")
    (vaddr, offset, filesz, memsz), elf = data_segment(staged)
    dump = os.path.join(lab.log_dir, "lab07-bss-segment.bin")
    if os.path.exists(dump):
        os.remove(dump)
    c, port = boot_gdbstub(lab, halted=False)
    c.expect(r"nipbox> ", timeout=20, what="the nipbox> prompt")
    gdb = gdb_background(lab, port, [
        'break user_enter if $_streq(current_process->path, "/bin/bss")',
        "continue",
        "print current_process->path",
        f"dump binary memory {dump} {vaddr:#x} {vaddr + memsz:#x}",
    ])
    gdb.wait_for(r"Breakpoint 1 at", what="the breakpoint in user_enter")
    c.sendline("bss")  # the machine is stopped until GDB continues: no race
    run = gdb.finish(timeout=30)
    if '"/bin/bss"' not in run.output or not os.path.isfile(dump):
        raise CheckFailed("GDB did not stop in user_enter for /bin/bss and dump its segment:\n"
                          + run.tail())
    with open(dump, "rb") as f:
        mem = f.read()
    if len(mem) != memsz:
        raise CheckFailed(f"GDB read {len(mem)} bytes of the segment, not {memsz}")
    want = elf[offset:offset + filesz]
    if mem[:filesz] != want:
        at = next(i for i in range(filesz) if mem[i] != want[i])
        raise CheckFailed(f".data differs from the file at {vaddr + at:#x} (offset {at} of "
                          f"p_filesz {filesz:#x}): {mem[at]:#04x}, the file has {want[at]:#04x}")
    dirty = [i for i in range(filesz, memsz) if mem[i]]
    if dirty:
        first = dirty[0]
        text = mem[first:first + 24]
        raise CheckFailed(f"{len(dirty)} of the {memsz - filesz} bytes from p_filesz to p_memsz "
                          f"are not zero when the program starts; the first at "
                          f"{vaddr + first:#x} (p_filesz + {first - filesz}): {text!r}")
    c.expect(r"bss: ok", timeout=10, what="bss: ok after GDB let the machine go on")


grade()
