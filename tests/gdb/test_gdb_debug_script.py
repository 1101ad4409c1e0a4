"""make debug / scripts/debug.py: QEMU halted with GDB attached, the console
on a socket (attachable with scripts/console.py, logged to console.log, in a
tmux pane when inside tmux), and QEMU gone when GDB is."""
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid

import pexpect
import pytest

from gdbtools import ROOT

DEBUG = [sys.executable, str(ROOT / "scripts" / "debug.py")]
CONSOLE = [sys.executable, str(ROOT / "scripts" / "console.py")]


def qemu_pid(text):
    m = re.search(r"debug: QEMU pid (\d+) halted", text)
    assert m, text
    return int(m[1])


def gone(pid, timeout=5):
    """True once `pid` no longer runs (exited and reaped, or a zombie)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(") ", 1)[1].startswith("Z"):
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def own_build(tmp_path):
    """A kernel copy in a folder of its own, so console.sock/console.log of
    the test do not meet those of someone's `make debug` in build/."""
    kernel = tmp_path / "kernel.elf"
    shutil.copy(ROOT / "build" / "kernel.elf", kernel)
    return kernel


def test_make_debug_runs_gdb_as_a_batch_tool_and_stops_qemu(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "MAKEFLAGS", "MFLAGS")}
    # GDB's $ and both kinds of quotes reach GDB as typed, through make.
    gdb_args = ('-batch -ex "break pinger" -ex continue -ex "fiber list" '
                "-ex 'info registers pc' -ex 'print $current_fiber().name'")
    r = subprocess.run(["make", "-s", "debug", "APPEND=selftest=fibers",
                        f"GDB_ARGS={gdb_args}", "QEMU_EXTRA=-m 128M"],
                       cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "-append selftest=fibers" in out and out.count("-m 128M") >= 2, out
    assert "debug: console output goes to" in out and "tmux" not in out, out
    assert re.search(r"Breakpoint 1, pinger \(arg=", out), out
    assert re.search(r"^\*\s+\d+\s+A\s+running", out, re.M), out
    assert re.search(r"^pc\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <pinger", out, re.M), out
    assert re.search(r'^\$1 = "A", ', out, re.M), out
    assert gone(qemu_pid(out)), "QEMU still runs after GDB exited"
    log = (ROOT / "build" / "console.log").read_text(errors="replace")
    assert "rumpk 0.1.0" in log and "bootargs \"selftest=fibers\"" in log, log


def test_interactive_session_console_stays_usable_and_quitting_stops_qemu(own_build):
    env = {k: v for k, v in os.environ.items() if k != "TMUX"}
    env.update(TERM="dumb", NO_COLOR="1")
    gdb = pexpect.spawn(DEBUG[0], DEBUG[1:] + ["--kernel", str(own_build), "--append", "monitor"],
                        env=env, encoding="utf-8", timeout=20, cwd=str(ROOT))
    console = None
    pid = None
    try:
        gdb.expect(r"debug: QEMU pid (\d+) halted")
        pid = int(gdb.match[1])
        gdb.expect(r"console: attach from a second terminal with\r?\n"
                   r"debug:     python3 (\S+console\.py) (\S+console\.sock)")
        sock = gdb.match[2]
        assert sock.endswith(str(own_build.parent / "console.sock")) or sock.endswith(
            "console.sock"), sock
        gdb.expect(r"\(gdb\) ")
        # The second terminal: attach to the console before the kernel boots.
        console = pexpect.spawn(CONSOLE[0], CONSOLE[1:] + [str(own_build.parent / "console.sock")],
                                encoding="utf-8", timeout=20, cwd=str(ROOT))
        console.expect(r"\[console: attached to ")
        gdb.sendline("continue")
        console.expect(r"rumpk> ")
        console.send("uptime\r")                 # keys reach the kernel
        console.expect(r"uptime\r*\n.*\d+")
        gdb.sendintr()                           # Ctrl-C stops the kernel, not QEMU
        gdb.expect(r"\(gdb\) ")
        gdb.sendline("fiber list")
        gdb.expect(r"monitor\s+\w+")
        gdb.expect(r"\(gdb\) ")
        gdb.sendline("kill")
        gdb.expect(r"Kill the program being debugged\? \(y or n\)")
        gdb.sendline("y")
        gdb.expect(r"\(gdb\) ")
        assert gone(pid), "kill in GDB did not end QEMU"
        console.expect(r"\[console: QEMU closed the connection\]")
        gdb.sendline("quit")
        gdb.expect(pexpect.EOF)
        log = (own_build.parent / "console.log").read_text(errors="replace")
        assert "rumpk> uptime" in log.replace("\r", ""), log
    finally:
        for child in (gdb, console):
            if child is not None and child.isalive():
                child.kill(signal.SIGKILL)
        if pid is not None and not gone(pid):   # a failed run must not leave QEMU behind
            os.kill(pid, signal.SIGKILL)


def test_quitting_gdb_stops_qemu_even_while_the_kernel_runs(own_build):
    env = {k: v for k, v in os.environ.items() if k != "TMUX"}
    gdb = pexpect.spawn(DEBUG[0], DEBUG[1:] + ["--kernel", str(own_build)],
                        env=env, encoding="utf-8", timeout=20, cwd=str(ROOT))
    try:
        gdb.expect(r"debug: QEMU pid (\d+) halted")
        pid = int(gdb.match[1])
        gdb.expect(r"\(gdb\) ")
        gdb.sendline("continue &")            # the kernel runs; GDB takes commands
        gdb.expect(r"\(gdb\) ")
        gdb.sendline("quit")
        i = gdb.expect([r"\(y or n\)", pexpect.EOF])
        if i == 0:
            gdb.sendline("y")
            gdb.expect(pexpect.EOF)
        assert gone(pid), "QEMU still runs after GDB quit"
        assert not (own_build.parent / "console.sock").exists()
    finally:
        if gdb.isalive():
            gdb.kill(signal.SIGKILL)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_inside_tmux_a_split_pane_shows_the_console(own_build):
    server = f"rumpk-test-{uuid.uuid4().hex[:8]}"

    def tmux(*args):
        return subprocess.run(["tmux", "-L", server, "-f", "/dev/null", *args],
                              capture_output=True, text=True, timeout=10)

    cmd = " ".join([DEBUG[0], DEBUG[1], "--kernel", str(own_build), "--append", "monitor"])
    r = tmux("new-session", "-d", "-s", "t", "-x", "160", "-y", "50", "-c", str(ROOT), cmd)
    assert r.returncode == 0, r.stderr
    try:
        deadline = time.monotonic() + 15
        panes = []
        while time.monotonic() < deadline:
            panes = tmux("list-panes", "-t", "t", "-F", "#{pane_id}").stdout.split()
            if len(panes) == 2 and "(gdb)" in tmux("capture-pane", "-p", "-t", panes[0]).stdout:
                break
            time.sleep(0.1)
        assert len(panes) == 2, panes
        gdb_pane, console_pane = panes
        text = tmux("capture-pane", "-p", "-t", gdb_pane).stdout
        assert "console: the tmux pane below" in text, text
        pid = qemu_pid(text)
        tmux("send-keys", "-t", gdb_pane, "continue", "Enter")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            shown = tmux("capture-pane", "-p", "-t", console_pane).stdout
            if "rumpk>" in shown:
                break
            time.sleep(0.1)
        assert "rumpk>" in shown, shown
        tmux("send-keys", "-t", gdb_pane, "C-c", "")
        time.sleep(0.3)
        tmux("send-keys", "-t", gdb_pane, "quit", "Enter")
        time.sleep(0.3)
        tmux("send-keys", "-t", gdb_pane, "y", "Enter")
        assert gone(pid, timeout=10), "QEMU still runs after GDB quit"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and tmux("has-session", "-t", "t").returncode == 0:
            time.sleep(0.1)
        assert tmux("has-session", "-t", "t").returncode != 0, "the panes stayed open"
    finally:
        tmux("kill-server")


def test_sigterm_to_the_debug_script_stops_qemu_and_gdb(own_build):
    env = {k: v for k, v in os.environ.items() if k != "TMUX"}
    child = pexpect.spawn(DEBUG[0], DEBUG[1:] + ["--kernel", str(own_build)],
                          env=env, encoding="utf-8", timeout=20, cwd=str(ROOT))
    try:
        child.expect(r"debug: QEMU pid (\d+) halted")
        pid = int(child.match[1])
        child.expect(r"\(gdb\) ")
        gdb_pids = subprocess.run(["pgrep", "-P", str(child.pid), "gdb-multiarch"],
                                  capture_output=True, text=True).stdout.split()
        assert gdb_pids, "no GDB under the debug script"
        os.kill(child.pid, signal.SIGTERM)
        child.expect(pexpect.EOF)
        assert gone(pid), "QEMU still runs after SIGTERM"
        for g in gdb_pids:
            assert gone(int(g)), "GDB still runs after SIGTERM"
    finally:
        if child.isalive():
            child.kill(signal.SIGKILL)
