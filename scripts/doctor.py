#!/usr/bin/python3
"""make doctor: is this machine set up the way Rumpk Lab is tested?

One line per check, each starting with `ok  `, `warn` or `FAIL`; a problem
(FAIL) names the exact fix. The checks, and why:

1. The tools, found on PATH, and their versions: qemu-system-riscv64 (tested
   with QEMU 7.2), gdb-multiarch (GDB 13.1), riscv64-unknown-elf-gcc (GCC
   12.2), riscv64-unknown-elf-ld (binutils 2.40), and /usr/bin/python3
   (3.11), which every make target uses. A missing tool is a problem (the
   Debian package to install); another major.minor version is a warning.
2. The Python modules the tools and tests import, in /usr/bin/python3:
   elftools (pyelftools), pytest, pexpect; and elftools in GDB's own
   embedded Python, which the GDB extensions need. A module that exists on
   disk but fails to import is told apart from one that is not installed.
3. GDB: gdb/rumpk-gdb.py loads without a Python error; and whether GDB
   would auto-load a .gdbinit from the repository (the auto-load
   safe-path, with the user's own init files read). make debug does not
   need that: it passes -nx and sources gdb/rumpk-gdb.py itself.
4. Stale QEMUs: a qemu-system-riscv64 whose command line names this tree's
   build/ and whose starter is gone (an interrupted test or make debug left
   it behind) is a problem; one whose parent still works in this tree (a
   test run, make run in another terminal) is a warning: in use. Another
   QEMU with a gdbstub, or anything listening on port 1234, is a warning,
   since a plain `target remote :1234` would talk to it (make debug and the
   tests pick free ports). All read from /proc (/proc/net/tcp, tcp6), so
   checking consumes no gdbstub connection.
5. build/kernel.elf older than kernel/ or include/: a note (make rebuilds it).

Every command doctor runs has a 10 s timeout, and gets doctor's environment
(PATH, PYTHONPATH, HOME) as it is: doctor sees what the make targets see.
Exit status: 0 when nothing is a problem (warnings allowed), 1 otherwise.
"""
import argparse
import fnmatch
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
PYTHON = "/usr/bin/python3"
TIMEOUT = 10
GDB = "gdb-multiarch"
QEMU = "qemu-system-riscv64"
GDB_PORT = 1234

# name on PATH, the version tested, the Debian package that provides it.
TOOLS = [
    (QEMU, "7.2", "qemu-system-misc"),
    (GDB, "13.1", "gdb-multiarch"),
    ("riscv64-unknown-elf-gcc", "12.2", "gcc-riscv64-unknown-elf"),
    ("riscv64-unknown-elf-ld", "2.40", "binutils-riscv64-unknown-elf"),
]
PYTHON_TESTED = "3.11"
# module, its usual name, the Debian package.
MODULES = [
    ("elftools", "pyelftools", "python3-pyelftools"),
    ("pytest", "pytest", "python3-pytest"),
    ("pexpect", "pexpect", "python3-pexpect"),
]
DEBIAN_SITE = "/usr/lib/python3/dist-packages"

# Run by /usr/bin/python3 (-c) and by GDB's Python (`python exec(...)`): one
# JSON line per module, with the version, or the error and the copies on sys.path.
PROBE = r"""
import importlib, json, os, sys
for name in NAMES:
    r = {"name": name, "python": sys.version.split()[0]}
    try:
        mod = importlib.import_module(name)
        r["version"] = str(getattr(mod, "__version__", "?"))
    except Exception as e:
        msg = (str(e).strip().splitlines() or [""])[-1]
        r["error"] = msg if type(e) is ModuleNotFoundError else type(e).__name__ + ": " + msg
        r["copies"] = [os.path.join(d or os.getcwd(), name) for d in sys.path
                       if os.path.isfile(os.path.join(d or ".", name, "__init__.py"))
                       or os.path.isfile(os.path.join(d or ".", name + ".py"))]
    print("DOCTOR-PROBE " + json.dumps(r))
"""


class Report:
    def __init__(self):
        self.problems = 0
        self.warnings = 0

    def line(self, status, text):
        print(f"{status:<4} {' '.join(text.split())}", flush=True)

    def ok(self, text):
        self.line("ok", text)

    def warn(self, text):
        self.warnings += 1
        self.line("warn", text)

    def fail(self, text):
        self.problems += 1
        self.line("FAIL", text)


def run(argv, cwd=ROOT):
    """(status, output) of a command, stdout and stderr together; status is
    None when it could not run or took longer than TIMEOUT (output says why)."""
    try:
        p = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, errors="replace", timeout=TIMEOUT, env=os.environ)
    except subprocess.TimeoutExpired:
        return None, f"no answer within {TIMEOUT} s"
    except OSError as e:
        return None, e.strerror or str(e)
    return p.returncode, p.stdout + p.stderr


def apt(package, reinstall=False):
    sudo = "" if os.geteuid() == 0 else "sudo "
    return f"{sudo}apt-get install {'--reinstall ' if reinstall else ''}{package}"


def major_minor(version):
    return ".".join(version.split(".")[:2])


def first_line(text):
    return next((ln.strip() for ln in text.splitlines() if ln.strip()), "(no output)")


def short(path):
    """A path inside the repository relative to it; others as they are."""
    rel = os.path.relpath(path, ROOT)
    return path if rel.startswith("..") else rel


# ---- 1. tools and versions -------------------------------------------------------------------

def check_tools(rep):
    """Returns the path of gdb-multiarch, or None when it is missing."""
    found = {}
    for name, tested, package in TOOLS:
        path = shutil.which(name)
        if path is None:
            more = " (so GDB's Python and gdb/rumpk-gdb.py were not checked)"
            more = more if name == GDB else ""
            rep.fail(f"{name}: not found on PATH{more}: {apt(package)} (or make deps)")
            continue
        status, out = run([path, "--version"])
        first = first_line(out)
        # "QEMU emulator version 7.2.22 (Debian ...)", "GNU gdb (Debian 13.1-3) 13.1",
        # "riscv64-unknown-elf-gcc (12.2.0-14...) 12.2.0", "GNU ld (2.40-2+4+b1) 2.40"
        m = (re.search(r"version (\d+\.\d+(?:\.\d+)*)", first)
             or re.search(r"(\d+\.\d+(?:\.\d+)*)\s*$", first))
        where = "" if os.path.dirname(path) == "/usr/bin" else f" at {path}"
        if status != 0 or m is None:
            rep.fail(f"{name}{where}: `{name} --version` fails ({first}): "
                     f"{apt(package, reinstall=True)}")
            continue
        version = m.group(1)
        found[name] = path
        if major_minor(version) == tested:
            rep.ok(f"{name} {version}{where} (tested: {tested})")
        else:
            rep.warn(f"{name} {version}{where}: not the version this project is tested with "
                     f"({tested}); it may well work, but suspect it first if something differs")
    return found.get(GDB)


def check_python(rep):
    """Returns True when /usr/bin/python3 runs."""
    if not os.path.exists(PYTHON):
        rep.fail(f"python3: {PYTHON} does not exist (every make target uses it, so the "
                 f"modules were not checked): {apt('python3')}")
        return False
    status, out = run([PYTHON, "--version"])
    m = re.search(r"Python (\d+\.\d+\S*)", out)
    if status != 0 or m is None:
        rep.fail(f"python3: {PYTHON} --version fails ({first_line(out)}): "
                 f"{apt('python3', reinstall=True)}")
        return False
    version = m.group(1)
    on_path = shutil.which("python3")
    aside = ""
    if on_path and os.path.realpath(on_path) != os.path.realpath(PYTHON):
        aside = f"; `python3` on PATH is {on_path}, but the make targets use {PYTHON}"
    if major_minor(version) == PYTHON_TESTED:
        rep.ok(f"python3 {version} at {PYTHON} (tested: {PYTHON_TESTED}){aside}")
    else:
        rep.warn(f"python3 {version} at {PYTHON}: not the version this project is tested "
                 f"with ({PYTHON_TESTED}){aside}")
    return True


# ---- 2. Python modules -----------------------------------------------------------------------

def probe_code(names):
    return f"NAMES = {names!r}\n{PROBE}"


def parse_probe(out):
    results = {}
    for ln in out.splitlines():
        if ln.startswith("DOCTOR-PROBE "):
            r = json.loads(ln[len("DOCTOR-PROBE "):])
            results[r["name"]] = r
    return results


def module_fix(r, package):
    """The fix for a module that does not import, from where its copies are."""
    copies = r.get("copies") or []
    if not copies:
        return apt(package)
    bad = copies[0]
    parent = os.path.dirname(bad)
    from_env = [os.path.abspath(d)
                for d in os.environ.get("PYTHONPATH", "").split(os.pathsep) if d]
    if os.path.abspath(parent) in from_env:
        where = f"{bad}, from PYTHONPATH, fails to import"
        fix = f"take {parent} off PYTHONPATH"
    elif parent == DEBIAN_SITE:
        return f"{bad} is Debian's copy and it is broken: {apt(package, reinstall=True)}"
    else:
        where = f"{bad} fails to import"
        fix = f"remove or repair {bad}"
    others = [c for c in copies[1:] if c != bad]
    if others:
        debian = " (" + package + ")" if os.path.dirname(others[0]) == DEBIAN_SITE else ""
        return f"{where} and hides {others[0]}{debian}: {fix}"
    return f"{where}: {fix}, then {apt(package)}"


def check_modules(rep):
    names = [m for m, _, _ in MODULES]
    _, out = run([PYTHON, "-c", probe_code(names)])
    results = parse_probe(out)
    for module, label, package in MODULES:
        r = results.get(module)
        if r is None:
            rep.fail(f"{label}: the import probe in {PYTHON} failed ({first_line(out)}): "
                     f"{apt(package)}")
        elif "error" in r:
            rep.fail(f"{label}: {PYTHON} cannot import {module} ({r['error']}): "
                     f"{module_fix(r, package)}")
        else:
            rep.ok(f"{label} {r['version']} in {PYTHON}")


def check_gdb_python(rep, gdb):
    """Returns True when GDB's Python imports elftools."""
    code = probe_code(["elftools"])
    _, out = run([gdb, "-nx", "-batch", "-ex", f"python exec({code!r})"])
    r = parse_probe(out).get("elftools")
    if r is None:
        rep.fail(f"pyelftools in GDB: {GDB} has no working Python ({first_line(out)}): the GDB "
                 f"extensions need it; {apt('gdb-multiarch', reinstall=True)}")
    elif "error" in r:
        rep.fail(f"pyelftools in GDB: {GDB}'s Python {r['python']} cannot import elftools "
                 f"({r['error']}): {module_fix(r, 'python3-pyelftools')}")
    else:
        rep.ok(f"pyelftools {r['version']} in {GDB}'s Python {r['python']}")
        return True
    return False


# ---- 3. GDB: the extensions load; auto-load --------------------------------------------------

PY_ERROR = ("Traceback (most recent call last)", "Python Exception", "Error occurred in Python",
            "Error while executing Python code")


def python_error(out):
    """The first line of GDB's output that says what went wrong in Python, or None."""
    if not any(marker in out for marker in PY_ERROR):
        return None
    for ln in out.splitlines():
        if ln.startswith(("Traceback", " ", "\t", "Error while executing")) or not ln.strip():
            continue
        return ln.strip()
    return first_line(out)


def check_extensions(rep, gdb, elftools_ok):
    loader = "gdb/rumpk-gdb.py"
    status, out = run([gdb, "-nx", "-batch", "-ex", f"source {loader}"])
    error = python_error(out) if status is not None else out
    if status == 0 and error is None:
        rep.ok(f"{loader} loads in {GDB} without an error")
        return
    error = error or first_line(out)
    fix = ("fix pyelftools in GDB first (above)" if not elftools_ok
           else f"see the whole error with {GDB} -nx -batch -ex 'source {loader}'; "
                f"`git diff -- gdb/` shows local changes")
    rep.fail(f"{loader}: {GDB} cannot load it ({error}): {fix}")


def gdb_shows(out):
    """The values of `show auto-load safe-path`, `show debug-file-directory`,
    `show data-directory` and `show auto-load local-gdbinit` in GDB's output."""
    vals = {}
    m = re.search(r"safe to auto-load files is (.*?)\.?$", out, re.M)
    vals["safe-path"] = m.group(1) if m else None
    if "safe to load from any directory" in out:  # set auto-load safe-path /
        vals["safe-path"] = "/"
    m = re.search(r'separate debug symbols are searched for is "(.*)"', out)
    vals["debugdir"] = m.group(1) if m else "/usr/lib/debug"
    m = re.search(r'data directory is "(.*)"', out)
    vals["datadir"] = m.group(1) if m else "/usr/share/gdb"
    m = re.search(r"Auto-loading of \.gdbinit script from current directory is (\w+)", out)
    vals["local-gdbinit"] = m.group(1) if m else "on"
    return vals


def safe_path_trusts(entries, path):
    """True when GDB's auto-load safe-path (expanded entries) covers `path`:
    some entry matches a leading run of its directories, component by
    component (an entry may hold wildcards; "/" trusts everything)."""
    parts = path.strip("/").split("/")
    for entry in entries:
        pat = entry.rstrip("/")
        if pat == "":
            return True
        pat_parts = pat.strip("/").split("/")
        if len(pat_parts) <= len(parts) and all(
                fnmatch.fnmatchcase(p, q) for p, q in zip(parts, pat_parts)):
            return True
    return False


def home_gdbinit():
    """The user's init file that GDB 13 reads (the first that exists of
    $XDG_CONFIG_HOME/gdb/gdbinit, ~/.config/gdb/gdbinit, ~/.gdbinit; only one
    is read), and whether it exists."""
    home = os.path.expanduser("~")
    candidates = []
    if os.environ.get("XDG_CONFIG_HOME"):
        candidates.append(os.path.join(os.environ["XDG_CONFIG_HOME"], "gdb", "gdbinit"))
    candidates += [os.path.join(home, ".config", "gdb", "gdbinit"), os.path.join(home, ".gdbinit")]
    for c in candidates:
        if os.path.isfile(c):
            return c, True
    return os.path.join(home, ".config", "gdb", "gdbinit"), False


def check_auto_load(rep, gdb):
    shows = ["-ex", "show auto-load safe-path", "-ex", "show debug-file-directory",
             "-ex", "show data-directory", "-ex", "show auto-load local-gdbinit"]
    # Without -nx: the user's init files count, as they do for a student's gdb.
    status, out = run([gdb, "-batch", *shows])
    vals = gdb_shows(out) if status is not None else {}
    if not vals.get("safe-path"):
        rep.warn(f"gdb auto-load: `{GDB} -batch -ex 'show auto-load safe-path'` gives no "
                 f"answer ({first_line(out)})")
        return
    _, default_out = run([gdb, "-nx", "-batch", "-ex", "show auto-load safe-path"])
    default = gdb_shows(default_out)["safe-path"]
    entries = []
    for e in vals["safe-path"].split(":"):
        for part in (e.replace("$debugdir", vals["debugdir"])
                     .replace("$datadir", vals["datadir"]).split(":")):
            part = os.path.expanduser(part)
            entries += [part, os.path.realpath(part)] if part else []
    setting = vals["safe-path"]
    if default and default != setting:
        setting += f", GDB's default {default} changed by your init files"
    here = os.path.join(ROOT, ".gdbinit")
    trusted = safe_path_trusts(entries, here) or safe_path_trusts(entries, os.path.realpath(here))
    regardless = "make debug works regardless: it sources gdb/rumpk-gdb.py itself"
    if not trusted:
        init, exists = home_gdbinit()
        shown = init.replace(os.path.expanduser("~"), "~", 1)
        mkdir = "" if exists else f"mkdir -p {os.path.dirname(shown)} && "
        rep.warn(f"gdb auto-load: GDB would refuse a .gdbinit in {ROOT} (safe-path {setting}): "
                 f"{mkdir}echo \"add-auto-load-safe-path {ROOT}\" >> {shown} ({regardless})")
    elif vals["local-gdbinit"] != "on":
        rep.warn(f"gdb auto-load: {ROOT} is trusted, but `set auto-load local-gdbinit "
                 f"{vals['local-gdbinit']}` in your init files stops GDB reading ./.gdbinit: "
                 f"remove that line ({regardless})")
    else:
        rep.ok(f"gdb auto-load: {ROOT} is under the auto-load safe-path ({setting})")


# ---- 4. stale QEMUs and port 1234 ------------------------------------------------------------

def processes():
    """(pid, argv) of every process whose command line is readable."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                raw = f.read()
        except OSError:
            continue
        if raw:
            yield int(entry), [a.decode(errors="replace") for a in raw.rstrip(b"\0").split(b"\0")]


def proc_info(pid):
    """(parent PID or None, 'up 12 s, parent PID 77: python3 -m pytest ...')."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        ppid = int(fields[1])
        age = int(uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None, "details unreadable"
    up = f"{age} s" if age < 120 else f"{age // 60} min" if age < 7200 else f"{age // 3600} h"
    if ppid == 1:
        return ppid, f"up {up}, orphaned: the process that started it has exited"
    return ppid, f"up {up}, parent PID {ppid}: {cmdline(ppid, 60)}"


def cmdline(pid, limit=None):
    """A process's command line as one string ("?" when unreadable)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            text = " ".join(a.decode(errors="replace") for a in f.read().split(b"\0") if a)
    except OSError:
        return "?"
    return text[:limit - 3] + "..." if limit and len(text) > limit else text


def works_here(pid):
    """True when a process works in this tree: its working directory is inside
    it, or its command line names it."""
    root = os.path.realpath(ROOT)
    try:
        cwd = os.path.realpath(os.readlink(f"/proc/{pid}/cwd"))
        if cwd == root or cwd.startswith(root + "/"):
            return True
        return root in cmdline(pid) or ROOT in cmdline(pid)
    except OSError:
        return False


def kernel_arg(argv):
    for i, a in enumerate(argv[:-1]):
        if a in ("-kernel", "--kernel"):
            return argv[i + 1]
    return None


def absolute(pid, path):
    """A path from a process's command line, made absolute with its working
    directory (None when that is unreadable)."""
    if os.path.isabs(path):
        return os.path.normpath(path)
    try:
        return os.path.normpath(os.path.join(os.readlink(f"/proc/{pid}/cwd"), path))
    except OSError:
        return None


def is_ours(pid, argv):
    """True when the QEMU's command line names a file under this tree's build/:
    the kernel, or any path in an option (path=..., file:...)."""
    build = os.path.realpath(BUILD) + "/"
    kernel = kernel_arg(argv)
    for arg in argv[1:]:
        for piece in re.split(r"[,=]", arg):
            piece = re.sub(r"^(file|unix|pipe):", "", piece)
            if "/" not in piece and piece != kernel:
                continue
            path = absolute(pid, piece)
            if path and (path.startswith(build) or os.path.realpath(path).startswith(build)):
                return True
    return False


def gdbstub_ports(argv):
    """The TCP ports QEMU's command line gives its gdbstub (-s, -gdb tcp:HOST:PORT)."""
    ports = set()
    for i, a in enumerate(argv):
        if a in ("-s", "--s"):
            ports.add(GDB_PORT)
        value = None
        if a in ("-gdb", "--gdb") and i + 1 < len(argv):
            value = argv[i + 1]
        elif a.startswith(("-gdb=", "--gdb=")):
            value = a.split("=", 1)[1]
        m = re.match(r"tcp:[^,]*?:(\d+)", value or "")
        if m:
            ports.add(int(m.group(1)))
    return ports


def reaches_localhost(hex_addr):
    """Whether a /proc/net/tcp{,6} local address accepts connections to localhost."""
    raw = bytes.fromhex(hex_addr)
    # The kernel prints each 32-bit word in host (little-endian) order.
    raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    ip = ipaddress.ip_address(raw)
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or ip.is_unspecified or bool(mapped and mapped.is_loopback)


def listeners(port):
    """Socket inodes listening (state 0A) on `port` at a loopback or wildcard address."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.readlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            addr, _, hex_port = cols[1].partition(":")
            if cols[3] == "0A" and int(hex_port, 16) == port and reaches_localhost(addr):
                inodes.add(cols[9])
    return inodes


def socket_owners(inodes):
    """The PIDs of the processes holding any of these socket inodes."""
    owners = set()
    want = {f"socket:[{i}]" for i in inodes}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fds = os.listdir(f"/proc/{entry}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{entry}/fd/{fd}") in want:
                    owners.add(int(entry))
                    break
            except OSError:
                continue
    return owners


def check_qemus(rep):
    qemus = [(pid, argv) for pid, argv in processes() if os.path.basename(argv[0]) == QEMU]
    holders = socket_owners(listeners(GDB_PORT))
    ours = [(pid, argv) for pid, argv in qemus if is_ours(pid, argv)]
    others = [(pid, argv) for pid, argv in qemus if (pid, argv) not in ours]
    stale = 0
    for pid, argv in ours:
        kernel = kernel_arg(argv)
        kernel = short(absolute(pid, kernel) or kernel) if kernel else None
        what = f"runs {kernel}" if kernel else "uses this tree's build/"
        ports = gdbstub_ports(argv) | ({GDB_PORT} if pid in holders else set())
        stub = f"; gdbstub on port {', '.join(map(str, sorted(ports)))}" if ports else ""
        ppid, info = proc_info(pid)
        # Started by a process still working in this tree (a test run, make run,
        # make debug in another terminal): in use, not left over.
        if ppid not in (None, 0, 1) and works_here(ppid):
            rep.warn(f"QEMU in use: {QEMU} PID {pid} {what} ({info}{stub}): "
                     f"if that has finished, kill {pid}")
        else:
            stale += 1
            rep.fail(f"stale QEMU: {QEMU} PID {pid} {what} ({info}{stub}): kill {pid}")
    if not stale:
        rep.ok("stale QEMUs: none left running a kernel of this tree's build/")
    stubs = 0
    for pid, argv in others:
        # One holding port 1234 is reported by check_port.
        ports = gdbstub_ports(argv) - ({GDB_PORT} if pid in holders else set())
        stubs += bool(ports) or pid in holders
        if not ports:
            continue
        kernel = kernel_arg(argv) or "no -kernel"
        ports = ", ".join(map(str, sorted(ports)))
        rep.warn(f"other QEMU: {QEMU} PID {pid} ({kernel}; {proc_info(pid)[1]}) has a gdbstub "
                 f"on port {ports}: `target remote :{ports.split(',')[0]}` would talk to it "
                 f"(make debug and the tests pick free ports); if it is yours and done with, "
                 f"kill {pid}")
    if not others:
        rep.ok("other QEMUs: none running")
    elif not stubs:
        rep.ok(f"other QEMUs: {len(others)} running, none with a gdbstub")
    check_port(rep, holders, {pid for pid, _ in qemus}, {pid for pid, _ in ours})


def check_port(rep, holders, qemu_pids, our_pids):
    if not holders and not listeners(GDB_PORT):
        rep.ok(f"port {GDB_PORT}: nothing listens on it")
        return
    after = (f"a plain `target remote :{GDB_PORT}` talks to it "
             f"(make debug and the tests pick free ports)")
    if not holders:
        rep.warn(f"port {GDB_PORT}: something listens on it (its process is not visible to "
                 f"doctor): {after}")
        return
    for pid in sorted(holders):
        if pid in our_pids:
            who = f"this tree's {QEMU} PID {pid} (above)"
        elif pid in qemu_pids:
            who = f"{QEMU} PID {pid}, not this tree's ({proc_info(pid)[1]})"
        else:
            who = f"PID {pid} ({cmdline(pid, 60)})"
        rep.warn(f"port {GDB_PORT}: held by {who}: {after}")


# ---- 5. the build ----------------------------------------------------------------------------

def check_build(rep):
    kernel = os.path.join(BUILD, "kernel.elf")
    newest, newest_path = 0.0, None
    for top in ("kernel", "include"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                path = os.path.join(dirpath, name)
                try:
                    mtime = os.stat(path).st_mtime
                except OSError:
                    continue
                if mtime > newest:
                    newest, newest_path = mtime, path
    if not os.path.exists(kernel):
        rep.ok("build/kernel.elf: not built yet (make builds it)")
    elif newest_path and os.stat(kernel).st_mtime < newest:
        rep.ok(f"build/kernel.elf is older than the sources ({short(newest_path)}): "
               f"make rebuilds it")
    else:
        rep.ok("build/kernel.elf is newer than kernel/ and include/")


def main():
    argparse.ArgumentParser(
        description="Checks this machine against what Rumpk Lab is tested with "
                    "(docs/tools.md). Exit status 0: no problem; 1: a problem, with its fix."
    ).parse_args()
    rep = Report()
    gdb = check_tools(rep)
    if check_python(rep):
        check_modules(rep)
    if gdb:
        elftools_ok = check_gdb_python(rep, gdb)
        check_extensions(rep, gdb, elftools_ok)
        check_auto_load(rep, gdb)
    check_qemus(rep)
    check_build(rep)
    w = f"{rep.warnings} warning{'' if rep.warnings == 1 else 's'}"
    if rep.problems:
        print(f"doctor: {rep.problems} problem{'' if rep.problems == 1 else 's'}, {w}")
        return 1
    print(f"doctor: all good ({w})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
