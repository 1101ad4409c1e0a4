"""CmdPackets: `pkt ADDR|EXPR [COUNT]`, `pkt --layout [ELF...]`, and the
one-line forms the printers and `ring` use.

A packet is decoded from its 32 raw bytes at the offsets the kernel's DWARF
gives. Its provenance tag (kernel/ion/provenance.c) is checked in Python
(siphash.py) with the kernel's own key and sender (ion.sender_key,
ion.sender) and a sequence number: the one its position on the command
ring implies (ion.next_seq belongs to the packet at tail), or else
ion.next_seq - 1 and ion.next_seq.
"""
import os

import gdb

from rumpk import abi, ion, siphash, utils
from rumpk.settings import paint

CMD_PACKET = utils.CachedType("CmdPacket")
U32 = 0xFFFFFFFF
U64 = (1 << 64) - 1


def decode(data):
    return utils.layout(CMD_PACKET.get_type()).decode(data)


def packet_line(data):
    """'{kind = CMD_NOP (0x0), _pad = 0, arg = 0xfeed, id = 0x4a44...}'."""
    p = decode(data)
    pad = str(p["_pad"]) if p["_pad"] == 0 else paint(str(p["_pad"]), "31")
    kind = abi.format_kind(p["kind"])
    if abi.kind_name(p["kind"]) is None:
        kind = paint(kind, "31")
    return (f"{{kind = {kind}, _pad = {pad}, arg = 0x{p['arg']:x}, "
            f"id = 0x{p['id']:032x}}}")


def completion_line(data):
    c = utils.layout("CmdCompletion").decode(data)
    status = abi.format_status(c["status"])
    if c["status"] != 0:
        status = paint(status, "31")
    return (f"{{kind = {abi.format_kind(c['kind'])}, status = {status}, seq = {c['seq']}, "
            f"result = {c['result']}}}")


# ---- provenance ---------------------------------------------------------

def tag_verifies(data, key, sender, seq):
    """(verifies?, expected 16 tag bytes) for the packet bytes `data`."""
    p = decode(data)
    want = siphash.provenance_tag(key, p["kind"], p["arg"], sender, seq)
    id_field = utils.layout(CMD_PACKET.get_type())["id"]
    got = data[id_field.offset:id_field.offset + id_field.size]
    return want == got, want


def seq_of_index(ring, index):
    """(seq, state) of the command-ring entry with free-running `index`:
    ion.next_seq is the sequence number of the packet at tail."""
    st = ion.state()
    ahead = (index - ring.tail) & U32
    if ahead < ring.used:
        return (st["next_seq"] + ahead) & U64, "pending"
    behind = (ring.tail - index) & U32
    if behind <= ring.capacity and st["next_seq"] >= behind:
        return st["next_seq"] - behind, "consumed"
    return None, "stale"


def verify_on_ring(data, ring, index):
    """'tag ok (seq 3)' or 'tag DOES NOT VERIFY (seq 3)' for a command-ring entry."""
    try:
        st = ion.state()
    except gdb.GdbError:
        return None
    seq, _state = seq_of_index(ring, index)
    if seq is None:
        return None
    ok, _want = tag_verifies(data, st["sender_key"], st["sender"], seq)
    return (paint("tag ok", "32") if ok else paint("tag DOES NOT VERIFY", "31")) + f" (seq {seq})"


def command_ring():
    """The kernel's command ring (a rings.Ring), or None before ion_init."""
    from rumpk import rings
    st = ion.state()
    if not st["cmd"]:
        return None
    return rings.from_value(gdb.parse_and_eval("ion.cmd"), "ion.cmd")


def ring_position(address):
    """(ring, slot, index, written?) when `address` is a slot of the
    command ring, else None."""
    ring = command_ring()
    if ring is None or ring.why() is not None:
        return None
    slots = ring.address + ring.slots_offset
    size = ring.elem_size
    if not slots <= address < slots + ring.capacity * size or (address - slots) % size:
        return None
    slot = (address - slots) // size
    # The most recent index that used this slot: head - 1 - distance.
    distance = (ring.head - 1 - slot) & ring.mask
    index = (ring.head - 1 - distance) & U32
    written = ring.head > distance or ring.head >= ring.capacity
    return ring, slot, index, written


# ---- the hexdump with the fields bracketed --------------------------------

def _bracket(name, nbytes, opens, closes):
    width = 3 * nbytes - 1
    inner = width - (1 if opens else 0) - (1 if closes else 0)
    label = name if len(name) <= inner else name[:max(inner, 0)]
    fill = "-" if not (opens and closes) else " "
    body = label.center(inner, fill) if inner > 0 else ""
    return ("[" if opens else "") + body + ("]" if closes else "")


def hexdump_lines(data, lay, per_row=16, indent="  "):
    """Rows of hex bytes, each with the fields under it: [  kind   ]."""
    lines = []
    for row in range(0, len(data), per_row):
        chunk = data[row:row + per_row]
        hexes = " ".join(f"{b:02x}" for b in chunk)
        lines.append(f"{indent}+0x{row:02x}  {hexes}")
        under = [" "] * (3 * len(chunk))
        for f in lay.fields:
            lo, hi = max(f.offset, row), min(f.offset + f.size, row + len(chunk))
            if lo >= hi:
                continue
            text = _bracket(f.name, hi - lo, lo == f.offset, hi == f.offset + f.size)
            pos = 3 * (lo - row)
            under[pos:pos + len(text)] = text
        lines.append(f"{indent}       {''.join(under).rstrip()}")
    return lines


def label_width(lay):
    return max([len(f.name) for f in lay.fields] + [len("tag")])


def field_lines(p, lay, indent="  "):
    width = label_width(lay)
    lines = []
    for f in lay.fields:
        v = p[f.name]
        if f.name == "kind":
            text = abi.format_kind(v)
        elif f.name == "_pad":
            text = str(v)
        elif f.name == "id" and f.size == 16:
            text = (f"0x{v:032x} (low half 0x{v & U64:016x}, high half 0x{v >> 64:016x})")
        elif isinstance(v, int):
            text = f"0x{v:x}"
        else:
            text = repr(v)
        lines.append(f"{indent}{f.name:<{width}}  {text}")
    return lines


def packet_report(data, address=None, verify=True):
    """The full `pkt` report for one packet's bytes."""
    lay = utils.layout(CMD_PACKET.get_type())
    p = lay.decode(data)
    where, seqs, never_written = "", None, False
    if verify and utils.have_target():
        pos = ring_position(address) if address is not None else None
        if pos is not None:
            ring, slot, index, written = pos
            if not written:
                where, never_written = f": command ring slot {slot}, never written", True
            else:
                seq, state = seq_of_index(ring, index)
                where = f": command ring slot {slot}, index {index}, {state}"
                if seq is not None:
                    seqs = [(seq, "its position on the command ring"
                             + (", if the sender has not changed" if state == "consumed" else ""))]
        if seqs is None and not never_written:
            n = ion.state()["next_seq"]
            seqs = [(n - 1, "ion.next_seq - 1")] if n else []
            seqs.append((n, "ion.next_seq"))
    head = f"CmdPacket at 0x{address:x}" if address is not None else "CmdPacket (not in memory)"
    out = [paint(head + where, "1")]
    out += hexdump_lines(data, lay)
    out += field_lines(p, lay)
    warnings = []
    if p["_pad"] != 0:
        warnings.append(f"_pad is {p['_pad']}, not zero: the kernel refuses it (ION_EPAD)")
    if abi.kind_name(p["kind"]) is None:
        warnings.append(f"kind 0x{p['kind']:x} is no CMD_* of include/abi/ion.h: "
                        "the kernel answers ION_EKIND")
    if never_written:
        out.append("  tag    not checked: the slot was never written")
    elif not verify or seqs is None or not utils.have_target():
        out.append("  tag    not checked: no target (the key is in the kernel's RAM)")
    else:
        st = ion.state()
        results = [(seq, why, *tag_verifies(data, st["sender_key"], st["sender"], seq))
                   for seq, why in seqs]
        good = [r for r in results if r[2]]
        sender = f"sender 0x{st['sender']:x}"
        if good:
            seq, why = good[0][0], good[0][1]
            out.append("  tag    " + paint("verifies", "32") + f" for {sender} seq {seq} ({why})")
        elif len(results) == 1:
            seq, why, _ok, want = results[0]
            out.append("  tag    " + paint("DOES NOT VERIFY", "31")
                       + f" for {sender} seq {seq} ({why}); expected id "
                       f"0x{int.from_bytes(want, 'little'):032x}")
            warnings.append("provenance tag does not verify: the kernel refuses it (ION_ETAG)")
        else:
            tried = " or ".join(f"seq {s} ({why})" for s, why, _o, _w in results)
            out.append("  tag    " + paint("verifies for none", "31") + f": {sender}, {tried}")
            warnings.append("provenance tag verifies for neither sequence number")
    width = label_width(lay)
    out = [line.replace("  tag    ", f"  {'tag':<{width}}  ", 1) for line in out]
    for w in warnings:
        out.append(paint(f"  warning: {w}", "33"))
    return out


# ---- pkt --layout ---------------------------------------------------------

def layout_lines(elfs=None):
    from rumpk import abicheck
    from rumpklib import dwarf_layout
    kernel = utils.kernel_path()
    columns = [(utils.display_path(kernel), abicheck.gdb_layout("CmdPacket"))]
    groups = []     # [(layout, [paths])]: userland ELFs with the same layout share a column
    notes, stripped = [], []
    for path in (elfs if elfs else abicheck.userland_elfs(stripped)):
        try:
            found = {n: ls[0] for n, ls in abicheck.read_layouts(path).items()}
        except (ValueError, OSError) as e:
            notes.append(f"{utils.display_path(path)}: {e}")
            continue
        if "CmdPacket" not in found:
            notes.append(f"{utils.display_path(path)}: declares no CmdPacket")
            continue
        lay = found["CmdPacket"]
        for glay, paths in groups:
            if (glay.size, glay.align, glay.fields) == (lay.size, lay.align, lay.fields):
                paths.append(path)
                break
        else:
            groups.append((lay, [path]))
    for n, (lay, paths) in enumerate(groups):
        title = (utils.display_path(paths[0]) if len(paths) == 1
                 else f"{len(paths)} userland ELFs ({chr(ord('A') + n)})")
        columns.append((title, lay))
        if len(paths) > 1:
            notes.append(f"({chr(ord('A') + n)}): "
                         + ", ".join(os.path.basename(p) for p in paths))
    ref = columns[0][1]
    names = [f.name for f in ref.fields]
    for _path, lay in columns[1:]:
        names += [f.name for f in lay.fields if f.name not in names]
    rows = []
    for name in names:
        row = [name]
        for i, (_path, lay) in enumerate(columns):
            f = lay.field(name)
            rf = ref.field(name)
            if f is None:
                row.append(("-", "31"))
                continue
            text = f"{f.offset:>3}  {f.size:>2}  {f.type_name}"
            differs = i > 0 and (rf is None or (rf.offset, rf.size) != (f.offset, f.size))
            row.append((text, "31") if differs else text)
        rows.append(row)
    rows.append(["(size)"] + [(f"{lay.size} bytes, align {lay.align}", "31")
                              if i and (lay.size, lay.align) != (ref.size, ref.align)
                              else f"{lay.size} bytes, align {lay.align}"
                              for i, (_p, lay) in enumerate(columns)])
    out = [paint("CmdPacket as each ELF's DWARF declares it (offset, size, type):", "1")]
    out += utils.table(rows, ["field"] + [p for p, _l in columns], indent="  ").splitlines()
    if len(columns) == 1:
        out.append("  no userland ELF (no RISC-V executable under "
                   f"{utils.display_path(abicheck.build_dir())}/ besides the kernel)"
                   if not elfs else "  no other ELF declares a CmdPacket")
    for _title, lay in columns[1:]:
        for d in dwarf_layout.compare(ref, lay):
            out.append(paint(f"  differs: {d}", "31"))
    out += [f"  note: {n}" for n in notes + abicheck.stripped_note(stripped)]
    return out


# ---- the command ----------------------------------------------------------

def _resolve(expr):
    """(address or None, default count, bytes if not in memory) for EXPR."""
    value = gdb.parse_and_eval(expr)
    t = value.type.strip_typedefs()
    size = CMD_PACKET.get_type().sizeof
    if t.code == gdb.TYPE_CODE_PTR:
        return int(value), 1, None
    if t.code == gdb.TYPE_CODE_INT:
        return utils.to_int(value), 1, None
    if t.code == gdb.TYPE_CODE_ARRAY:
        n = t.sizeof // size
        if value.address is not None:
            return int(value.address), n, None
        return None, n, utils.value_bytes(value)
    if t.code == gdb.TYPE_CODE_STRUCT:
        if t.sizeof != size:
            raise gdb.GdbError(f"{expr} is a {value.type} ({t.sizeof} bytes), "
                               f"not a CmdPacket ({size} bytes)")
        if value.address is not None:
            return int(value.address), 1, None
        return None, 1, utils.value_bytes(value)
    raise gdb.GdbError(f"{expr}: give a CmdPacket, a pointer to one, or an address")


class PktCommand(gdb.Command):
    """Dump CmdPackets: pkt ADDR|EXPR [COUNT] | pkt --layout [ELF...]

Shows the raw 32 bytes with each field bracketed and named under its bytes,
the decoded fields (kind by name, arg and id in hex), and warns about a
non-zero _pad, an unknown kind and a provenance tag that does not verify.
The tag is checked with the kernel's ion.sender_key and ion.sender, for the
sequence number the packet's position on the command ring implies, or else
for ion.next_seq - 1 and ion.next_seq. COUNT dumps that many packets in a row.
--layout prints CmdPacket's layout from the kernel's DWARF beside each
userland ELF's under build/ (or the ELFs named)."""

    def __init__(self):
        super().__init__("pkt", gdb.COMMAND_DATA, gdb.COMPLETE_EXPRESSION)

    @utils.kernel_view
    def invoke(self, arg, from_tty):
        words = gdb.string_to_argv(arg)
        if words[:1] == ["--layout"]:
            print("\n".join(layout_lines(words[1:])))
            return
        if not words:
            raise gdb.GdbError("usage: pkt ADDR|EXPR [COUNT] | pkt --layout [ELF...]")
        count = None
        if len(words) > 1 and utils.parse_int(words[-1]) is not None:
            count = utils.parse_int(words[-1])
            arg = arg.rstrip()[:arg.rstrip().rindex(words[-1])]
        address, default, data = _resolve(arg)
        count = default if count is None else count
        size = CMD_PACKET.get_type().sizeof
        if count < 1 or count > 4096:
            raise gdb.GdbError("COUNT must be 1..4096")
        if data is None:
            data = utils.read(address, size * count)   # all of them at once
        out = []
        for k in range(min(count, len(data) // size)):
            chunk = data[k * size:(k + 1) * size]
            out += packet_report(chunk, None if address is None else address + k * size)
        print("\n".join(out))


PktCommand()
