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
