"""Boot, console, power-off and panic behaviour of the kernel under QEMU."""
import re
import subprocess

from conftest import PANIC_EXIT_STATUS, ROOT

BANNER = r"rumpk (\S+) \(git (\S+)\): RISC-V 64 kernel, hart 0, S-mode"


def expected_revision():
    try:
        return subprocess.run(["git", "describe", "--always", "--dirty", "--abbrev=10"],
                              cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        return "unknown"


def test_banner_is_the_first_kernel_line_and_names_the_revision(boot):
    m = boot(append="monitor")
    m.expect(BANNER)
    assert m.child.match.group(2) == expected_revision()
    m.expect_prompt()
    # OpenSBI's report comes first (key : value lines); the kernel's first
    # line, before any [subsystem] message, is the rumpk banner.
    lines = m.console().splitlines()
    opensbi_end = max(i for i, ln in enumerate(lines) if ln.startswith("Boot HART"))
    kernel_lines = [ln for ln in lines[opensbi_end + 1:] if ln.strip()]
    assert re.match(BANNER, kernel_lines[0]), kernel_lines[:3]
    assert kernel_lines[1].startswith("[boot]"), kernel_lines[:3]


def test_halt_powers_off_with_status_zero(boot):
    m = boot(append="monitor")
    m.expect_prompt()
    m.sendline("halt")
    m.expect(r"\[rumpk\] halt: powering off")
    assert m.wait_exit() == 0


def test_memory_size_comes_from_the_device_tree(boot):
    for megabytes in (64, 256):
        m = boot(append="monitor", extra=["-m", f"{megabytes}M"])
        match = m.expect(r"\[mm\] RAM (\d+) MiB at 0x80000000; page pool "
                         r"0x([0-9a-f]+)-0x([0-9a-f]+): (\d+) pages free, (\d+) reserved")
        assert int(match.group(1)) == megabytes
        pool_start, pool_end = int(match.group(2), 16), int(match.group(3), 16)
        assert pool_end == 0x80000000 + megabytes * 2**20
        pages = (pool_end - pool_start) // 4096
        assert int(match.group(4)) + int(match.group(5)) == pages
        m.kill()


def test_boot_arguments_reach_the_kernel(boot):
    m = boot(append="monitor selftest=list quiet=1")
    m.expect(r'bootargs "monitor selftest=list quiet=1"')
    m.expect(r"\[selftest\] fault +load from address 0")
    m.expect_prompt()
    m.sendline("bootargs")
    m.expect(r'bootargs: "monitor selftest=list quiet=1"')


def test_unknown_selftest_is_reported_not_fatal(boot):
    m = boot(append="monitor selftest=nonsense")
    m.expect(r"\[selftest\] unknown self test 'nonsense'")
    m.expect_prompt()


def test_selftest_halt_exits_zero(boot):
    m = boot(append="monitor selftest=halt")
    assert m.wait_exit() == 0


def _assert_panic_report(m, headline, frames):
    m.expect(r"PANIC: " + headline)
    m.expect(r"sepc 0x[0-9a-f]{16}  sstatus 0x[0-9a-f]{16}  scause 0x[0-9a-f]{16}"
             r"  stval 0x[0-9a-f]{16}")
    m.expect(r"Backtrace:")
    for i, frame in enumerate(frames):
        m.expect(rf"#{i} +0x[0-9a-f]{{16}} {frame}\+0x[0-9a-f]+")
    assert m.wait_exit() == PANIC_EXIT_STATUS


def test_kernel_load_fault_panics_with_symbolized_backtrace(boot):
    m = boot(append="monitor selftest=fault")
    _assert_panic_report(
        m, r"unexpected trap: load page fault at 0x0 in kernel at pc 0x[0-9a-f]+ "
           r"\(fault_load_null\+0x[0-9a-f]+\)",
        ["fault_load_null", "selftest_run", "selftest_fiber", "fiber_main"])


def test_illegal_instruction_panics_with_registers(boot):
    m = boot(append="monitor selftest=illegal")
    m.expect(r"PANIC: unexpected trap: illegal instruction \(encoding 0x00000000\)")
    for reg in ("ra", "sp", "s0", "a0", "t6"):
        m.expect(rf"  {reg} +0x[0-9a-f]{{16}}")
    m.expect(r"#0 +0x[0-9a-f]{16} fault_illegal_instruction\+")
    assert m.wait_exit() == PANIC_EXIT_STATUS


def test_explicit_panic_formats_its_message(boot):
    m = boot(append="monitor selftest=panic")
    m.expect(r"PANIC: selftest: explicit panic with value 42")
    m.expect(r"Backtrace:")
    m.expect(r"#0 +0x[0-9a-f]{16} fault_explicit_panic\+")
    m.expect(r"#1 +0x[0-9a-f]{16} selftest_run\+")
    assert m.wait_exit() == PANIC_EXIT_STATUS


def test_timer_ticks_drive_uptime(boot):
    m = boot(append="monitor selftest=timer")
    m.expect(r"\[selftest\] timer: 10 ticks seen at uptime (\d+) us")
    assert int(m.child.match.group(1)) >= 100_000  # 10 ticks at 100 Hz
    m.expect_prompt()
    m.sendline("uptime")
    match = m.expect(r"up (\d+)\.(\d{3}) s, (\d+) timer ticks")
    assert int(match.group(3)) >= 10


def test_every_page_can_be_allocated_and_returned(boot):
    m = boot(append="monitor selftest=pages")
    match = m.expect(r"\[selftest\] pages: allocated (\d+) of (\d+) free")
    free = int(match[2])
    assert int(match[1]) == free
    match = m.expect(r"\[selftest\] pages: free (\d+) -> (\d+), used (\d+) -> (\d+), "
                     r"high-water (\d+)")
    assert match[1] == match[2] == str(free) and match[3] == match[4], match.group(0)
    assert int(match[5]) == free + int(match[3])
    m.expect_prompt()
    m.sendline("mem")
    # The selftest fiber's stack has been freed since; the sum stays.
    now = m.expect(r"pages: \d+ total, (\d+) free, (\d+) used")
    assert int(now[1]) + int(now[2]) == free + int(match[3])


def test_console_input_is_interrupt_driven_with_line_editing(boot):
    m = boot(append="monitor")
    m.expect_prompt()
    # "memx" + backspace = "mem"; the echo shows the erase sequence.
    m.send("memx\x7f\r")
    m.expect(r"pages: \d+ total")
    m.expect_prompt()
    m.sendline("frobnicate")
    m.expect(r"frobnicate: unknown command \(try help\)")
    m.expect_prompt()
    m.sendline("help")
    for cmd in ("mem", "uptime", "bootargs", "selftest", "halt"):
        m.expect(rf"  {cmd} ")
