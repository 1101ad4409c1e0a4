#!/usr/bin/python3
"""make record / make replay: record a run once, replay it exactly, under GDB.

    rr.py record [--dir build/rr] [--kernel K] [--append ARGS] [--input "hello;ls"]
    rr.py replay [--dir build/rr] [--gdb-args ARGS] [--no-gdb]

record boots the kernel under QEMU's record mode
(`-icount shift=0,rr=record,rrfile=DIR/replay.bin,rrsnapshot=init` with an
empty qcow2 drive for the snapshots reverse execution needs), with `rr` on its
command line (the kernel then logs marks and its idle fiber spins instead of
sleeping: docs/time-travel.md says why). Without --input the console is
yours: type, and end with `halt` (or Ctrl-A X). With --input the commands are
typed at each prompt, then `halt`. Everything the console printed goes to
DIR/console.log; the kernel is copied to DIR/kernel.elf, so a later rebuild
does not spoil the recording. Then one quick replay measures the constant
between the kernel's rdinstret and QEMU's instruction count (rr calibrate)
for DIR/meta.json.

replay runs the recording again, halted, with GDB attached (extensions
loaded, `rr` commands pointed at DIR). The console output of the replay goes
to DIR/replay-console.log; every replay prints the same bytes. --no-gdb
replays to the end without a debugger (and reports whether the output is
identical to the recording's).
"""
import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from rumpklib import gdbstub, qemu  # noqa: E402

import pexpect  # noqa: E402

PROMPT = "nipbox> "
GDB_LOADER = os.path.join(ROOT, "gdb", "rumpk-gdb.py")


def say(msg):
    print(f"rr: {msg}", flush=True)


def rr_extra(mode, d):
    return ["-icount", f"shift=0,rr={mode},rrfile={d}/replay.bin,rrsnapshot=init",
            "-drive", f"file={d}/disk.qcow2,if=none,id=rr"]


def qemu_argv(m, mode, d, gdb_port=None):
    """The same machine, chardevs included, for recording and replaying: a
    replay must have exactly the devices the recording had. The QMP socket
    lets the recorder take snapshots."""
    qmp = ["-qmp", f"unix:{d}/qmp.sock,server=on,wait=off"]
    return qemu.command(os.path.join(d, "kernel.elf"), append=m["append"],
                        extra=rr_extra(mode, d) + qmp, interactive=m["interactive"],
                        gdb_port=gdb_port, halted=gdb_port is not None)


class Qmp:
    """QEMU's QMP socket: the recorder pauses the machine and takes snapshots."""

    def __init__(self, d):
        import socket
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(20)
        self.sock.connect(os.path.join(d, "qmp.sock"))
        self.f = self.sock.makefile("rw")
        self.f.readline()                                 # the greeting
        self.run({"execute": "qmp_capabilities"})

    def run(self, cmd):
        self.f.write(json.dumps(cmd) + "\n")
        self.f.flush()
        while True:
            reply = json.loads(self.f.readline())
            if "return" in reply or "error" in reply:
                return reply

    def hmp(self, line):
        return self.run({"execute": "human-monitor-command",
                         "arguments": {"command-line": line}})


def new_disk(d):
    disk = os.path.join(d, "disk.qcow2")
    if os.path.exists(disk):
        os.unlink(disk)
    proc = subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "64M"],
                          capture_output=True, text=True, timeout=30)
    if proc.returncode != 0:
        sys.exit(f"rr: qemu-img failed (apt-get install qemu-utils, or make deps): "
                 f"{proc.stderr.strip()}")


def record(args):
    d = os.path.abspath(args.dir)
    os.makedirs(d, exist_ok=True)
    for stale in ("replay.bin", "console.log", "replay-console.log", "meta.json"):
        if os.path.exists(os.path.join(d, stale)):
            os.unlink(os.path.join(d, stale))
    shutil.copy(args.kernel, os.path.join(d, "kernel.elf"))
    new_disk(d)
    m = {"append": " ".join(x for x in ("rr", args.append) if x), "input": args.input,
         "interactive": args.input is None, "kernel": os.path.abspath(args.kernel)}
    argv = qemu_argv(m, "record", d)
    log = open(os.path.join(d, "console.log"), "w")
    child = pexpect.spawn(argv[0], argv[1:], encoding="utf-8", codec_errors="replace",
                          timeout=args.timeout)
    child.logfile_read = log
    t0 = time.monotonic()
    try:
        if m["interactive"]:
            say("recording: use the console as usual; `halt` (or Ctrl-A X) ends the recording")
            child.interact()
        else:
            lines = [c.strip() for c in args.input.split(";") if c.strip()]
            qmp = None
            for n, line in enumerate(lines, 1):
                child.expect(PROMPT)
                qmp = qmp or Qmp(d)
                # Replaying across a console input from a snapshot taken before
                # it stalls in QEMU 7.2 (docs/time-travel.md): with the machine
                # paused, the line goes in and a snapshot is taken right after
                # it, so that reverse execution and seeks start past the input.
                qmp.run({"execute": "stop"})
                child.sendline(line)
                time.sleep(0.05)           # QEMU reads the bytes
                # QEMU refuses a snapshot until the input event is in the log
                # ("does not allow making snapshot right now"): let the
                # machine run a moment at a time until it accepts.
                for _attempt in range(500):
                    reply = qmp.hmp(f"savevm input{n}").get("return", "")
                    if "Error" not in reply:
                        m.setdefault("snapshots", []).append(f"input{n}")
                        break
                    qmp.run({"execute": "cont"})
                    time.sleep(0.001)
                    qmp.run({"execute": "stop"})
                else:
                    say(f"no snapshot after input {n}: {reply.strip()}")
                qmp.run({"execute": "cont"})
                child.expect(re.escape(line) + r"\r*\n")
            try:
                child.expect(PROMPT, timeout=args.seconds)
                child.sendline("halt")
                child.expect(pexpect.EOF)
            except pexpect.TIMEOUT:
                # A program that never returns (a lab's symptom): the
                # recording ends here (SIGTERM: QEMU closes the log cleanly).
                say(f"the last command was still running after {args.seconds} s: the "
                    "recording ends there")
                child.terminate(force=False)
                child.expect(pexpect.EOF, timeout=30)
    finally:
        child.close()
        log.close()
    m["seconds"] = round(time.monotonic() - t0, 2)
    m["offset"] = calibrate(m, d)
    with open(os.path.join(d, "meta.json"), "w") as f:
        json.dump(m, f, indent=2)
    size = os.path.getsize(os.path.join(d, "replay.bin"))
    say(f"recorded {m['seconds']} s into {os.path.relpath(d)}/replay.bin ({size} bytes); "
        f"console in {os.path.relpath(d)}/console.log; make replay replays it under GDB")


def start_replay(m, d, gdb_port=None):
    out = open(os.path.join(d, "replay-console.log"), "w")
    proc = subprocess.Popen(qemu_argv(m, "replay", d, gdb_port), stdin=subprocess.DEVNULL,
                            stdout=out, stderr=subprocess.STDOUT)
    if gdb_port is not None:
        gdbstub.wait_until_listening(gdb_port, proc)
    return proc, out


def gdb_argv(d, port, extra):
    return ["gdb-multiarch", "-nx", "-ex", "set confirm off",
            "-ex", f"file {os.path.join(d, 'kernel.elf')}", "-ex", f"source {GDB_LOADER}",
            "-ex", f"set rumpk rr-dir {d}", "-ex", "set tcp connect-timeout 5",
            "-ex", f"target remote 127.0.0.1:{port}"] + extra


def calibrate(m, d):
    port = qemu.free_port()
    proc, out = start_replay(m, d, port)
    try:
        gdb = subprocess.run(["gdb-multiarch", "-batch"] + gdb_argv(d, port, [
            "-ex", "set rumpk color off", "-ex", "rr calibrate"])[1:],
            capture_output=True, text=True, timeout=120)
    finally:
        proc.kill()
        proc.wait()
        out.close()
    for line in gdb.stdout.splitlines():
        if line.startswith("RR-OFFSET "):
            return int(line.split()[1])
    say("could not calibrate the marks (no mark in the recording?); rr marks and rr seek #K "
        f"will not work:\n{gdb.stdout}{gdb.stderr}")
    return None


def load_meta(d):
    try:
        with open(os.path.join(d, "meta.json")) as f:
            return json.load(f)
    except OSError:
        sys.exit(f"rr: no recording in {os.path.relpath(d)}: make record first")


def replay(args):
    d = os.path.abspath(args.dir)
    m = load_meta(d)
    if args.no_gdb:
        proc, out = start_replay(m, d)
        try:
            proc.wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            sys.exit(f"rr: the replay did not end within {args.timeout} s")
        finally:
            out.close()
        same = open_text(os.path.join(d, "console.log")) == open_text(
            os.path.join(d, "replay-console.log"))
        say("replay finished; console output " + ("identical to the recording's" if same else
                                                   "DIFFERS from the recording's"))
        sys.exit(0 if same else 1)
    port = qemu.free_port()
    proc, out = start_replay(m, d, port)
    say(f"replaying {os.path.relpath(d)}/replay.bin (QEMU pid {proc.pid}, gdbstub 127.0.0.1:"
        f"{port}); console output goes to {os.path.relpath(d)}/replay-console.log")
    try:
        code = subprocess.call(gdb_argv(d, port, shlex.split(args.gdb_args or "")))
    finally:
        proc.kill()
        proc.wait()
        out.close()
    sys.exit(code)


def open_text(path):
    """The bytes without carriage returns: the recording's console came
    through a terminal (which adds them), the replay's goes to a file."""
    with open(path, "rb") as f:
        return f.read().replace(b"\r", b"")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("record")
    p.add_argument("--dir", default=os.path.join(ROOT, "build", "rr"))
    p.add_argument("--kernel", default=os.path.join(ROOT, "build", "kernel.elf"))
    p.add_argument("--append", default="")
    p.add_argument("--input", default=None, help="commands typed at each prompt, ';'-separated")
    p.add_argument("--timeout", type=int, default=300)
    p.add_argument("--seconds", type=float, default=10,
                   help="how long the last command may run before Ctrl-C stops it")
    p.set_defaults(fn=record)
    p = sub.add_parser("replay")
    p.add_argument("--dir", default=os.path.join(ROOT, "build", "rr"))
    p.add_argument("--gdb-args", default="")
    p.add_argument("--no-gdb", action="store_true")
    p.add_argument("--timeout", type=int, default=300)
    p.set_defaults(fn=replay)
    args = ap.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
