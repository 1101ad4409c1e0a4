"""make doctor (scripts/doctor.py, docs/tools.md): passes on this machine, and
names the problem and its fix when pyelftools is hidden, when gdb-multiarch
is not on PATH, and when a QEMU of this tree is left running."""
import os
import re
import shutil
import subprocess
import time

from conftest import KERNEL, ROOT

PY = "/usr/bin/python3"
DOCTOR = ROOT / "scripts" / "doctor.py"
TOOLS = ("qemu-system-riscv64", "gdb-multiarch", "riscv64-unknown-elf-gcc",
         "riscv64-unknown-elf-ld")
VERSION = r"\d+\.\d+(\.\d+)*"
STATUS = re.compile(r"^(ok  |warn|FAIL) \S")


def doctor(env=None):
    proc = subprocess.run([PY, str(DOCTOR)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=env)
    proc.lines = proc.stdout.splitlines()
    proc.all = proc.stdout + proc.stderr
    for line in proc.lines[:-1]:
        assert STATUS.match(line), f"not a status line: {line!r}\n{proc.all}"
    return proc


def fails(proc):
    return [line for line in proc.lines if line.startswith("FAIL")]


def start_qemu(orphan):
    """A halted QEMU (it runs nothing) on build/kernel.elf; its PID. orphan:
    started through a shell that exits at once, so its parent is gone, as
    for a QEMU an interrupted test left behind."""
    if not KERNEL.exists():
        subprocess.run(["make", "-s"], cwd=ROOT, check=True, timeout=600)
    argv = ["qemu-system-riscv64", "-machine", "virt", "-display", "none", "-monitor", "none",
            "-serial", "none", "-S", "-kernel", "build/kernel.elf", "-net", "none"]
    if orphan:
        script = " ".join(argv) + " </dev/null >/dev/null 2>&1 & echo $!"
        out = subprocess.run(["sh", "-c", script], cwd=ROOT, capture_output=True, text=True,
                             timeout=10, check=True)
        return int(out.stdout.strip()), None
    proc = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc.pid, proc


def test_doctor_passes_on_this_machine():
    proc = subprocess.run(["make", "-s", "--no-print-directory", "doctor"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    lines = proc.stdout.splitlines()
    # A test run of someone else in this tree has QEMUs running: those show as
    # "QEMU in use" warnings, never as problems.
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.fullmatch(r"doctor: all good \(\d+ warnings?\)", lines[-1]), proc.stdout
    for tool in TOOLS:
        assert any(re.match(rf"(ok  |warn) {tool} {VERSION}\b", ln) for ln in lines), proc.stdout
    assert any(re.match(rf"ok   python3 {VERSION} at /usr/bin/python3", ln) for ln in lines)
    for label in ("pyelftools", "pytest", "pexpect"):
        assert any(re.match(rf"ok   {label} {VERSION} in /usr/bin/python3", ln)
                   for ln in lines), proc.stdout
    assert any(ln.startswith("ok   pyelftools ") and "gdb-multiarch's Python" in ln
               for ln in lines), proc.stdout
    assert "ok   gdb/rumpk-gdb.py loads" in proc.stdout


def test_hidden_pyelftools_is_named_with_its_fix(tmp_path):
    (tmp_path / "elftools").mkdir()
    (tmp_path / "elftools" / "__init__.py").write_text('raise ImportError("hidden by the test")\n')
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(tmp_path), env.get("PYTHONPATH")) if p)
    proc = doctor(env)
    assert proc.returncode == 1, proc.all
    bad = fails(proc)
    python = [ln for ln in bad if ln.startswith("FAIL pyelftools: /usr/bin/python3")]
    gdb = [ln for ln in bad if ln.startswith("FAIL pyelftools in GDB: gdb-multiarch's Python")]
    for found in (python, gdb):
        assert len(found) == 1, proc.stdout
        assert "hidden by the test" in found[0] and "python3-pyelftools" in found[0], found[0]
        assert f"take {tmp_path} off PYTHONPATH" in found[0], found[0]
    assert re.fullmatch(r"doctor: [1-9]\d* problems?, \d+ warnings?", proc.lines[-1])


def test_missing_gdb_multiarch_is_named_with_its_fix(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("qemu-system-riscv64", "riscv64-unknown-elf-gcc", "riscv64-unknown-elf-ld"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    proc = doctor(dict(os.environ, PATH=str(bin_dir)))
    assert proc.returncode == 1, proc.all
    assert [ln for ln in fails(proc) if ln.startswith("FAIL gdb-multiarch: not found on PATH")
            and "apt-get install gdb-multiarch" in ln], proc.stdout
    for tool in ("qemu-system-riscv64", "riscv64-unknown-elf-gcc", "riscv64-unknown-elf-ld"):
        assert any(re.match(rf"ok   {tool} {VERSION} at {bin_dir}/{tool}", ln)
                   for ln in proc.lines), proc.stdout


def test_stale_qemu_is_named_with_kill_and_one_in_use_is_a_warning():
    stale = in_use = None
    try:
        stale, _ = start_qemu(orphan=True)
        in_use, child = start_qemu(orphan=False)
        time.sleep(0.3)
        for pid in (stale, in_use):
            assert os.path.exists(f"/proc/{pid}"), f"QEMU {pid} did not start"
        proc = doctor()
        assert proc.returncode == 1, proc.all
        mine = [ln for ln in fails(proc) if f"PID {stale} " in ln]
        assert len(mine) == 1, proc.stdout
        assert mine[0].startswith("FAIL stale QEMU: qemu-system-riscv64") and \
            "runs build/kernel.elf" in mine[0] and mine[0].endswith(f": kill {stale}"), mine[0]
        used = [ln for ln in proc.lines if f"PID {in_use} " in ln]
        assert len(used) == 1 and used[0].startswith("warn QEMU in use:") and \
            f"kill {in_use}" in used[0], proc.stdout
    finally:
        for pid in (stale, in_use):
            if pid is not None:
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass
        if in_use is not None:
            child.wait(timeout=10)
        if stale is not None:  # init reaps it; wait until it is gone or a zombie
            deadline = time.monotonic() + 10
            while alive(stale) and time.monotonic() < deadline:
                time.sleep(0.05)


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
