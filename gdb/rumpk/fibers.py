"""Fibers: `fiber list` (`info fibers`), `fiber bt N|NAME|all`, $fiber(n),
$current_fiber(), and the unwinder behind `fiber bt`.

fiber_table is read in one read and decoded at DWARF's offsets; each live
fiber's stack is read in one read and scanned for the paint the kernel
leaves on untouched stack (FIBER_STACK_PAINT, read from core/fiber.h).

A suspended fiber's backtrace comes from its saved context (ctx.ra, ctx.sp,
ctx.s[0] as the frame pointer, s1..s11) without touching the real registers:
while `fiber bt` runs, a Python unwinder tells GDB that the caller of the
innermost non-inline frame is the fiber's saved context. That frame's id uses
the fiber's saved sp, so GDB does not find the fiber's frames "inner" to the
real stack and stop; the fiber's frames then unwind through their DWARF CFI
up to fiber_trampoline, whose `.cfi_undefined ra` ends the backtrace. The
real frames are dropped from the output, the fiber's renumbered from #0, and
GDB's frame cache is invalidated before and after.
"""
import re

import gdb
import gdb.unwinder

from rumpk import abi, utils
from rumpk.settings import paint

FIBER = utils.CachedType("struct fiber")
FIBER_STATE = utils.CachedType("enum fiber_state")
U64 = utils.CachedType("unsigned long")
DEFAULT_PAINT = 0x5A5A5A5A5A5A5A5A

_table = utils.target_cache({})
_names = utils.type_cache({})


def stack_paint():
    """FIBER_STACK_PAINT from the header that declares struct fiber."""
    return abi.defines_beside("fiber").get("FIBER_STACK_PAINT", DEFAULT_PAINT)


def state_name(state):
    """'ready' for FIBER_READY (the enum's own names, from DWARF)."""
    if "states" not in _names:
        _names["states"] = {f.enumval: f.name for f in FIBER_STATE.get_type().fields()}
    name = _names["states"].get(state)
    return name[len("FIBER_"):].lower() if name else f"?{state}"


def _state_value(name):
    if "states" not in _names:
        state_name(0)
    for value, n in _names["states"].items():
        if n == name:
            return value
    raise gdb.GdbError(f"enum fiber_state has no {name}")


class Fiber(dict):
    """One decoded struct fiber, plus where it is and whether it runs."""

    @property
    def name(self):
        return self["name"].split(b"\0", 1)[0].decode("utf-8", "replace")

    @property
    def state_name(self):
        return state_name(self["state"])

    @property
    def saved_pc(self):
        return self["ctx"]["ra"]

    def stack_used(self):
        """Bytes of its stack ever used: the stack is read in one piece and
        scanned from its lowest address for the first unpainted word, as
        fiber_stack_used() does."""
        if not self["stack"] or not self["stack_size"]:
            return None
        buf = utils.read(self["stack"], self["stack_size"])
        word = stack_paint().to_bytes(8, "little")
        if word == word[:1] * 8:
            painted = len(buf) - len(buf.lstrip(word[:1]))
            painted -= painted % 8
        else:
            painted = 0
            while painted + 8 <= len(buf) and buf[painted:painted + 8] == word:
                painted += 8
        return len(buf) - painted


def table():
    """(fibers, index of the current one or None): the live (not FREE)
    entries of fiber_table, from one read."""
    if "t" in _table:
        return _table["t"]
    if not utils.have_target():
        raise gdb.GdbError("no target: fiber_table lives in the kernel's RAM "
                           "(target remote first, or make debug)")
    address, raw, gtype = utils.read_global("fiber_table")
    lay = utils.layout(FIBER.get_type())
    size = lay.size
    count = gtype.sizeof // size
    free = _state_value("FIBER_FREE")
    state = lay["state"]
    fibers = []
    for i in range(count):
        base = i * size
        if utils.decode_int(raw, base + state.offset, state.size) == free:
            continue
        f = Fiber(lay.decode(raw, base))
        f["_index"], f["_address"] = i, address + base
        fibers.append(f)
    cur_addr, cur_raw, cur_type = utils.read_global("current_fiber")
    current = utils.decode_int(cur_raw, 0, cur_type.sizeof)
    current_index = (current - address) // size if current else None
    _table["t"] = (fibers, current_index, count)
    return _table["t"]


def find(spec):
    """The Fiber named by `spec`: its id (fiber_table index) or its name."""
    fibers, _current, count = table()
    n = utils.parse_int(spec)
    if n is not None:
        for f in fibers:
            if f["_index"] == n:
                return f
        if 0 <= n < count:
            raise gdb.GdbError(f"fiber {n} is not in use (FIBER_FREE)")
        raise gdb.GdbError(f"no fiber {n}: fiber_table has {count} entries")
    matches = [f for f in fibers if f.name == spec]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise gdb.GdbError(f"no fiber named '{spec}' (fiber list shows them)")
    raise gdb.GdbError(f"{len(matches)} fibers are named '{spec}': give the id")


def _trampoline():
    return utils.minimal_address("fiber_trampoline")


def list_lines():
    fibers, current, _count = table()
    if not fibers:
        return ["no fibers: every fiber_table entry is free (the scheduler has not started)"]
    live_pc = int(gdb.newest_frame().pc()) if current is not None else None
    rows = []
    tramp = _trampoline()
    for f in fibers:
        used = f.stack_used()
        stack = "-" if used is None else f"{used}/{f['stack_size']}"
        colour = ""
        if used is not None and used * 10 >= f["stack_size"] * 9:
            colour = "31"
        elif used is not None and used * 4 >= f["stack_size"] * 3:
            colour = "33"
        is_current = f["_index"] == current
        if is_current:
            pc = f"{utils.describe_pc(live_pc)} (running: $pc)"
        elif f.saved_pc == tramp:
            pc = f"0x{f.saved_pc:x} fiber_trampoline (not started: runs {utils.symbol(f['entry'])})"
        else:
            pc = utils.describe_pc(f.saved_pc, return_address=True)
        yielded = utils.symbol(f["last_yield_pc"]) if f["last_yield_pc"] else "-"
        rows.append([(("*" if is_current else " "), "1" if is_current else ""),
                     str(f["_index"]), f.name, f.state_name, str(f["switches"]),
                     str(f["ticks_run"]), (stack, colour), str(f["restarts"]), yielded, pc])
    return utils.table(rows, [" ", "ID", "NAME", "STATE", "SWITCHES", "TICKS", "STACK",
                              "RESTARTS", "LAST YIELD", "SAVED PC (ctx.ra)"],
                       "<><<>>>><<").splitlines()


# ---- fiber bt -------------------------------------------------------------

class _FrameId:
    """What create_unwind_info wants: sp and pc as gdb.Values (GDB 13
    refuses plain ints here)."""

    def __init__(self, sp, pc):
        u64 = U64.get_type()
        self.sp, self.pc = gdb.Value(sp).cast(u64), gdb.Value(pc).cast(u64)


class FiberUnwinder(gdb.unwinder.Unwinder):
    """While armed, makes the caller of frame `level` (the innermost
    non-inline frame) the saved context of a suspended fiber."""

    def __init__(self):
        super().__init__("rumpk fiber context")
        self.context = None   # {register: value} of the fiber's saved context
        self.level = 0

    def __call__(self, pending_frame):
        if self.context is None or pending_frame.level() != self.level:
            return None
        u64 = U64.get_type()
        pc = int(pending_frame.read_register("pc"))
        info = pending_frame.create_unwind_info(_FrameId(self.context["sp"], pc))
        for reg, value in self.context.items():
            info.add_saved_register(reg, gdb.Value(value).cast(u64))
        return info


_unwinder = FiberUnwinder()
gdb.unwinder.register_unwinder(None, _unwinder, replace=True)

_FRAME_LINE = re.compile(r"^#(\d+)\s+")


def _renumber(text, first):
    """Drops frames #0..#first-1 (the real ones) and renumbers the rest from #0.
    Lines that continue a kept frame (or end the backtrace) stay."""
    out, keep = [], False
    for line in text.splitlines():
        m = _FRAME_LINE.match(line)
        if m:
            n = int(m.group(1))
            keep = n >= first
            if keep:
                out.append(f"#{n - first:<3}" + line[m.end():])
        elif keep:
            out.append(line)
    return "\n".join(out)


def suspended_backtrace(f, bt_args=""):
    """The backtrace of a suspended fiber from its saved context, with the
    real registers untouched."""
    ctx = f["ctx"]
    context = {"pc": ctx["ra"], "ra": ctx["ra"], "sp": ctx["sp"], "fp": ctx["s"][0]}
    for i in range(1, len(ctx["s"])):
        context[f"s{i}"] = ctx["s"][i]
    frame = gdb.newest_frame()
    while frame.type() == gdb.INLINE_FRAME and frame.older() is not None:
        frame = frame.older()
    level = frame.level()
    selected = gdb.selected_frame().level()
    # A frame count given to `backtrace` counts the real frames we drop too.
    bt_args = " ".join(str(int(w) + level + 1) if w.isdigit() else w for w in bt_args.split())
    _unwinder.context, _unwinder.level = context, level
    gdb.invalidate_cached_frames()
    try:
        text = gdb.execute(f"backtrace {bt_args}".strip(), to_string=True)
    finally:
        _unwinder.context = None
        gdb.invalidate_cached_frames()
        if selected:
            gdb.execute(f"frame {selected}", to_string=True)
    return _renumber(text, level + 1)


def backtrace_lines(f, current, bt_args=""):
    title = f"fiber {f['_index']} '{f.name}' {f.state_name}"
    if f["_index"] == current:
        return [paint(f"{title} (the current fiber: its live registers)", "1"),
                gdb.execute(f"backtrace {bt_args}".strip(), to_string=True).rstrip()]
    if f["state"] in (_state_value("FIBER_DEAD"), _state_value("FIBER_FREE")):
        return [paint(title, "1"), "  exited: its context is gone (its stack is freed "
                "by the next fiber to run)"]
    if f.saved_pc == _trampoline():
        return [paint(title, "1"), f"  not started yet: fiber_switch will enter "
                f"fiber_trampoline -> fiber_main -> {utils.symbol(f['entry'])}"
                f"(arg=0x{f['arg']:x}) on an empty stack (sp 0x{f['ctx']['sp']:x})"]
    head = (f"{title}: saved pc 0x{f.saved_pc:x} <{utils.symbol(f.saved_pc)}>, "
            f"sp 0x{f['ctx']['sp']:x}, fp 0x{f['ctx']['s'][0]:x}")
    return [paint(head, "1"), suspended_backtrace(f, bt_args).rstrip()]


# ---- commands -------------------------------------------------------------

class FiberPrefix(gdb.Command):
    """Kernel fibers: fiber list, fiber bt N|NAME|all. `fiber` alone lists them."""

    def __init__(self):
        super().__init__("fiber", gdb.COMMAND_STACK, gdb.COMPLETE_NONE, True)

    def invoke(self, arg, from_tty):
        if arg.strip():
            raise gdb.GdbError(f"unknown fiber command '{arg.strip()}' (help fiber)")
        print("\n".join(list_lines()))


class FiberList(gdb.Command):
    """List the kernel's fibers: fiber list (also: info fibers)

One line per fiber in use: * marks current_fiber; id, name, state, times
switched in, timer ticks run, stack high-water (measured now from the paint
left on its stack) against its size, watchdog restarts, where it last
yielded, and its saved pc (ctx.ra) with symbol and file:line (for the
running fiber: the live $pc). fiber_table is read in one read."""

    def __init__(self, name="fiber list", cls=gdb.COMMAND_STACK):
        super().__init__(name, cls)

    def invoke(self, arg, from_tty):
        print("\n".join(list_lines()))


class FiberBacktrace(gdb.Command):
    """Backtrace of a fiber: fiber bt N|NAME|all [full] [COUNT]

For a suspended fiber the backtrace starts at its saved context (ctx.ra,
ctx.sp, ctx.s[0]) and the real registers are left alone; for the current
fiber it is the ordinary backtrace. `all` shows every fiber in use; `full`
and COUNT are passed on to `backtrace`."""

    def __init__(self):
        super().__init__("fiber bt", gdb.COMMAND_STACK)

    def invoke(self, arg, from_tty):
        words = arg.split()
        if not words:
            raise gdb.GdbError("usage: fiber bt N|NAME|all [full] [COUNT]")
        spec, bt_args = words[0], " ".join(words[1:])
        fibers, current, _count = table()
        chosen = fibers if spec == "all" else [find(spec)]
        out = []
        for f in chosen:
            out += backtrace_lines(f, current, bt_args)
            if spec == "all":
                out.append("")
        print("\n".join(out).rstrip())


class FiberFunction(gdb.Function):
    """$fiber(N): fiber_table[N], the struct fiber with id N."""

    def __init__(self):
        super().__init__("fiber")

    def invoke(self, n):
        table_value = gdb.parse_and_eval("fiber_table")
        count = table_value.type.sizeof // table_value.type.target().sizeof
        i = int(n)
        if not 0 <= i < count:
            raise gdb.GdbError(f"$fiber: no fiber {i} (0..{count - 1})")
        return table_value[i]


class CurrentFiberFunction(gdb.Function):
    """$current_fiber(): *current_fiber, the struct fiber that is running."""

    def __init__(self):
        super().__init__("current_fiber")

    def invoke(self):
        ptr = gdb.parse_and_eval("current_fiber")
        if int(ptr) == 0:
            raise gdb.GdbError("current_fiber is NULL: the scheduler has not started")
        return ptr.dereference()


FiberPrefix()
FiberList()
FiberList("info fibers", gdb.COMMAND_STATUS)
FiberBacktrace()
FiberFunction()
CurrentFiberFunction()
