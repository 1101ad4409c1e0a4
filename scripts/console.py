#!/usr/bin/python3
"""Attach this terminal to a Rumpk console on a unix socket (make debug).

    python3 scripts/console.py build/console.sock

Keys go to the kernel, its output comes here. Quit with Ctrl-] (the kernel
keeps running; attach again any time). Everything the console printed is
also in build/console.log. Python standard library only.
"""
import os
import select
import socket
import sys
import termios
import time
import tty

QUIT_KEY = b"\x1d"  # Ctrl-]


def connect(path, wait):
    """A socket connected to `path`, retrying for `wait` seconds (QEMU may
    not have created it yet)."""
    deadline = time.monotonic() + wait
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError as e:
            s.close()
            if time.monotonic() >= deadline:
                sys.exit(f"console: cannot connect to {path}: {e.strerror}")
            time.sleep(0.1)


def main():
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if args else 2
    path = args[0]
    sock = connect(path, wait=10)
    out = sys.stdout.buffer
    out.write(f"[console: attached to {path}; Ctrl-] quits]\r\n".encode())
    out.flush()
    tty_in = sys.stdin.isatty()
    saved = termios.tcgetattr(0) if tty_in else None
    try:
        if tty_in:
            tty.setraw(0)  # Enter sends CR, as on a serial line
        while True:
            ready, _, _ = select.select([sock, 0], [], [])
            if sock in ready:
                data = sock.recv(4096)
                if not data:
                    out.write(b"\r\n[console: QEMU closed the connection]\r\n")
                    break
                out.write(data)
                out.flush()
            if 0 in ready:
                data = os.read(0, 1024)
                if not data or QUIT_KEY in data:
                    break
                sock.sendall(data)
    finally:
        if saved is not None:
            termios.tcsetattr(0, termios.TCSADRAIN, saved)
        sock.close()
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
