#!/usr/bin/python3
"""Boot a Rumpk kernel under QEMU with the console on this terminal (make run).

Quit with Ctrl-A then X, or type `halt` at the prompt.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rumpklib import qemu  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", default="build/kernel.elf")
    ap.add_argument("--append", default="", help="kernel boot arguments")
    ap.add_argument("extra", nargs="*", help="more QEMU options (after --)")
    args = ap.parse_args()
    if not os.path.exists(args.kernel):
        sys.exit(f"run-qemu: {args.kernel} does not exist; run make first")
    argv = qemu.command(args.kernel, append=args.append, extra=args.extra, interactive=True)
    print("run-qemu: " + " ".join(argv), file=sys.stderr)
    print("run-qemu: quit with Ctrl-A X, or type halt", file=sys.stderr)
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    main()
