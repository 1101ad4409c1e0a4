"""How Rumpk Lab starts QEMU: the one place that spells out the command line.

`make run`, the test fixtures, the lab runner and the benchmarks all build
their QEMU invocation here, so they boot the same machine.
"""
import os
import shlex
import socket

QEMU = os.environ.get("QEMU", "qemu-system-riscv64")
MEMORY = "128M"


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command(kernel, append="", extra=(), serial="stdio", gdb_port=None, halted=False,
            interactive=False, gpu=False, display="none"):
    """The argument vector for QEMU booting `kernel` on the virt machine, one hart.

    serial: "stdio" (console on standard input/output) or a QEMU chardev spec
    such as "file:LOG". interactive: -nographic, the way a person uses it
    (Ctrl-A X quits). gdb_port: open the gdbstub on 127.0.0.1:PORT.
    halted: wait for GDB before the first instruction (-S).
    gpu: add a VirtIO GPU (Retina, docs/retina.md). display: with gpu and
    interactive, the QEMU display backend for its window ("gtk", "sdl"), or
    "none" (headless; a screendump over QMP still sees the frame).
    """
    argv = [QEMU, "-machine", "virt", "-smp", "1", "-m", MEMORY, "-bios", "default",
            "-kernel", str(kernel), "-net", "none"]
    if interactive and gpu:
        # -nographic would hide the window: the console and QEMU's monitor
        # (Ctrl-A X, Ctrl-A C) stay on this terminal through mon:stdio.
        argv += ["-display", display, "-serial", "mon:stdio"]
    elif interactive:
        argv += ["-nographic"]
    else:
        argv += ["-display", "none", "-monitor", "none"]
        if serial == "stdio":
            # signal=off: a Ctrl-C typed on the console reaches the kernel
            # (which stops the running program) instead of killing QEMU.
            argv += ["-chardev", "stdio,id=console,signal=off", "-serial", "chardev:console"]
        else:
            argv += ["-serial", serial]
    if gpu:
        argv += ["-device", "virtio-gpu-device"]
    if append:
        argv += ["-append", append]
    if gdb_port is not None:
        argv += ["-gdb", f"tcp:127.0.0.1:{gdb_port}"]
    if halted:
        argv += ["-S"]
    if isinstance(extra, str):
        extra = shlex.split(extra)
    argv += list(extra)
    return argv
