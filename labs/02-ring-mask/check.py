#!/usr/bin/python3
"""Lab 02: every ring's capacity must be a power of two (its mask is
capacity - 1), so that index & mask walks every slot once per lap: under
load (flood) no line may be lost or repeated."""
import os
import re
import shutil
import subprocess
import tempfile

from rumpklib.labkit import CheckFailed, boot_gdbstub, check, gdb_batch, grade

FLOOD_LINES = 200
BLOCK_LINES = 40
RING_ROW = re.compile(r"^(command|completion|input|output)\s+(\S+)\s+(0x[0-9a-f]+)\s+(\d+)\s+(\d+)"
                      r"\s+(\d+)/(\d+)\s+(.+?)\s{2,}(.+)$", re.M)


def this_boot(c):
    """The console text of this boot only (the log holds every boot of the run)."""
    text = c.text()
    i = text.rfind("\n# " + " ".join(c.argv) + "\n")
    return text[i:] if i >= 0 else text


def run_flood(c):
    """At nipbox>: runs flood and waits for its end and the prompt after it."""
    c.sendline("flood")
    m = c.expect(r"\[subject\] /bin/flood (exited with status -?\d+|killed: [^\r\n]*)",
                 timeout=20, what="flood's end ([subject] /bin/flood exited ...)")
    c.expect(r"nipbox> ", what="the prompt after flood")
    return m[1]


def power_of_two(n):
    return n > 0 and n & (n - 1) == 0


def sequence_problems(numbers, count, what):
    """Which of 1..count are missing, which came twice, where the order broke."""
    seen = {}
    for n in numbers:
        seen[n] = seen.get(n, 0) + 1
    missing = [n for n in range(1, count + 1) if n not in seen]
    twice = sorted(n for n, k in seen.items() if k > 1)
    problems = []
    if missing:
        problems.append(f"{len(missing)} {what} missing (first: {', '.join(map(str, missing[:6]))})")
    if twice:
        problems.append(f"{len(twice)} {what} more than once (first: "
                        f"{', '.join(map(str, twice[:6]))})")
    for i in range(1, len(numbers)):
        if numbers[i] != numbers[i - 1] + 1:
            problems.append(f"out of order: {what[:-1]} {numbers[i]} came right after "
                            f"{numbers[i - 1]}")
            break
    return problems


@check("the kernel boots to the shell")
def boots(lab):
    lab.shell()


@check("flood's 200 lines and its 2560-byte block arrive exactly once, in order", parent=boots)
def flood_exactly_once(lab):
    c = lab.shell()
    end = run_flood(c)
    text = this_boot(c)
    lines = [int(n) for n, total in re.findall(r"flood: line +(\d+) of (\d+)", text)]
    block = [int(n) for n in re.findall(r"flood: block line +(\d+) =", text)]
    problems = sequence_problems(lines, FLOOD_LINES, "lines")
    problems += sequence_problems(block, BLOCK_LINES, "block lines")
    if problems:
        raise CheckFailed(f"flood printed {len(lines)} numbered lines for {FLOOD_LINES}: "
                          + "; ".join(problems), console=c)
    if end != "exited with status 0":
        raise CheckFailed(f"flood {end}, not exited with status 0", console=c)
    if f"flood: done, {FLOOD_LINES} lines and a 2560-byte block" not in text:
        raise CheckFailed("flood's last line (flood: done, ...) never came", console=c)


@check("`ion` after a flood: power-of-two rings, all drained, every packet back in the pool",
       parent=boots)
def ion_sane(lab):
    c = lab.shell()
    run_flood(c)
    c.sendline("ion")
    c.expect(r"packets: (\d+) total, (\d+) free, (\d+) in use", what="the packets: line of ion")
    c.expect(r"nipbox> ", what="the prompt after ion")
    text = this_boot(c)
    text = text[text.rfind("nipbox> ion"):]
    rings = re.findall(r"^\s+(command|completion|input|output)\s+head\s+(\d+)\s+tail\s+(\d+)"
                       r"\s+used\s+(\d+)/(\d+)", text, re.M)
    if len(rings) != 4:
        raise CheckFailed(f"`ion` listed {len(rings)} rings, not 4", console=c)
    for name, head, tail, used, capacity in rings:
        head, tail, used, capacity = int(head), int(tail), int(used), int(capacity)
        if not power_of_two(capacity):
            raise CheckFailed(f"the {name} ring's capacity is {capacity}: not a power of two, "
                              f"so index & mask (mask {capacity - 1:#x}) does not walk "
                              f"{capacity} slots", console=c)
        if (head - tail) % 2**32 > capacity:
            raise CheckFailed(f"the {name} ring has head {head}, tail {tail}: more than its "
                              f"{capacity} slots in use", console=c)
    output = next(r for r in rings if r[0] == "output")
    if output[1] != output[2]:
        raise CheckFailed(f"the output ring still holds {output[3]} entries after flood ended "
                          f"and the prompt came back", console=c)
    total, free, in_use = (int(x) for x in re.search(
        r"packets: (\d+) total, (\d+) free, (\d+) in use", text).groups())
    if in_use != 0:
        raise CheckFailed(f"{in_use} of {total} packets are still in use after flood ended: "
                          f"their descriptors were overwritten on the output ring before the "
                          f"console fiber printed them, so nobody gives them back", console=c)


@check("the rings' invariants hold under GDB after a flood (`ring`, `ring NAME --check`)",
       parent=boots)
def rings_check_in_gdb(lab):
    c, port = boot_gdbstub(lab, halted=False)
    c.expect(r"nipbox> ", timeout=20, what="the nipbox> prompt")
    run_flood(c)
    g = gdb_batch(lab, port, ["ring", "ring output --check"])
    rows = {m[0]: m for m in RING_ROW.findall(g.output)}
    if set(rows) != {"command", "completion", "input", "output"}:
        raise CheckFailed("GDB's `ring` did not list the four rings:\n" + g.tail())
    for name in ("command", "completion", "input", "output"):
        verdict = rows[name][8].strip()
        if verdict != "ok":
            raise CheckFailed(f"`ring` says the {name} ring breaks ion_ring_check's rule: "
                              f"{verdict} (mask, capacity: see `ring {name} --check`)\n"
                              + g.tail(8))
    if not re.search(r"^ion\.output: OK$", g.output, re.M):
        raise CheckFailed("`ring output --check` does not end in OK:\n" + g.tail(8))


PROBE = r"""
#include <stdio.h>
#include "ion/ring.h"

static struct { struct ion_ring r; unsigned char slots[4096 * 8]; } ring;

int main(void)
{
    static const unsigned bad[] = { 3, 6, 12, 48, 100, 1000, 0x80000001u, 0xffffffffu, 0 };
    static const unsigned good[] = { 1, 2, 64, 256, 4096 };
    int failed = 0;
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ring.r.mask = 0x1234;
        if (ion_ring_init(&ring.r, bad[i], 8) == 0) {
            printf("accepted capacity %u (mask %#x)\n", bad[i], ring.r.mask);
            failed = 1;
        } else if (ring.r.mask != 0x1234) {
            printf("refused capacity %u but changed the header\n", bad[i]);
            failed = 1;
        }
    }
    for (unsigned i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (ion_ring_init(&ring.r, good[i], 8) != 0 || ring.r.mask != good[i] - 1) {
            printf("capacity %u: refused, or mask %#x is not capacity - 1\n", good[i], ring.r.mask);
            failed = 1;
        }
    }
    /* A full lap and more across the 2^32 wrap of the indices: every value once, in order. */
    ion_ring_init(&ring.r, 64, 8);
    ring.r.head = ring.r.tail = 0xffffffe0u;
    unsigned long long next_in = 0, next_out = 0;
    for (int round = 0; round < 50; round++) {
        while (ion_ring_push(&ring.r, &next_in) == 0)
            next_in++;
        for (int k = 0; k < 40; k++) {
            unsigned long long v;
            if (ion_ring_pop(&ring.r, &v) != 0 || v != next_out) {
                printf("lap %d: popped %llu, want %llu\n", round, v, next_out);
                return 1;
            }
            next_out++;
        }
    }
    if (!failed)
        printf("probe ok\n");
    return failed;
}
"""


@check("ion_ring_init refuses a capacity that is not a power of two (kernel/ion/ring.h)")
def init_refuses(lab):
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        raise CheckFailed("no host C compiler (cc) to build the ring probe")
    with tempfile.TemporaryDirectory(prefix="rumpk-lab02-") as tmp:
        src = os.path.join(tmp, "probe.c")
        with open(src, "w") as f:
            f.write(PROBE)
        exe = os.path.join(tmp, "probe")
        built = subprocess.run([cc, "-std=c11", "-O1", "-w", "-I", os.path.join(lab.tree, "include"),
                                "-I", os.path.join(lab.tree, "kernel"), src, "-o", exe],
                               capture_output=True, text=True, timeout=60)
        if built.returncode != 0:
            raise CheckFailed("kernel/ion/ring.h does not compile for the host probe:\n"
                              + built.stderr[-800:])
        ran = subprocess.run([exe], capture_output=True, text=True, timeout=20)
    if ran.returncode != 0 or "probe ok" not in ran.stdout:
        raise CheckFailed("the ring probe (a host program using the tree's kernel/ion/ring.h) "
                          "says: " + "; ".join(ran.stdout.strip().splitlines()[:4]))


grade()
