"""Guards for the classic mistakes with a kernel under QEMU.

- `run` and `start` would start build/kernel.elf on the host (with a remote
  target: "The program is not being run" or an internal error). Here the
  kernel already runs under QEMU: they explain that and suggest `continue`.
- A breakpoint whose address is not mapped in the current address space
  (a user address while no program, or another program, is mapped; an
  address nothing maps) never hits, silently. Each new breakpoint is checked
  against the page table in satp and a warning names the problem.
"""
import gdb

from rumpk import boundary, utils

PTE_V, PTE_R, PTE_W, PTE_X, PTE_U = 1, 2, 4, 8, 16


class GuardRun(gdb.Command):
    """(internal) what hook-run and hook-start run."""

    def __init__(self):
        super().__init__("rumpk-guard-run", gdb.COMMAND_RUNNING, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        cmd = arg.strip() or "run"
        if not utils.have_target():
            raise gdb.GdbError(f"{cmd}: the kernel runs under QEMU, not on this machine: "
                               "`make debug` starts QEMU and attaches this GDB to it")
        raise gdb.GdbError(f"{cmd}: the kernel is already running under QEMU and this GDB is "
                           "attached to it: `continue` lets it run (Ctrl-C stops it again); to "
                           "boot it afresh, quit and `make debug` again")


GuardRun()
for _cmd in ("run", "start", "starti"):
    gdb.execute(f"define hook-{_cmd}\nrumpk-guard-run {_cmd}\nend", to_string=True)


def translate(va):
    """(physical address, pte flags) of `va` in the address space of satp, or
    (None, why): a Sv39 walk through physical memory."""
    satp = int(gdb.parse_and_eval("$satp")) & ((1 << 64) - 1)
    if satp >> 60 != 8:
        return va, PTE_V | PTE_R | PTE_W | PTE_X   # paging off: physical
    if va >> 38 not in (0, (1 << 26) - 1):
        return None, "not a canonical Sv39 address"
    table = (satp & ((1 << 44) - 1)) << 12
    with utils.physical_memory():
        for level in (2, 1, 0):
            index = (va >> (12 + 9 * level)) & 0x1FF
            pte = int.from_bytes(bytes(gdb.selected_inferior().read_memory(table + 8 * index,
                                                                           8)), "little")
            if not pte & PTE_V:
                return None, "not mapped"
            if pte & (PTE_R | PTE_X):
                offset = va & ((1 << (12 + 9 * level)) - 1)
                return ((pte >> 10) << 12) + offset, pte & 0x3FF
            table = (pte >> 10) << 12
    return None, "not mapped"


def _space():
    program, _ = boundary.running_program()
    return f"{program}'s address space" if program else "the kernel's address space"


def _check(bp):
    if bp.type not in (gdb.BP_BREAKPOINT, gdb.BP_HARDWARE_BREAKPOINT) or bp.number < 0:
        return    # internal ones (negative numbers) are ours
    if not utils.have_target() or getattr(bp, "is_ubreak", False):   # ubreaks know
        return
    try:
        locations = bp.locations if hasattr(bp, "locations") else []
        addresses = [int(loc.address) for loc in locations if loc.address is not None]
        if not addresses and bp.location and bp.location.startswith("*"):
            addresses = [int(gdb.parse_and_eval(bp.location[1:]))]
    except gdb.error:
        return
    for address in addresses:
        try:
            pa, flags = translate(address)
        except (gdb.error, gdb.MemoryError):
            return
        if pa is None:
            hint = (" (a user program's address: ubreak PROGRAM:FUNCTION stops there when "
                    "that program runs)" if 0x100000000 <= address < 0x140000000 else "")
            print(f"warning: breakpoint {bp.number} at 0x{address:x}: {flags} in "
                  f"{_space()}, so it cannot hit now{hint}")
        elif not flags & PTE_X:
            print(f"warning: breakpoint {bp.number} at 0x{address:x}: mapped but not "
                  f"executable in {_space()}, so it cannot hit")


gdb.events.breakpoint_created.connect(_check)
