"""`set rumpk ...` parameters shared by every command."""
import os

import gdb


class RumpkPrefix(gdb.Command):
    """Settings of the Rumpk Lab extensions."""

    def __init__(self, verb):
        super().__init__(f"{verb} rumpk", gdb.COMMAND_DATA, gdb.COMPLETE_NONE, True)


RumpkPrefix("set")
RumpkPrefix("show")


def _terminal():
    """Is GDB writing to a terminal? (GDB's sys.stdout is its own pager
    object, which never says it is a tty: ask file descriptor 1.)"""
    try:
        return os.isatty(1) and os.environ.get("TERM") != "dumb"
    except OSError:
        return False


class ColorParameter(gdb.Parameter):
    """Colour in the output of the rumpk commands (on|off).

    Off by default when standard output is not a terminal or NO_COLOR is set."""

    set_doc = "Set whether rumpk commands colour their output."
    show_doc = "Show whether rumpk commands colour their output."

    def __init__(self):
        super().__init__("rumpk color", gdb.COMMAND_DATA, gdb.PARAM_BOOLEAN)
        self.value = _terminal() and "NO_COLOR" not in os.environ

    def get_show_string(self, svalue):
        return f"Colour in rumpk output is {svalue}."

    def get_set_string(self):
        return ""


color = ColorParameter()


def paint(text, code):
    """`text` wrapped in the ANSI colour `code` when colour is on."""
    if not color.value:
        return text
    return f"\x1b[{code}m{text}\x1b[0m"
