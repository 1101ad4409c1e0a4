#!/usr/bin/python3
"""Lab 06: a read must move the handle's offset, so that `cat` prints a file
once and stops; reads of more than one chunk must come out whole and in order."""
import os
import re

from rumpklib.labkit import CheckFailed, check, exact_text, grade, host_unit_test, program_end

# nipbox's cat reads 4 packets (2048 bytes) at a time (userland/nipbox/builtins.c).
CAT_CHUNK = 2048
BIG = "usr/share/lines.txt"  # rootfs/usr/share/lines.txt: 100 numbered lines, 6100 bytes


def packed(lab, path):
    """The file as the tree packs it (rootfs/ is copied into the initrd as it is)."""
    host = os.path.join(lab.tree, "rootfs", path)
    if not os.path.isfile(host):
        raise CheckFailed(f"rootfs/{path} is missing from the tree (it is packed as /{path})")
    with open(host, encoding="utf-8") as f:
        return f.read()


def cat(lab, c, path, want, seconds=3):
    """Runs `cat /path` at the prompt and returns what it printed; fails the
    check if the prompt does not come back or the text is not `want` once."""
    first = want.splitlines()[0]
    c.sendline(f"cat /{path}")
    try:
        c.expect(r"nipbox> ", timeout=seconds, what=f"the nipbox> prompt after cat /{path}")
    except CheckFailed as e:
        out = exact_text(c).split(f"nipbox> cat /{path}\n", 1)[-1]
        times = out.count(first)
        if times > 1:
            raise CheckFailed(f"cat /{path} printed its first line {times} times in {seconds} s "
                              f"and is still printing (the file has {len(want)} bytes; "
                              f"{len(out)} printed so far): the prompt never came back",
                              console=c, missing=e.missing)
        raise
    out = exact_text(c).split(f"nipbox> cat /{path}\n", 1)[-1]
    out = out[: out.rfind("nipbox> ")]
    return out


def compare(c, path, out, want):
    if out == want:
        return
    times = out.count(want.splitlines()[0])
    if times != 1:
        raise CheckFailed(f"cat /{path} printed its first line {times} times, not once", console=c)
    got_lines, want_lines = out.splitlines(), want.splitlines()
    for i, (g, w) in enumerate(zip(got_lines, want_lines)):
        if g != w:
            raise CheckFailed(f"cat /{path}: line {i + 1} is {g!r}, want {w!r}", console=c)
    raise CheckFailed(f"cat /{path} printed {len(out)} bytes ({len(got_lines)} lines), "
                      f"want {len(want)} ({len(want_lines)} lines)", console=c)


@check("the shell starts")
def shell(lab):
    lab.shell()


@check("cat /etc/motd prints the file once and the prompt comes back", parent=shell)
def cat_motd(lab):
    c = lab.shell()
    want = packed(lab, "etc/motd")
    compare(c, "etc/motd", cat(lab, c, "etc/motd", want), want)


@check(f"a file of more than one read ({CAT_CHUNK} bytes) comes out whole, once, in order",
       parent=cat_motd)
def cat_big(lab):
    want = packed(lab, BIG)
    if len(want) <= 2 * CAT_CHUNK:
        raise CheckFailed(f"rootfs/{BIG} is {len(want)} bytes: the check needs one of more "
                          f"than {2 * CAT_CHUNK}")
    c = lab.shell()
    out = cat(lab, c, BIG, want)
    compare(c, BIG, out, want)
    numbers = [int(n) for n in re.findall(r"^line (\d+) of", out, re.M)]
    if numbers != list(range(1, len(numbers) + 1)):
        raise CheckFailed(f"the lines of /{BIG} came in the order {numbers[:40]}...", console=c)


@check("fstest: open, read in pieces, seek, stat, readdir, close all behave", parent=shell)
def fstest(lab):
    c = lab.shell()
    c.sendline("fstest")
    m = c.expect(r"fstest: (ok \(\d+ checks\)|\d+ failed)|\[subject\] /bin/fstest killed: [^\r\n]*",
                 timeout=10, what="fstest's verdict")
    if not (m.group(1) or "").startswith("ok"):
        fails = re.findall(r"fstest: FAIL line \d+: [^\r\n]*", exact_text(c))
        raise CheckFailed(f"{m.group(0).strip()}; the first: "
                          f"{fails[0] if fails else '(no FAIL line)'}", console=c)
    how, status = program_end(c, "/bin/fstest")
    if (how, status) != ("exited", 0):
        raise CheckFailed(f"fstest {how} ({status}) after saying ok", console=c)



@check("host side: the VFS passes its unit test (build/host/test_vfs)")
def unit_test(lab):
    host_unit_test(lab, "vfs")


grade()
