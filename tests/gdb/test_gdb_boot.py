"""GDB against a live QEMU: symbols, globals and the trap frame type."""
import re

from conftest import ROOT


def test_gdb_stops_at_kmain_and_reads_kernel_globals(gdb):
    r = gdb(["break kmain", "continue", "print rumpk_version",
             "break monitor_run", "continue",
             "print kernel_pages.free + kernel_pages.used",
             "print/x boot_info.fdt.memory", "info registers pc"], append="monitor")
    out = r.output
    assert re.search(r"Breakpoint 1, kmain \(hartid=0, fdt_blob=0x87e00000\)", out), out
    assert re.search(r'\$1 = 0x[0-9a-f]+ <rumpk_version> "0\.1\.0"', out), out
    assert re.search(r"Breakpoint 2, monitor_run \(arg=0x0\)", out), out
    free = int(re.search(r"\$2 = (\d+)", out).group(1))
    # GDB and the console agree on the page pool (pages free at boot = free
    # now + handed out since, e.g. fiber stacks).
    console = r.console
    assert re.search(rf"\[mm\] RAM 128 MiB .*: {free} pages free", console), console
    assert "{base = 0x80000000, size = 0x8000000}" in out, out
    assert re.search(r"pc\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <monitor_run>", out), out


def test_gdb_knows_the_trap_frame_type_and_reads_a_live_frame(gdb):
    r = gdb(["ptype struct trap_frame", "break panic_trap", "continue",
             "print tf->scause", "print/x tf->stval", "print tf->sepc",
             "print *tf"], append="selftest=fault")
    out = r.output
    for field in ("ra", "sp", "s0", "a0", "t6", "sepc", "sstatus", "scause", "stval"):
        assert re.search(rf"uint64_t [^;]*\b{field}\b", out), field
    assert re.search(r"Breakpoint 1, panic_trap \(tf=0x[0-9a-f]+", out), out
    assert re.search(r"\$1 = 13\b", out), out         # load page fault (Sv39 is on)
    assert re.search(r"\$2 = 0x0\b", out), out        # at address 0
    assert re.search(r"\$3 = \d+", out), out
    assert re.search(r"<fault_load_null\+\d+>|\$4 = \{ra = ", out), out


def test_rumpk_extensions_load_and_colour_can_be_switched_off(gdb):
    r = gdb(["show rumpk color", "set rumpk color on", "show rumpk color"])
    assert "Colour in rumpk output is off." in r.output, r.output
    assert "Colour in rumpk output is on." in r.output, r.output


def test_gdb_reads_the_abi_layouts_and_the_systable_at_its_fixed_address(gdb):
    r = gdb(["break monitor_run", "continue",
             "print sizeof(CmdPacket)", "print &((CmdPacket *)0)->id",
             "print/x ((struct SysTable *)0x80100000)->magic",
             "print ((struct SysTable *)0x80100000)->packet_count",
             "print/x ((struct SysTable *)0x80100000)->cmd_ring",
             "print ((struct ion_cmd_ring *)0x80101000)->ring"], append="monitor")
    out = r.output
    assert "$1 = 32" in out, out
    assert re.search(r"\$2 = \(__int128 unsigned \*\) 0x10\b", out), out
    assert "$3 = 0x5359534b504d5552" in out, out      # "RUMPKSYS"
    assert "$4 = 128" in out, out
    assert "$5 = 0x140001000" in out, out  # the user window's address
    assert re.search(r"\$6 = \{head = 0, tail = 0, mask = 63, elem_size = 32\}", out), out


def test_tarfs_ls_reads_the_kernels_index(gdb):
    import os
    r = gdb(["break subject_main", "continue", "tarfs ls", "tarfs ls /bin", "tarfs ls etc/",
             "tarfs ls /nope"])
    out = r.output
    assert re.search(r"d\s+0755\s+0\s+bin/", out), out
    size = os.path.getsize(ROOT / "build" / "rootfs-bin" / "bin" / "hello")
    assert re.search(rf"-\s+0755\s+{size}\s+hello\n", out), out
    assert re.search(r"-\s+0644\s+\d+\s+motd", out), out
    assert "/bin: " in out and "/etc: " in out
    assert "tarfs: /nope: no such directory in the index" in out


def test_user_symbols_of_the_running_program_resolve_user_addresses(gdb):
    r = gdb(["break user_trap", "continue", "print current_process->path",
             "user symbols", "info symbol tf->sepc - 4", "user symbols hello",
             "info symbol main"])
    out = r.output
    assert '= "/bin/nipbox' in out, out
    assert "user symbols: build/userland/nipbox.elf loaded" in out, out
    # The ecall that trapped is inside libnexus's gate, in nipbox's symbols.
    assert re.search(r"\S+ \+ \d+ in section \.text of .*build/userland/nipbox\.elf", out), out
    assert "user symbols: build/userland/hello.elf loaded" in out, out
    assert re.search(r"main in section \.text of .*hello\.elf", out), out
