#!/usr/bin/python3
"""Lab 08: returning from main must be a real exit (crt0 hands main's value to
exit()), and the kernel must survive a program that does jump into nothing."""
import re

from rumpklib.labkit import CheckFailed, check, expect_no_panic, grade, run_program

OBJDUMP = "riscv64-unknown-elf-objdump"


@check("the shell starts")
def shell(lab):
    lab.shell()


@check("a program that returns from main exits with main's value (returner: status 7)",
       parent=shell)
def returns(lab):
    c = lab.shell()
    how, value = run_program(c, "returner")
    if how == "killed":
        raise CheckFailed(f"returner was killed ({value}) after main returned 7: nothing "
                          f"took main's return value to exit()", console=c,
                          missing="[subject] /bin/returner exited with status 7")
    if value != 7:
        raise CheckFailed(f"returner exited with status {value}, not main's 7", console=c)
    # Every program that returns from main goes the same way.
    how, value = run_program(c, "hello")
    if (how, value) != ("exited", 0):
        raise CheckFailed(f"hello {how} ({value}) instead of exiting with status 0", console=c)
    expect_no_panic(c)


@check("_start calls exit() with main's return value (userland/libnexus/crt0.S)", parent=returns)
def crt0_exits(lab):
    """The fix belongs in the start code, not in a kernel that guesses."""
    proc = lab.run([OBJDUMP, "-d", "--no-show-raw-insn", "build/userland/returner.elf"])
    if proc.returncode != 0:
        raise CheckFailed(f"{OBJDUMP} could not read build/userland/returner.elf: "
                          f"{proc.stderr.strip()}")
    m = re.search(r"<_start>:\n(.*?)(?:\n\n|\Z)", proc.stdout, re.S)
    if not m:
        raise CheckFailed("no _start in build/userland/returner.elf")
    body = m.group(1)
    calls = [ln for ln in body.splitlines() if "<main>" in ln or "<exit>" in ln or "ecall" in ln]
    first_main = next((i for i, ln in enumerate(calls) if "<main>" in ln), None)
    if first_main is None:
        raise CheckFailed("_start never reaches main")
    if not re.search(r"\b(jal|call)\b", calls[first_main]) or "jal\tzero" in calls[first_main]:
        insn = " ".join(calls[first_main].split(":", 1)[1].split())
        raise CheckFailed(f"_start jumps to main without a return address ({insn}): "
                          f"main's `ret` has nowhere to go")
    if not any("<exit>" in ln or "ecall" in ln for ln in calls[first_main + 1:]):
        raise CheckFailed("after main returns, _start does not call exit() with its value")


@check("a real crash is still killed, and the kernel goes on", parent=returns)
def crash_still_killed(lab):
    c = lab.shell()
    how, value = run_program(c, "crash-jump")
    if how != "killed" or "instruction page fault" not in value:
        raise CheckFailed(f"crash-jump (a jump to 0xdeadbeef) {how} ({value}): a fault must "
                          f"still kill the program, only a return from main is an exit",
                          console=c)
    how, value = run_program(c, "/bin/exit 3")
    if (how, value) != ("exited", 3):
        raise CheckFailed(f"/bin/exit 3 {how} ({value}) instead of status 3", console=c)
    expect_no_panic(c)


grade()
