"""`abi check [ELF...]`: do the kernel and every userland ELF agree on the
ABI structures (CmdPacket, CmdCompletion, struct ion_ring, struct ion_desc,
struct SysTable)?

The layouts come from each ELF's DWARF through scripts/rumpklib/dwarf_layout.py
(pyelftools), the module a standalone checker shares; GDB's own reading of
the kernel's DWARF is compared with it as well, so the two readers keep each
other honest. Every difference is printed by structure, field and offset.
"""
import os

import gdb

from rumpk import utils
from rumpk.settings import paint

from rumpklib import dwarf_layout  # noqa: E402  (scripts/ is on sys.path, see utils)


def build_dir():
    return os.path.dirname(os.path.abspath(utils.kernel_path()))


def cache_file():
    """Where layouts read with pyelftools are remembered between sessions."""
    return os.path.join(build_dir(), ".cache", "abi-layouts.json")


def userland_elfs(stripped=None):
    return dwarf_layout.find_userland_elfs(build_dir(), utils.kernel_path(), stripped)


def read_layouts(path):
    return dwarf_layout.read_layouts_cached(path, dwarf_layout.ABI_TYPES, cache_file())


def stripped_note(stripped):
    if not stripped:
        return []
    shown = ", ".join(utils.display_path(p) for p in stripped[:3])
    more = f" and {len(stripped) - 3} more" if len(stripped) > 3 else ""
    return [f"skipped {len(stripped)} ELF{'s' if len(stripped) > 1 else ''} without DWARF "
            f"(stripped copies): {shown}{more}"]


def gdb_layout(name):
    """A dwarf_layout.Layout of `name` as GDB reads the kernel's DWARF."""
    lay = utils.layout(name)
    t = lay.type.strip_typedefs()
    fields = [dwarf_layout.Field(f.name, f.offset, f.size, str(f.type)) for f in lay.fields]
    align = getattr(t, "alignof", 0) or 1
    return dwarf_layout.Layout(name, lay.size, align, fields, utils.kernel_path(), "gdb")


def _unit_diffs(layouts):
    """Differences between the compilation units of one ELF that declare a type."""
    diffs = []
    for other in layouts[1:]:
        diffs += dwarf_layout.compare(layouts[0], other)
    return diffs


def check_lines(elfs=None):
    kernel = utils.kernel_path()
    shown = utils.display_path(kernel)
    out = [paint(f"ABI layouts in {shown} (DWARF):", "1")]
    problems = 0
    try:
        kernel_all = read_layouts(kernel)
    except (ValueError, OSError) as e:
        raise gdb.GdbError(f"abi check: {e}") from None
    ref = {}
    for name in dwarf_layout.ABI_TYPES:
        layouts = kernel_all.get(name)
        if not layouts:
            out.append(paint(f"  {name}: not declared in {shown}", "31"))
            problems += 1
            continue
        ref[name] = layouts[0]
        out += ["  " + line for line in dwarf_layout.format_layout(layouts[0]).splitlines()]
        for d in _unit_diffs(layouts):
            out.append(paint(f"    differs between the kernel's units: {d}", "31"))
            problems += 1
        try:
            for d in dwarf_layout.compare(gdb_layout(name), layouts[0]):
                out.append(paint(f"    GDB and pyelftools read it differently: {d}", "31"))
                problems += 1
        except gdb.GdbError:
            pass
    stripped = []
    others = list(elfs) if elfs else userland_elfs(stripped)
    if not others:
        out.append(f"no userland ELF to compare (no RISC-V executable under "
                   f"{utils.display_path(build_dir())}/ besides the kernel)")
    tally = {name: ([], [], []) for name in dwarf_layout.ABI_TYPES}  # same, differs, absent
    unreadable = 0
    readable = []
    for path in others:
        try:
            found = read_layouts(path)
        except (ValueError, OSError) as e:
            out.append(paint(f"{utils.display_path(path)}: cannot compare: {e}", "31"))
            unreadable += 1
            continue
        readable.append(path)
        for name in dwarf_layout.ABI_TYPES:
            same, differs, absent = tally[name]
            layouts = found.get(name)
            if not layouts:
                absent.append(path)
                continue
            diffs = _unit_diffs(layouts)
            if name in ref:
                diffs += dwarf_layout.compare(ref[name], layouts[0])
            (differs.append((path, diffs)) if diffs else same.append(path))
    if readable:
        out.append(paint(f"{len(readable)} userland ELF{'s' if len(readable) > 1 else ''} "
                         "against the kernel:", "1"))
        for name in dwarf_layout.ABI_TYPES:
            same, differs, absent = tally[name]
            parts = [paint(f"same in {len(same)}", "32")] if same else []
            if differs:
                parts.append(paint(f"DIFFERS in {len(differs)}", "31"))
            if absent:
                parts.append(f"not declared in {len(absent)} (not used there)")
            out.append(f"  {name:<16} " + ", ".join(parts))
        for name in dwarf_layout.ABI_TYPES:
            for path, diffs in tally[name][1]:
                problems += len(diffs)
                out.append(paint(f"  {utils.display_path(path)}: {name}:", "31"))
                out += [paint(f"    {d}", "31") for d in diffs]
        names = [os.path.basename(p) for p in readable]
        out.append("  checked: " + ", ".join(names))
    out += stripped_note(stripped)
    n_elfs = 1 + len(readable)
    if problems or unreadable:
        parts = [f"{problems} difference(s)"] if problems else []
        if unreadable:
            parts.append(f"{unreadable} ELF(s) not compared")
        out.append(paint("abi check: " + ", ".join(parts), "31"))
    else:
        out.append(paint("abi check: OK", "32")
                   + f" ({len(ref)} types, {n_elfs} ELF{'s' if n_elfs > 1 else ''})")
    return out


class AbiPrefix(gdb.Command):
    """Commands about the kernel/user ABI (include/abi/)."""

    def __init__(self):
        super().__init__("abi", gdb.COMMAND_DATA, gdb.COMPLETE_NONE, True)


class AbiCheck(gdb.Command):
    """Compare the ABI layouts of the kernel and the userland ELFs: abi check [ELF...]

Reads CmdPacket, CmdCompletion, struct ion_ring, struct ion_desc and struct
SysTable from the DWARF of the kernel and of every userland ELF under build/
(RISC-V executables that are not a kernel), or of the ELFs named, with
pyelftools, and prints each difference by field and offset. Works without a
target."""

    def __init__(self):
        super().__init__("abi check", gdb.COMMAND_DATA, gdb.COMPLETE_FILENAME)

    def invoke(self, arg, from_tty):
        print("\n".join(check_lines(gdb.string_to_argv(arg))))


AbiPrefix()
AbiCheck()
