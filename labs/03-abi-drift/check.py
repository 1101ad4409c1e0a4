#!/usr/bin/python3
"""Lab 03: CMD_SYS_EXEC must reach the kernel with the fields where the
kernel reads them (kind at 0, _pad at 4, arg at 8, id at 16: 32 bytes), and
the DWARF of the kernel and of every user program must agree on CmdPacket."""
import glob
import os
import re

from rumpklib.labkit import CheckFailed, check, grade

REJECTED = (r"\[ion\] rejected CmdPacket from sender (0x[0-9a-f]+) seq (\d+): ([^;]*); raw: "
            r"((?:[0-9a-f]{16} ?){4})")


def this_boot(c):
    """The console text of this boot only (the log holds every boot of the run)."""
    text = c.text()
    i = text.rfind("\n# " + " ".join(c.argv) + "\n")
    return text[i:] if i >= 0 else text


def decode(raw):
    """The 32 raw bytes of a rejected packet as the kernel read them."""
    data = bytes.fromhex(raw.replace(" ", ""))
    le = lambda a, b: int.from_bytes(data[a:b], "little")  # noqa: E731
    where = [o for o in range(0, 29, 4) if le(o, o + 4) == 0x400]
    at = f"; 0x400 (CMD_SYS_EXEC) sits at offset {where[0]}" if where else ""
    return (f"the kernel read kind 0x{le(0, 4):x}, _pad 0x{le(4, 8):x}, arg 0x{le(8, 16):x}"
            f"{at}")


def expect_or_rejected(c, pattern, what, timeout=10):
    """Waits for `pattern`; a rejected-packet line first fails the check with
    the packet decoded."""
    m = c.expect(f"{pattern}|{REJECTED}", timeout=timeout, what=what)
    line = re.search(REJECTED, m[0])
    if line:
        c.matched.pop()  # the rejected line is the BAD one
        raise CheckFailed(f"the kernel rejected a CmdPacket (seq {line[2]}: {line[3]}): "
                          f"{decode(line[4])}", console=c)
    return m


@check("the kernel boots to the shell")
def boots(lab):
    lab.shell()


@check("CMD_SYS_EXEC reaches the kernel intact: `hello` runs", parent=boots)
def exec_works(lab):
    c = lab.shell()
    c.sendline("hello")
    expect_or_rejected(c, r"Hello from a dynamically loaded ELF!", "hello's line")
    c.expect(r"\[subject\] /bin/hello exited with status 0", what="hello's end")
    c.expect(r"nipbox> ", what="the prompt after hello")


@check("exec's argument arrives whole: argv, exit statuses and refusals", parent=exec_works)
def exec_arguments(lab):
    c = lab.shell()
    c.sendline('echo-args one "two three" 4')
    expect_or_rejected(c, r"argc=4", "echo-args' argc=4")
    c.expect(r"argv\[1\]=one\s", what="argv[1]=one")
    c.expect(r"argv\[2\]=two three\s", what="argv[2]=two three")
    c.expect(r"argv\[3\]=4\s", what="argv[3]=4")
    c.expect(r"\[subject\] /bin/echo-args exited with status 0", what="echo-args' end")
    c.expect(r"nipbox> ", what="the prompt after echo-args")
    c.sendline("exec /bin/returner")
    c.expect(r"\[subject\] /bin/returner exited with status 7", what="returner's status 7")
    c.expect(r"nipbox> ", what="the prompt after returner")
    c.sendline("exec /etc/motd")  # not an ELF: the kernel must read the path to say so
    c.expect(r"exec: /etc/motd: [^\r\n]+", what="the kernel refusing /etc/motd by name")
    c.expect(r"nipbox> ", what="the prompt after the refusal")
    c.sendline("ion")
    m = c.expect(r"commands: (\d+) processed, (\d+) rejected", what="ion's commands line")
    c.expect(r"nipbox> ", what="the prompt after ion")
    if re.search(r"\[ion\] rejected CmdPacket", this_boot(c)):
        raise CheckFailed("the kernel logged a rejected CmdPacket", console=c)


def layouts(path, unit_list):
    from rumpklib import dwarf_layout
    # The fast reader when this rumpklib has it; the same Layouts either way.
    read = getattr(dwarf_layout, "read_layouts_selective", dwarf_layout.read_layouts)
    try:
        found = read(path, ("CmdPacket",))
    except (ValueError, OSError) as e:
        raise CheckFailed(f"{os.path.relpath(path)}: cannot read its DWARF: {e}")
    unit_list += found.get("CmdPacket", [])


@check("the kernel and every user program agree on CmdPacket (DWARF, field by field)")
def dwarf_agrees(lab):
    from rumpklib import dwarf_layout
    kernel = os.path.join(lab.tree, "build", "kernel.elf")
    users = sorted(glob.glob(os.path.join(lab.tree, "build", "userland", "*.elf")))
    if not users:
        raise CheckFailed("no build/userland/*.elf to compare with the kernel")
    ref = []
    layouts(kernel, ref)
    if not ref:
        raise CheckFailed("build/kernel.elf declares no CmdPacket in its DWARF")
    diffs = []
    for r in ref[1:]:
        diffs += [(f"kernel.elf ({r.unit})", d) for d in dwarf_layout.compare(ref[0], r)]
    for path in users:
        units = []
        layouts(path, units)
        for u in units:
            for d in dwarf_layout.compare(ref[0], u):
                diffs.append((f"{os.path.basename(path)} ({u.unit})", d))
    if diffs:
        where = sorted({w for w, _ in diffs})
        shown = []
        for w, d in diffs:
            if w == diffs[0][0]:
                shown.append(f"      {d}")
        raise CheckFailed(f"CmdPacket differs from the kernel's in {len(where)} compilation "
                          f"unit(s): {', '.join(where[:4])}{' ...' if len(where) > 4 else ''}; "
                          f"in the first:\n" + "\n".join(shown))


grade()
