"""ring, pkt, systable, $ring_used() and the ION printers on a live kernel:
selftest=ion stopped in ion_process_commands when the command ring holds the
seven packets sent after CMD_ION_ALLOC (seq 1..7): CON_WRITE, NOP 0x1234,
NOP 0xfeed with a corrupted tag (seq 3), UPTIME with _pad 7 (seq 4), kind
0x999 (seq 5), ION_FREE 100000 (seq 6), NOP (seq 7)."""
import re

CHECKPOINT = ["break ion_process_commands if ion.cmd->ring.head == 8", "continue"]

# A page of the ION region nobody uses (the region is 1 MiB; the layout ends
# at 0x10000 + the packets), for packets and ring headers of our own.
SCRATCH = ("python import struct; inf = gdb.selected_inferior(); "
           "base = int(gdb.parse_and_eval('(unsigned long)ion.systable')) + 0x8000; "
           "gdb.set_convenience_variable('scratch', base); "
           "slot = lambda i: int(gdb.parse_and_eval(f'(unsigned long)&ion.cmd->slots[{i}]')); "
           "inf.write_memory(base, inf.read_memory(slot(1), 32)); "
           "inf.write_memory(base + 32, inf.read_memory(slot(3), 32))")


def bare_ring(head, tail, mask, elem_size):
    """A one-line python command writing a ring header (and 32 slot bytes
    00 01 ... 1f) at $scratch + 0x1000."""
    return ("python import struct; gdb.selected_inferior().write_memory("
            "int(gdb.convenience_variable('scratch')) + 0x1000, "
            f"struct.pack('<IIII', {head}, {tail}, {mask}, {elem_size}) + bytes(range(32)))")


def test_ring_draws_the_command_ring_and_checks_every_tag(gdb):
    r = gdb(CHECKPOINT + ["ring", "ring cmd", "ring ion.cmd --check", "print $ring_used(ion.cmd)",
                          "print $ring_used(&ion.cmd->ring)",
                          "print $ring_used((unsigned long)ion.cmd)",
                          "set var ion.cmd->ring.tail = 3", "ring cmd"],
            append="selftest=ion")
    out = r.output
    summary = re.search(r"^RING\s+EXPR\s+ADDRESS\s+HEAD\s+TAIL\s+USED\s+ELEMENT\s+CHECK\n"
                        r"((?:.*\n){4})", out, re.M)
    assert summary, out
    rows = [ln.split() for ln in summary[1].splitlines()]
    assert rows[0][:2] == ["command", "ion.cmd"] and rows[0][3:6] == ["8", "1", "7/64"], rows
    assert rows[0][-2:] == ["CmdPacket", "ok"], rows
    assert rows[1][:2] == ["completion", "ion.completion"] and rows[1][-1] == "ok", rows
    assert rows[2][5:7] == ["0/256", "uint8_t"] or rows[2][6] == "uint8_t", rows
    assert rows[3][-3:] == ["struct", "ion_desc", "ok"], rows

    assert re.search(r"^ion\.cmd: struct ion_cmd_ring at 0x[0-9a-f]+ \(the command ring\)$",
                     out, re.M), out
    assert ("  head 8  tail 1  mask 0x3f  elem_size 32  -> 64 x CmdPacket slots, used 7, "
            "free 57") in out
    strip = re.search(r"^  slots  0 (\S+)\n(.*)$", out, re.M)
    assert strip[1] == "." + "#" * 7 + "." * 56, strip[1]
    prefix = len("  slots  0 ")
    assert strip[2].index("T") - prefix == 1 and strip[2].index("H") - prefix == 8, strip[2]
    assert "  used: indices 1..7 in slots 1..7" in out
    entries = re.findall(r"^    \[(\d)\] slot (\d) +\{kind = (.*?), _pad = (\d+), arg = (0x[0-9a-f]+), "
                         r"id = 0x[0-9a-f]{32}\}  tag (ok|DOES NOT VERIFY) \(seq (\d)\)$",
                         out, re.M)
    assert [(e[0], e[2], e[3], e[4], e[5], e[6]) for e in entries[:7]] == [
        ("1", "CMD_CON_WRITE (0x200)", "0", "0x2900000000", "ok", "1"),
        ("2", "CMD_NOP (0x0)", "0", "0x1234", "ok", "2"),
        ("3", "CMD_NOP (0x0)", "0", "0xfeed", "DOES NOT VERIFY", "3"),
        ("4", "CMD_SYS_UPTIME (0x403)", "7", "0x0", "ok", "4"),
        ("5", "0x999 (unknown kind)", "0", "0x0", "ok", "5"),
        ("6", "CMD_ION_FREE (0x100)", "0", "0x186a0", "ok", "6"),
        ("7", "CMD_NOP (0x0)", "0", "0x0", "ok", "7"),
    ], entries
    assert re.search(r"ok +elem_size is not zero +\(elem_size 32\)", out), out
    assert re.search(r"ok +capacity is a power of two +\(mask 0x3f, capacity 64\)", out), out
    assert re.search(r"ok +head - tail within capacity +\(head 8 - tail 1 = 7, capacity 64\)",
                     out), out
    assert "ion.cmd: OK" in out
    assert re.findall(r"^\$\d+ = (\d+)$", out, re.M) == ["7", "7", "7"], out
    # A write from GDB drops what was read: the ring is read again, and the
    # packet at tail now carries ion.next_seq (1) as far as the tag goes.
    after = out[out.rindex("ion.cmd: struct ion_cmd_ring"):]
    assert "used 5, free 59" in after, after
    assert re.search(r"\[3\] slot 3 .* tag DOES NOT VERIFY \(seq 1\)", after), after


def test_pkt_verifies_tags_by_ring_position_and_warns_about_pad_and_kind(gdb):
    r = gdb(CHECKPOINT + ["pkt &ion.cmd->slots[3]", "pkt ion.cmd->slots[4]",
                          "pkt &ion.cmd->slots[5]", "pkt &ion.cmd->slots[1] 2",
                          SCRATCH, "pkt $scratch 2", "print ion.next_seq",
                          "python from rumpk import ion, siphash; s = ion.state(); "
                          "print('sender key', 'matches' if siphash.sender_key(s['boot_key'], "
                          "s['sender']) == s['sender_key'] else 'differs')"],
            append="selftest=ion")
    out = r.output
    reports = re.split(r"^(?=CmdPacket at )", out, flags=re.M)[1:]
    bad, pad, kind, first, second, copy1, copy3 = reports[:7]
    assert re.match(r"CmdPacket at 0x[0-9a-f]+: command ring slot 3, index 3, pending", bad)
    assert "  +0x00  00 00 00 00 00 00 00 00 ed fe 00 00 00 00 00 00" in bad, bad
    assert "         [   kind  ] [   _pad  ] [         arg         ]" in bad, bad
    assert "         [                      id                     ]" in bad, bad
    assert "  kind  CMD_NOP (0x0)" in bad and "  arg   0xfeed" in bad, bad
    got = int(re.search(r"^  id    0x([0-9a-f]{32}) \(low half", bad, re.M)[1], 16)
    m = re.search(r"^  tag   DOES NOT VERIFY for sender 0x5e1f seq 3 \(its position on the "
                  r"command ring\); expected id 0x([0-9a-f]{32})$", bad, re.M)
    assert m, bad
    # The selftest stamped it correctly, then flipped bit 77: GDB's SipHash
    # in Python computed exactly the kernel's tag.
    assert got ^ int(m[1], 16) == 1 << 77
    assert "warning: provenance tag does not verify: the kernel refuses it (ION_ETAG)" in bad

    assert "  _pad  7" in pad and "CMD_SYS_UPTIME (0x403)" in pad, pad
    assert "  tag   verifies for sender 0x5e1f seq 4 (its position on the command ring)" in pad
    assert "warning: _pad is 7, not zero: the kernel refuses it (ION_EPAD)" in pad, pad

    assert "  kind  0x999 (unknown kind)" in kind, kind
    assert "warning: kind 0x999 is no CMD_* of include/abi/ion.h" in kind, kind
    assert "tag   verifies for sender 0x5e1f seq 5" in kind, kind

    assert "slot 1, index 1, pending" in first and "verifies for sender 0x5e1f seq 1" in first
    assert "slot 2, index 2, pending" in second and "seq 2" in second, second

    # Copies off the ring: only ion.next_seq - 1 and ion.next_seq are tried.
    assert "$1 = 1" in out, out   # next_seq: seq 0 (the ION_ALLOC) is used up
    assert re.match(r"CmdPacket at 0x[0-9a-f]+\n", copy1), copy1
    assert "  tag   verifies for sender 0x5e1f seq 1 (ion.next_seq)" in copy1, copy1
    assert ("  tag   verifies for none: sender 0x5e1f, seq 0 (ion.next_seq - 1) or seq 1 "
            "(ion.next_seq)") in copy3, copy3
    # The per-sender key, derived in Python from the boot key, is the kernel's.
    assert "sender key matches" in out, out


def test_ring_check_names_the_rule_a_broken_header_breaks(gdb):
    r = gdb(CHECKPOINT + [SCRATCH,
                          bare_ring(2, 0xfffffffe, 7, 4), "ring $scratch + 0x1000",
                          bare_ring(2, 0xfffffffe, 7, 0), "ring $scratch + 0x1000 --check",
                          bare_ring(2, 0xfffffffe, 5, 4), "ring $scratch + 0x1000 --check",
                          bare_ring(100, 0, 7, 4), "ring $scratch + 0x1000 --check",
                          bare_ring(0, 1, 7, 4), "ring $scratch + 0x1000",
                          "ring ion.cmd->ring"],
            append="selftest=ion")
    out = r.output
    # A bare ring: elem_size bytes in hex, the wrap of the slots and of the indices shown.
    assert "struct ion_ring (bare)" in out, out
    assert ("  head 2  tail 4294967294  mask 0x7  elem_size 4  -> 8 slots of 4 bytes, used 4, "
            "free 4") in out, out
    strip = re.search(r"^  slots 0 (\S+)\n(.*)$", out, re.M)
    assert strip[1] == "##....##", strip[1]
    assert "used: indices 4294967294..1 in slots 6..7 then 0..1 (wraps past the last slot)" in out
    hexes = re.findall(r"^    \[ *(\d+)\] slot (\d) +((?:[0-9a-f]{2} ?){4})$", out, re.M)
    assert [(i, s, h.strip()) for i, s, h in hexes[:4]] == [
        ("4294967294", "6", "18 19 1a 1b"), ("4294967295", "7", "1c 1d 1e 1f"),
        ("0", "0", "00 01 02 03"), ("1", "1", "04 05 06 07")], hexes
    verdicts = re.findall(r"^\$scratch \+ 0x1000: (FAILS.*|OK)$", out, re.M)
    assert verdicts == ["FAILS: elem_size is zero", "FAILS: capacity is not a power of two",
                        "FAILS: head - tail exceeds capacity"], verdicts
    assert re.search(r"FAIL +head - tail exceeds capacity +\(head 100 - tail 0 = 100, "
                     r"capacity 8\)", out), out
    # Without --check a broken ring is not drawn, and the reason is given.
    assert "  warning: head - tail exceeds capacity (ring $scratch + 0x1000 --check)" in out, out
    # The command ring's header seen bare: hex, and a pointer to the typed view.
    assert "(the command ring: `ring command` decodes its entries by type)" in out, out


def test_completion_and_output_rings_after_the_commands_ran(gdb):
    r = gdb(CHECKPOINT + ["finish", "ring completion", "ring output",
                          "print ion.completion->slots[3]", "print *ion.output"],
            append="selftest=ion")
    out = r.output
    comps = re.findall(r"^    \[(\d)\] slot \d +\{kind = (.*?), status = (.*?), seq = (\d), "
                       r"result = (-?\d+)\}$", out, re.M)
    assert [(c[1], c[2], c[3]) for c in comps] == [
        ("CMD_CON_WRITE (0x200)", "ION_OK (0)", "1"),
        ("CMD_NOP (0x0)", "ION_OK (0)", "2"),
        ("CMD_NOP (0x0)", "ION_ETAG (-2)", "3"),
        ("CMD_SYS_UPTIME (0x403)", "ION_EPAD (-3)", "4"),
        ("0x999 (unknown kind)", "ION_EKIND (-1)", "5"),
        ("CMD_ION_FREE (0x100)", "ION_EARG (-4)", "6"),
        ("CMD_NOP (0x0)", "ION_OK (0)", "7"),
    ], comps
    assert re.search(r"^    \[0\] slot 0 +packet (\d+), 41 bytes: '\[selftest\] hello through "
                     r"the output ring\\n'$", out, re.M), out
    assert re.search(r"\$2 = \{kind = CMD_NOP \(0x0\), status = ION_ETAG \(-2\), seq = 3, "
                     r"result = 0\}", out), out
    assert re.search(r"\$3 = ion_output_ring: head 1, tail 0, used 1/64 = \{\{packet = \d+, "
                     r"len = 41\}\}", out), out


def test_systable_and_the_printers_of_the_shared_structures(gdb):
    r = gdb(CHECKPOINT + ["systable", "print *ion.systable", "set print elements 3",
                          "print *ion.cmd", "print ion.cmd->ring", "print ion.cmd->slots[7]"],
            append="selftest=ion")
    out = r.output
    assert re.search(r"^SysTable at 0x80100000 \(72 bytes, from ion\.systable\)$", out, re.M), out
    assert re.search(r'^  \+0 +magic +"RUMPKSYS" \(0x5359534b504d5552\) +ok$', out, re.M), out
    assert re.search(r"^  \+8 +version +1 +ok$", out, re.M), out
    assert re.search(r"^  \+12 +size +72 +ok$", out, re.M), out
    ring_row = re.search(r"^  \+16 +cmd_ring +(0x[0-9a-f]+)(?: = (0x[0-9a-f]+) in the kernel)? +"
                         r"struct ion_cmd_ring: head 8 tail 1 used 7/64$", out, re.M)
    assert ring_row, out
    assert re.search(r"^  \+60 +packet_count +128$", out, re.M), out
    assert re.search(r"^  \+64 +boot_time_us +\d+ us$", out, re.M), out
    assert re.search(r'\$1 = SysTable "RUMPKSYS" version 1, 72 bytes = \{magic = "RUMPKSYS", '
                     r"version = 1, size = 72, cmd_ring = 0x[0-9a-f]+, ", out), out
    typed = re.search(r"^\$2 = ion_cmd_ring: head 8, tail 1, used 7/64 = \{(.*)\}$", out, re.M)
    assert typed and typed[1].count("{kind = ") == 3 and typed[1].endswith("..."), out
    assert "$3 = {head = 8, tail = 1, mask = 63, elem_size = 32} (used 7 of 64)" in out, out
    assert re.search(r"\$4 = \{kind = CMD_NOP \(0x0\), _pad = 0, arg = 0x0, id = 0x[0-9a-f]{32}\}",
                     out), out
