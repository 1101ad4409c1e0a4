"""Pretty-printers for the kernel's structures, registered on the kernel's
objfile (so `info pretty-printer` lists them under it and
`disable pretty-printer` can switch one off):

  struct fiber          id, name, state and where it stopped, then its fields
  struct ion_ring       the header and its fill level (or what is broken)
  struct ion_*_ring     the used entries, oldest first (display hint 'array':
                        `set print elements` limits them)
  CmdPacket             kind by name, arg and the 128-bit id in hex
  CmdCompletion         kind and status by name
  struct trap_frame     the cause in words, then the registers by ABI name
  struct SysTable       magic as text, version, and typed ring pointers

Each printer takes the value's bytes in one piece (utils.value_bytes) and
decodes them at DWARF's offsets, so the printers work on values built from
bytes too, without a target.
"""
import gdb
import gdb.printing

from rumpk import fibers, packets, rings, systable, traps, utils


class FiberPrinter:
    def __init__(self, value):
        self.value = value

    def to_string(self):
        lay = utils.layout(self.value.type)
        f = fibers.Fiber(lay.decode(utils.value_bytes(self.value)))
        text = f"fiber {f['id']} '{f.name}' {f.state_name}, {f['switches']} switches"
        if f["ctx"]["ra"] and f.state_name != "running":   # stale while it runs
            text += f", saved pc 0x{f.saved_pc:x} <{utils.symbol(f.saved_pc)}>"
        if f["last_yield_pc"]:
            text += f", last yield <{utils.symbol(f['last_yield_pc'])}>"
        return text

    def children(self):
        for field in self.value.type.strip_typedefs().fields():
            yield field.name, self.value[field]


def _ring_of(value):
    return rings.from_value(value, str(value.type))


class IonRingPrinter:
    """struct ion_ring: the header as GDB prints it, then the fill level."""

    def __init__(self, value):
        self.value = value

    def to_string(self):
        raw = utils.value_bytes(self.value)
        ring = rings.Ring("ring", None, raw)
        text = (f"{{head = {ring.head}, tail = {ring.tail}, mask = {ring.mask}, "
                f"elem_size = {ring.elem_size}}}")
        why = ring.why()
        return text + (f" <{why}>" if why else f" (used {ring.used} of {ring.capacity})")


class TypedRingPrinter:
    """struct ion_cmd_ring etc.: the used entries as an array, oldest first."""

    def __init__(self, value):
        self.value = value
        self.ring = rings.Ring(str(value.type), None, utils.value_bytes(value))

    def to_string(self):
        r = self.ring
        why = r.why()
        text = f"{self.value.type.strip_typedefs().tag}: head {r.head}, tail {r.tail}, "
        return text + (f"<{why}>" if why else f"used {r.used}/{r.capacity}")

    def children(self):
        if self.ring.why() is not None:
            return
        slots = self.value["slots"]
        for k in range(self.ring.used):
            index = (self.ring.tail + k) & rings.U32
            yield f"[{index}]", slots[index & self.ring.mask]

    def display_hint(self):
        return "array"


class CmdPacketPrinter:
    def __init__(self, value):
        self.value = value

    def to_string(self):
        return packets.packet_line(utils.value_bytes(self.value))


class CmdCompletionPrinter:
    def __init__(self, value):
        self.value = value

    def to_string(self):
        return packets.completion_line(utils.value_bytes(self.value))


class TrapFramePrinter:
    """The cause in words (as trap_describe says it), then every register by
    its ABI name, in hex with the symbol where there is one."""

    def __init__(self, value):
        self.value = value
        lay = utils.layout(value.type)
        self.regs = lay.decode(utils.value_bytes(value))
        self.lay = lay

    def to_string(self):
        r = self.regs
        return (f"{traps.describe(r['scause'], r['stval'])}, "
                f"sepc 0x{r['sepc']:x} <{utils.symbol(r['sepc'])}>")

    def children(self):
        void_p = gdb.lookup_type("void").pointer()
        for f in self.lay.fields:
            if f.name.startswith("_"):
                continue
            yield f.name, gdb.Value(self.regs[f.name]).cast(void_p)


class SysTablePrinter:
    def __init__(self, value):
        self.value = value
        self.lay = utils.layout(value.type)
        self.fields = self.lay.decode(utils.value_bytes(value))

    def to_string(self):
        s = self.fields
        return (f'SysTable "{systable.magic_text(s["magic"])}" version {s["version"]}, '
                f"{s['size']} bytes")

    def children(self):
        s = self.fields
        for f in self.lay.fields:
            v = s[f.name]
            if f.name == "magic":
                chars = gdb.lookup_type("char").array(7)
                yield f.name, gdb.Value(v.to_bytes(8, "little"), chars)
            elif systable.ring_field_type(f.name) is not None:
                yield f.name, gdb.Value(v).cast(systable.ring_field_type(f.name))
            elif f.name == "packet_pool":
                yield f.name, gdb.Value(v).cast(gdb.lookup_type("void").pointer())
            else:
                yield f.name, self.value[f.name]


def build():
    pp = gdb.printing.RegexpCollectionPrettyPrinter("rumpk")
    pp.add_printer("fiber", "^fiber$", FiberPrinter)
    pp.add_printer("ion_ring", "^ion_ring$", IonRingPrinter)
    pp.add_printer("ion_typed_ring", "^ion_(cmd|completion|input|output)_ring$",
                   TypedRingPrinter)
    pp.add_printer("CmdPacket", "^CmdPacket$", CmdPacketPrinter)
    pp.add_printer("CmdCompletion", "^CmdCompletion$", CmdCompletionPrinter)
    pp.add_printer("trap_frame", "^trap_frame$", TrapFramePrinter)
    pp.add_printer("SysTable", "^SysTable$", SysTablePrinter)
    return pp


def _is_kernel(objfile):
    try:
        return objfile.lookup_global_symbol("kmain") is not None
    except (gdb.error, AttributeError):
        return False


def register(objfile):
    if _is_kernel(objfile):
        gdb.printing.register_pretty_printer(objfile, build(), replace=True)


def _on_new_objfile(event):
    register(event.new_objfile)


for _objfile in gdb.objfiles():
    register(_objfile)
gdb.events.new_objfile.connect(_on_new_objfile)
