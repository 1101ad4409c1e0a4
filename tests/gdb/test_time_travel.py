"""Time travel (scripts/rr.py, gdb/rumpk/rr.py; docs/time-travel.md): a run
recorded once replays with the same console output, and under GDB it can be
stepped backwards, continued backwards and seeked to the marks the kernel
logged."""
import re
import subprocess
import sys

import pytest

from conftest import BUILD, KERNEL, ROOT

RR = [sys.executable, str(ROOT / "scripts" / "rr.py")]


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    d = tmp_path_factory.mktemp("rr")
    proc = subprocess.run(RR + ["record", "--dir", str(d), "--kernel", str(KERNEL),
                                "--input", "hello"],
                          capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "recorded" in proc.stdout, proc.stdout
    return d


def replay(d, commands, timeout=120):
    args = ["-batch", "-ex", "set rumpk color off", "-ex", "set rumpk rr-timeout 15"]
    for c in commands:
        args += ["-ex", c]
    proc = subprocess.run(RR + ["replay", "--dir", str(d), "--gdb-args",
                                " ".join(f"'{a}'" for a in args)],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    return proc.stdout + proc.stderr


def values(out):
    return re.findall(r"^\$\d+ = (.*)$", out, re.M)


def test_a_recording_replays_with_identical_console_output(recording):
    for _ in range(2):   # every replay, not just the first
        proc = subprocess.run(RR + ["replay", "--dir", str(recording), "--no-gdb"],
                              capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "console output identical to the recording's" in proc.stdout
    log = (recording / "replay-console.log").read_text(errors="replace")
    assert "Hello from a dynamically loaded ELF!" in log
    assert "[subject] /bin/hello exited with status 0" in log


def test_reverse_stepi_restores_the_earlier_value_of_a_variable(recording):
    # The first mark (the shell's exec, at boot): rr_mark_count goes 0 -> 1
    # in rr_mark's store; stepping back over that store brings back 0.
    steps = []
    for _ in range(8):
        steps += ["rr back 1", "print rr_mark_count", "x/i $pc"]
    out = replay(recording, ["break rr_mark", "continue", "print rr_mark_count", "finish",
                             "print rr_mark_count"] + steps)
    seen = values(out)
    assert seen[:2] == ["0", "1"], out
    after = seen[2:]
    assert "0" in after and after[0] == "1", out           # 1 for a few steps back, then 0
    first_zero = after.index("0")
    assert set(after[first_zero:]) == {"0"}, out
    # Where it turned 0 again: rr_mark's store of the new count.
    insns = re.findall(r"=> 0x[0-9a-f]+ <(\w+)\+\d+>:\s+(\w+)", out)
    assert insns[first_zero] == ("rr_mark", "sd"), (insns, out)


def test_reverse_continue_reaches_a_breakpoint_in_a_function_entered_earlier(recording):
    out = replay(recording, ["break debug_hook_exec", "continue", "rr where", "delete",
                             "break process_load", "reverse-continue", "bt 1", "rr where"])
    wheres = [int(n) for n in re.findall(r"rr: instruction (\d+) of the recording", out)]
    assert len(wheres) == 2 and wheres[1] < wheres[0], out
    assert re.search(r"^#0  process_load \(path=\S+ \"/bin/nipbox\"", out, re.M), out


def test_rr_seek_lands_on_a_logged_mark(recording):
    # From the shell's exec, forward to mark #4 (past the console input), list
    # the marks, then back to mark #1 (at boot).
    out = replay(recording, ["break debug_hook_exec", "continue", "delete", "rr seek #4",
                             "print rr_mark_count", "rr marks", "rr seek #1",
                             "print rr_mark_count", "bt 2", "rr where"])
    table = dict(re.findall(r"^#(\d+)\s+(\d+)\s+(?:exec|command)", out, re.M))
    assert set(table) == {"0", "1", "2", "3"}, out
    assert re.search(r"^#0\s+\d+\s+exec pid 1$", out, re.M), out
    assert re.search(r"^#1\s+\d+\s+command CMD_\w+ \(0x[0-9a-f]+\) seq 0 -> ION_OK", out,
                     re.M), out
    assert values(out)[:2] == ["4", "1"], out
    landed = re.findall(r"rr: at (?:mark #\d+, )?instruction (\d+), 0x[0-9a-f]+ rr_mark\+", out)
    assert len(landed) == 2 and landed[1] == table["1"], (landed, out)
    assert re.search(r"^#1  0x[0-9a-f]+ in ion_process_commands \(\)", out, re.M), out
    assert f"rr: instruction {table['1']} of the recording" in out, out


def test_a_reverse_command_qemu_cannot_finish_is_interrupted_not_hung(recording):
    # From hello's exec, just after the console input "hello", reverse-stepi
    # has to replay across that input from the snapshot before it, which
    # QEMU 7.2 may not finish (docs/time-travel.md). Either it finishes or
    # rr's timeout interrupts it; GDB goes on either way.
    out = replay(recording, ["set rumpk rr-timeout 5", "break debug_hook_exec", "continue",
                             "continue", "rr back 1", "print 6 * 7"], timeout=120)
    assert ("rr: at instruction" in out or "did not finish within 5 s" in out), out
    assert "$1 = 42" in out, out
