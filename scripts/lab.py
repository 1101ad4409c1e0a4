#!/usr/bin/python3
"""The lab runner behind `make labs`, `make lab N=NN`, `make lab-check N=NN`
and `make lab-debug N=NN`.

    lab.py list                       one line per lab: number, slug, symptom
    lab.py start NN [--reset]         make the workspace (a copy of the tree with
                                      the lab's bug injected), build it, boot it and
                                      show the symptom; re-running keeps your edits
    lab.py check NN [--tree DIR]      grade the workspace (or DIR); exit 0 only
                                      when every check passes
    lab.py debug NN                   make debug on the workspace
    lab.py workspace NN [--reset] [--dir DIR]
                                      only make the workspace (tests use this)

Each lab is labs/NN-slug/ with README.md, bug.patch (the one injection,
applied with `git apply`), check.py (the grader) and lab.json (title,
symptom, and the demo that `start` plays: boot arguments and input lines).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LABS = os.path.join(ROOT, "labs")
WORK = os.path.join(ROOT, "build", "labs")
sys.path.insert(0, HERE)


def say(text):
    print(text, flush=True)


def find_lab(number):
    number = f"{int(number):02d}"
    for name in sorted(os.listdir(LABS)):
        if name.startswith(number + "-") and os.path.isdir(os.path.join(LABS, name)):
            return number, name, os.path.join(LABS, name)
    sys.exit(f"lab: no lab {number} (make labs lists them)")


def meta(lab_dir):
    with open(os.path.join(lab_dir, "lab.json")) as f:
        return json.load(f)


def all_labs():
    for name in sorted(os.listdir(LABS)):
        d = os.path.join(LABS, name)
        if os.path.isfile(os.path.join(d, "lab.json")):
            yield name[:2], name[3:], d


def cmd_list(_args):
    for number, slug, d in all_labs():
        say(f"{number}  {slug:<20} {meta(d)['symptom']}")


def tracked_files():
    """The files of the main tree: git's list when there is one."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode()
        files = [f for f in out.split("\0") if f]
        if files:
            return files
    except (subprocess.CalledProcessError, FileNotFoundError):
        pass
    files = []
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in ("build", ".git", "__pycache__")]
        files += [os.path.relpath(os.path.join(dirpath, f), ROOT) for f in filenames]
    return files


def make_workspace(number, name, lab_dir, tree, reset):
    """A copy of the tree with the bug applied. The main tree's build outputs
    are copied too (timestamps kept), so only what the bug touches rebuilds."""
    if os.path.isdir(tree) and not reset:
        say(f"[1/3] workspace {os.path.relpath(tree)} exists: keeping your edits "
            f"(make lab N={number} RESET=1 starts over)")
        return
    t0 = time.monotonic()
    if os.path.isdir(tree):
        shutil.rmtree(tree)
    for rel in tracked_files():
        src = os.path.join(ROOT, rel)
        if not os.path.isfile(src):
            continue
        dst = os.path.join(tree, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)
    main_build = os.path.join(ROOT, "build")
    for part in ("kernel", "userland", "gen", "rootfs-bin", "host"):
        src = os.path.join(main_build, part)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(tree, "build", part), copy_function=shutil.copy2)
    for f in ("kernel.elf", "kernel.pass1.elf", "initrd.tar"):
        src = os.path.join(main_build, f)
        if os.path.isfile(src):
            shutil.copy2(src, os.path.join(tree, "build", f))
    patch = os.path.join(lab_dir, "bug.patch")
    if os.path.getsize(patch) > 0:
        # The workspace may sit inside this repository (build/labs/): stop git
        # from finding the outer repository, or it would apply the patch to
        # paths relative to that and quietly skip them here.
        env = dict(os.environ, GIT_CEILING_DIRECTORIES=os.path.dirname(os.path.abspath(tree)))
        proc = subprocess.run(["git", "apply", "--verbose", patch], cwd=tree,
                              capture_output=True, text=True, env=env)
        touched = [ln.split()[2] for ln in proc.stderr.splitlines() if ln.startswith("Applied patch")]
        if proc.returncode != 0 or not touched:
            sys.exit(f"lab: the bug does not apply to this tree:\n{proc.stderr}")
        say(f"[1/3] workspace made in {time.monotonic() - t0:.1f} s; the bug is in: "
            + ", ".join(touched))
    else:
        say(f"[1/3] workspace made in {time.monotonic() - t0:.1f} s (this lab injects no bug)")


def build(tree):
    t0 = time.monotonic()
    say(f"[2/3] building {os.path.relpath(tree)} ...")
    proc = subprocess.run(["make", "-s", f"-j{os.cpu_count() or 2}", "all"], cwd=tree,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        say((proc.stdout + proc.stderr)[-3000:])
        sys.exit("lab: the workspace does not build (see above)")
    say(f"      built in {time.monotonic() - t0:.1f} s")


def demo(tree, lab_meta):
    """Boots the workspace and plays the lab's demo input, showing the console."""
    import pexpect
    from rumpklib import qemu
    d = lab_meta.get("demo", {})
    argv = qemu.command(os.path.join(tree, "build", "kernel.elf"), append=d.get("append", ""))
    say(f"[3/3] booting it: {' '.join(argv[-2:]) if d.get('append') else 'no boot arguments'}"
        f"; input: {d.get('send', [])}")
    say("------------------------------------------------------------------------")
    child = pexpect.spawn(argv[0], argv[1:], encoding="utf-8", codec_errors="replace")
    child.logfile_read = sys.stdout
    try:
        if d.get("send"):
            try:
                child.expect(d.get("wait_for", "nipbox> "), timeout=20)
            except (pexpect.TIMEOUT, pexpect.EOF):
                pass
            for line in d["send"]:
                child.send(line + "\r")
                time.sleep(d.get("pause", 1.0))
        try:
            child.expect(pexpect.EOF, timeout=d.get("seconds", 4))
        except pexpect.TIMEOUT:
            pass
    finally:
        child.terminate(force=True)
    say("\n------------------------------------------------------------------------")


def workspace_dir(name):
    return os.path.join(WORK, name, "tree")


def cmd_start(args):
    number, name, lab_dir = find_lab(args.number)
    m = meta(lab_dir)
    tree = workspace_dir(name)
    say(f"lab {number}: {m['title']}")
    make_workspace(number, name, lab_dir, tree, args.reset)
    build(tree)
    demo(tree, m)
    say(f"That was the symptom: {m['symptom']}")
    say("Next:")
    say(f"  read  labs/{name}/README.md")
    say(f"  edit  {os.path.relpath(tree)}/ (your copy of the tree, bug included)")
    say(f"  debug make lab-debug N={number}")
    say(f"  grade make lab-check N={number}")


def cmd_workspace(args):
    number, name, lab_dir = find_lab(args.number)
    make_workspace(number, name, lab_dir, args.dir or workspace_dir(name), args.reset)


def cmd_check(args):
    number, name, lab_dir = find_lab(args.number)
    tree = os.path.abspath(args.tree) if args.tree else workspace_dir(name)
    if not os.path.isdir(tree):
        sys.exit(f"lab: no workspace yet: run make lab N={number} first (or give TREE=DIR)")
    say(f"lab {number} {name}: grading {tree}")
    log_dir = os.path.join(WORK, name) if not args.tree else os.path.join(tree, "build")
    check = os.path.join(lab_dir, "check.py")
    env = dict(os.environ, PYTHONPATH=HERE)
    proc = subprocess.run(["/usr/bin/python3", check, "--tree", tree, "--lab", number,
                           "--log-dir", log_dir] + (["--no-build"] if args.no_build else []),
                          env=env)
    sys.exit(proc.returncode)


def cmd_debug(args):
    number, name, _ = find_lab(args.number)
    tree = workspace_dir(name)
    if not os.path.isdir(tree):
        sys.exit(f"lab: no workspace yet: run make lab N={number} first")
    os.execvp("make", ["make", "-C", tree, "debug"])


def cmd_record(args):
    """The lab's broken variant under QEMU's record mode, in its workspace:
    the demo's input (or --input) is typed, the recording kept in the
    workspace's build/rr."""
    number, name, lab_dir = find_lab(args.number)
    m = meta(lab_dir)
    tree = workspace_dir(name)
    if not os.path.isdir(tree):
        make_workspace(number, name, lab_dir, tree, False)
    build(tree)
    demo = m.get("demo", {})
    typed = args.input if args.input is not None else ";".join(demo.get("send", []))
    cmd = ["make", "-s", "-C", tree, "record", f"APPEND={demo.get('append', '')}",
           f"RR_SECONDS={demo.get('seconds', 4)}"]
    if typed:
        cmd.append(f"RR_INPUT={typed}")
    say(f"lab {number}: recording the broken variant ({os.path.relpath(tree)}/build/rr)")
    sys.exit(subprocess.call(cmd))


def cmd_replay(args):
    number, name, _ = find_lab(args.number)
    tree = workspace_dir(name)
    if not os.path.isdir(os.path.join(tree, "build", "rr")):
        sys.exit(f"lab: no recording yet: make lab-record N={number} first")
    os.execvp("make", ["make", "-C", tree, "replay", f"GDB_ARGS={args.gdb_args}"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list").set_defaults(fn=cmd_list)
    p = sub.add_parser("start")
    p.add_argument("number")
    p.add_argument("--reset", action="store_true")
    p.set_defaults(fn=cmd_start)
    p = sub.add_parser("workspace")
    p.add_argument("number")
    p.add_argument("--reset", action="store_true")
    p.add_argument("--dir")
    p.set_defaults(fn=cmd_workspace)
    p = sub.add_parser("check")
    p.add_argument("number")
    p.add_argument("--tree")
    p.add_argument("--no-build", action="store_true")
    p.set_defaults(fn=cmd_check)
    p = sub.add_parser("debug")
    p.add_argument("number")
    p.set_defaults(fn=cmd_debug)
    p = sub.add_parser("record")
    p.add_argument("number")
    p.add_argument("--input", default=None)
    p.set_defaults(fn=cmd_record)
    p = sub.add_parser("replay")
    p.add_argument("number")
    p.add_argument("--gdb-args", default="")
    p.set_defaults(fn=cmd_replay)
    args = ap.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
