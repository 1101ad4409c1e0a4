"""user symbols [PROGRAM]: load a user program's symbols next to the kernel's.

User programs are linked at USER_BASE (include/abi/user.h) and keep their
debug information in build/userland/NAME.elf (the initrd holds stripped
copies). Without PROGRAM the command asks the kernel which program the
Subject runs now (current_process->path) and loads that one, so `bt`, `list`
and breakpoints make sense on the user side too.
"""
import os

import gdb

from rumpk import utils

_loaded = {}  # program name -> ELF path loaded with add-symbol-file


def userland_elf(name):
    base = os.path.basename(name.rstrip("/"))
    path = os.path.join(utils.REPO_ROOT, "build", "userland", base + ".elf")
    if not os.path.isfile(path):
        raise gdb.GdbError(f"user symbols: no {os.path.relpath(path, utils.REPO_ROOT)} "
                           "(make builds it)")
    return base, path


def running_program():
    """The path of the program the Subject runs, from the kernel."""
    proc = gdb.parse_and_eval("current_process")
    if int(proc) == 0:
        raise gdb.GdbError("user symbols: no user program is running (current_process is NULL); "
                           "name one: user symbols hello")
    return proc["path"].string()


class UserPrefix(gdb.Command):
    """Commands for the user side of the system."""

    def __init__(self):
        super().__init__("user", gdb.COMMAND_FILES, gdb.COMPLETE_NONE, True)


class UserSymbols(gdb.Command):
    """Load a user program's symbols: user symbols [PROGRAM]

PROGRAM is a name (hello) or a path (/bin/hello); by default the program the
Subject runs now. Symbols of a previously loaded program are replaced."""

    def __init__(self):
        super().__init__("user symbols", gdb.COMMAND_FILES, gdb.COMPLETE_FILENAME)

    def invoke(self, arg, from_tty):
        path = load(arg.strip() or running_program())
        print(f"user symbols: {os.path.relpath(path, utils.REPO_ROOT)} loaded "
              f"(linked at its own addresses, 0x100000000 up)")


def load(program):
    """Makes `program`'s symbols the user symbols GDB has (replacing the
    previous program's: every program is linked at the same addresses).
    Returns the ELF's path; does nothing when they are loaded already."""
    name, path = userland_elf(program)
    for old in list(_loaded.values()):
        if old != path:
            gdb.execute(f"remove-symbol-file {old}", to_string=True)
            _loaded.clear()
    if path not in _loaded.values():
        gdb.execute(f"add-symbol-file {path}", to_string=True)
        _loaded[name] = path
    return path


def loaded_program():
    """The name of the program whose symbols are loaded, or None."""
    return next(iter(_loaded), None)


UserPrefix()
UserSymbols()
