"""Soak: exec/exit cycles and console packets in one boot, with nothing leaked
and no byte lost. `make test` runs a short soak; `make soak` the long one
(SOAK_CYCLES=10000 SOAK_PACKETS=1000000)."""
import os
import re

CYCLES = int(os.environ.get("SOAK_CYCLES", "1000"))
PACKETS = int(os.environ.get("SOAK_PACKETS", "10000"))


def test_exec_exit_cycles_leak_nothing(boot):
    m = boot(append=f"soak={CYCLES}")
    done = m.expect(r"\[soak\] (\d+) of (\d+) exec/exit cycles in (\d+) ms: free pages (\d+) -> "
                    r"(\d+), page tables (\d+) -> (\d+), packets in use (\d+) -> (\d+)",
                    timeout=30 + CYCLES // 50)
    assert done[1] == done[2] == str(CYCLES), done.group(0)
    assert done[4] == done[5] and done[6] == done[7] and done[8] == done[9], done.group(0)
    m.expect(r"nipbox> ")
    assert m.console().count("Hello from a dynamically loaded ELF!") == CYCLES


def test_console_packets_arrive_all_in_order_with_nothing_lost(boot):
    m = boot()
    m.expect(r"nipbox> ", timeout=20)
    m.sendline(f"soak-out {PACKETS}")
    total = m.expect(r"soak-out: (\d+) packets, (\d+) bytes, checksum ([0-9a-f]{8})",
                     timeout=60 + PACKETS // 200, window=4096)
    m.expect(r"\[subject\] /bin/soak-out exited with status 0")
    lines = re.findall(r"^soak (\d{9}) ([0-9a-f]{8}) \.{39}$", m.console(), re.M)  # 63 + newline
    assert len(lines) == PACKETS, f"{len(lines)} of {PACKETS} packets arrived whole"
    checksum = 0
    for i, (number, running) in enumerate(lines):
        checksum = (checksum * 31 + i) & 0xffffffff
        assert int(number) == i and int(running, 16) == checksum, (i, number, running)
    assert f"{checksum:08x}" == total[3] and int(total[2]) == PACKETS * 64
