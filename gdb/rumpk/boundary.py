"""The user/kernel boundary: which side GDB stopped on, and stepping across it.

- Every stop that changes side (or program) prints one banner line, e.g.
    [rumpk] user side: /bin/hello (pid 3), address space satp 0x8000000000080a4e
    [rumpk] kernel side (S-mode), in /bin/hello's address space (satp 0x...)
  and the running program's symbols are loaded beside the kernel's (usersyms),
  so `bt` and `list` make sense on both sides. The prompt says the side too:
  `[user:hello] (gdb) `, `[kernel] (gdb) `.
- `syscall step` (from user mode): on to the next ecall, into trap_entry, then
  to where the kernel takes the CmdPacket off the command ring
  (debug_hook_command), printing the packet as the kernel sees it.
  `syscall finish`: back to user mode, at the instruction after that ecall,
  with the completion the program is about to read.
- `set rumpk follow-ecall on`: `si` or `step` on an ecall goes into the
  kernel's trap entry. QEMU's single step otherwise runs the whole trap and
  stops after the ecall (and a single step on `sret` does not stop at all:
  `si` there always lands on the instruction sret returns to).

QEMU reads memory for GDB with the CPU's current privilege: stopped in U-mode,
kernel memory is unreadable (the kernel's pages have no U bit). The rumpk
commands read the kernel through QEMU's physical-memory mode then (the kernel
is mapped at its physical addresses); plain `print` of a kernel variable
from the user side says so.
"""
import os

import gdb

from rumpk import utils, usersyms
from rumpk.settings import paint

ECALL = 0x00000073
SRET = 0x10200073
SCAUSE_ECALL_FROM_U = 8
PROCINFO_PATH = 0x140100000 + 40     # PROCINFO_ADDR + offsetof(struct ProcInfo, path)
PROCINFO_PID = 0x140100000 + 32
USER_BASE = 0x100000000
MAX_INTERRUPT_STOPS = 10000           # trap entries for interrupts skipped by syscall step


# ---- where are we ---------------------------------------------------------

def privilege():
    """0 (U-mode), 1 (S-mode) or 3 (M-mode), from QEMU's virtual $priv."""
    try:
        return int(gdb.parse_and_eval("$priv"))
    except gdb.error:
        pc = int(gdb.parse_and_eval("$pc"))
        return 0 if USER_BASE <= pc < 0x140000000 else 1


def insn_at(pc):
    try:
        return int.from_bytes(bytes(gdb.selected_inferior().read_memory(pc, 4)), "little")
    except gdb.MemoryError:
        return None


def _string_at(address, size=256):
    data = bytes(gdb.selected_inferior().read_memory(address, size))
    return data.split(b"\0", 1)[0].decode(errors="replace")


def running_program():
    """(path, pid) of the program whose address space is active, or (None, None)."""
    try:
        if privilege() == 0:   # its ProcInfo page is readable from U-mode
            pid = int.from_bytes(bytes(gdb.selected_inferior().read_memory(PROCINFO_PID, 8)),
                                 "little")
            return _string_at(PROCINFO_PATH), pid
        proc = gdb.parse_and_eval("current_process")
        if int(proc) == 0:
            return None, None
        return proc["path"].string(), int(proc["pid"])
    except (gdb.error, gdb.MemoryError):
        return None, None


class Side:
    def __init__(self):
        self.priv = privilege()
        self.program, self.pid = running_program()
        self.satp = int(gdb.parse_and_eval("$satp")) & ((1 << 64) - 1)

    def key(self):
        return (self.priv == 0, self.program, self.pid, self.satp)

    def banner(self):
        if self.priv == 0:
            what = f"user side: {self.program or '?'} (pid {self.pid})"
            space = f"address space satp 0x{self.satp:x}"
            return f"[rumpk] {paint(what, '32')}, {space}"
        mode = {1: "S-mode", 3: "M-mode"}.get(self.priv, f"priv {self.priv}")
        space = (f"in {self.program}'s address space" if self.program
                 else "no user program") + f" (satp 0x{self.satp:x})"
        return f"[rumpk] {paint('kernel side', '33')} ({mode}), {space}"

    def prompt(self):
        # The side goes before GDB's own "(gdb) ", which scripts wait for.
        if self.priv == 0:
            return f"[user:{os.path.basename(self.program or '?')}] (gdb) "
        return "[kernel] (gdb) "


_last = {"key": None, "side": None}


def load_program_symbols(program):
    """The running program's symbols beside the kernel's, when it has an ELF."""
    if not program:
        return
    try:
        usersyms.load(program)
    except gdb.GdbError:
        pass  # no build/userland/NAME.elf: nothing to load


def _on_stop(event):
    if not utils.have_target():
        return
    try:
        side = Side()
    except gdb.error:
        return
    _last["side"] = side
    load_program_symbols(side.program)
    if side.key() != _last["key"]:
        _last["key"] = side.key()
        print(side.banner())


def _prompt(current):
    side = _last["side"]
    if side is None or not utils.have_target():
        return None
    return side.prompt()


gdb.events.stop.connect(_on_stop)
gdb.prompt_hook = _prompt


# ---- stepping across ------------------------------------------------------

_pending = {"return_pc": None, "program": None}


def resume():
    """`continue` with its output captured, but the side banners shown."""
    out = gdb.execute("continue", to_string=True)
    for line in out.splitlines():
        if line.startswith("[rumpk] "):
            print(line)


def _run_to(address, what):
    """Continue until pc == address (a temporary hardware breakpoint)."""
    gdb.execute(f"thbreak *0x{address:x}", to_string=True)
    resume()
    pc = int(gdb.parse_and_eval("$pc"))
    if pc != address:
        raise gdb.GdbError(f"stopped at 0x{pc:x} ({utils.describe_pc(pc)}) before reaching "
                           f"{what}")


def _delete_temporaries():
    for bp in gdb.breakpoints():
        if bp.temporary and bp.location and bp.location.startswith("*0x"):
            bp.delete()


def _into_trap_for_ecall():
    """From user mode, on to the trap entry of the next ecall; returns its pc."""
    stvec = int(gdb.parse_and_eval("$stvec")) & ~3
    for _ in range(MAX_INTERRUPT_STOPS):
        _run_to(stvec, "the trap entry")
        if int(gdb.parse_and_eval("$scause")) == SCAUSE_ECALL_FROM_U:
            return int(gdb.parse_and_eval("$sepc"))
        # A timer or device interrupt: the program has not reached its ecall yet.
    raise gdb.GdbError(f"no ecall after {MAX_INTERRUPT_STOPS} interrupts")


def _where(pc):
    line = utils.source_line(pc)
    return f"0x{pc:x} {utils.symbol(pc)}" + (f" ({line})" if line else "")


class SyscallPrefix(gdb.Command):
    """Step through a system call: syscall step | syscall finish."""

    def __init__(self):
        super().__init__("syscall", gdb.COMMAND_RUNNING, gdb.COMPLETE_NONE, True)


class SyscallStep(gdb.Command):
    """From user mode, into the kernel through the next system call.

Continues to the program's next ecall, stops at the kernel's trap entry
(printing where the ecall was), then continues to where the kernel takes the
CmdPacket off the command ring and prints it as the kernel sees it (kind,
arg, provenance tag checked). You end in ion_process_commands with the packet
in `p`. `syscall finish` goes back to user mode after the ecall. An ecall
that carries no command (a program waiting for a completion) is reported and
you are back in user mode after it."""

    def __init__(self):
        super().__init__("syscall step", gdb.COMMAND_RUNNING, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        if privilege() != 0:
            raise gdb.GdbError("syscall step: the cursor is on the kernel side; stop in a user "
                               "program first (ubreak PROGRAM:FUNCTION, then continue)")
        program, _pid = running_program()
        ecall_pc = _into_trap_for_ecall()
        return_pc = ecall_pc + 4
        _pending.update(return_pc=return_pc, program=program)
        print(f"[rumpk] ecall at {_where(ecall_pc)} -> trap_entry (scause 8, ecall from U-mode)")
        # Either the kernel takes a command, or the ecall carried none and
        # the program resumes after it: whichever comes first.
        hook = int(gdb.parse_and_eval("&debug_hook_command"))
        gdb.execute(f"thbreak *0x{hook:x}", to_string=True)
        gdb.execute(f"thbreak *0x{return_pc:x}", to_string=True)
        resume()
        pc = int(gdb.parse_and_eval("$pc"))
        _delete_temporaries()
        if pc == return_pc:
            _pending["return_pc"] = None
            print(f"[rumpk] that ecall carried no command (the program was waiting for its "
                  f"completion); back in user mode at {_where(pc)}")
            return
        if pc != hook:
            raise gdb.GdbError(f"syscall step: stopped at {_where(pc)}")
        packet = int(gdb.parse_and_eval("$a0"))
        seq = int(gdb.parse_and_eval("$a1"))
        from rumpk import packets   # late: packets needs the kernel's types
        data = utils.read(packet, packets.CMD_PACKET.get_type().sizeof)
        gdb.execute("finish", to_string=True)   # out of the hook, into ion_process_commands
        print(f"[rumpk] the kernel took this CmdPacket off the command ring (seq {seq}):")
        print("\n".join(packets.packet_report(data, packet)))
        frame = gdb.selected_frame()
        print(f"[rumpk] now in {frame.name()} ({utils.source_line(int(frame.pc()))}); "
              "`syscall finish` returns to the program")


class SyscallFinish(gdb.Command):
    """Back to user mode, at the instruction after the ecall `syscall step` entered.

Prints the completion the kernel posted for the command (what the program is
about to read) and where the program resumes."""

    def __init__(self):
        super().__init__("syscall finish", gdb.COMMAND_RUNNING, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        return_pc = _pending["return_pc"]
        if return_pc is None:
            if privilege() == 0:
                raise gdb.GdbError("syscall finish: already in user mode")
            tf = gdb.parse_and_eval("last_trap_frame")
            if int(tf) == 0 or int(tf["sstatus"]) & (1 << 8):
                raise gdb.GdbError("syscall finish: no system call in progress; continue")
            return_pc = int(tf["sepc"])   # user_trap has moved it past the ecall
        for _ in range(MAX_INTERRUPT_STOPS):
            _run_to(return_pc, "the instruction after the ecall")
            if privilege() == 0:
                break
        _pending["return_pc"] = None
        completion = last_completion()
        print(f"[rumpk] back in user mode after the ecall, at {_where(return_pc)}")
        if completion:
            print(f"[rumpk] completion on the ring: {completion}")


def last_completion():
    """The newest CmdCompletion on the completion ring, as a line, or None."""
    from rumpk import packets, rings
    try:
        with utils.kernel_readable():
            ring = rings.resolve("completion")
            if ring.head == ring.tail:
                return None
            size = ring.elem_size
            slot = (ring.head - 1) & ring.mask
            address = ring.address + ring.slots_offset + slot * size
            return packets.completion_line(utils.read(address, size))
    except (gdb.error, gdb.MemoryError, AttributeError):
        return None


# ---- si / step on an ecall, si on an sret ---------------------------------

class FollowEcall(gdb.Parameter):
    """Whether `si` and `step` on an ecall continue into the kernel's trap entry.

Off: they behave as QEMU's single step does, which runs the whole trap and
stops after the ecall. Either way `si` on an `sret` stops where it returns."""

    set_doc = "Set whether si/step on an ecall go into the kernel."
    show_doc = "Show whether si/step on an ecall go into the kernel."

    def __init__(self):
        super().__init__("rumpk follow-ecall", gdb.COMMAND_RUNNING, gdb.PARAM_BOOLEAN)
        self.value = False

    def get_show_string(self, svalue):
        return f"si/step on an ecall go into the kernel: {svalue}."

    def get_set_string(self):
        return ""


follow_ecall = FollowEcall()


class BeforeStep(gdb.Command):
    """(internal) what hook-stepi and hook-step run."""

    def __init__(self):
        super().__init__("rumpk-before-step", gdb.COMMAND_RUNNING, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        if not utils.have_target():
            return
        pc = int(gdb.parse_and_eval("$pc"))
        insn = insn_at(pc)
        if insn == ECALL and follow_ecall.value and privilege() == 0:
            stvec = int(gdb.parse_and_eval("$stvec")) & ~3
            gdb.execute(f"thbreak *0x{stvec:x}", to_string=True)
        elif insn == SRET and arg.strip() == "stepi":
            sepc = int(gdb.parse_and_eval("$sepc")) & ~1
            gdb.execute(f"thbreak *0x{sepc:x}", to_string=True)


BeforeStep()
for _cmd in ("stepi", "step"):
    gdb.execute(f"define hook-{_cmd}\nrumpk-before-step {_cmd}\nend", to_string=True)

SyscallPrefix()
SyscallStep()
SyscallFinish()
