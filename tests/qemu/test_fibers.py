"""Fibers, the scheduler and the watchdog, under QEMU."""
import re


def test_three_fibers_take_turns_and_keep_their_locals(boot):
    m = boot(append="monitor selftest=fibers")
    for rnd in range(3):
        for label in "ABC":
            m.expect(rf"\[fibers\] {label} round {rnd}\r*\n")
    m.expect(r"\[fibers\] all 3 finished; (\d+) fibers remain")
    # idle, console, monitor and the selftest fiber itself: the workers are gone.
    assert m.child.match.group(1) == "4"
    m.expect_prompt()
    assert "corrupted" not in m.console()


def test_256_fibers_alive_at_once_and_all_memory_returned(boot):
    m = boot(append="monitor selftest=fibers256")
    m.expect(r"\[fibers\] created 256 fibers, 260 alive")
    match = m.expect(r"\[fibers\] (\d+) finished; fibers (\d+) -> (\d+); "
                     r"free pages (\d+) -> (\d+)")
    assert match[1] == "256"
    assert match[2] == match[3], "fiber slots leaked"
    assert match[4] == match[5], "stack pages leaked"


def test_watchdog_restarts_a_spinning_fiber_and_others_keep_running(boot):
    m = boot(append="monitor selftest=watchdog")
    m.expect(r"spinner run 0 starts spinning")
    restart = (r"\[watchdog\] fiber \d+ 'spinner' ran (\d+) ticks without yielding, "
               r"pc 0x[0-9a-f]+ \(spinner\+0x[0-9a-f]+\): restarting it")
    ticks = int(m.expect(restart, timeout=10)[1])
    assert 50 < ticks <= 60  # the budget is 50 ticks; noticed on the next tick or so
    m.expect(r"spinner run 1 starts spinning")
    m.expect(restart, timeout=10)
    m.expect(r"spinner gives up after 2 restarts", timeout=10)
    m.expect(r"\[watchdog-test\] ticker 8", timeout=10)
    console = m.console()
    # The ticker kept going around the restarts, all 8 beats in order, and
    # only the spinner was ever restarted.
    beats = [int(n) for n in re.findall(r"\[watchdog-test\] ticker (\d+)", console)]
    assert beats == list(range(1, 9)), beats
    assert len(re.findall(r"\[watchdog\]", console)) == 2
    # The system is still responsive: the monitor answers.
    m.sendline("ps")
    m.expect(r"\*\s*\d+ monitor\s+running")


def test_ps_lists_fibers_with_metrics(boot):
    m = boot(append="monitor")
    m.expect_prompt()
    m.sendline("ps")
    m.expect(r"ID NAME +STATE +SWITCHES +TICKS +STACK USED +RESTARTS +LAST PC")
    row = m.expect(r"\*\s*(\d+) monitor\s+running\s+(\d+)\s+(\d+)\s+(\d+)/16384\s+0")
    assert int(row[2]) >= 1 and 0 < int(row[4]) < 16384
    m.expect(r"\s+\d+ idle\s+ready\s+(\d+)\s+\d+\s+\d+/16384\s+0\s+fiber_yield\+|"
             r"\s+\d+ idle\s+ready")
