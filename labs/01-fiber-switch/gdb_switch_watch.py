# Sourced into GDB by check.py: watches every fiber_switch and checks, from
# the outside, that each fiber gets back exactly the s0..s11 it had when it
# switched away. At fiber_switch's entry the leaving fiber's registers are
# noted under its context's address (a0); at fiber_switch's `ret` the
# arriving fiber's registers (a1 is its context) are compared with the note.
import gdb

REGS = ["s%d" % i for i in range(12)]
notes = {}
stats = {"compared": 0, "bad": []}


def regs():
    return [int(gdb.parse_and_eval("$" + r)) & (2**64 - 1) for r in REGS]


class Leave(gdb.Breakpoint):
    def stop(self):
        notes[int(gdb.parse_and_eval("$a0"))] = regs()
        return False


class Arrive(gdb.Breakpoint):
    def stop(self):
        ctx = int(gdb.parse_and_eval("$a1"))
        if ctx in notes:
            now = regs()
            stats["compared"] += 1
            for name, was, got in zip(REGS, notes.pop(ctx), now):
                if was != got and len(stats["bad"]) < 20:
                    stats["bad"].append("%s was 0x%x, came back 0x%x" % (name, was, got))
        return stats["compared"] >= 8  # enough to have seen every fiber come back


start = int(gdb.parse_and_eval("(long)&fiber_switch"))
ret = next(i["addr"] for i in gdb.selected_inferior().architecture().disassemble(start, count=40)
           if i["asm"].split()[0] == "ret")
Leave("*0x%x" % start, internal=True)
Arrive("*0x%x" % ret, internal=True)


class Report(gdb.Command):
    def __init__(self):
        super().__init__("switch-report", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        print("SWITCHES COMPARED %d" % stats["compared"])
        for b in stats["bad"]:
            print("CHANGED " + b)


Report()
