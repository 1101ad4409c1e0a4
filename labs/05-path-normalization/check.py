#!/usr/bin/python3
"""Lab 05: every spelling of a path names one file. The shell (/bin/nipbox)
must be found at the first try, programs and files must resolve however they
are spelled, and path_normalize must pass its unit test."""
import re

from rumpklib.labkit import (CheckFailed, check, grade, host_unit_test, own_text, program_end,
                             run_program)

HELLO = "Hello from a dynamically loaded ELF!"
START = (r"(?P<prompt>nipbox> )"
         r"|exec: (?P<path>\S+): (?P<why>[^\r\n]+)\r"
         r"|\[subject\] \S+ failed (?P<times>\d+) times in a row")


@check("the shell /bin/nipbox is found and starts, with no respawn back-off")
def shell(lab):
    c = lab.boot()
    m = c.expect(START, timeout=20, what="the nipbox> prompt")
    if not m.group("prompt"):
        c.matched.pop()
        if m.group("path"):
            raise CheckFailed(f"the Subject could not start the shell: exec: {m.group('path')}: "
                              f"{m.group('why')} (it asked for /bin/nipbox)", console=c)
        raise CheckFailed(f"the shell failed {m.group('times')} times in a row before a prompt",
                          console=c)
    text = own_text(c)
    for bad in (r"exec: [^\r\n]*", r"\[subject\] [^\r\n]*failed \d+ times in a row[^\r\n]*"):
        line = re.search(bad, text)
        if line:
            raise CheckFailed(f"before the prompt: {line.group(0).strip()}", console=c)


@check("bin/hello, /bin/hello, ./bin//hello and hello all run /bin/hello", parent=shell)
def spellings(lab):
    c = lab.shell()
    for spelling in ("bin/hello", "/bin/hello", "./bin//hello", "/./bin/../bin/hello", "hello"):
        c.sendline(spelling)
        m = c.expect(re.escape(HELLO) + r"|exec: (\S+): ([^\r\n]+)\r|nipbox: [^\r\n]+\r",
                     timeout=10, what=f"hello's line after `{spelling}`")
        if not m.group(0).startswith("Hello"):
            c.matched.pop()
            raise CheckFailed(f"`{spelling}` did not run hello: {m.group(0).strip()}", console=c)
        how = run_program_end(c, spelling)
        if how != ("exited", 0):
            raise CheckFailed(f"`{spelling}`: hello {how[0]} ({how[1]}), want exited 0",
                              console=c)


def run_program_end(c, spelling):
    how = program_end(c, "/bin/hello", what=f"[subject] /bin/hello exited ... after `{spelling}`")
    c.expect(r"nipbox> ", what=f"the prompt after `{spelling}`")
    return how


@check("the file calls resolve every spelling: cat /etc/hostname, etc/hostname, ./etc//hostname",
       parent=shell)
def files(lab):
    c = lab.shell()
    for spelling in ("/etc/hostname", "etc/hostname", "./etc//hostname", "/etc/../etc/hostname"):
        c.sendline(f"cat {spelling}")
        m = c.expect(r"\n(rumpk)\r|cat: [^\r\n]+\r", timeout=10,
                     what=f"`rumpk` from cat {spelling}")
        if m.group(1) != "rumpk":
            c.matched.pop()
            raise CheckFailed(f"cat {spelling}: {m.group(0).strip()}", console=c)
        c.expect(r"nipbox> ", what=f"the prompt after cat {spelling}")
    how = run_program(c, "fstest")
    if how != ("exited", 0):
        raise CheckFailed(f"fstest {how[0]} ({how[1]}): its spellings of /etc/hostname",
                          console=c)


@check("host side: path_normalize passes its unit test (build/host/test_path)")
def unit_test(lab):
    host_unit_test(lab, "path")


grade()
