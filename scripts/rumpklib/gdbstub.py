"""Helpers for running QEMU under GDB: the gdbstub's readiness and a serial
console that stays usable while GDB owns the terminal (make debug).

qemu.command() builds the command line; this adds what a debugging session
needs around it.
"""
import os
import socket
import time


def port_is_listening(port):
    """True when some process listens on 127.0.0.1:port. Read from
    /proc/net/tcp, so checking does not use up QEMU's single gdbstub
    connection the way a test connect() would."""
    want = f"0100007F:{port:04X}"
    try:
        with open("/proc/net/tcp") as f:
            rows = f.readlines()[1:]
    except OSError:
        return False
    return any(r.split()[1] == want and r.split()[3] == "0A" for r in rows)


def wait_until_listening(port, proc, timeout=10.0):
    """Waits until `proc` (a subprocess.Popen of QEMU) listens on `port`.
    Returns True, or False if QEMU exited or the timeout passed first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if port_is_listening(port):
            return True
        time.sleep(0.02)
    return False


def socket_in_use(path):
    """True when something accepts connections on the unix socket `path`."""
    if not os.path.exists(path):
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(path)
        except OSError:
            return False
    return True


def console_socket(path, log=None):
    """(serial, extra): the qemu.command() `serial` argument and the extra
    QEMU options that put the console on a unix socket server at `path`
    (QEMU does not wait for a client; output before one connects is not
    lost for the log) and, if `log` is given, copy all console output to
    that file."""
    spec = f"socket,id=console,path={path},server=on,wait=off"
    if log:
        spec += f",logfile={log},logappend=off"
    return "chardev:console", ["-chardev", spec]
