#!/usr/bin/python3
"""Lab 10: a change to a header that crosses the kernel/user boundary must
rebuild every object that includes it, on both sides, and the build must keep
recording which headers each object includes (the .d files), so that the next
change does too. The experiment runs on a copy of the tree (sources and
build outputs, timestamps kept), never on the tree itself."""
import glob
import os
import re
import subprocess
import time

from rumpklib import dwarf_layout
from rumpklib.labkit import CheckFailed, check, grade, own_text, program_end, run_program, \
    scratch_tree

HEADER = "include/abi/ion.h"
CC = "riscv64-unknown-elf-gcc"
# How the Makefile finds headers, per side (the -M answers do not depend on
# the rest of the flags).
KERNEL_INCLUDES = ["-Ikernel", "-Iinclude"]
USER_INCLUDES = ["-Iinclude", "-Ikernel", "-Iuserland/libnexus"]
ELFS = ["build/userland/nipbox.elf", "build/userland/hello.elf"]

work = {}  # what the experiment left for the checks after it


def sources_of(tree):
    """{object: (source, include flags)} for every object the build made from
    kernel/ and userland/ sources."""
    objs = {}
    for obj in glob.glob(os.path.join(tree, "build", "**", "*.o"), recursive=True):
        rel = os.path.relpath(obj, tree)
        parts = rel.split(os.sep)
        if parts[1] == "kernel":            # build/kernel/X.o <- kernel/X.[cS]
            stem, flags = os.path.join(*parts[1:])[:-2], KERNEL_INCLUDES
        elif parts[1] == "userland":        # build/userland/X.o <- userland/X or kernel/X
            if parts[2] == "host":
                continue
            stem = os.path.join(*parts[2:])[:-2]
            stem = stem if parts[2] == "kernel" else os.path.join("userland", stem)
            flags = USER_INCLUDES
        else:
            continue
        for ext in (".c", ".S"):
            if os.path.isfile(os.path.join(tree, stem + ext)):
                objs[rel] = (stem + ext, flags)
    return objs


def objects_including(tree, header):
    """The objects whose source includes `header`, directly or not, as the
    compiler's preprocessor says (gcc -MM), independent of the Makefile."""
    found = []
    by_flags = {}
    for obj, (src, flags) in sorted(sources_of(tree).items()):
        by_flags.setdefault(tuple(flags), []).append((obj, src))
    for flags, pairs in by_flags.items():
        proc = _run([CC, "-MM", *flags, *[s for _, s in pairs]], tree)
        if proc.returncode != 0:
            raise CheckFailed(f"{CC} -MM could not read the sources: {proc.stderr.strip()[:300]}")
        # One rule per source, in order; continuation lines joined.
        rules = re.split(r"\n(?=\S)", proc.stdout.replace("\\\n", " ").strip())
        if len(rules) != len(pairs):
            raise CheckFailed(f"{CC} -MM gave {len(rules)} rules for {len(pairs)} sources")
        for (obj, _src), rule in zip(pairs, rules):
            if header in rule.split(":", 1)[1].split():
                found.append(obj)
    return found


def drift(path):
    """Swaps CmdPacket's kind and _pad (and their asserted offsets): a layout
    change that both sides must see, or every packet is refused (ION_EPAD)."""
    with open(path) as f:
        s = f.read()
    m = re.search(r"(typedef struct CmdPacket \{\n)([ \t]*uint32_t\s+kind;[^\n]*\n)"
                  r"([ \t]*uint32_t\s+_pad;[^\n]*\n)", s)
    if not m:
        raise CheckFailed(f"{HEADER}: CmdPacket does not start with kind, _pad as the "
                          f"experiment expects (docs/abi.md)")
    s = s[:m.start(2)] + m.group(3) + m.group(2) + s[m.end(3):]
    for field, old, new in (("kind", 0, 4), ("_pad", 4, 0)):
        s = re.sub(rf"(offsetof\(CmdPacket, {field}\) == ){old}\b", rf"\g<1>{new}", s)
        s = s.replace(f'"CmdPacket.{field} at {old}"', f'"CmdPacket.{field} at {new}"')
    with open(path, "w") as f:
        f.write(s)


@check("the tree is built and boots: hello runs")
def built(lab):
    c = lab.shell()
    how = run_program(c, "hello")
    if how != ("exited", 0):
        raise CheckFailed(f"hello {how[0]} ({how[1]})", console=c)


@check(f"a change to {HEADER} rebuilds every object that includes it, and records it again",
       parent=built)
def rebuilds(lab):
    tree = scratch_tree(lab, prefix="rumpk-lab10-")
    dependents = objects_including(tree, HEADER)
    if not dependents:
        raise CheckFailed(f"no object of the build includes {HEADER}")
    header = os.path.join(tree, HEADER)
    time.sleep(0.01)
    drift(header)
    edited = os.stat(header).st_mtime_ns
    proc = _run(["make", "-s", f"-j{os.cpu_count() or 2}", "all"], tree, timeout=600)
    work.update(tree=tree, make=proc)

    stale = [o for o in dependents if os.stat(os.path.join(tree, o)).st_mtime_ns < edited]
    if stale:
        sides = sorted({o.split(os.sep)[1] for o in stale})
        raise CheckFailed(
            f"after `make`, {len(stale)} of the {len(dependents)} objects that include {HEADER} "
            f"were not rebuilt ({' and '.join(sides)} side): {', '.join(stale[:4])}"
            f"{' ...' if len(stale) > 4 else ''}; they still carry the old CmdPacket")
    undeclared = []
    for o in dependents:
        d = os.path.join(tree, o[:-2] + ".d")
        if not os.path.isfile(d) or os.stat(d).st_mtime_ns < edited:
            undeclared.append(o[:-2] + ".d")
            continue
        with open(d) as f:
            if HEADER not in f.read().split():
                undeclared.append(o[:-2] + ".d")
    if undeclared:
        raise CheckFailed(
            f"{len(undeclared)} of the {len(dependents)} objects that include {HEADER} were "
            f"rebuilt, but their dependency files were not written again "
            f"({', '.join(undeclared[:3])}{' ...' if len(undeclared) > 3 else ''}): the "
            f"compiler was not asked to record which headers they include, and these .d files "
            f"are left over from an earlier build; after `make clean` the next header change "
            f"would not rebuild them")
    if proc.returncode != 0:
        raise CheckFailed("make failed after the header change:\n" + _tail(proc))


def _run(args, cwd, timeout=60):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def _tail(proc, lines=10):
    rows = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()][-lines:]
    return "\n".join("      " + ln for ln in rows)


@check("after the change the kernel and the programs agree: CmdPacket in DWARF, the shell, hello",
       parent=built)
def agree(lab):
    if "tree" not in work:
        raise CheckFailed("the header experiment did not run")
    tree, proc = work["tree"], work["make"]
    if proc.returncode != 0:
        raise CheckFailed("the tree does not build after the header change:\n" + _tail(proc))
    layouts = {}
    for elf in ["build/kernel.elf"] + ELFS:
        try:
            found = dwarf_layout.read_layouts(os.path.join(tree, elf), ("CmdPacket",))
        except ValueError as e:
            raise CheckFailed(f"{elf}: {e}")
        if "CmdPacket" not in found:
            raise CheckFailed(f"{elf} does not declare CmdPacket")
        layouts[elf] = found["CmdPacket"][0]
    ref = layouts["build/kernel.elf"]
    if ref.field("kind") is None or ref.field("kind").offset != 4:
        raise CheckFailed("the kernel was not rebuilt with the changed CmdPacket (kind is not "
                          "at offset 4 in build/kernel.elf)")
    for elf in ELFS:
        diffs = dwarf_layout.compare(ref, layouts[elf])
        if diffs:
            raise CheckFailed(f"{elf} and build/kernel.elf disagree: {'; '.join(diffs[:3])}")
    kernel = lab.kernel
    lab.kernel = os.path.join(tree, "build", "kernel.elf")
    try:
        c = lab.boot()
        try:
            c.expect(r"nipbox> ", timeout=10, what="the nipbox> prompt from the rebuilt tree")
        except CheckFailed:
            rejected = re.search(r"\[ion\] rejected CmdPacket[^\n]*", own_text(c))
            if rejected:
                raise CheckFailed(f"the rebuilt kernel refuses the shell's packets: "
                                  f"{rejected.group(0)[:160]}", console=c)
            raise
        c.sendline("hello")
        c.expect(r"Hello from a dynamically loaded ELF!", what="hello's line")
        if program_end(c, "/bin/hello") != ("exited", 0):
            raise CheckFailed("hello did not exit with status 0", console=c)
        if "[ion] rejected" in own_text(c):
            raise CheckFailed("the kernel refused packets from a program", console=c)
    finally:
        lab.kernel = kernel


grade()
