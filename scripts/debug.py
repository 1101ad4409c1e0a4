#!/usr/bin/python3
"""Boot a Rumpk kernel halted under QEMU and attach GDB with the extensions (make debug).

QEMU starts stopped before its first instruction (-S) with its gdbstub on a
free port of 127.0.0.1; GDB (gdb-multiarch -nx) loads the kernel's symbols,
sources gdb/rumpk-gdb.py and connects. The serial console goes to a unix
socket (build/console.sock) and to build/console.log: inside tmux a split
pane is attached to it, otherwise attach from a second terminal with
`python3 scripts/console.py build/console.sock`. Quitting GDB stops QEMU.

GDB_ARGS (environment, or --gdb-args) is appended to GDB's command line:
`make debug GDB_ARGS='-batch -ex "fiber list"'` runs GDB as a batch tool
(no tmux pane then).
"""
import argparse
import atexit
import os
import shlex
import shutil
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from rumpklib import gdbstub, qemu  # noqa: E402

GDB = os.environ.get("GDB", "gdb-multiarch")
LOADER = os.path.join(ROOT, "gdb", "rumpk-gdb.py")
BATCH_FLAGS = ("-batch", "--batch", "-batch-silent", "--batch-silent")


def say(text):
    print(f"debug: {text}", file=sys.stderr, flush=True)


def rel(path):
    """`path` relative to the current directory when that is shorter."""
    r = os.path.relpath(path)
    return r if len(r) < len(path) else path


class Session:
    """QEMU, the console pane and their clean-up, which runs exactly once
    however we leave (GDB quits, an exception, SIGTERM, SIGHUP)."""

    def __init__(self):
        self.qemu = None
        self.gdb = None
        self.socket = None
        self.pane = None
        self.done = False

    def start_qemu(self, kernel, append, extra, socket_path, log_path, qemu_log):
        serial, chardev = gdbstub.console_socket(socket_path, log_path)
        for _attempt in range(5):
            port = qemu.free_port()
            argv = qemu.command(kernel, append=append, extra=chardev + list(extra),
                                serial=serial, gdb_port=port, halted=True)
            if os.path.exists(socket_path):
                os.unlink(socket_path)
            with open(qemu_log, "w") as out:
                out.write("# " + shlex.join(argv) + "\n")
                out.flush()
                # A session of its own: Ctrl-C in GDB must interrupt the
                # kernel through the gdbstub, not kill QEMU.
                self.qemu = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                             stderr=subprocess.STDOUT, cwd=ROOT,
                                             start_new_session=True)
            self.socket = socket_path
            if gdbstub.wait_until_listening(port, self.qemu):
                return port, argv
            self.stop_qemu()  # most likely lost a race for the port: try another
        with open(qemu_log) as f:
            sys.stderr.write(f.read())
        sys.exit("debug: QEMU did not start its gdbstub (its output is above)")

    def open_pane(self, socket_path):
        """A tmux split below GDB, attached to the console. Returns True if
        it opened."""
        cmd = shlex.join([sys.executable, os.path.join(HERE, "console.py"), socket_path])
        try:
            r = subprocess.run(["tmux", "split-window", "-v", "-d", "-l", "15", "-P",
                                "-F", "#{pane_id}", "-c", ROOT, cmd],
                               capture_output=True, text=True, timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            return False
        if r.returncode != 0:
            say(f"tmux split-window failed: {r.stderr.strip()}")
            return False
        self.pane = r.stdout.strip()
        return True

    def stop_qemu(self):
        if self.qemu is not None and self.qemu.poll() is None:
            try:
                os.kill(self.qemu.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.qemu is not None:
            try:
                self.qemu.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass

    def cleanup(self):
        if self.done:
            return
        self.done = True
        if self.gdb is not None and self.gdb.poll() is None:  # we were told to stop
            self.gdb.terminate()
        self.stop_qemu()
        if self.pane:
            subprocess.run(["tmux", "kill-pane", "-t", self.pane], capture_output=True)
        if self.socket and os.path.exists(self.socket):
            try:
                os.unlink(self.socket)
            except OSError:
                pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", default=os.path.join(ROOT, "build", "kernel.elf"))
    ap.add_argument("--append", default="", help="kernel boot arguments (APPEND)")
    ap.add_argument("--gdb-args", default=os.environ.get("GDB_ARGS", ""),
                    help="appended to GDB's command line (default: $GDB_ARGS)")
    ap.add_argument("extra", nargs="*", help="more QEMU options (after --; QEMU_EXTRA)")
    args = ap.parse_args()

    kernel = os.path.abspath(args.kernel)
    if not os.path.exists(kernel):
        sys.exit(f"debug: {rel(kernel)} does not exist; run make first")
    if shutil.which(GDB) is None:
        sys.exit(f"debug: {GDB} is not installed (make deps)")
    gdb_extra = shlex.split(args.gdb_args)
    batch = any(a in BATCH_FLAGS for a in gdb_extra)

    build = os.path.dirname(kernel)
    log_path = os.path.join(build, "console.log")
    socket_path = os.path.join(build, "console.sock")
    if gdbstub.socket_in_use(socket_path):  # another make debug owns it (and its log)
        socket_path = os.path.join(build, f"console-{os.getpid()}.sock")
        log_path = os.path.join(build, f"console-{os.getpid()}.log")
    if len(socket_path) > 100:  # sun_path holds 108 bytes
        socket_path = os.path.relpath(socket_path, ROOT)

    session = Session()
    atexit.register(session.cleanup)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: sys.exit(128 + signum))

    port, argv = session.start_qemu(kernel, args.append, args.extra, socket_path, log_path,
                                    os.path.join(build, os.path.basename(log_path)
                                                 .replace("console", "qemu", 1)))
    say(f"QEMU pid {session.qemu.pid} halted before its first instruction, "
        f"gdbstub on 127.0.0.1:{port}")
    say(f"qemu: {shlex.join(argv)}")
    attach = f"python3 {rel(os.path.join(HERE, 'console.py'))} {rel(socket_path)}"
    if batch:
        say(f"console output goes to {rel(log_path)}")
    elif os.environ.get("TMUX") and shutil.which("tmux") and session.open_pane(socket_path):
        say(f"console: the tmux pane below (Ctrl-] there detaches; log: {rel(log_path)})")
    else:
        say("console: attach from a second terminal with")
        say(f"    {attach}")
        say(f"  (log: {rel(log_path)}; inside tmux a split pane would open by itself)")
    if not batch:
        say("GDB: `continue` boots the kernel; `fiber list`, `ring`, `pkt`, `systable`, "
            "`abi check`; quit stops QEMU")

    gdb_argv = [GDB, "-nx", "-q", kernel,
                "-ex", "set tcp connect-timeout 5",
                "-ex", f"source {LOADER}",
                "-ex", f"target remote 127.0.0.1:{port}"] + gdb_extra
    # Ctrl-C is GDB's (it stops the kernel); we only wait for GDB to finish.
    # A handler rather than SIG_IGN, so that GDB does not inherit it.
    signal.signal(signal.SIGINT, lambda signum, frame: None)
    try:
        session.gdb = subprocess.Popen(gdb_argv)
        status = session.gdb.wait()
    finally:
        session.cleanup()
    say(f"QEMU stopped; console log in {rel(log_path)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
