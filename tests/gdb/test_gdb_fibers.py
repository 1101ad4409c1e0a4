"""fiber list, fiber bt, $fiber(), $current_fiber() and the fiber printer on a
live kernel: selftest=fibers, stopped in fiber C right after it printed its
round 0, when A and B (and the selftest fiber) are suspended in fiber_yield."""
import re

import pytest

from gdbtools import frames, mask, source_line

SUSPENDED_IN_YIELD = ["schedule", "fiber_yield"]


@pytest.fixture(scope="module")
def checkpoint():
    line = source_line("kernel/core/selftest.c", 'kprintf("[fibers] %s round %d', offset=1)
    return [f"break selftest.c:{line} if label[0] == 'C'", "continue"]


def test_fiber_list_shows_every_fiber_with_state_stack_and_saved_pc(gdb, checkpoint):
    r = gdb(checkpoint + ["fiber list", "info fibers", "print fiber_count()",
                          "continue", "fiber list"],
            append="selftest=fibers")
    out = r.output
    assert "[fibers] C round 0" in r.console, r.console
    listing = out[out.index("   ID  NAME"):]
    header, *rows = listing.splitlines()
    assert re.match(r"\s+ID\s+NAME\s+STATE\s+SWITCHES\s+TICKS\s+STACK\s+RESTARTS\s+"
                    r"LAST YIELD\s+SAVED PC \(ctx\.ra\)$", header), header
    by_name = {}
    for row in rows:
        m = re.match(r"([* ])\s+(\d+)\s+(\S+)\s+(\w+)\s+(\d+)\s+(\d+)\s+(\d+)/(\d+)\s+(\d+)\s+"
                     r"(\S+)\s+(0x[0-9a-f]+ .*)$", row)
        if not m:
            break
        by_name[m[3]] = m
    # A and B wait in fiber_yield (called from pinger); C runs.
    for name in "AB":
        m = by_name[name]
        assert m[1] == " " and m[4] == "ready", m[0]
        assert m[10].startswith("pinger+"), m[0]
        assert re.search(r"0x[0-9a-f]+ schedule\+\d+ \(kernel/core/fiber\.c:\d+\)$", m[11]), m[0]
        used, size = int(m[7]), int(m[8])
        assert size == 16384 and 0 < used < size, m[0]
    c = by_name["C"]
    assert c[1] == "*" and c[4] == "running", c[0]
    assert re.search(r"pinger\+\d+ \(kernel/core/selftest\.c:\d+\) \(running: \$pc\)$", c[11])
    assert by_name["selftest"][10].startswith("wait_for_finished+"), by_name["selftest"][0]
    # The stack high-water mark GDB measured is the one the kernel measures
    # (ps uses fiber_stack_used, the same scan of the paint).
    count = int(re.search(r"\$1 = (\d+)", out)[1])
    assert count == len(by_name), (count, by_name.keys())
    # `info fibers` is the same table.
    assert out.count("   ID  NAME") == 3, out
    # What was read at one stop is forgotten at the next: C's next round
    # (after A and B had theirs) shows it switched in once more.
    last = out[out.rindex("   ID  NAME"):]
    c_again = re.search(r"^\*\s+\d+\s+C\s+running\s+(\d+)", last, re.M)
    assert c_again and int(c_again[1]) == int(c[5]) + 1, last
    assert "[fibers] C round 1" in r.console


def test_fiber_bt_backtraces_suspended_fibers_without_touching_the_registers(gdb, checkpoint):
    r = gdb(checkpoint + ["info registers pc sp s0", "bt", "fiber bt A", "fiber bt B",
                          "fiber bt selftest", "fiber bt all",
                          "info registers pc sp s0", "bt", "fiber bt C"],
            append="selftest=fibers")
    out = r.output
    regs = re.findall(r"^(pc|sp|s0|fp)\s+(0x[0-9a-f]+)", out, re.M)
    assert len(regs) == 6 and regs[:3] == regs[3:], regs   # $pc, $sp, $fp unchanged
    bts = {}
    for sec in re.split(r"^(?=fiber \d+ ')", out, flags=re.M)[1:]:
        name = re.match(r"fiber \d+ '([^']+)'", sec)[1]
        # A section ends with GDB's end-of-backtrace line (or its first blank line).
        end = re.search(r"^Backtrace stopped.*$|^$", sec, re.M)
        bts.setdefault(name, []).append(sec[:end.end()] if end else sec)
    for name in "AB":
        for sec in bts[name]:   # from `fiber bt NAME` and from `fiber bt all`
            assert re.match(rf"fiber \d+ '{name}' ready: saved pc 0x[0-9a-f]+ <schedule\+\d+>, "
                            r"sp 0x[0-9a-f]+, fp 0x[0-9a-f]+", sec), sec
            assert frames(sec) == SUSPENDED_IN_YIELD + ["pinger", "fiber_main",
                                                        "fiber_trampoline"], sec
            assert re.search(r"^#2\s+0x\? in pinger \(arg=0x\?\) at kernel/core/selftest\.c:\?$",
                             mask(sec), re.M), sec
            assert sec.rstrip().endswith("Backtrace stopped: frame did not save the PC"), sec
    for sec in bts["selftest"]:
        assert frames(sec)[:3] == SUSPENDED_IN_YIELD + ["wait_for_finished"], sec
        assert frames(sec)[-2:] == ["fiber_main", "fiber_trampoline"], sec
    # The current fiber's backtrace is the real one, the same `bt` shows.
    plain_bt = out[:re.search(r"^fiber \d+ '", out, re.M).start()]
    for sec in bts["C"]:
        assert "(the current fiber: its live registers)" in sec, sec
        assert frames(sec) == ["pinger", "fiber_main", "fiber_trampoline"], sec
    assert frames(plain_bt)[:1] == ["pinger"], plain_bt
    # A fiber that never ran has no frames to show yet.
    idle = [s for name, secs in bts.items() for s in secs if "not started yet" in s]
    for sec in idle:
        assert "fiber_trampoline -> fiber_main -> " in sec, sec


def test_convenience_functions_and_the_fiber_printer(gdb, checkpoint):
    r = gdb(checkpoint + ["print $current_fiber().name", "print $current_fiber()",
                          "print $fiber($current_fiber().id).id == current_fiber->id",
                          "print $fiber(0)", "print $fiber(9999)"],
            append="selftest=fibers")
    out = r.output
    assert re.search(r'\$1 = "C", ', out), out
    assert re.search(r"\$2 = fiber \d+ 'C' running, 1 switches = \{ctx = ", out), out
    assert "$3 = 1" in out, out
    assert re.search(r"\$4 = fiber 0 '\w+' \w+, \d+ switches", out), out
    assert "$fiber: no fiber 9999" in out, out


def test_fiber_bt_when_the_innermost_frame_is_inlined(gdb):
    """Stopped in wait_for_interrupt, inlined into the idle fiber's loop: the
    unwinder must act on the first real frame (idle_loop), not the inline one."""
    r = gdb(["break wait_for_interrupt", "continue",
             "python print('inline frame 0:', gdb.newest_frame().type() == gdb.INLINE_FRAME)",
             "info registers pc sp", "bt", "fiber bt monitor", "fiber bt console",
             "info registers pc sp", "bt"], append="monitor")
    out = r.output
    assert "inline frame 0: True" in out, out
    regs = re.findall(r"^(pc|sp)\s+(0x[0-9a-f]+)", out, re.M)
    assert len(regs) == 4 and regs[:2] == regs[2:], regs
    monitor = out[re.search(r"^fiber \d+ 'monitor'", out, re.M).start():]
    names = frames(monitor.split("Backtrace stopped")[0])
    assert names[:2] == SUSPENDED_IN_YIELD[:1] + ["fiber_block"], names
    assert "monitor_run" in names and names[-2:] == ["fiber_main", "fiber_trampoline"], names
    bts = re.findall(r"^#0  (?:0x[0-9a-f]+ in )?wait_for_interrupt \(\) at kernel/arch/riscv64/csr\.h:\d+\n"
                     r"#1  idle_loop \(", out, re.M)
    assert len(bts) == 2, out   # the real backtrace, before and after
