#!/usr/bin/python3
"""Lab 00: first light. No bug: the check boots the tree under GDB, stops in
kmain, reads the SysTable with the `systable` command once ion_init has
written it, lets the kernel go and sees the shell."""
import re

from rumpklib.labkit import CheckFailed, boot_gdbstub, check, gdb_batch, grade

MAGIC = 0x5359534B504D5552  # "RUMPKSYS", little-endian
SESSION = ["break kmain", "continue",
           "info registers pc ra sp a0 a1", "bt",
           "systable",                        # before ion_init: not written yet
           "break ion_init", "continue", "finish",   # back in kmain, ion_init done
           "systable", "print/x ion.systable->magic",
           "x/8cb ion.systable"]
seen = {}  # what the GDB session of the first check saw, for the others


def section(out, start, end=None):
    """The part of GDB's output from the line matching `start` up to `end`."""
    m = re.search(start, out, re.M)
    if not m:
        return ""
    rest = out[m.start():]
    if end:
        e = re.search(end, rest[1:], re.M)
        if e:
            rest = rest[:e.start() + 1]
    return rest


@check("GDB stops the kernel in kmain, called from _start on hart 0")
def stops_in_kmain(lab):
    c, port = boot_gdbstub(lab)
    g = gdb_batch(lab, port, SESSION)
    out = seen["gdb"] = g.output
    m = re.search(r"Breakpoint 1, kmain \(hartid=(\d+), fdt_blob=(0x[0-9a-f]+)\)", out)
    if not m:
        raise CheckFailed("GDB never stopped at `break kmain`:\n" + g.tail())
    if m[1] != "0":
        raise CheckFailed(f"kmain runs with hartid={m[1]}, not 0")
    regs = dict(re.findall(r"^(pc|ra|sp|a0|a1)\s+(0x[0-9a-f]+)\s", out, re.M))
    if not re.search(r"^pc\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <kmain>", out, re.M):
        raise CheckFailed("at the breakpoint, pc is not kmain's first instruction:\n" + g.tail())
    if not re.search(r"^ra\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <_start\+\d+>", out, re.M):
        raise CheckFailed("kmain's return address is not in _start (entry.S):\n" + g.tail())
    if regs.get("a1") != m[2]:
        raise CheckFailed(f"a1 is {regs.get('a1')}, but kmain's fdt_blob argument is {m[2]}")
    if not re.search(r"#1\s+0x[0-9a-f]+ in _start \(\) at kernel/arch/riscv64/entry\.S", out):
        raise CheckFailed("`bt` in kmain does not show _start (entry.S) as its caller:\n"
                          + g.tail())
    # The device tree address GDB saw is the one the kernel reports.
    c.expect(r"device tree at (0x[0-9a-f]+)", what="the [boot] device tree line")
    if c.child.match[1] != m[2]:
        raise CheckFailed(f"the kernel says the device tree is at {c.child.match[1]}, "
                          f"GDB saw fdt_blob={m[2]}", console=c)
    # GDB detached at the end of its session: the kernel must boot on.
    c.expect(r"nipbox> ", timeout=20, what="the nipbox> prompt after GDB detached")
    seen["detached_ok"] = True


@check("`systable` reads RUMPKSYS at 0x80100000 once ion_init has run", parent=stops_in_kmain)
def reads_systable(lab):
    out = seen["gdb"]
    before = section(out, r"^SysTable at ", r"^Breakpoint 2, ion_init")
    if not re.search(r"magic\s+\"\.{8}\" \(0x0+\)\s+not written yet", before):
        raise CheckFailed("before ion_init, `systable` should say the magic is not written "
                          "yet; it said:\n" + "\n".join("      " + ln for ln in
                                                        before.splitlines()[:3]))
    after = section(out, r"^Breakpoint 2, ion_init")
    if not re.search(r"^(Run till exit.*\n)?(0x[0-9a-f]+ in )?kmain \(", after, re.M):
        raise CheckFailed("GDB never came back from ion_init (`break ion_init`, `finish`):\n"
                          + "\n".join("      " + ln for ln in out.splitlines()[-6:]))
    table = section(after, r"^SysTable at ")
    m = re.search(r"^SysTable at (0x[0-9a-f]+) \((\d+) bytes, from ion\.systable\)", table, re.M)
    if not m:
        raise CheckFailed("`systable` printed no table from ion.systable:\n"
                          + "\n".join("      " + ln for ln in after.splitlines()[:6]))
    if int(m[1], 16) != 0x80100000 or m[2] != "72":
        raise CheckFailed(f"the SysTable is at {m[1]} ({m[2]} bytes); docs/abi.md says "
                          f"0x80100000, 72 bytes")
    for field, pattern in (("magic", r'"RUMPKSYS" \(0x5359534b504d5552\)\s+ok'),
                           ("version", r"1\s+ok"), ("size", r"72\s+ok"),
                           ("cmd_ring", r"0x140001000 = 0x80101000 in the kernel"),
                           ("packet_count", r"128")):
        if not re.search(rf"^\s+\+\d+\s+{field}\s+{pattern}", table, re.M):
            raise CheckFailed(f"`systable`'s {field} line is not what ion_init writes:\n"
                              + "\n".join("      " + ln for ln in table.splitlines()[:12]))
    m = re.search(r"^\$1 = (0x[0-9a-f]+)", after, re.M)
    if not m or int(m[1], 16) != MAGIC:
        raise CheckFailed(f"print/x ion.systable->magic gave {m and m[1]}, want 0x{MAGIC:x}")
    if not re.search(r"82 'R'\s+85 'U'\s+77 'M'\s+80 'P'\s+75 'K'\s+83 'S'\s+89 'Y'\s+83 'S'",
                     after):
        raise CheckFailed("x/8cb ion.systable does not show the bytes R U M P K S Y S")


@check("the kernel boots on to the nipbox> prompt and answers `ion`", parent=stops_in_kmain)
def boots_to_shell(lab):
    if not seen.get("detached_ok"):
        raise CheckFailed("the kernel did not reach nipbox> after GDB detached")
    c = lab.shell()
    c.sendline("ion")
    m = c.expect(r"command\s+head\s+\d+\s+tail\s+\d+\s+used\s+\d+/(\d+)\s*\r?\n",
                 what="the ion table's command ring line")
    if m[1] != "64":
        raise CheckFailed(f"the command ring has {m[1]} slots; the SysTable said 64", console=c)
    c.expect(r"nipbox> ", what="the prompt again")


grade()
