#!/usr/bin/python3
"""Lab 01: a fiber must get back every callee-saved register it had when it
yielded; the fibers self tests must interleave and end cleanly."""
import re

import os

from rumpklib.labkit import CheckFailed, boot_gdbstub, check, gdb_batch, grade

WRONG = r"\[switch\] (regs-[ab]) round (\d+): (s\d+) came back (0x[0-9a-f]+), want (0x[0-9a-f]+) \(([^)]*)\)"


@check("the kernel boots to the monitor")
def boots(lab):
    c = lab.boot("monitor")
    c.expect(r"rumpk> ", what="the rumpk> prompt")


@check("s0..s11 survive a fiber switch (selftest=switch)", parent=boots)
def registers_survive(lab):
    c = lab.boot("monitor selftest=switch")
    m = c.expect(r"\[switch\] (ok|FAIL): [^\r\n]*[\r\n]|unknown self test 'switch'", timeout=10,
                 what="the switch self test's verdict")
    if not m[1]:
        raise CheckFailed("this kernel has no `switch` self test (kernel/core/selftest.c)",
                          console=c)
    if m[1] == "FAIL":
        c.matched.pop()  # the verdict line is not a GOOD line
    text = c.text()
    wrong = re.findall(WRONG, text)
    if wrong:
        regs = sorted({w[2] for w in wrong}, key=lambda r: int(r[1:]))
        fiber, rnd, reg, got, want, whose = wrong[0]
        raise CheckFailed(f"{len(wrong)} times a register came back changed across fiber_yield "
                          f"({', '.join(regs)}); first: {fiber} round {rnd}: {reg} = {got}, "
                          f"want {want} ({whose})", console=c)
    for fiber in ("regs-a", "regs-b"):
        if f"[switch] {fiber}: s0..s11 intact after 3 yields" not in text:
            raise CheckFailed(f"fiber {fiber} never reported its registers intact", console=c)
    if "[switch] ok: every callee-saved register survived every switch" not in text:
        raise CheckFailed("the self test did not end with its ok line", console=c)
    c.expect(r"\[selftest\] switch: done", what="the self test's end")
    c.sendline("ps")
    c.expect(r"\*\s*\d+ monitor\s+running", what="the monitor answering ps")


@check("GDB sees every fiber get back its own s0..s11 at every switch", parent=boots)
def registers_seen_from_gdb(lab):
    """The same property, watched from outside the kernel: GDB notes s0..s11
    when a fiber enters fiber_switch and compares them when that fiber's
    context is loaded again (at fiber_switch's ret)."""
    console, port = boot_gdbstub(lab, "monitor selftest=switch")
    watcher = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gdb_switch_watch.py")
    run = gdb_batch(lab, port, [f"source {watcher}", "continue", "switch-report"], timeout=90)
    m = re.search(r"SWITCHES COMPARED (\d+)", run.output)
    if not m or int(m[1]) < 8:
        raise CheckFailed(f"GDB compared {m and m[1]} switches, expected at least 8:\n"
                          f"{run.tail()}")
    changed = re.findall(r"CHANGED (.*)", run.output)
    if changed:
        raise CheckFailed(f"after {m[1]} switches GDB saw {len(changed)} register(s) come back "
                          f"changed; first: {changed[0]}")


@check("three fibers take turns and finish (selftest=fibers)", parent=registers_survive)
def fibers_interleave(lab):
    c = lab.boot("monitor selftest=fibers")
    c.expect(r"\[fibers\] all 3 finished; (\d+) fibers remain", timeout=10,
             what="the fibers self test finishing")
    text = c.text()
    rounds = re.findall(r"\[fibers\] ([ABC]) round (\d)", text)
    want = [(f, str(r)) for r in range(3) for f in "ABC"]
    if rounds != want:
        raise CheckFailed(f"the rounds came in the order {rounds}, not A B C three times",
                          console=c)
    if "corrupted across a switch" in text:
        raise CheckFailed("a fiber's local was corrupted across a switch", console=c)


@check("256 fibers come and go, and their stacks are given back (selftest=fibers256)",
       parent=registers_survive)
def many_fibers(lab):
    c = lab.boot("monitor selftest=fibers256")
    m = c.expect(r"\[fibers\] (\d+) finished; fibers (\d+) -> (\d+); free pages (\d+) -> (\d+)",
                 timeout=15, what="the fibers256 self test finishing")
    done, before, after, pages_before, pages_after = (int(x) for x in m.groups())
    created = re.search(r"\[fibers\] created (\d+) fibers", c.text())
    if not created or int(created[1]) != done:
        raise CheckFailed(f"{done} fibers finished, but {created and created[1]} were created",
                          console=c)
    if before != after or pages_before != pages_after:
        raise CheckFailed(f"fibers {before} -> {after}, free pages {pages_before} -> "
                          f"{pages_after}: not everything was given back", console=c)


grade()
