#!/usr/bin/python3
"""Lab 04: the kernel must see the whole archive the build packed, every file
in it with its exact size, and say so at boot; a cut archive must stay a loud
boot error, never a quietly smaller file system."""
import os
import re
import tarfile
import zlib

from rumpklib.labkit import (CheckFailed, boot_gdbstub, check, exact_text, gdb_batch, grade,
                             program_end)

LISTING = re.compile(r"\[tarfs\] ([d-]) ([0-7]{4}) +(\d+) /(\S*)")
MOUNT = (r"\[tarfs\] (?P<count>\d+) entries listed"
         r"|(?P<error>\[(?:tarfs|initrd)\] ERROR: [^\r\n]+)\r"
         r"|(?P<prompt>rumpk> )")
AS_PACKED = r"\[initrd\] (\d+) bytes at (0x[0-9a-f]+), CRC-32 (0x[0-9a-f]{8}): as packed"


def archive(lab):
    path = os.path.join(lab.tree, "build", "initrd.tar")
    if not os.path.isfile(path):
        raise CheckFailed("build/initrd.tar is missing: the tree is not built (make)")
    with open(path, "rb") as f:
        return path, f.read()


def packed_entries(path):
    """{path: (type, size)} of every member, as `tar tvf` sees the archive."""
    with tarfile.open(path) as tar:
        return {m.name.rstrip("/"): ("d" if m.isdir() else "-", m.size if m.isfile() else 0)
                for m in tar.getmembers()}


def names(paths, n=6):
    paths = sorted(paths)
    more = f" and {len(paths) - n} more" if len(paths) > n else ""
    return ", ".join("/" + p for p in paths[:n]) + more


@check("every packed file is visible, with its exact size (tarfs=ls against build/initrd.tar)")
def visible(lab):
    path, _ = archive(lab)
    want = packed_entries(path)
    c = lab.boot("monitor tarfs=ls")
    m = c.expect(MOUNT, timeout=15, what="the [tarfs] listing")
    if not m.group("count"):
        c.matched.pop()
        said = m.group("error") or "no [tarfs] listing before the prompt"
        raise CheckFailed(f"the kernel lists none of the {len(want)} packed entries "
                          f"({names(want)}); it said: {said.strip()}", console=c)
    seen = {p: (t, int(size)) for t, _mode, size, p in LISTING.findall(exact_text(c))}
    missing = set(want) - set(seen)
    if missing:
        raise CheckFailed(f"{len(missing)} of the {len(want)} packed entries are not visible: "
                          f"{names(missing)}", console=c)
    wrong = [f"/{p}: {seen[p][1]} bytes, packed {want[p][1]}" for p in sorted(want)
             if seen[p] != want[p]]
    if wrong:
        raise CheckFailed(f"{len(wrong)} entries differ from the archive: {'; '.join(wrong[:4])}",
                          console=c)
    extra = set(seen) - set(want)
    if extra:
        raise CheckFailed(f"the kernel lists entries that were never packed: {names(extra)}",
                          console=c)
    if int(m.group("count")) != len(want):
        raise CheckFailed(f"the kernel says {m.group('count')} entries listed, "
                          f"the archive has {len(want)}", console=c)


@check("the boot check reports the archive as packed: its size and CRC-32", parent=visible)
def as_packed(lab):
    _, data = archive(lab)
    size, crc = len(data), f"0x{zlib.crc32(data):08x}"
    c = lab.boot("monitor")
    m = c.expect(AS_PACKED + r"|(\[initrd\] [^\r\n]+)\r", timeout=15,
                 what="the [initrd] boot check line")
    if m.group(4) or int(m.group(1)) != size or m.group(3) != crc:
        c.matched.pop()
        line = m.group(0).strip()
        raise CheckFailed(f"the boot check says `{line}`, but build/initrd.tar is {size} bytes "
                          f"with CRC-32 {crc}", console=c)


@check("a cut archive is still a loud boot error (GDB: the kernel told 512 more bytes were packed)",
       parent=as_packed)
def cut_is_loud(lab):
    _, data = archive(lab)
    size = len(data)
    c, port = boot_gdbstub(lab, "monitor tarfs=ls", halted=True)
    run = gdb_batch(lab, port, ["break initrd_verify", "continue",
                                f"set var *(unsigned long *)&initrd_packed_size = {size + 512}",
                                "print initrd_packed_size"])
    if f"= {size + 512}" not in run.output:
        raise CheckFailed("GDB could not stop in initrd_verify and change initrd_packed_size:\n"
                          + run.tail())
    m = c.expect(MOUNT + r"|(?P<ok>\[initrd\] [^\r\n]*as packed)\r", timeout=15,
                 what="the boot check's verdict on a cut archive")
    refused = (rf"\[initrd\] ERROR: the kernel sees {size} bytes of initrd at 0x[0-9a-f]+, "
               rf"but {size + 512} were packed \(truncated by 512 bytes\): not mounting it")
    if not re.search(refused, m.group(0)):
        c.matched.pop()
        raise CheckFailed(f"told that {size + 512} bytes were packed while it sees {size}, "
                          f"the kernel said `{m.group(0).strip()}` instead of refusing the "
                          f"archive with both sizes", console=c)
    c.expect(r"rumpk> ", what="the monitor's prompt after the refusal")
    if "[tarfs] mounted" in exact_text(c):
        raise CheckFailed("the kernel mounted the initrd although the boot check failed",
                          console=c)


@check("the end of the archive works: the last programs run, the last file reads back whole",
       parent=visible)
def the_end(lab):
    path, _ = archive(lab)
    with tarfile.open(path) as tar:
        members = [m for m in tar.getmembers() if m.isfile()]
        last = members[-1]
        last_data = tar.extractfile(last).read()
    if "bin/returner" not in [m.name for m in members]:
        raise CheckFailed("the archive has no bin/returner (make builds it)")
    c = lab.shell()
    c.sendline("returner")
    how = program_end(c, "/bin/returner")
    if how != ("exited", 7):
        raise CheckFailed(f"/bin/returner {how[0]} ({how[1]}), want exited with status 7",
                          console=c)
    c.expect(r"nipbox> ", what="the prompt after returner")
    if last.mode & 0o111 or b"\0" in last_data:
        return  # a program or binary data: not for cat
    text = last_data.decode("utf-8", errors="replace")
    c.sendline(f"cat /{last.name}")
    c.expect(r"nipbox> ", timeout=10, what=f"the prompt after cat /{last.name}")
    out = exact_text(c).split(f"nipbox> cat /{last.name}\n", 1)[-1]
    out = out[: out.rfind("nipbox> ")]
    if out != text:
        raise CheckFailed(f"cat /{last.name} (the archive's last file, {len(last_data)} bytes) "
                          f"printed {len(out)} bytes that differ from the packed file",
                          console=c)


grade()
