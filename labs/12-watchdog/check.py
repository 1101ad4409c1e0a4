#!/usr/bin/python3
"""Lab 12: a spinning fiber must be noticed and restarted, and the rest of the
system must keep running meanwhile."""
import re

from rumpklib.labkit import CheckFailed, check, grade

RESTART = (r"\[watchdog\] fiber \d+ 'spinner' ran (\d+) ticks without yielding, "
           r"pc 0x[0-9a-f]+ \(spinner\+0x[0-9a-f]+\): restarting it")


@check("the kernel boots to the monitor")
def boots(lab):
    c = lab.boot("monitor")
    c.expect(r"rumpk> ", what="the rumpk> prompt")


@check("the watchdog restarts a spinning fiber within its budget", parent=boots)
def restarts(lab):
    c = lab.boot("monitor selftest=watchdog")
    c.expect(r"spinner run 0 starts spinning", what="the spinner starting")
    ticks = int(c.expect(RESTART, timeout=5, what="a [watchdog] line restarting 'spinner'")[1])
    if not 50 < ticks <= 60:
        raise CheckFailed(f"the restart came after {ticks} ticks; the budget is 50", console=c)
    c.expect(r"spinner run 1 starts spinning", what="the spinner starting again from its entry")


@check("the other fibers keep running and the system stays responsive", parent=restarts)
def others_run(lab):
    c = lab.boot("monitor selftest=watchdog")
    c.expect(r"spinner gives up after 2 restarts", timeout=10, what="the spinner giving up")
    c.expect(r"\[watchdog-test\] ticker 8", timeout=10, what="the ticker's 8th beat")
    beats = [int(n) for n in re.findall(r"ticker (\d+)", c.text())]
    if beats != list(range(1, 9)):
        raise CheckFailed(f"the ticker beat {beats}, not 1..8 in order", console=c)
    c.sendline("ps")
    c.expect(r"\*\s*\d+ monitor\s+running", what="the monitor answering ps")


grade()
