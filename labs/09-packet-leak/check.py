#!/usr/bin/python3
"""Lab 09: every packet the console has printed must go back to the pool, so
that any amount of output goes through a pool of 128 packets."""
import re

import pexpect

from rumpklib.labkit import (CheckFailed, check, expect_no_panic, grade, ion_stats, own_text,
                             run_program)

LINES = 200
BLOCK_LINES = 40
POOL = 128           # ION_PACKET_COUNT
OUTPUT_RING = 64     # ION_OUTPUT_RING_CAPACITY
HELD = 4             # what a writer may hold beside the queued ones (libnexus: 2)
STALL = 4            # seconds without a new line: the output has stopped


@check("the shell starts")
def shell(lab):
    lab.shell()


def run_flood(lab):
    """Runs `flood` and follows its output line by line; fails naming the
    last line that came out if the output stops."""
    c = lab.shell()
    c.sendline("flood")
    last = 0
    while True:
        try:
            m = c.child.expect([r"flood: line +(\d+) of \d+", r"flood: done, (\d+) lines"],
                               timeout=STALL)
        except (pexpect.TIMEOUT, pexpect.EOF):
            raise CheckFailed(f"flood's output stopped after line {last} of {LINES}: nothing "
                              f"for {STALL} s: printf is waiting for a free packet",
                              console=c, missing=f"flood: line {last + 1:4d} of {LINES}")
        if m == 1:
            break
        last = int(c.child.match.group(1))
    c.matched.append(c.child.after)
    return c


@check(f"flood prints every line ({LINES} lines and a {BLOCK_LINES}-line block)", parent=shell)
def flood_completes(lab):
    c = run_flood(lab)
    c.expect(r"\[subject\] /bin/flood exited with status 0", what="flood exiting with status 0")
    text = own_text(c)
    numbers = [int(n) for n in re.findall(r"flood: line +(\d+) of \d+", text)]
    if numbers != list(range(1, LINES + 1)):
        missing = sorted(set(range(1, LINES + 1)) - set(numbers))
        raise CheckFailed(f"flood's lines came out as {len(numbers)} lines, not 1..{LINES} once "
                          f"each in order (missing: {missing[:10]})", console=c)
    blocks = [int(n) for n in re.findall(r"flood: block line +(\d+) =", text)]
    if blocks != list(range(1, BLOCK_LINES + 1)):
        raise CheckFailed(f"the 2560-byte block came out as {len(blocks)} lines, not "
                          f"1..{BLOCK_LINES}", console=c)
    expect_no_panic(c)


@check("the pool is whole again after flood: `ion` shows 0 packets in use", parent=flood_completes)
def pool_whole(lab):
    c = run_flood(lab)
    c.expect(r"nipbox> ", what="the prompt after flood")
    s = ion_stats(c)
    if s["in_use"] != 0 or s["free"] != s["total"]:
        raise CheckFailed(f"after flood {s['in_use']} of {s['total']} packets are still in "
                          f"use ({s['allocs']} allocs, {s['frees']} frees): "
                          f"{s['allocs'] - s['frees']} were never given back", console=c)
    # The next program still has the whole pool.
    how = run_program(c, "hello")
    if how != ("exited", 0):
        raise CheckFailed(f"hello after flood: {how[0]} ({how[1]})", console=c)


@check(f"the pool never runs dry: its high-water stays within the output ring "
       f"({OUTPUT_RING}) plus what a writer holds", parent=pool_whole)
def high_water(lab):
    c = run_flood(lab)
    c.expect(r"nipbox> ", what="the prompt after flood")
    s = ion_stats(c)
    if s["failed"]:
        raise CheckFailed(f"{s['failed']} allocations found the pool empty (high-water "
                          f"{s['high_water']} of {s['total']})", console=c)
    if s["high_water"] > OUTPUT_RING + HELD:
        raise CheckFailed(f"the pool's high-water is {s['high_water']} of {s['total']}: more "
                          f"packets were out than the output ring ({OUTPUT_RING}) and a writer "
                          f"({HELD}) can explain; printed packets are given back late",
                          console=c)


grade()
