#!/usr/bin/python3
"""Lab 11: the console's input must be set up before the first key can arrive:
keys typed at any time (while the kernel boots, at the first prompt, at the
kernel's own prompt) are read, never a kernel panic."""
import re

import pexpect

from rumpklib.labkit import CheckFailed, check, expect_no_panic, grade, own_text, program_end


def panic_report(c):
    """The PANIC line and the first frames of its backtrace, in one line."""
    text = own_text(c)
    m = re.search(r"PANIC:[^\n]*", text)
    frames = re.findall(r"#\d+\s+0x[0-9a-f]+ (\S+)", text[m.start():] if m else "")
    return (m.group(0).strip() if m else "PANIC") + (
        f"; backtrace: {' <- '.join(frames[:3])}" if frames else "")


def expect_or_panic(c, pattern, what, timeout=10):
    """Waits for `pattern`; a kernel panic (or QEMU exiting) first fails the
    check with the panic's own words."""
    try:
        i = c.child.expect([r"PANIC:[^\r\n]+", pattern], timeout=timeout)
    except pexpect.TIMEOUT:
        raise CheckFailed(f"{what} never came ({timeout} s passed)", console=c, missing=what)
    except pexpect.EOF:
        raise CheckFailed(f"the machine stopped before {what}", console=c, missing=what)
    if i == 0:
        try:  # let the report (registers, backtrace) arrive
            c.child.expect(r"powering off", timeout=3)
        except (pexpect.TIMEOUT, pexpect.EOF):
            pass
        raise CheckFailed(f"the kernel panicked instead ({what}): {panic_report(c)}",
                          console=c, missing=what)
    c.matched.append(c.child.after)
    return c.child.match


def still_running(c):
    expect_no_panic(c)
    if not c.child.isalive():
        raise CheckFailed("QEMU exited: the kernel stopped", console=c)


@check("the shell starts (no key pressed yet)")
def shell(lab):
    lab.shell()


@check("the first key pressed at the shell's prompt is read: `echo first` echoes and runs",
       parent=shell)
def first_key(lab):
    c = lab.shell()
    c.sendline("echo first")
    expect_or_panic(c, r"echo first\r*\n", "the shell echoing `echo first` as it is typed")
    expect_or_panic(c, r"first\r*\n", "echo's output `first`")
    expect_or_panic(c, r"nipbox> ", "the prompt again")
    still_running(c)


@check("keys typed while the kernel boots wait for the shell, and typing goes on", parent=first_key)
def typed_ahead(lab):
    c = lab.boot()
    # The console is up as soon as the banner is out: type right away, long
    # before the shell (or anyone) reads.
    c.expect(r"rumpk \d+\.\d+\.\d+ ", what="the kernel's banner")
    c.child.send("echo early\r")
    expect_or_panic(c, r"nipbox> ", "the first nipbox> prompt")
    expect_or_panic(c, r"echo early\r*\n", "the shell echoing what was typed during boot")
    expect_or_panic(c, r"early\r*\n", "echo's output `early`")
    expect_or_panic(c, r"nipbox> ", "the prompt after `echo early`")
    c.sendline("hello")
    expect_or_panic(c, r"Hello from a dynamically loaded ELF!", "hello's line")
    if program_end(c, "/bin/hello") != ("exited", 0):
        raise CheckFailed("hello did not exit with status 0", console=c)
    still_running(c)


@check("the kernel's own prompt reads keys too (APPEND=monitor)", parent=first_key)
def monitor(lab):
    c = lab.boot("monitor")
    c.expect(r"rumpk \d+\.\d+\.\d+ ", what="the kernel's banner")
    expect_or_panic(c, r"rumpk> ", "the rumpk> prompt")
    c.sendline("bootargs")
    expect_or_panic(c, r'bootargs: "monitor"', "the monitor answering `bootargs`")
    expect_or_panic(c, r"rumpk> ", "the rumpk> prompt again")
    still_running(c)


grade()
