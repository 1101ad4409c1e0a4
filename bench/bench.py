#!/usr/bin/python3
"""make bench: what the edit-build-boot-look loop and the kernel's hot paths cost.

    bench/bench.py [--quick] [--out build/bench.json]

1. Instructions per operation, exact: a kernel with a 10,000-file initrd boots
   under `-icount shift=0,sleep=off` with `bench` on its command line; the
   kernel measures its hot paths (kernel/core/bench.c), the shell runs the
   user-side `bench` program and then `hello` several times (the kernel
   reports each exec through its exit). Each figure sits beside the floor it
   chases (docs/performance.md works each one out) and its ratio to it.
2. Wall-clock figures, on this host, without -icount: QEMU start to the
   `nipbox> ` prompt (median of 10 boots), `make` from clean and after
   touching one .c file (in a copy of the tree), and the latency of GDB's
   `fiber list` (64 fibers), `ring` (1,024 entries) and `pkt` (16 packets)
   against a live kernel booted with `bench=gdb`.

--quick (what `make test` runs): fewer samples and boots, no make timings.
Prints a table and writes it all to --out as JSON. Targets are reported as
met or missed; nothing here fails on a slow figure, only on a missing one.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from rumpklib import qemu  # noqa: E402

import pexpect  # noqa: E402

BUILD = ROOT / "build"
ICOUNT = ["-icount", "shift=0,sleep=off"]
PROMPT = "nipbox> "
BENCH_FILES = 10_000
FIGURE = re.compile(r"\[bench\] (\S+) per-op=(\d+) min=(\d+) max=(\d+) samples=(\d+) batch=(\d+)")
EXEC = re.compile(r"\[bench\] exec (\S+) instructions=(\d+)")

# The floor each figure chases, in instructions, and the target as a ratio
# to it or an absolute count. docs/performance.md derives every number.
FLOORS = {
    "fiber-switch":      (30, "14 sd + 14 ld of ra, sp, s0-s11, the call and the ret"),
    "ring-push-pop":     (37, "2 index loads, acquire fence, full/empty test, slot address, "
                              "4 ld + 4 sd of a CmdPacket, release fence, index store; twice"),
    "siphash-cmdpacket": (448, "16 SipRounds of 26 rv64gc instructions (rotate = 3) + set-up"),
    "page-alloc-free":   (526, "512 sd to clear the page + bitmap and counter updates"),
    "tarfs-lookup":      (1150, "14 binary-search probes comparing ~18 characters, normalizing"),
    "tarfs-read-1mib":   (262144, "131,072 ld + 131,072 sd: copying 1 MiB a word at a time"),
    "syscall-nop":       (1040, "2 SipHash tags (448 each) + trap entry/exit (70) + push/pop "
                                "on the command and completion rings (37 each)"),
    "syscall-nop-batch": (972, "per command: 2 SipHash tags + both ring round trips + 1/32 "
                               "of a trap"),
    "console-write-64":  (2096, "2 commands (allocate a packet, hand it to the console) at "
                                "1,040 each + copying 64 bytes in"),
    "yield":             (1070, "a no-op round trip's floor + one fiber switch"),
    "exec-hello":        (None, "computed from hello's segments: see docs/performance.md"),
}
TARGETS = {
    "fiber-switch": ("ratio", 1.5),
    "ring-push-pop": ("ratio", 2.0),
    "syscall-nop": ("count", 1000),
    "exec-hello": ("count", 200_000),
    "boot-to-prompt-s": ("count", 0.25),
    "gdb-fiber-list-s": ("count", 0.3),
    "gdb-ring-1024-s": ("count", 0.3),
    "gdb-pkt-16-s": ("count", 0.3),
}


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def make(*args, cwd=ROOT, timeout=900):
    proc = subprocess.run(["make", "-s", f"-j{os.cpu_count() or 2}", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        sys.exit(f"bench: make {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")


def bench_tree():
    """build/bench-rootfs: /bench/files/f00000..f09999 (empty) and a 1 MiB file."""
    tree = BUILD / "bench-rootfs"
    files = tree / "bench" / "files"
    big = tree / "bench" / "one-mib.bin"
    if not (files / f"f{BENCH_FILES - 1:05d}").exists() or not big.exists():
        files.mkdir(parents=True, exist_ok=True)
        for i in range(BENCH_FILES):
            (files / f"f{i:05d}").touch()
        big.write_bytes(bytes((i * 131 + 7) & 0xff for i in range(1 << 20)))
    return tree


def spawn(kernel, append="", extra=(), gdb_port=None):
    argv = qemu.command(kernel, append=append, extra=list(extra), gdb_port=gdb_port)
    return pexpect.spawn(argv[0], argv[1:], encoding="utf-8", codec_errors="replace",
                         timeout=120, maxread=65536)


def instruction_figures(kernel, quick):
    """The kernel's and the user program's [bench] lines, and exec of hello."""
    child = spawn(kernel, append="bench", extra=ICOUNT)
    text = ""
    try:
        child.expect("kernel benchmarks done", timeout=300)
        text += child.before
        child.expect(PROMPT)
        child.sendline("bench 9" if quick else "bench")
        child.expect(r"user benchmarks done", timeout=300)
        text += child.before
        child.expect(PROMPT)
        runs = 3 if quick else 11
        for _ in range(runs):
            child.sendline("hello")
            child.expect(PROMPT, timeout=60)
            text += child.before
    finally:
        child.kill(9)
        child.close()
    figures = {}
    for m in FIGURE.finditer(text):
        figures[m[1]] = {"per_op": int(m[2]), "min": int(m[3]), "max": int(m[4]),
                         "samples": int(m[5]), "batch": int(m[6])}
    execs = [int(m[2]) for m in EXEC.finditer(text) if m[1] == "/bin/hello"]
    if execs:
        figures["exec-hello"] = {"per_op": int(statistics.median(execs)), "min": min(execs),
                                 "max": max(execs), "samples": len(execs), "batch": 1}
    entries = re.search(r"\[bench\] tarfs-entries (\d+)", text)
    skipped = re.findall(r"\[bench\] (\S+) skipped: (.*)", text)
    warnings = re.findall(r"\[bench\] (\S+) warning: (.*)", text)
    return figures, int(entries[1]) if entries else None, skipped, warnings


def boot_to_prompt(kernel, boots):
    """Wall seconds from starting QEMU to the shell's prompt, one per boot."""
    times = []
    for _ in range(boots):
        t0 = time.perf_counter()
        child = spawn(kernel)
        try:
            child.expect(PROMPT, timeout=30)
            times.append(time.perf_counter() - t0)
        finally:
            child.kill(9)
            child.close()
    return times


def make_times():
    """make from clean, and after touching one .c file, in a copy of the tree."""
    with tempfile.TemporaryDirectory(prefix="rumpk-bench-") as tmp:
        copy = Path(tmp) / "tree"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns("build", ".git", "__pycache__"))
        t0 = time.perf_counter()
        make("all", cwd=copy)
        clean = time.perf_counter() - t0
        time.sleep(1.1)  # a coarse file system clock must see the touch as newer
        (copy / "kernel" / "core" / "fiber.c").touch()
        t0 = time.perf_counter()
        make("all", cwd=copy)
        touched = time.perf_counter() - t0
    return clean, touched


GDB_TIMER = r'''
python
import json, time, gdb
def _lat(cmd, n):
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        gdb.execute(cmd, to_string=True)
        out.append(time.perf_counter() - t0)
    return out
_r = {c: _lat(c, N) for c in ("fiber list", "ring bench_ring", "pkt bench_packets 16")}
print("GDB-LATENCY " + json.dumps(_r))
end
'''


def gdb_latency(kernel, runs):
    port = qemu.free_port()
    child = spawn(kernel, append="bench=gdb", gdb_port=port)
    try:
        child.expect(r"gdb scene: (\d+) parked fibers", timeout=30)
        parked = int(child.match[1])
        child.expect(PROMPT, timeout=30)
        script = Path(tempfile.mkstemp(prefix="rumpk-bench-", suffix=".gdb")[1])
        script.write_text(GDB_TIMER.replace("N)", f"{runs})", 1))
        argv = ["gdb-multiarch", "-nx", "-batch", "-ex", "set pagination off",
                "-ex", "set tcp connect-timeout 5", "-ex", f"file {kernel}",
                "-ex", f"source {ROOT / 'gdb' / 'rumpk-gdb.py'}", "-ex", "set rumpk color off",
                "-ex", f"target remote 127.0.0.1:{port}", "-x", str(script)]
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=ROOT)
        finally:
            script.unlink()
    finally:
        child.kill(9)
        child.close()
    m = re.search(r"GDB-LATENCY (\{.*\})", proc.stdout)
    if not m:
        sys.exit(f"bench: GDB printed no latencies:\n{proc.stdout}{proc.stderr}")
    lat = json.loads(m[1])
    return {"fiber list": lat["fiber list"], "ring bench_ring": lat["ring bench_ring"],
            "pkt bench_packets 16": lat["pkt bench_packets 16"], "parked_fibers": parked}


def verdict(name, value, floor):
    target = TARGETS.get(name)
    if not target:
        return ""
    kind, limit = target
    if kind == "ratio":
        ok = floor and value / floor <= limit
        return f"{'met' if ok else 'MISSED'} (<= {limit}x)"
    return f"{'met' if value <= limit else 'MISSED'} (<= {limit:,})"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer samples; no make timings")
    ap.add_argument("--out", default=str(BUILD / "bench.json"))
    ap.add_argument("--exec-floor", type=int, default=None,
                    help="the exec-hello floor (bench/exec_floor.py computes it)")
    args = ap.parse_args()

    log("building the kernel with a 10,000-file initrd (build/bench)")
    make("all")
    make(f"BUILD={BUILD / 'bench'}", f"ROOTFS_EXTRA={bench_tree()}", "all")
    bench_kernel = BUILD / "bench" / "kernel.elf"

    log("instruction counts under -icount shift=0,sleep=off")
    figures, entries, skipped, warnings = instruction_figures(bench_kernel, args.quick)
    exec_floor = args.exec_floor
    if exec_floor is None:
        sys.path.insert(0, str(ROOT / "bench"))
        from exec_floor import floor_for
        exec_floor = floor_for(BUILD / "userland" / "hello.elf")["floor"]

    boots = 3 if args.quick else 10
    log(f"wall time to the prompt, {boots} boots")
    boot_times = boot_to_prompt(BUILD / "kernel.elf", boots)

    log("GDB command latency against a live kernel (bench=gdb)")
    gdb = gdb_latency(BUILD / "kernel.elf", 3 if args.quick else 10)

    builds = None
    if not args.quick:
        log("make from clean and after touching kernel/core/fiber.c (a copy of the tree)")
        builds = make_times()

    rows, report = [], {"quick": args.quick, "tarfs_entries": entries, "instructions": {},
                        "wall": {}, "skipped": dict(skipped), "warnings": dict(warnings)}
    for name, (floor, why) in FLOORS.items():
        if name not in figures:
            continue
        f = figures[name]
        if name == "exec-hello":
            floor = exec_floor
        ratio = f["per_op"] / floor if floor else None
        report["instructions"][name] = dict(f, floor=floor, ratio=ratio, floor_is=why,
                                            target=verdict(name, f["per_op"], floor))
        rows.append((name, f"{f['per_op']:,}", f"{floor:,}" if floor else "-",
                     f"{ratio:.2f}x" if ratio else "-", verdict(name, f["per_op"], floor)))
    wall = {
        "boot-to-prompt-s": statistics.median(boot_times),
        "gdb-fiber-list-s": statistics.median(gdb["fiber list"]),
        "gdb-ring-1024-s": statistics.median(gdb["ring bench_ring"]),
        "gdb-pkt-16-s": statistics.median(gdb["pkt bench_packets 16"]),
    }
    if builds:
        wall["make-clean-s"], wall["make-touch-one-c-s"] = builds
    report["wall"] = {k: {"median": v, "target": verdict(k, v, None)} for k, v in wall.items()}
    for key, cmd in (("gdb-fiber-list-s", "fiber list"), ("gdb-ring-1024-s", "ring bench_ring"),
                     ("gdb-pkt-16-s", "pkt bench_packets 16")):
        report["wall"][key]["first"] = gdb[cmd][0]   # the cold run: nothing cached yet
        report["wall"][key]["runs"] = gdb[cmd]
        # Judged on the slower of the cold run and the median: what a student sees first.
        report["wall"][key]["target"] = verdict(key, max(gdb[cmd][0], wall[key]), None)
    report["wall"]["boot-to-prompt-s"]["runs"] = boot_times
    report["wall"]["gdb-fiber-list-s"]["fibers"] = gdb["parked_fibers"]

    width = max(len(r[0]) for r in rows)
    print(f"{'instructions per operation':<{width}}  {'measured':>10}  {'floor':>9}  "
          f"{'ratio':>7}  target")
    for r in rows:
        print(f"{r[0]:<{width}}  {r[1]:>10}  {r[2]:>9}  {r[3]:>7}  {r[4]}")
    for name, why in skipped:
        print(f"{name:<{width}}  skipped: {why}")
    for name, why in warnings:
        print(f"{name:<{width}}  warning: {why}")
    print()
    print(f"{'wall clock (this host)':<{width}}  {'median':>10}  {'first':>9}")
    for k, v in wall.items():
        first = report["wall"][k].get("first")
        first = f"{first:>8.3f}s" if first is not None else f"{'':>9}"
        print(f"{k:<{width}}  {v:>9.3f}s  {first}  {report['wall'][k]['target']}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    log(f"wrote {out}")


if __name__ == "__main__":
    main()
