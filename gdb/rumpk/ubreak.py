"""ubreak: breakpoints in user programs that are not running yet.

    ubreak hello:main                     a function of a program
    ubreak hello:hello.c:12               a line of a program's source
    ubreak userland/programs/hello.c:12   FILE:LINE, when the file says which
                                          program (programs/NAME.c, nipbox/*.c)
    ubreak                                the list, with hits and state

Every program is linked at the same addresses (0x100000000 up), so a user
breakpoint is an address plus the program it belongs to. The address is
resolved from the program's own ELF (build/userland/NAME.elf) when the ubreak
is set; a hardware breakpoint sits there from then on, and stops only while
that program runs. Which program runs is known from the kernel's exec hook
(debug_hook_exec, called each time the Subject enters a program): a
breakpoint there, invisible to the user, notes the program and lets the
kernel go on. The breakpoint survives respawns: every later run of the
program stops there again. When it stops, the boundary module has loaded the
program's symbols, so `bt` and `list` show the program's source.
"""
import os
import re

import gdb

from rumpk import usersyms, utils

_running = {"program": None}     # basename of the program the Subject entered last
_ubreaks = []


def _program_of_file(path):
    base = os.path.basename(path)
    if "/programs/" in path or path.startswith("programs/"):
        return os.path.splitext(base)[0]
    if "nipbox/" in path:
        return "nipbox"
    for name in os.listdir(os.path.join(utils.REPO_ROOT, "userland", "programs")):
        if name == base:
            return os.path.splitext(base)[0]
    return None


def parse(spec):
    """(program, location) from PROGRAM:FUNCTION, PROGRAM:FILE:LINE or FILE:LINE."""
    parts = spec.split(":")
    if len(parts) == 2 and re.fullmatch(r"\d+", parts[1]):      # FILE:LINE
        program = _program_of_file(parts[0])
        if program is None:
            raise gdb.GdbError(f"ubreak: which program is {parts[0]} part of? Say "
                               f"ubreak PROGRAM:{spec} (libnexus is in every program)")
        return program, spec
    if len(parts) in (2, 3) and parts[0]:
        return parts[0], ":".join(parts[1:])
    raise gdb.GdbError("usage: ubreak PROGRAM:FUNCTION | PROGRAM:FILE:LINE | FILE:LINE")


def resolve(program, location):
    """The address of `location` in `program`, from its ELF, loaded for the
    occasion if another program's symbols are loaded."""
    before = usersyms.loaded_program()
    usersyms.load(program)
    try:
        _unparsed, sals = gdb.decode_line(location)
        pcs = sorted({int(s.pc) for s in sals or () if s.symtab is None or
                      s.symtab.objfile.filename.endswith(f"/{program}.elf")})
        pcs = [pc for pc in pcs if pc >= 0x100000000]
    except gdb.error as e:
        raise gdb.GdbError(f"ubreak: {location} is not in {program}: {e}") from None
    finally:
        if before and before != program:
            usersyms.load(before)
    if not pcs:
        raise gdb.GdbError(f"ubreak: {location} is not in {program}")
    # decode_line gives a function's entry; step past the prologue as break does.
    return pcs[0]


class UserBreakpoint(gdb.Breakpoint):
    is_ubreak = True   # the guards leave it alone: it is meant for a program not mapped yet

    def __init__(self, program, location, address):
        super().__init__(f"*0x{address:x}", type=gdb.BP_HARDWARE_BREAKPOINT, internal=False)
        self.program = program
        self.where = location
        self.user_hits = 0

    def stop(self):
        if _running["program"] != self.program:
            return False     # the same address in another program
        self.user_hits += 1
        return True


class ExecWatch(gdb.Breakpoint):
    """On debug_hook_exec: notes the program the Subject enters; never stops."""

    def __init__(self):
        super().__init__("debug_hook_exec", internal=True)
        self.silent = True

    def stop(self):
        try:
            path = gdb.parse_and_eval("process->path").string()
        except gdb.error:
            return False
        _running["program"] = os.path.basename(path)
        if any(b.is_valid() and b.program == _running["program"] for b in _ubreaks):
            # Its symbols now, so that a ubreak's stop is reported in its
            # source, not in whatever program's symbols were loaded before.
            try:
                usersyms.load(_running["program"])
            except gdb.GdbError:
                pass
        return False


_watch = {"bp": None}


def _ensure_watch():
    if _watch["bp"] is None or not _watch["bp"].is_valid():
        _watch["bp"] = ExecWatch()


def _break_location(program, location):
    """The address `break` would use: past the prologue for a function."""
    before = usersyms.loaded_program()
    usersyms.load(program)
    try:
        out = gdb.execute(f"info line {location}", to_string=True)
    except gdb.error as e:
        raise gdb.GdbError(f"ubreak: {location} is not in {program}: {e}") from None
    finally:
        if before and before != program:
            usersyms.load(before)
    m = re.search(r"starts at address (0x[0-9a-f]+)", out)
    return int(m[1], 16) if m else None


class UBreak(gdb.Command):
    """Break in a user program, even one that has not started: ubreak PROGRAM:FUNCTION

Also ubreak PROGRAM:FILE:LINE, or FILE:LINE when the file belongs to one
program (userland/programs/NAME.c, userland/nipbox/*.c). The breakpoint stops
only while that program runs, every time it runs (it survives respawns);
the program's symbols are loaded when it stops. Without arguments: the list."""

    def __init__(self):
        super().__init__("ubreak", gdb.COMMAND_BREAKPOINTS, gdb.COMPLETE_LOCATION)

    def invoke(self, arg, from_tty):
        spec = arg.strip()
        if not spec:
            self.list()
            return
        program, location = parse(spec)
        usersyms.userland_elf(program)   # a clear error for an unknown program
        if re.search(r":\d+$", location):
            address = resolve(program, location)
        else:
            address = _break_location(program, location) or resolve(program, location)
        _ensure_watch()
        before = usersyms.loaded_program()
        usersyms.load(program)     # so that GDB describes the location in its source
        try:
            bp = UserBreakpoint(program, location, address)
        finally:
            if before and before != program:
                usersyms.load(before)
        _ubreaks.append(bp)
        print(f"ubreak {bp.number}: {program}:{location} at 0x{address:x} "
              f"(stops whenever /bin/{program} runs there)")

    def list(self):
        live = [b for b in _ubreaks if b.is_valid()]
        if not live:
            print("no ubreaks (ubreak PROGRAM:FUNCTION sets one)")
            return
        rows = [[str(b.number), b.program, b.where, f"0x{int(b.location[1:], 16):x}",
                 str(b.user_hits), "yes" if b.enabled else "no"] for b in live]
        print(utils.table(rows, ["NUM", "PROGRAM", "WHERE", "ADDRESS", "HITS", "ENABLED"]))


UBreak()
