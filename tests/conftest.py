"""The test harness: QEMU and GDB fixtures shared by every pytest suite.

- `boot(...)` starts the kernel under QEMU with its console on a pexpect pipe.
  Every wait has a timeout; QEMU is killed by PID when the test ends; the
  console goes to build/test-logs/<test>.log, which is kept (and its tail shown)
  only when the test fails.
- `gdb(...)` starts QEMU halted with a gdbstub on a free port of 127.0.0.1 and
  runs gdb-multiarch in batch mode against it, returning GDB's output.
"""
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

import pexpect
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
KERNEL = BUILD / "kernel.elf"
LOG_DIR = BUILD / "test-logs"
sys.path.insert(0, str(ROOT / "scripts"))

from rumpklib import qemu  # noqa: E402
from rumpklib.gdbstub import port_is_listening  # noqa: E402

PANIC_EXIT_STATUS = 3  # kernel/drivers/power.h EXIT_STATUS_PANIC
MONITOR_PROMPT = "rumpk> "


def build_variant(name, **make_vars):
    """Builds the whole tree into build/<name> with extra make variables
    (ROOTFS_EXTRA=..., INITRD_EMBED=...); returns that build directory."""
    out = BUILD / name
    args = ["make", "-s", f"-j{os.cpu_count() or 2}", f"BUILD={out}", "all"]
    args += [f"{k}={v}" for k, v in make_vars.items()]
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


class Machine:
    """One QEMU process running a kernel, its console readable and writable."""

    def __init__(self, log_path, kernel=KERNEL, append="", extra=(), gdb_port=None,
                 halted=False, timeout=15):
        self.log_path = log_path
        self.argv = qemu.command(kernel, append=append, extra=extra, gdb_port=gdb_port,
                                 halted=halted)
        self._log = open(log_path, "w", encoding="utf-8")
        self._log.write("# " + " ".join(self.argv) + "\n")
        self._log.flush()
        self.child = pexpect.spawn(self.argv[0], self.argv[1:], encoding="utf-8",
                                   codec_errors="replace", timeout=timeout, cwd=str(ROOT))
        self.child.logfile_read = self._log
        self.exit_status = None

    @property
    def pid(self):
        return self.child.pid

    def expect(self, pattern, timeout=15, window=None):
        """Waits for `pattern` (a regex) on the console; returns the match.
        Fails the test naming the pattern, with the console so far."""
        try:
            # window: search only the last N bytes (long outputs would make
            # every search rescan everything read so far).
            self.child.expect(pattern, timeout=timeout, searchwindowsize=window)
        except pexpect.TIMEOUT:
            pytest.fail(f"console: no match for {pattern!r} within {timeout}s\n"
                        f"--- console so far:\n{self.console()}")
        except pexpect.EOF:
            self._reap()
            pytest.fail(f"console: QEMU exited (status {self.exit_status}) before "
                        f"{pattern!r}\n--- console:\n{self.console()}")
        return self.child.match

    def expect_prompt(self, timeout=15):
        self.expect(re.escape(MONITOR_PROMPT), timeout)

    def send(self, text):
        self.child.send(text)

    def sendline(self, text):
        # The console is a serial line: Enter sends CR.
        self.child.send(text + "\r")

    def wait_exit(self, timeout=15):
        """Waits for QEMU to exit on its own; returns its exit status."""
        try:
            self.child.expect(pexpect.EOF, timeout=timeout)
        except pexpect.TIMEOUT:
            pytest.fail(f"QEMU still running after {timeout}s\n--- console:\n{self.console()}")
        self._reap()
        return self.exit_status

    def _reap(self):
        if self.exit_status is None:
            self.child.close()
            self.exit_status = (self.child.exitstatus if self.child.exitstatus is not None
                                else -self.child.signalstatus)

    def _drain(self):
        """Reads whatever QEMU has printed that no expect() consumed yet, so
        that it reaches the log."""
        if self._log.closed:
            return
        try:
            while True:
                self.child.read_nonblocking(size=65536, timeout=0.05)
        except (pexpect.TIMEOUT, pexpect.EOF, OSError, ValueError):
            pass

    def console(self):
        """Everything the console printed so far, with line ends normalised
        (the kernel sends CR LF and the pty adds another CR)."""
        self._drain()
        if not self._log.closed:
            self._log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return text.replace("\r\n", "\n").replace("\r", "")

    def kill(self):
        self._drain()
        if self.child.isalive():
            try:
                os.kill(self.child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.child.close(force=True)
        self._log.close()


def _log_path(request, suffix=""):
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
    return LOG_DIR / f"{name}{suffix}.log"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rumpk_failed = report.failed
        if report.failed:
            for m in getattr(item, "rumpk_machines", []):
                lines = m.console().splitlines()[-20:]
                report.sections.append(("console (last lines)",
                                        f"log kept: {m.log_path}\n" + "\n".join(lines)))


@pytest.fixture
def boot(request):
    """boot(append="", extra=(), ...) -> a running Machine; killed at the end."""
    machines = request.node.rumpk_machines = []

    def start(append="", extra=(), kernel=KERNEL, **kw):
        path = _log_path(request, f"-{len(machines)}" if machines else "")
        m = Machine(path, kernel=kernel, append=append, extra=extra, **kw)
        machines.append(m)
        return m

    yield start
    failed = getattr(request.node, "rumpk_failed", True)
    for m in machines:
        m.kill()
        if not failed:
            m.log_path.unlink(missing_ok=True)


class GdbResult:
    def __init__(self, proc, machine):
        self.returncode = proc.returncode
        self.output = proc.stdout + proc.stderr
        self.machine = machine
        self.console = machine.console()  # what the kernel printed while GDB ran

    def __str__(self):
        return self.output


GDB_LOADER = ROOT / "gdb" / "rumpk-gdb.py"


def gdb_argv(port, commands, kernel=KERNEL):
    argv = ["gdb-multiarch", "-nx", "-batch",
            "-ex", "set pagination off", "-ex", "set confirm off",
            "-ex", "set tcp connect-timeout 5",
            "-ex", f"file {kernel}",
            "-ex", f"source {GDB_LOADER}",
            "-ex", "set rumpk color off",
            "-ex", f"target remote 127.0.0.1:{port}"]
    for c in commands:
        argv += ["-ex", c]
    return argv


@pytest.fixture
def gdb(boot):
    """gdb(commands, append="", timeout=60, console=()) -> GdbResult.

    QEMU starts halted before its first instruction with the gdbstub on a free
    port; GDB (batch, extensions loaded, colour off) attaches, runs `commands`
    in order and exits; then QEMU is killed. The whole run has a timeout.
    console: (pattern, text) pairs played on the serial console while GDB
    runs: wait for the pattern, then type the text and a newline (the shell's
    prompt appears once GDB has let the kernel run).
    """

    def play(m, console, errors, timeout):
        try:
            for pattern, text in console:
                m.expect(pattern, timeout=timeout)
                m.sendline(text)
        except Exception as e:  # reported with the result, not lost in the thread
            errors.append(e)

    def run(commands, append="", extra=(), timeout=60, console=()):
        for _attempt in range(5):
            port = qemu.free_port()
            m = boot(append=append, extra=extra, gdb_port=port, halted=True)
            deadline = time.monotonic() + 10
            while not port_is_listening(port) and m.child.isalive():
                if time.monotonic() > deadline:
                    pytest.fail(f"QEMU's gdbstub never listened on port {port}")
                time.sleep(0.02)
            if m.child.isalive():
                break
            m.kill()  # lost a race for the port: try another one
        else:
            pytest.fail("could not start QEMU with a gdbstub")
        errors = []
        player = threading.Thread(target=play, args=(m, console, errors, timeout),
                                  daemon=True)
        if console:
            player.start()
        try:
            proc = subprocess.run(gdb_argv(port, commands), capture_output=True, text=True,
                                  timeout=timeout, cwd=str(ROOT))
        except subprocess.TimeoutExpired as e:
            pytest.fail(f"GDB did not finish within {timeout}s; output so far:\n"
                        f"{(e.stdout or b'').decode(errors='replace')}")
        if console:
            player.join(timeout=5)
        result = GdbResult(proc, m)
        m.kill()
        if errors:
            pytest.fail(f"the console script failed: {errors[0]}\nGDB said:\n{result.output}")
        return result

    if shutil.which("gdb-multiarch") is None:
        pytest.fail("gdb-multiarch is not installed (make deps)")
    return run
