"""User mode under QEMU: the shell, programs, crashes, hostile calls, exec/exit cycles."""
import re

import pytest

PROMPT = r"nipbox> "


@pytest.fixture
def shell(boot):
    m = boot()
    m.expect(PROMPT, timeout=20)
    return m


def run(m, line, *patterns, timeout=15):
    m.sendline(line)
    for p in patterns:
        m.expect(p, timeout=timeout)
    m.expect(PROMPT, timeout=timeout)


def test_boot_reaches_the_shell_prompt(shell):
    assert "[initrd]" in shell.console()


@pytest.mark.parametrize("spelling", ["hello", "/bin/hello", "bin/hello", "exec /bin/hello"])
def test_hello_prints_and_the_prompt_returns(shell, spelling):
    run(shell, spelling, r"Hello from a dynamically loaded ELF!",
        r"\[subject\] /bin/hello exited with status 0")


def test_exit_status_and_return_from_main_are_reported(shell):
    run(shell, "/bin/exit 42", r"\[subject\] /bin/exit exited with status 42")
    run(shell, "returner", r"\[subject\] /bin/returner exited with status 7")


def test_bss_is_zero_and_data_intact(shell):
    run(shell, "bss", r"bss: ok", r"exited with status 0")


def test_arguments_reach_main(shell):
    run(shell, 'echo-args one "two words" three', r"argc=4", r"argv\[0\]=echo-args",
        r"argv\[2\]=two words", r"argv\[3\]=three")


@pytest.mark.parametrize("program,reason", [
    ("crash-null", r"load page fault at 0x0"),
    ("crash-kernel", r"load page fault at 0x80200000"),
    ("crash-illegal", r"illegal instruction \(encoding 0x[0-9a-f]+\)"),
    ("crash-store", r"store page fault at 0x1[0-9a-f]{8}"),
    ("crash-jump", r"instruction page fault at 0xdeadbee[ef]"),
    ("crash-misaligned", r"(store|load) address misaligned at 0x[0-9a-f]*[13579bdf]"),
    ("crash-stack", r"store page fault at 0x13ffd[0-9a-f]{4}"),
])
def test_a_crashing_program_is_killed_with_its_reason_and_the_shell_returns(
        shell, program, reason):
    before = _counters(shell)
    run(shell, program, rf"\[subject\] /bin/{program} killed: {reason}, pc 0x[0-9a-f]+")
    # Everything the program held is back: pages, tables, packets.
    assert _counters(shell) == before
    run(shell, "hello", r"Hello from a dynamically loaded ELF!")
    assert "PANIC" not in shell.console()


def test_hostile_system_calls_are_all_refused(shell):
    before = _counters(shell)
    run(shell, "hostile", r"hostile: all (\d+) refused", r"exited with status 0", timeout=30)
    assert _counters(shell) == before
    assert "PANIC" not in shell.console()


def test_refused_files_get_one_exec_line(shell):
    run(shell, "exec /etc/motd", r"exec: /etc/motd: not an ELF file")
    run(shell, "exec /bin/nope", r"exec: /bin/nope: file not found")
    run(shell, "/bin", r"exec: /bin: is a directory")


def test_contract_commands(shell):
    run(shell, "help", r"ls", r"cat", r"exec")
    run(shell, "echo hello   world", r"hello world")
    run(shell, "ls /bin", r"hello", r"nipbox")
    run(shell, "ls", r"bin/", r"etc/")
    run(shell, "cat /etc/motd", r"Welcome to Rumpk Lab\.")
    run(shell, "cat /etc/nope", r"cat: /etc/nope: ")
    run(shell, "ps", r"subject\s+running")
    run(shell, "ion", r"packets: 128 total")
    run(shell, "mem", r"pages: \d+ total, \d+ free")
    run(shell, "uptime", r"up \d+\.\d+ s")
    run(shell, "frobnicate", r"nipbox: frobnicate: unknown command")
    run(shell, "exit", r"\[subject\] /bin/nipbox exited with status 0")


def test_halt_from_the_shell_powers_off(shell):
    shell.sendline("halt")
    assert shell.wait_exit() == 0


def test_a_program_that_spins_is_preempted_and_ctrl_c_stops_it(shell):
    before = _counters(shell)
    shell.sendline("spin")
    shell.expect(r"spin: spinning", timeout=10)
    # It never yields, yet the timer preempts it: the console fiber printed
    # its line, and Ctrl-C (handled by the receive interrupt) ends it.
    shell.send("\x03")
    shell.expect(r"\[subject\] /bin/spin killed: interrupted \(Ctrl-C\), pc 0x1[0-9a-f]+")
    shell.expect(PROMPT)
    assert _counters(shell) == before
    # To the shell itself Ctrl-C is just input: it is still there.
    shell.send("\x03")
    run(shell, "hello", r"Hello from a dynamically loaded ELF!")


def _counters(m):
    m.sendline("mem")
    pages = m.expect(r"pages: \d+ total, (\d+) free, (\d+) used")
    m.expect(PROMPT)
    m.sendline("ion")
    pool = m.expect(r"packets: 128 total, (\d+) free, (\d+) in use")
    m.expect(PROMPT)
    return int(pages[1]), int(pages[2]), int(pool[1]), int(pool[2])


def test_1000_exec_exit_cycles_leave_pages_and_packets_where_they_started(shell):
    before = _counters(shell)
    done = 0
    for batch in range(20):
        for _ in range(50):
            shell.sendline("hello")
            shell.expect(r"\[subject\] /bin/hello exited with status 0", timeout=20)
            shell.expect(PROMPT, timeout=20)
            done += 1
    assert done == 1000
    after = _counters(shell)
    assert after == before, (before, after)


def test_line_editing_erases_with_backspace(shell):
    # "hellx" + DEL + "o" runs hello; "xx" + two backspaces (0x08) + "help" runs help.
    shell.send("hellx\x7fo\r")
    shell.expect(r"Hello from a dynamically loaded ELF!")
    shell.expect(PROMPT)
    shell.send("xx\x08\x08uptime\r")
    shell.expect(r"up \d+\.\d+ s")
    shell.expect(PROMPT)


def test_a_flood_of_100000_commands_is_answered_one_by_one(shell):
    before = _counters(shell)
    run(shell, "cmdflood 100000", r"cmdflood: 100000 commands, 100000 answered, 0 failed",
        r"exited with status 0", timeout=60)
    assert _counters(shell) == before
