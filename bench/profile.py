#!/usr/bin/python3
"""Where the instructions of one operation go: single-steps it in GDB and
counts instructions per function, kernel and user program alike.

    bench/profile.py [--program bench] [--start nexus_call] [--until RETURN]
                     [--command "bench 1"] [--limit 400000]

Boots the kernel with a gdbstub, waits for the shell, puts a breakpoint on
--start (a function of --program, whose symbols GDB loads at the user base,
or of the kernel), types --command at the shell, and once the breakpoint is
hit steps one instruction at a time (QEMU masks interrupts while stepping)
until the function returns to its caller, or until --until (a function name)
is reached. Prints instructions per function, most first.

Examples:
    bench/profile.py                                   # one CMD_NOP round trip
    bench/profile.py --start write --command "bench 1" # a 64-byte console write
    bench/profile.py --program nipbox --start sys_exec --until bench_exec_end \\
        --command hello --append bench                 # exec of hello through its exit
"""
import argparse
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from rumpklib import qemu  # noqa: E402

import pexpect  # noqa: E402

STEPPER = r'''
python
import gdb, collections
counts = collections.Counter()
frame = gdb.newest_frame()
while frame.type() == gdb.INLINE_FRAME:
    frame = frame.older()
caller_pc = int(frame.older().pc()) if UNTIL is None else None
steps = 0
while steps < LIMIT:
    f = gdb.newest_frame()
    pc = int(f.pc())
    while f.type() == gdb.INLINE_FRAME and f.older() is not None:
        f = f.older()   # count inlined code in the function it was inlined into
    name = f.name() or f"0x{pc:x}"
    if UNTIL is not None and name == UNTIL:
        break
    if caller_pc is not None and pc == caller_pc:
        break
    counts[name] += 1
    steps += 1
    insn = int.from_bytes(bytes(gdb.selected_inferior().read_memory(pc, 4)), "little")
    if insn in (0x00000073, 0x10200073):
        # QEMU's single step does not stop where an ecall or an sret lands
        # (the trap, or the program, just runs on): stop there with a
        # hardware breakpoint on the trap vector, or on sepc.
        where = "$stvec" if insn == 0x00000073 else "$sepc"
        target = int(gdb.parse_and_eval(where)) & (~3 if where == "$stvec" else ~1)
        gdb.execute(f"thbreak *{target:#x}", to_string=True)
        gdb.execute("continue", to_string=True)
    else:
        gdb.execute("stepi", to_string=True)
print(f"PROFILE-TOTAL {steps}")
for name, n in counts.most_common():
    print(f"PROFILE {n} {name}")
end
'''


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--program", default="bench", help="user program whose symbols to load")
    ap.add_argument("--start", default="nexus_call")
    ap.add_argument("--until", default=None, help="stop at this function instead of the return")
    ap.add_argument("--command", default="bench 1", help="what to type at the shell")
    ap.add_argument("--append", default="", help="kernel command line")
    ap.add_argument("--limit", type=int, default=400_000, help="most instructions to step")
    ap.add_argument("--kernel", default=str(ROOT / "build" / "kernel.elf"))
    args = ap.parse_args()

    port = qemu.free_port()
    argv = qemu.command(args.kernel, append=args.append, gdb_port=port)
    console = pexpect.spawn(argv[0], argv[1:], encoding="utf-8", codec_errors="replace",
                            timeout=30)
    try:
        console.expect("nipbox> ")
        user_elf = ROOT / "build" / "userland" / f"{args.program}.elf"
        stepper = STEPPER.replace("LIMIT", str(args.limit)).replace(
            "UNTIL", repr(args.until))
        script = ROOT / "build" / "profile.gdb"
        script.write_text(stepper)
        gdb = ["gdb-multiarch", "-nx", "-batch", "-ex", "set pagination off",
               "-ex", "set confirm off", "-ex", "set tcp connect-timeout 5",
               "-ex", f"file {args.kernel}",
               "-ex", f"add-symbol-file {user_elf} -readnow",
               "-ex", f"target remote 127.0.0.1:{port}",
               "-ex", f"hbreak {args.start}",
               # The same user address exists in every program: stop only in
               # ours. In U-mode GDB cannot read kernel memory (QEMU checks
               # the U bit), so a user --start asks the program's own ProcInfo.
               "-ex", "condition 1 $_streq((unsigned long)$pc >= 0x100000000 ? "
                      f"(char *)0x140100028 : current_process->path, \"/bin/{args.program}\")",
               "-ex", "continue",
               "-ex", f"delete", "-x", str(script)]
        proc = subprocess.Popen(gdb, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                cwd=ROOT)
        # Keep reading the console so QEMU never blocks on it; type the
        # command once GDB has had time to attach and continue.
        stop = threading.Event()

        def pump():
            while not stop.is_set():
                try:
                    console.read_nonblocking(4096, timeout=0.2)
                except pexpect.TIMEOUT:
                    pass
                except (pexpect.EOF, OSError):
                    return
        time.sleep(1.5)
        console.sendline(args.command)
        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        try:
            out, _ = proc.communicate(timeout=1800)
        except subprocess.TimeoutExpired:
            proc.kill()
            sys.exit("profile: GDB did not finish within 30 minutes")
        stop.set()
    finally:
        console.kill(9)
        console.close()
    if os.environ.get("PROFILE_VERBOSE"):
        print(out)   # everything GDB said, for when the profile looks wrong
    total = re.search(r"PROFILE-TOTAL (\d+)", out)
    if not total:
        sys.exit(f"profile: no profile; GDB said:\n{out}")
    print(f"{int(total[1]):>8,}  instructions from {args.start} "
          f"{'to ' + args.until if args.until else 'until it returned'}")
    for n, name in re.findall(r"PROFILE (\d+) (\S+)", out):
        print(f"{int(n):>8,}  {name}")


if __name__ == "__main__":
    main()
