"""ION rings: `ring EXPR [--check]`, `$ring_used(r)`, and the ring model the
pretty-printers share.

A ring is a 16-byte struct ion_ring header (head, tail, mask, elem_size)
followed by capacity * elem_size bytes of slots (include/abi/ion.h). The
typed rings (struct ion_cmd_ring, ...) say in DWARF what their slots hold;
a bare struct ion_ring only knows elem_size. The whole ring is read in one
read and decoded here; `--check` applies ion_ring_check's rules, in its
order, with its words (kernel/ion/ring.h).
"""
import gdb

from rumpk import ion, utils
from rumpk.settings import paint

U32 = 0xFFFFFFFF
MAX_CAPACITY = 0x80000000          # ION_RING_MAX_CAPACITY (2^31)
MAX_SLOT_BYTES = 1 << 20           # read at most this much of a bare ring's slots
DRAW_MAX_SLOTS = 1024

# ion_ring_check's words (kernel/ion/ring.h), in its order.
RULE_ELEM_SIZE = "elem_size is zero"
RULE_CAPACITY = "capacity is not a power of two"
RULE_USED = "head - tail exceeds capacity"

ION_RING = utils.CachedType("struct ion_ring")


class Ring:
    """One ring: its header, its bytes and, for a typed ring, the slot type."""

    def __init__(self, label, address, raw, header_offset=0, slots_offset=None,
                 ring_type=None, elem_type=None, declared_capacity=None):
        hdr = utils.layout(ION_RING.get_type())
        h = hdr.decode(raw, header_offset)
        self.label = label
        self.address = address
        self.raw = raw
        self.head, self.tail = h["head"], h["tail"]
        self.mask, self.elem_size = h["mask"], h["elem_size"]
        self.slots_offset = header_offset + hdr.size if slots_offset is None else slots_offset
        self.ring_type = ring_type                  # struct ion_cmd_ring, or None (bare)
        self.elem_type = elem_type                  # CmdPacket, or None (bare)
        self.declared_capacity = declared_capacity  # the slots array's length
        self.reader = None                          # slot reader when raw is only the header

    # -- the arithmetic of kernel/ion/ring.h, on u32 ----------------------

    @property
    def capacity(self):
        return (self.mask + 1) & U32

    @property
    def used_raw(self):
        return (self.head - self.tail) & U32

    @property
    def used(self):
        """ion_ring_used(): head - tail, clamped to the capacity."""
        return min(self.used_raw, self.capacity)

    @property
    def free(self):
        return self.capacity - self.used

    def check(self):
        """[(rule words, broken?, detail)] in ion_ring_check's order; the
        first broken one is what ion_ring_check reports."""
        cap = self.capacity
        cap_ok = cap != 0 and (cap & self.mask) == 0 and cap <= MAX_CAPACITY
        return [
            (RULE_ELEM_SIZE, self.elem_size == 0, f"elem_size {self.elem_size}"),
            (RULE_CAPACITY, not cap_ok, f"mask 0x{self.mask:x}, capacity {cap}"
             if cap else f"mask 0x{self.mask:x}, capacity 2^32"),
            (RULE_USED, self.used_raw > cap,
             f"head {self.head} - tail {self.tail} = {self.used_raw}, capacity {cap}"),
        ]

    def why(self):
        """None, or ion_ring_check's *why: the first rule broken."""
        for words, broken, _detail in self.check():
            if broken:
                return words
        return None

    def typed_notes(self):
        """Typed rings: does the header agree with what DWARF says the slots are?"""
        notes = []
        if self.elem_type is not None and self.elem_size != self.elem_type.sizeof:
            notes.append(f"elem_size {self.elem_size} but the slots are {self.elem_type} "
                         f"({self.elem_type.sizeof} bytes)")
        if self.declared_capacity is not None and self.capacity != self.declared_capacity:
            notes.append(f"capacity {self.capacity} but the slots array has "
                         f"{self.declared_capacity} entries")
        return notes

    # -- slots ------------------------------------------------------------

    def slot_of(self, index):
        return index & self.mask

    def slot_bytes(self, index):
        """The elem_size bytes of the slot holding free-running index
        `index`, or None when they were not read."""
        start = self.slots_offset + self.slot_of(index) * self.elem_size
        end = start + self.elem_size
        if end <= len(self.raw):
            return self.raw[start:end]
        return self.reader(index) if self.reader else None

    def entries(self, limit=None):
        """[(index, slot, bytes)] of the used entries, oldest first."""
        n = self.used if limit is None else min(self.used, limit)
        out = []
        for k in range(n):
            i = (self.tail + k) & U32
            out.append((i, self.slot_of(i), self.slot_bytes(i)))
        return out

    def slot_address(self, index):
        if self.address is None:
            return None
        return self.address + self.slots_offset + self.slot_of(index) * self.elem_size

    def kind(self):
        """'command' etc. when this is one of the kernel's four rings."""
        return ion.ring_name_at(self.address) if self.address is not None else None


# ---- from an expression or value to a Ring --------------------------------

def _is_typed_ring(t):
    if t.code != gdb.TYPE_CODE_STRUCT:
        return False
    names = {f.name: f for f in t.fields()}
    return ("ring" in names and "slots" in names
            and names["ring"].type.strip_typedefs().tag == "ion_ring"
            and names["slots"].type.strip_typedefs().code == gdb.TYPE_CODE_ARRAY)


def _bare_at(label, address):
    hsize = ION_RING.get_type().sizeof
    header = utils.read(address, hsize)
    ring = Ring(label, address, header)
    if ring.why() is None:
        nbytes = ring.capacity * ring.elem_size
        if nbytes <= MAX_SLOT_BYTES:
            ring.raw = header + utils.read(address + hsize, nbytes)
        else:  # a huge ring: read the entries shown, each on its own
            ring.reader = lambda index: utils.read(ring.slot_address(index), ring.elem_size)
    return ring


def from_value(value, label):
    """The Ring that `value` (a ring, a pointer to one, or an address) is."""
    t = value.type.strip_typedefs()
    address = None
    if t.code == gdb.TYPE_CODE_PTR:
        target = t.target().strip_typedefs()
        address = int(value)
        if address == 0:
            raise gdb.GdbError(f"{label} is a NULL pointer (ion_init has not run yet?)")
        if target.code == gdb.TYPE_CODE_STRUCT:
            value, t = value.dereference(), target
        else:
            return _bare_at(label, address)
    elif t.code == gdb.TYPE_CODE_INT:
        return _bare_at(label, utils.to_int(value))
    elif t.code == gdb.TYPE_CODE_STRUCT and value.address is not None:
        address = int(value.address)

    if _is_typed_ring(t):
        lay = utils.layout(t)
        slots = lay["slots"]
        elem = slots.type.strip_typedefs().target()
        raw = utils.read(address, t.sizeof) if address is not None else utils.value_bytes(value)
        return Ring(label, address, raw, lay.offset("ring"), slots.offset, t,
                    slots.type.strip_typedefs().target(),
                    slots.size // elem.sizeof if elem.sizeof else None)
    if t.code == gdb.TYPE_CODE_STRUCT and t.tag == "ion_ring":
        if address is not None:
            return _bare_at(label, address)
        return Ring(label, None, utils.value_bytes(value))
    raise gdb.GdbError(f"{label} is a {value.type}, not a ring (struct ion_ring, a typed "
                       "ring such as struct ion_cmd_ring, a pointer to one, or an address)")


def resolve(expr):
    """A Ring for the text the user typed: an expression, or a ring name
    (command/cmd, completion, input, output) meaning ion.<field>."""
    expr = expr.strip()
    field = ion.ring_field(expr)
    if field and not (gdb.lookup_global_symbol(expr) or gdb.lookup_static_symbol(expr)):
        ion.state()  # a clear message without a target
        return from_value(gdb.parse_and_eval(f"ion.{field}"), f"ion.{field}")
    return from_value(gdb.parse_and_eval(expr), expr)


# ---- printing -------------------------------------------------------------

def elem_name(ring):
    return str(ring.elem_type) if ring.elem_type is not None else f"{ring.elem_size}-byte"


def header_lines(ring):
    what = str(ring.ring_type) if ring.ring_type is not None else "struct ion_ring (bare)"
    where = f" at 0x{ring.address:x}" if ring.address is not None else ""
    kind = ring.kind()
    kind = f" (the {kind} ring)" if kind else ""
    lines = [paint(f"{ring.label}: {what}{where}{kind}", "1")]
    elems = (f"{ring.capacity} x {elem_name(ring)} slots" if ring.elem_type is not None
             else f"{ring.capacity} slots of {ring.elem_size} bytes")
    lines.append(f"  head {ring.head}  tail {ring.tail}  mask 0x{ring.mask:x}  "
                 f"elem_size {ring.elem_size}  -> {elems}, used {ring.used}, free {ring.free}")
    return lines


def _ruler(start, n):
    line = [" "] * n
    for pos in range(0, n, 8):
        label = str(start + pos)
        if pos + len(label) <= n:
            line[pos:pos + len(label)] = label
    return "".join(line).rstrip()


def draw(ring):
    """The slots as a strip: '#' used, '.' free; T under tail, H under
    head (X when they share a slot); and where the used part wraps."""
    cap = ring.capacity
    if cap > DRAW_MAX_SLOTS:
        return [f"  ({cap} slots: too many to draw)"]
    used_slots = {(ring.tail + k) & ring.mask for k in range(ring.used)}
    tslot, hslot = ring.slot_of(ring.tail), ring.slot_of(ring.head)
    per_row = min(cap, 64)
    width = len(str(cap - 1))
    lines = []
    for start in range(0, cap, per_row):
        n = min(per_row, cap - start)
        cells = "".join(paint("#", "32") if s in used_slots else "."
                        for s in range(start, start + n))
        marks = [" "] * n
        for slot, mark in ((tslot, "T"), (hslot, "H")):
            if start <= slot < start + n:
                pos = slot - start
                marks[pos] = "X" if marks[pos] != " " else mark
        label = f"  slots {start:>{width}} "
        pad = " " * len(label)
        lines.append(f"{pad}{_ruler(start, n)}")
        lines.append(f"{label}{cells}")
        if "".join(marks).strip():
            lines.append(f"{pad}{''.join(marks).rstrip()}")
    legend = "# used  . free  T tail  H head" + ("  X both" if tslot == hslot else "")
    lines.append(f"  {legend}")
    lines.append("  " + span_text(ring))
    return lines


def span_text(ring):
    if ring.used == 0:
        return f"empty: tail = head = {ring.head} (slot {ring.slot_of(ring.head)})"
    first, last = ring.tail, (ring.tail + ring.used - 1) & U32
    fs, ls = ring.slot_of(first), ring.slot_of(last)
    text = f"used: indices {first}..{last} in slots "
    if fs + ring.used > ring.capacity:
        text += f"{fs}..{ring.capacity - 1} then 0..{ls} (wraps past the last slot)"
    else:
        text += f"{fs}..{ls}"
    if last < first:
        text += "; the indices wrap past 2^32"
    if ring.used == ring.capacity:
        text += "; full"
    return text


def _preview_packet(desc):
    """': "[selftest] hello..."' for an output-ring descriptor: the packet's
    first bytes, from the kernel's pool (ion.pool)."""
    try:
        pool = ion.state()["pool"]
        if desc["packet"] >= pool["count"]:
            return " (packet index out of the pool)"
        n = min(desc["len"], pool["packet_size"], 48)
        data = utils.read(pool["buffers"] + desc["packet"] * pool["packet_size"], n)
        more = "..." if desc["len"] > n else ""
        return f": {data.decode('latin-1')!r}{more}"
    except (gdb.GdbError, KeyError):
        return ""


def describe_entry(ring, index, data):
    """One used entry, decoded by the slot type (hex for a bare ring)."""
    from rumpk import packets
    if data is None:
        return "(not read)"
    if ring.elem_type is None:
        text = data[:32].hex(" ")
        return text + (" ..." if len(data) > 32 else "")
    tag = ring.elem_type.strip_typedefs().tag
    if tag == "CmdPacket":
        line = packets.packet_line(data)
        if ring.kind() == "command":
            verdict = packets.verify_on_ring(data, ring, index)
            if verdict is not None:
                line += "  " + verdict
        return line
    if tag == "CmdCompletion":
        return packets.completion_line(data)
    if tag == "ion_desc":
        d = utils.layout(ring.elem_type).decode(data)
        return f"packet {d['packet']}, {d['len']} bytes" + _preview_packet(d)
    return str(gdb.Value(data, ring.elem_type))


def entry_lines(ring):
    limit = gdb.parameter("print elements")
    entries = ring.entries(limit)
    if not entries:
        return []
    lines = [f"  {ring.used} used entr{'y' if ring.used == 1 else 'ies'}, oldest first:"]
    if ring.elem_type is not None and ring.elem_type.sizeof == 1:
        data = b"".join(d for _i, _s, d in entries if d is not None)
        lines.append(f"    indices {entries[0][0]}..{entries[-1][0]}: {data.decode('latin-1')!r}")
    else:
        width = max(len(str(i)) for i, _s, _d in entries)
        for i, slot, data in entries:
            lines.append(f"    [{i:>{width}}] slot {slot:<3} {describe_entry(ring, i, data)}")
    if len(entries) < ring.used:
        lines.append(f"    ... {ring.used - len(entries)} more (set print elements)")
    return lines


def check_lines(ring):
    lines = ["  ion_ring_check rules (kernel/ion/ring.h), in its order:"]
    first = None
    for words, broken, detail in ring.check():
        ok = paint("FAIL", "31") if broken else paint("ok", "32")
        rule = words if broken else {RULE_ELEM_SIZE: "elem_size is not zero",
                                     RULE_CAPACITY: "capacity is a power of two",
                                     RULE_USED: "head - tail within capacity"}[words]
        lines.append(f"    {ok:<4}  {rule:<34} ({detail})")
        if broken and first is None:
            first = words
    for note in ring.typed_notes():
        lines.append(f"    {paint('warn', '33')}  typed ring: {note}")
    verdict = (paint("OK", "32") if first is None
               else paint("FAILS", "31") + f": {first}")
    lines.append(f"{ring.label}: {verdict}")
    return lines


def summary_lines():
    """`ring` alone: the kernel's four rings in one table."""
    rows = []
    for name, field in ion.RING_FIELDS:
        try:
            r = from_value(gdb.parse_and_eval(f"ion.{field}"), f"ion.{field}")
        except gdb.GdbError as e:
            rows.append([name, f"ion.{field}", "-", "-", "-", "-", "-", str(e)])
            continue
        why = r.why()
        rows.append([name, f"ion.{field}", f"0x{r.address:x}", str(r.head), str(r.tail),
                     f"{r.used}/{r.capacity}", elem_name(r),
                     (why, "31") if why else ("ok", "32")])
    return utils.table(rows, ["RING", "EXPR", "ADDRESS", "HEAD", "TAIL", "USED", "ELEMENT",
                              "CHECK"], "<<<>>><<<").splitlines()


class RingCommand(gdb.Command):
    """Show an ION ring: ring [EXPR] [--check]

EXPR is a ring (struct ion_cmd_ring, struct ion_ring, ...), a pointer to one,
an address, or one of the names command (cmd), completion, input, output
for the kernel's rings. Prints head, tail, mask, used/free, a drawing of the
slots with tail (T) and head (H) marked and the wrap shown, and the used
entries decoded by the slot type (CmdPacket, CmdCompletion, ...; hex for a
bare struct ion_ring). Command-ring packets have their provenance tag checked
for the sequence number their position implies.
--check verifies the header as ion_ring_check does (elem_size non-zero,
capacity a power of two, head - tail <= capacity) and names the rule broken.
Without EXPR: a table of the kernel's four rings."""

    def __init__(self):
        super().__init__("ring", gdb.COMMAND_DATA, gdb.COMPLETE_EXPRESSION)

    @utils.kernel_view
    def invoke(self, arg, from_tty):
        words = arg.split()
        check = "--check" in words
        expr = " ".join(w for w in words if w != "--check")
        if not expr:
            for line in summary_lines():
                print(line)
            return
        ring = resolve(expr)
        out = header_lines(ring)
        if check:
            out += check_lines(ring)
        else:
            why = ring.why()
            if why:
                out.append(paint(f"  warning: {why} (ring {expr} --check)", "31"))
            out += [f"  warning: typed ring: {n}" for n in ring.typed_notes()]
            if why is None:
                out += draw(ring)
                out += entry_lines(ring)
                if ring.ring_type is None and ring.kind():
                    out.append(f"  (the {ring.kind()} ring: `ring {ring.kind()}` decodes "
                               "its entries by type)")
        print("\n".join(out))


class RingUsed(gdb.Function):
    """$ring_used(RING): entries in a ring (head - tail, clamped to the
capacity, as ion_ring_used computes it). RING: a ring, a pointer to one, or
an address."""

    def __init__(self):
        super().__init__("ring_used")

    def invoke(self, value):
        return gdb.Value(from_value(value, "$ring_used argument").used)


RingCommand()
RingUsed()
