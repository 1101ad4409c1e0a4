"""The lab harness: boot a tree's kernel, talk to its console, grade checks.

A lab's check (labs/NN-slug/check.py) defines checks with the `check`
decorator and calls `grade()`. Modelled on MIT's gradelib: each check has a
title and may name a parent; a failed parent skips its children. On a FAIL
the neighbouring console lines are shown (marked GOOD for lines that matched
what was expected, BAD for the line that was there instead) together with
what was MISSING, and the full console log is kept.

    from rumpklib.labkit import check, grade, Console

    @check("the shell starts")
    def shell(lab):
        c = lab.boot()
        c.expect(r"nipbox> ")

    @check("hello runs", parent=shell)
    def hello(lab):
        c = lab.boot()
        c.expect(r"nipbox> "); c.sendline("hello")
        c.expect(r"Hello from a dynamically loaded ELF!")

    grade()
"""
import argparse
import os
import re
import subprocess
import sys
import time

import pexpect

from rumpklib import qemu

COLOR = sys.stdout.isatty() and "NO_COLOR" not in os.environ


def paint(text, code):
    return f"\x1b[{code}m{text}\x1b[0m" if COLOR else text


class CheckFailed(Exception):
    """A check's verdict: `why` says what went wrong in one line."""

    def __init__(self, why, console=None, missing=None):
        super().__init__(why)
        self.why = why
        self.console = console
        self.missing = missing


class Console:
    """A booted kernel with its console on a pexpect pipe; logged to a file."""

    def __init__(self, kernel, append, log_path, extra=(), timeout=20):
        self.log_path = log_path
        self.argv = qemu.command(kernel, append=append, extra=extra)
        self._log = open(log_path, "a", encoding="utf-8")
        self._log.write("\n# " + " ".join(self.argv) + "\n")
        self.child = pexpect.spawn(self.argv[0], self.argv[1:], encoding="utf-8",
                                   codec_errors="replace", timeout=timeout)
        self.child.logfile_read = self._log
        self.matched = []  # lines that satisfied an expect(), for GOOD marks

    def text(self):
        self._log.flush()
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            data = f.read()
        return data.replace("\r\n", "\n").replace("\r", "")

    def expect(self, pattern, timeout=15, what=None):
        """Waits for `pattern`; on timeout or exit, fails the check naming `what`."""
        try:
            self.child.expect(pattern, timeout=timeout)
        except (pexpect.TIMEOUT, pexpect.EOF) as e:
            ended = "the machine stopped" if isinstance(e, pexpect.EOF) else f"{timeout} s passed"
            raise CheckFailed(f"{what or 'expected output'} never came ({ended})",
                              console=self, missing=what or pattern)
        self.matched.append(self.child.after if isinstance(self.child.after, str) else "")
        return self.child.match

    def sendline(self, text):
        self.child.send(text + "\r")

    def wait_exit(self, timeout=15):
        try:
            self.child.expect(pexpect.EOF, timeout=timeout)
        except pexpect.TIMEOUT:
            raise CheckFailed(f"the machine did not power off within {timeout} s", console=self)
        self.child.close()
        return self.child.exitstatus

    def close(self):
        if self.child.isalive():
            self.child.terminate(force=True)
        self._log.close()


class Lab:
    """What a check gets: the tree under test and ways to run it."""

    def __init__(self, tree, log_dir, number):
        self.tree = os.path.abspath(tree)
        self.kernel = os.path.join(self.tree, "build", "kernel.elf")
        self.log_dir = log_dir
        self.log_path = os.path.join(log_dir, f"lab{number}-check.log")
        self.consoles = []

    def boot(self, append="", extra=(), timeout=20):
        c = Console(self.kernel, append, self.log_path, extra=extra, timeout=timeout)
        self.consoles.append(c)
        return c

    def shell(self, append=""):
        """Boots to the NipBox prompt."""
        c = self.boot(append)
        c.expect(r"nipbox> ", timeout=20, what="the nipbox> prompt")
        return c

    def run(self, args, timeout=120):
        """Runs a command in the tree (e.g. make); returns CompletedProcess."""
        return subprocess.run(args, cwd=self.tree, capture_output=True, text=True,
                              timeout=timeout)

    def close(self):
        for c in self.consoles:
            c.close()
        self.consoles = []


_checks = []


def check(title, parent=None):
    """Registers a check function(lab) that raises CheckFailed (or fails an
    assert) to fail; `parent` is another check that must pass first."""
    def register(fn):
        fn.title = title
        fn.parent = parent
        _checks.append(fn)
        return fn
    return register


def _context(failure, lines=8):
    c = failure.console
    if not c:
        return []
    tail = [ln for ln in c.text().splitlines() if ln.strip() and not ln.startswith("# ")][-lines:]
    good = set(m.strip() for m in c.matched if m)
    out = []
    for i, ln in enumerate(tail):
        mark = "GOOD" if any(g and g in ln for g in good) else (
            "BAD " if i == len(tail) - 1 else "    ")
        out.append(f"      {mark} {ln}")
    if failure.missing:
        out.append(f"      MISSING {failure.missing}")
    return out


def grade(argv=None):
    """Builds the tree, runs every registered check, prints one line each;
    exits 0 only when all pass."""
    ap = argparse.ArgumentParser(description="grade a lab on a tree")
    ap.add_argument("--tree", required=True, help="the source tree to grade")
    ap.add_argument("--lab", required=True, help="the lab's number, e.g. 03")
    ap.add_argument("--log-dir", required=True)
    ap.add_argument("--no-build", action="store_true", help="the tree is already built")
    args = ap.parse_args(argv)
    os.makedirs(args.log_dir, exist_ok=True)
    lab = Lab(args.tree, args.log_dir, args.lab)
    open(lab.log_path, "w").close()

    if not args.no_build:
        t0 = time.monotonic()
        print(f"  building {lab.tree} ...", flush=True)
        proc = lab.run(["make", "-s", f"-j{os.cpu_count() or 2}", "all"], timeout=600)
        if proc.returncode != 0:
            print(paint("  FAIL", "31") + "  the tree builds")
            for ln in (proc.stdout + proc.stderr).strip().splitlines()[-12:]:
                print(f"      {ln}")
            sys.exit(1)
        print(f"  built in {time.monotonic() - t0:.1f} s", flush=True)

    results = {}
    for fn in _checks:
        if fn.parent is not None and results.get(fn.parent) is not True:
            results[fn] = None
            print(paint("  SKIP", "33") + f"  {fn.title} (needs: {fn.parent.title})")
            continue
        t0 = time.monotonic()
        try:
            fn(lab)
            results[fn] = True
            print(paint("  PASS", "32") + f"  {fn.title} ({time.monotonic() - t0:.1f} s)",
                  flush=True)
        except CheckFailed as f:
            results[fn] = False
            print(paint("  FAIL", "31") + f"  {fn.title}: {f.why}")
            for ln in _context(f):
                print(ln)
            print(f"      full console log: {lab.log_path}", flush=True)
        except AssertionError as e:
            results[fn] = False
            print(paint("  FAIL", "31") + f"  {fn.title}: {e}")
            print(f"      full console log: {lab.log_path}", flush=True)
        finally:
            lab.close()
    passed = sum(1 for r in results.values() if r)
    print(f"  {passed}/{len(results)} checks passed")
    sys.exit(0 if passed == len(results) else 1)


# --- GDB against a tree's kernel (labs that are about GDB) -----------------------

class GdbRun:
    """One batch GDB session: what it printed (stdout and stderr interleaved,
    in one string) and its exit status."""

    def __init__(self, argv, returncode, output):
        self.argv = argv
        self.returncode = returncode
        self.output = output
        self.log_path = None

    def tail(self, lines=12, indent="      "):
        """The last `lines` non-empty lines of the output, indented, for a
        CheckFailed message."""
        rows = [ln for ln in self.output.splitlines() if ln.strip()][-lines:]
        return "\n".join(indent + ln for ln in rows)


def boot_gdbstub(lab, append="", halted=True, timeout=20):
    """Boots the tree's kernel like lab.boot(), with QEMU's gdbstub on a free
    port of 127.0.0.1. halted: QEMU waits for GDB before its first
    instruction (OpenSBI has not run yet); otherwise it boots at once and
    GDB can attach later (attaching stops the machine where it is).
    Returns (console, port) once the stub listens; the console is closed
    with the lab's others when the check ends."""
    from rumpklib import gdbstub
    for _attempt in range(5):
        port = qemu.free_port()
        extra = ["-gdb", f"tcp:127.0.0.1:{port}"] + (["-S"] if halted else [])
        c = lab.boot(append, extra=extra, timeout=timeout)
        deadline = time.monotonic() + 10
        while c.child.isalive() and time.monotonic() < deadline:
            if gdbstub.port_is_listening(port):
                return c, port
            time.sleep(0.02)
        c.close()  # most likely lost a race for the port: try another
    raise CheckFailed("QEMU's gdbstub never listened (5 ports tried)")


def gdb_batch(lab, port, commands, timeout=60):
    """Runs gdb-multiarch in batch mode against the gdbstub on 127.0.0.1:port
    with the tree's kernel symbols and the tree's GDB extensions
    (gdb/rumpk-gdb.py, colour off), then `commands` in order (one -ex each),
    the way `make debug GDB_ARGS='-batch ...'` does. A `continue` needs a
    breakpoint to come back. At the end GDB detaches: the machine runs on
    (its console is still the caller's). The session is appended to
    labNN-check-gdb.log beside the console log. Returns a GdbRun."""
    import shutil
    gdb = os.environ.get("GDB", "gdb-multiarch")
    if shutil.which(gdb) is None:
        raise CheckFailed(f"{gdb} is not installed (make deps)")
    argv = [gdb, "-nx", "-batch",
            "-ex", "set pagination off", "-ex", "set confirm off",
            "-ex", "set tcp connect-timeout 5",
            "-ex", f"file {lab.kernel}",
            "-ex", f"source {os.path.join(lab.tree, 'gdb', 'rumpk-gdb.py')}",
            "-ex", "set rumpk color off",
            "-ex", f"target remote 127.0.0.1:{port}"]
    for command in commands:
        argv += ["-ex", command]
    try:
        proc = subprocess.run(argv, cwd=lab.tree, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=timeout)
        run = GdbRun(argv, proc.returncode, proc.stdout)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        run = GdbRun(argv, None, out)
    run.log_path = os.path.splitext(lab.log_path)[0] + "-gdb.log"
    with open(run.log_path, "a", encoding="utf-8") as log:
        log.write("\n# " + " ".join(argv) + "\n" + run.output)
    if run.returncode is None:
        raise CheckFailed(f"GDB did not finish within {timeout} s (a `continue` that never "
                          f"stopped?); its output so far:\n{run.tail()}\n"
                          f"      GDB's log: {run.log_path}")
    return run


# --- programs, the console and the packet pool (labs 08-11) -------------------

def own_text(console):
    """What `console` printed since its QEMU started. The lab's log holds every
    boot of the check run one after another; this is the part after the
    last header line with this console's command line."""
    text = console.text()
    i = text.rfind("\n# " + " ".join(console.argv) + "\n")
    return text[i:] if i >= 0 else text


def expect_no_panic(console, when=""):
    """Fails the check, quoting the report's first line, if the kernel
    panicked on this console (`when` completes the sentence)."""
    m = re.search(r"PANIC:[^\n]*", own_text(console))
    if m:
        raise CheckFailed(f"the kernel panicked{when}: {m.group(0).strip()}", console=console)


def program_end(console, path, timeout=15, what=None):
    """Waits for the kernel's verdict on the program `path` (as the kernel
    names it: "/bin/hello"): returns ("exited", status) or ("killed", reason)."""
    m = console.expect(r"\[subject\] " + re.escape(path) +
                       r" (?:exited with status (-?\d+)|killed: ([^\r\n]+))\r*\n",
                       timeout=timeout,
                       what=what or f"the end of {path} ([subject] {path} exited/killed)")
    if m.group(1) is not None:
        return "exited", int(m.group(1))
    return "killed", m.group(2).strip()


def run_program(console, line, path=None, timeout=15):
    """At a nipbox> prompt: types `line` and waits for the program's end;
    `path` defaults to /bin/ + the first word. Returns program_end()'s
    answer and waits for the prompt to come back."""
    word = line.split()[0]
    path = path or (word if "/" in word else "/bin/" + word)
    console.sendline(line)
    how = program_end(console, path, timeout=timeout)
    console.expect(r"nipbox> ", timeout=timeout, what="the nipbox> prompt after " + path)
    return how


ION_PACKETS = (r"packets: (\d+) total, (\d+) free, (\d+) in use, high-water (\d+), "
               r"(\d+) allocs, (\d+) frees, (\d+) failed")


def ion_stats(console, timeout=10):
    """At a prompt (nipbox> or rumpk>): runs `ion` and returns the packet
    pool's line as a dict: total, free, in_use, high_water, allocs, frees,
    failed."""
    console.sendline("ion")
    m = console.expect(ION_PACKETS, timeout=timeout, what="the packets: line of `ion`")
    keys = ("total", "free", "in_use", "high_water", "allocs", "frees", "failed")
    return dict(zip(keys, (int(v) for v in m.groups())))


def scratch_tree(lab, prefix="rumpk-lab-"):
    """A copy of the tree under test in a new temporary directory (removed
    when the check ends), sources and build outputs with their timestamps,
    as scripts/lab.py copies a workspace: experiments that edit files or
    rebuild happen there, never in the tree itself. Returns its path."""
    import atexit
    import shutil
    import tempfile
    dst = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, dst, True)
    skip = shutil.ignore_patterns(".git", "__pycache__", ".pytest_cache")
    for name in os.listdir(lab.tree):
        src = os.path.join(lab.tree, name)
        if name in (".git", "build", "__pycache__", ".pytest_cache"):
            continue
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(dst, name), symlinks=True, ignore=skip)
        else:
            shutil.copy2(src, os.path.join(dst, name))
    build = os.path.join(lab.tree, "build")
    for part in ("kernel", "userland", "gen", "rootfs-bin"):
        if os.path.isdir(os.path.join(build, part)):
            shutil.copytree(os.path.join(build, part), os.path.join(dst, "build", part),
                            symlinks=True)
    for f in ("kernel.elf", "kernel.pass1.elf", "initrd.tar"):
        if os.path.isfile(os.path.join(build, f)):
            shutil.copy2(os.path.join(build, f), os.path.join(dst, "build", f))
    return dst


# --- exact console text, host unit tests, GDB beside the console (labs 04-07) --

def exact_text(console):
    """What `console` printed since its QEMU started, with each line end the
    terminal made ("\\r\\r\\n", "\\r\\n") turned into exactly one "\\n"
    (Console.text() reads the log with newline translation, which doubles
    them). For comparing a file's bytes with what `cat` printed."""
    console.text()  # flushes the log
    with open(console.log_path, encoding="utf-8", errors="replace", newline="") as f:
        text = f.read()
    text = text.replace("\r\n", "\n").replace("\r", "")
    i = text.rfind("\n# " + " ".join(console.argv) + "\n")
    return text[i:] if i >= 0 else text


def host_unit_test(lab, name, timeout=180):
    """Builds and runs the tree's host unit test tests/host/test_NAME.c
    (`make build/host/test_NAME`, ASan + UBSan, as `make host-tests` does)
    and fails the check with its first complaints unless it passes."""
    target = f"build/host/test_{name}"
    proc = lab.run(["make", "-s", target], timeout=timeout)
    if proc.returncode != 0:
        rows = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()][-6:]
        raise CheckFailed(f"{target} does not build:\n" + "\n".join("      " + r for r in rows))
    try:
        run = subprocess.run([os.path.join(lab.tree, target)], cwd=lab.tree, capture_output=True,
                             text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise CheckFailed(f"{target} did not finish within {timeout} s")
    log_path = os.path.splitext(lab.log_path)[0] + "-host.log"
    with open(log_path, "a", encoding="utf-8") as log:
        log.write(f"\n# {target} (exit status {run.returncode})\n{run.stdout}{run.stderr}")
    if run.returncode != 0:
        out = [re.sub(r"^==\d+==", "", ln).strip() for ln in (run.stdout + run.stderr).splitlines()]
        rows = [ln for ln in out if ln and not ln.startswith("=")]
        if any("Sanitizer" in ln or "runtime error" in ln for ln in rows):
            # The sanitizer's verdict and the frames in the project's own code.
            failures = [ln for ln in rows if "ERROR: " in ln or "runtime error" in ln]
            first = failures[:1] + [ln for ln in rows if re.match(
                r"#\d+ .* in \S+ (kernel|tests|userland)/", ln)][:3]
        else:
            failures = [ln for ln in rows if "got" in ln or "FAIL" in ln.upper()]
            first = (failures or rows)[:4]
        more = f" ({len(failures)} complaints; the whole run is in {log_path})" \
            if len(failures) > 4 else ""
        raise CheckFailed(f"{target} fails (exit status {run.returncode}){more}:\n"
                          + "\n".join("      " + r.strip() for r in first))


class GdbBackground:
    """A batch GDB that runs while the check goes on talking to the console
    (gdb_background()): wait_for() a line of its output, finish() to collect
    it once it ended."""

    def __init__(self, lab, argv, commands, timeout):
        self.lab = lab
        self.argv = argv
        self.commands = commands
        self.child = pexpect.spawn(argv[0], argv[1:], cwd=lab.tree, encoding="utf-8",
                                   codec_errors="replace", timeout=timeout)
        self.output = ""

    def _collect(self):
        self.output += (self.child.before or "") + (
            self.child.after if isinstance(self.child.after, str) else "")

    def wait_for(self, pattern, timeout=20, what=None):
        """Waits for `pattern` in GDB's output (e.g. "Breakpoint 1 at": the
        breakpoint is set and the machine is stopped until GDB continues)."""
        try:
            self.child.expect(pattern, timeout=timeout)
        except (pexpect.TIMEOUT, pexpect.EOF) as e:
            self._collect()
            self._log()
            raise CheckFailed(f"GDB: {what or pattern} never came "
                              f"({'GDB ended' if isinstance(e, pexpect.EOF) else 'timeout'}):\n"
                              + GdbRun(self.argv, None, self.output).tail())
        self._collect()
        return self.child.match

    def finish(self, timeout=30):
        """Waits for GDB to end (batch mode ends after the last command and
        detaches: the machine runs on). Returns a GdbRun."""
        try:
            self.child.expect(pexpect.EOF, timeout=timeout)
        except pexpect.TIMEOUT:
            self._collect()
            self.child.terminate(force=True)
            self._log()
            raise CheckFailed(f"GDB did not finish within {timeout} s (a `continue` that never "
                              f"stopped?); its output so far:\n"
                              + GdbRun(self.argv, None, self.output).tail())
        self._collect()
        self.child.close()
        self._log()
        return GdbRun(self.argv, self.child.exitstatus, self.output.replace("\r\n", "\n"))

    def _log(self):
        """Appended to labNN-check-gdb.log beside the console log, as gdb_batch() does."""
        self.log_path = os.path.splitext(self.lab.log_path)[0] + "-gdb.log"
        with open(self.log_path, "a", encoding="utf-8") as log:
            log.write("\n# " + " ".join(self.argv) + "\n" + self.output.replace("\r\n", "\n"))


def gdb_background(lab, port, commands, timeout=60):
    """Starts gdb-multiarch in batch mode against the gdbstub on
    127.0.0.1:port, like gdb_batch() (the tree's kernel symbols and GDB
    extensions, colour off, then `commands`), but returns at once with a
    GdbBackground, so that the check can type into the console while GDB
    waits at a breakpoint for what the typing makes the kernel do."""
    import shutil
    gdb = os.environ.get("GDB", "gdb-multiarch")
    if shutil.which(gdb) is None:
        raise CheckFailed(f"{gdb} is not installed (make deps)")
    argv = [gdb, "-nx", "-batch",
            "-ex", "set pagination off", "-ex", "set confirm off", "-ex", "set width 0",
            "-ex", "set style enabled off",
            "-ex", "set tcp connect-timeout 5",
            "-ex", f"file {lab.kernel}",
            "-ex", f"source {os.path.join(lab.tree, 'gdb', 'rumpk-gdb.py')}",
            "-ex", "set rumpk color off",
            "-ex", f"target remote 127.0.0.1:{port}"]
    for command in commands:
        argv += ["-ex", command]
    return GdbBackground(lab, argv, commands, timeout)
