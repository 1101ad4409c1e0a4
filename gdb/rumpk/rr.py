"""Time travel in a replayed recording (make record / make replay; docs/time-travel.md).

    rr where            the instruction count now (QEMU's: `monitor info replay`)
    rr marks [N]        the marks the kernel logged so far in this run (each command
                        taken off the command ring, each packet refused, each program
                        entered and ended), with their instruction counts; the last N
    rr seek N|#K|+N|-N  go to instruction count N, to mark K, or N instructions on/back
    rr back [N]         reverse-stepi N times (default 1), with a timeout
    rr back-to LOC      reverse-continue to LOC (the last time it was reached), with
                        a timeout and no other breakpoint in the way

The kernel stamps a mark with rdinstret. Under `-icount shift=0` that is QEMU's
instruction count plus a constant (the virtual time before the counting began);
`make record` measures the constant once (rr calibrate, in a replay) and
keeps it in build/rr/meta.json, so marks convert to the counts `rr seek` takes.

Reverse execution can hang inside QEMU 7.2 (docs/time-travel.md says when):
every command here that runs the target backwards or seeks has a timeout
(set rumpk rr-timeout, 20 s), after which GDB interrupts the target.
"""
import contextlib
import json
import os
import re
import signal
import threading

import gdb

from rumpk import abi, utils

REPLAY = re.compile(r"instruction count = (\d+)")
MARK_NAMES = {1: "command", 2: "REFUSED", 3: "exec", 4: "exit", 5: "killed"}


class RrDir(gdb.Parameter):
    """The recording's folder (meta.json, replay.bin), build/rr by default."""

    set_doc = "Set the folder of the recording rr commands use."
    show_doc = "Show the folder of the recording rr commands use."

    def __init__(self):
        super().__init__("rumpk rr-dir", gdb.COMMAND_RUNNING, gdb.PARAM_STRING)
        self.value = os.path.join(utils.REPO_ROOT, "build", "rr")


class RrTimeout(gdb.Parameter):
    """Seconds a reverse or seek command may take before GDB interrupts it."""

    set_doc = "Set the timeout of rr's reverse and seek commands."
    show_doc = "Show the timeout of rr's reverse and seek commands."

    def __init__(self):
        super().__init__("rumpk rr-timeout", gdb.COMMAND_RUNNING, gdb.PARAM_ZUINTEGER)
        self.value = 20


rr_dir = RrDir()
rr_timeout = RrTimeout()


def meta():
    path = os.path.join(rr_dir.value, "meta.json")
    try:
        with open(path) as f:
            return json.load(f)
    except OSError:
        raise gdb.GdbError(f"rr: no {path}: make record first") from None


def where():
    out = gdb.execute("monitor info replay", to_string=True)
    m = REPLAY.search(out)
    if not m:
        raise gdb.GdbError(f"rr: QEMU is not replaying a recording ({out.strip()}); "
                           "make replay starts one")
    return int(m[1])


def run_with_timeout(command, what):
    """Runs a GDB command that resumes the target; interrupts it after the
    timeout. Returns True when it finished by itself."""
    fired = []

    def interrupt():
        fired.append(True)
        os.kill(os.getpid(), signal.SIGINT)   # GDB sends the target a ^C

    timer = threading.Timer(rr_timeout.value or 1e9, interrupt)
    timer.start()
    try:
        gdb.execute(command, to_string=True)
    except (gdb.error, KeyboardInterrupt):
        if not fired:
            raise
    finally:
        timer.cancel()
    if fired:
        print(f"rr: {what} did not finish within {rr_timeout.value} s; interrupted at "
              f"instruction {where()} (docs/time-travel.md: when QEMU's reverse execution "
              "hangs)")
        return False
    return True


def marks():
    """[(index, raw icount, what, pid, arg, detail)] of the marks in the kernel's ring."""
    offset = meta().get("offset")
    if offset is None:
        raise gdb.GdbError("rr: the recording has no calibration (make record measures it)")
    count = int(gdb.parse_and_eval("rr_mark_count"))
    size = int(gdb.parse_and_eval("sizeof(rr_marks) / sizeof(rr_marks[0])"))
    out = []
    for index in range(max(0, count - size), count):
        m = gdb.parse_and_eval(f"rr_marks[{index % size}]")
        out.append((index, int(m["icount"]) - offset, int(m["what"]), int(m["pid"]),
                    int(m["arg"]), int(m["detail"])))
    return out


def describe(what, pid, arg, detail):
    name = MARK_NAMES.get(what, f"mark {what}")
    if what in (1, 2):
        status = detail & 0xFFFFFFFF
        status = status - (1 << 32) if status & 0x80000000 else status
        return (f"{name} {abi.format_kind(arg)} seq {detail >> 32} -> "
                f"{abi.format_status(status)} (pid {pid})")
    if what == 3:
        return f"{name} pid {pid}"
    return f"{name} pid {pid}, status {detail & 0xFFFFFFFF}"


class RrPrefix(gdb.Command):
    """Time travel in a replayed recording: rr where | marks | seek | back."""

    def __init__(self):
        super().__init__("rr", gdb.COMMAND_RUNNING, gdb.COMPLETE_NONE, True)


class RrWhere(gdb.Command):
    """The instruction count of the replay now."""

    def __init__(self):
        super().__init__("rr where", gdb.COMMAND_RUNNING, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        pc = int(gdb.parse_and_eval("$pc"))
        print(f"rr: instruction {where()} of the recording, at 0x{pc:x} {utils.symbol(pc)}")


class RrMarks(gdb.Command):
    """The marks the kernel has logged up to this point: rr marks [N] (the last N)."""

    def __init__(self):
        super().__init__("rr marks", gdb.COMMAND_RUNNING, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        found = marks()
        if arg.strip():
            found = found[-int(arg):]
        if not found:
            print("rr: no marks yet at this point of the recording (continue, then look again)")
            return
        rows = [[f"#{i}", str(icount), describe(what, pid, a, d)]
                for i, icount, what, pid, a, d in found]
        print(utils.table(rows, ["MARK", "INSTRUCTION", "WHAT"]))


class RrSeek(gdb.Command):
    """Go to an instruction count: rr seek N | #K (mark K) | +N | -N

QEMU loads the nearest snapshot before the target and replays up to it
(breakpoints are ignored on the way). At mark K you stand on the instruction
that read the counter for it, inside rr_mark(); `bt` shows who made it."""

    def __init__(self):
        super().__init__("rr seek", gdb.COMMAND_RUNNING, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        text = arg.strip()
        if not text:
            raise gdb.GdbError("usage: rr seek N | #K | +N | -N")
        if text.startswith("#"):
            k = int(text[1:])
            if k >= int(gdb.parse_and_eval("rr_mark_count")):
                forward_to_mark(k)   # not made yet: run forward to it
                return
            match = [m for m in marks() if m[0] == k]
            if not match:
                raise gdb.GdbError(f"rr: mark #{k} has left the kernel's ring of the last "
                                   "marks; seek by instruction count")
            target = match[0][1]
        elif text[0] in "+-":
            target = where() + int(text)
        else:
            target = int(text, 0)
        if target < 0:
            raise gdb.GdbError("rr: before the start of the recording")
        seek(target)
        pc = int(gdb.parse_and_eval("$pc"))
        print(f"rr: at instruction {where()}, {utils.describe_pc(pc)}")


def forward_to_mark(k):
    """Runs forward until the kernel makes mark #k: stops at the instruction
    that reads the counter for it, as a seek to a logged mark does."""
    read_pc = _rdinstret_in_rr_mark()[0]["addr"]
    bp = gdb.Breakpoint(f"*0x{read_pc:x}", internal=True, temporary=False)
    bp.condition = f"rr_mark_count == {k}"
    try:
        if not run_with_timeout("continue", f"running forward to mark #{k}"):
            return
    finally:
        bp.delete()
    pc = int(gdb.parse_and_eval("$pc"))
    print(f"rr: at mark #{k}, instruction {where()}, {utils.describe_pc(pc)}")


def _rdinstret_in_rr_mark():
    """(the rdinstret instruction in rr_mark, the register it writes)."""
    start = int(gdb.parse_and_eval("&rr_mark"))
    arch = gdb.selected_frame().architecture()
    for insn in arch.disassemble(start, start + 256):
        m = re.match(r"(?:rdinstret\s+(\w+)|csrr\s+(\w+),\s*instret)$", insn["asm"].strip())
        if m:
            return insn, m[1] or m[2]
    raise gdb.GdbError("rr: no rdinstret in rr_mark")


@contextlib.contextmanager
def breakpoints_off():
    """The user's breakpoints disabled meanwhile. A breakpoint QEMU meets
    while it replays from a snapshot (a seek, a reverse step) stops that
    replay half-way and GDB then waits forever (docs/time-travel.md)."""
    enabled = [b for b in gdb.breakpoints() if b.enabled]
    for b in enabled:
        b.enabled = False
    try:
        yield
    finally:
        for b in enabled:
            if b.is_valid():
                b.enabled = True


def seek(target):
    with breakpoints_off():
        gdb.execute(f"monitor replay_seek {target}", to_string=True)
        # QEMU has loaded the snapshot; the continue replays up to the target.
        run_with_timeout("continue", f"seek to {target}")
    gdb.execute("maintenance flush register-cache", to_string=True)


class RrBack(gdb.Command):
    """reverse-stepi N times (default 1), each with rr's timeout."""

    def __init__(self):
        super().__init__("rr back", gdb.COMMAND_RUNNING, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        n = int(arg) if arg.strip() else 1
        with breakpoints_off():
            for _ in range(n):
                if not run_with_timeout("reverse-stepi", "reverse-stepi"):
                    return
        pc = int(gdb.parse_and_eval("$pc"))
        print(f"rr: at instruction {where()}, {utils.describe_pc(pc)}")


class RrBackTo(gdb.Command):
    """reverse-continue to LOCATION (a function, FILE:LINE, *ADDRESS), with a timeout.

The other breakpoints are off meanwhile (QEMU's reverse-continue can hang when
one sits at the position it starts from), and the breakpoint used is removed
afterwards. Lands on the last time LOCATION was reached before now."""

    def __init__(self):
        super().__init__("rr back-to", gdb.COMMAND_RUNNING, gdb.COMPLETE_LOCATION)

    def invoke(self, arg, from_tty):
        if not arg.strip():
            raise gdb.GdbError("usage: rr back-to LOCATION")
        before = where()
        with breakpoints_off():
            target = gdb.Breakpoint(arg.strip(), internal=True)
            try:
                finished = run_with_timeout("reverse-continue",
                                            f"reverse-continue to {arg.strip()}")
            finally:
                target.delete()
        if finished:
            pc = int(gdb.parse_and_eval("$pc"))
            now = where()
            if now == 0:
                print(f"rr: {arg.strip()} was not reached before instruction {before}: at the "
                      "start of the recording")
            else:
                print(f"rr: back at instruction {now} ({before - now} before), "
                      f"{utils.describe_pc(pc)}")


class RrCalibrate(gdb.Command):
    """(make record) Measures rdinstret - QEMU's count at the first mark."""

    def __init__(self):
        super().__init__("rr calibrate", gdb.COMMAND_RUNNING, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        insn, register = _rdinstret_in_rr_mark()
        after = insn["addr"] + insn["length"]
        gdb.execute(f"thbreak *0x{after:x}", to_string=True)
        gdb.execute("continue", to_string=True)
        value = int(gdb.parse_and_eval(f"${register}")) & ((1 << 64) - 1)
        count = where()
        # The counter read the instructions before the rdinstret: count - 1.
        print(f"RR-OFFSET {value - (count - 1)}")


RrPrefix()
RrWhere()
RrMarks()
RrSeek()
RrBack()
RrBackTo()
RrCalibrate()
