#!/usr/bin/python3
"""Boot a Rumpk kernel under QEMU with the console on this terminal (make run).

Quit with Ctrl-A then X, or type `halt` at the prompt.
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rumpklib import qemu  # noqa: E402


def gui_display():
    """gtk, else sdl, when a window can open and this QEMU has the backend;
    "none" otherwise (Debian ships them in qemu-system-gui)."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return "none"
    try:
        out = subprocess.run([qemu.QEMU, "-display", "help"], capture_output=True,
                             text=True, timeout=10).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return "none"
    for backend in ("gtk", "sdl"):
        if backend in out:
            return backend
    print("run-qemu: this QEMU has neither gtk nor sdl (apt-get install qemu-system-gui)",
          file=sys.stderr)
    return "none"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", default="build/kernel.elf")
    ap.add_argument("--append", default="", help="kernel boot arguments")
    ap.add_argument("--gpu", action="store_true",
                    help="add a VirtIO GPU, in a window when there is a display (make run-gui)")
    ap.add_argument("extra", nargs="*", help="more QEMU options (after --)")
    args = ap.parse_args()
    if not os.path.exists(args.kernel):
        sys.exit(f"run-qemu: {args.kernel} does not exist; run make first")
    display = "none"
    if args.gpu:
        display = gui_display()
        if display == "none":
            print("run-qemu: no $DISPLAY or $WAYLAND_DISPLAY: the GPU runs headless "
                  "(-display none); the console stays here", file=sys.stderr)
    argv = qemu.command(args.kernel, append=args.append, extra=args.extra, interactive=True,
                        gpu=args.gpu, display=display)
    print("run-qemu: " + " ".join(argv), file=sys.stderr)
    print("run-qemu: quit with Ctrl-A X, or type halt", file=sys.stderr)
    os.execvp(argv[0], argv)


if __name__ == "__main__":
    main()
