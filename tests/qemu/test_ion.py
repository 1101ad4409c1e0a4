"""ION under QEMU: the command ring end to end, provenance tags, the pool."""
import re


def test_commands_complete_in_order_and_bad_packets_are_rejected_with_a_diagnosis(boot):
    m = boot(append="monitor selftest=ion")
    m.expect(r"\[ion\] SysTable at 0x80100000: 64-slot command ring, 128 packets of 512 bytes")
    m.expect(r"\[selftest\] packet (\d+) allocated; in use 1")
    # The forged packet: CMD_NOP (kind 0) with arg 0xfeed, sequence number 3.
    # The raw dump shows kind and _pad (zero), then arg little-endian, then the tag.
    bad_tag = m.expect(r"\[ion\] rejected CmdPacket from sender 0x5e1f seq 3: provenance tag "
                       r"does not verify; raw: 0000000000000000 edfe000000000000 "
                       r"([0-9a-f]{16}) ([0-9a-f]{16})")
    assert bad_tag[1] != "0" * 16
    m.expect(r"rejected CmdPacket from sender 0x5e1f seq 4: _pad is not zero .*; "
             r"raw: 0304000007000000 ")
    m.expect(r"rejected CmdPacket from sender 0x5e1f seq 5: unknown command kind; "
             r"raw: 9909000000000000 ")
    expected = [("0x200", 1, 0), ("0x0", 2, 0), ("0x0", 3, -2), ("0x403", 4, -3),
                ("0x999", 5, -1), ("0x100", 6, -4), ("0x0", 7, 0)]
    for kind, seq, status in expected:
        m.expect(rf"\[selftest\] completion kind {kind} seq {seq} status {status} result")
    m.expect(r"\[selftest\] hello through the output ring")
    m.expect(r"\[selftest\] packets in use after the console fiber ran: 0")
    m.expect_prompt()
    m.sendline("ion")
    m.expect(r"command +head +8 +tail +8 +used +0/64")
    m.expect(r"packets: 128 total, 128 free, 0 in use, high-water 1, 1 allocs, 1 frees")
    m.expect(r"commands: 8 processed, 4 rejected; 41 console bytes")


def test_typed_input_travels_through_the_input_ring(boot):
    m = boot(append="monitor")
    m.expect_prompt()
    m.sendline("ion")
    m.expect(r"input +head +(\d+) +tail +(\d+)")
    head = int(m.child.match[1])
    # "ion\r" is 4 bytes, all consumed by the monitor.
    assert head == 4 and int(m.child.match[2]) == 4
    m.expect_prompt()
    m.sendline("ion")
    m.expect(r"input +head +8 +tail +8 +used +0/256")
