"""make bench in its quick mode: every figure is produced and sane.

Not a speed test (docs/performance.md has the figures and targets): it checks
that each benchmark ran, that no figure is below the floor it chases (a floor
is a lower bound, so a smaller figure means a broken measurement), that the
kernel's interrupt-free figures are exact under -icount (every sample the
same), and that the wall-clock figures and build/bench.json exist."""
import json
import subprocess
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import bench  # noqa: E402
from exec_floor import floor_for  # noqa: E402

EXACT = ("fiber-switch", "ring-push-pop", "siphash-cmdpacket", "page-alloc-free",
         "tarfs-lookup", "tarfs-read-1mib")


def test_quick_bench_produces_every_figure(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "bench.py"), "--quick",
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(out.read_text())
    figures = report["instructions"]
    assert set(figures) == set(bench.FLOORS), proc.stdout
    assert not report["skipped"] and not report["warnings"], report
    assert report["tarfs_entries"] >= bench.BENCH_FILES
    for name, f in figures.items():
        assert f["floor"] > 0, name
        assert f["per_op"] >= f["floor"], f"{name}: {f['per_op']} is below its floor {f['floor']}"
        assert f["min"] <= f["per_op"] <= f["max"], name
        assert f["samples"] >= 3, name
    for name in EXACT:
        assert figures[name]["min"] == figures[name]["max"], f"{name} is not exact: {figures[name]}"
    # The table names every figure beside its floor.
    for name in figures:
        assert name in proc.stdout
    wall = report["wall"]
    assert 0 < wall["boot-to-prompt-s"]["median"] < 30
    assert len(wall["boot-to-prompt-s"]["runs"]) == 3
    assert wall["gdb-fiber-list-s"]["fibers"] == 64
    for key in ("gdb-fiber-list-s", "gdb-ring-1024-s", "gdb-pkt-16-s"):
        assert 0 < wall[key]["median"] < 30, key


def test_exec_floor_adds_up_from_hello_segments():
    result = floor_for(ROOT / "build" / "userland" / "hello.elf")
    assert result["floor"] == sum(result["terms"].values())
    copied = [n for what, n in result["terms"].items() if what.startswith("copy ")]
    assert copied and copied[0] > 0
