"""GDB across the user/kernel boundary (gdb/rumpk/boundary.py, ubreak.py,
guards.py): stepping through a system call and back, breakpoints in programs
that have not started, and the guards for `run` and unmapped breakpoints."""
import re

PROMPT = "nipbox> "


def test_syscall_step_from_write_into_the_kernel_and_finish_back(gdb):
    r = gdb(["ubreak hello:main", "continue", "break write", "continue",
             "syscall step", "print $priv", "bt 1",
             "syscall finish", "print $priv", "info registers pc"],
            console=[(PROMPT, "hello")])
    out = r.output
    assert "Breakpoint 2, write (" in out, out
    ecall = re.search(r"\[rumpk\] ecall at (0x[0-9a-f]+) nexus_ecall\+\d+ "
                      r"\(userland/libnexus/gate\.c:\d+\) -> trap_entry", out)
    assert ecall, out
    # The packet as the kernel took it off the command ring: write() asks
    # for a packet first (CMD_ION_ALLOC), stamped with a tag that verifies.
    assert "the kernel took this CmdPacket off the command ring (seq" in out, out
    assert re.search(r"^  kind  CMD_ION_ALLOC \(0x101\)$", out, re.M), out
    assert re.search(r"^  tag   verifies for sender 0x[0-9a-f]+ seq \d+", out, re.M), out
    assert "now in ion_process_commands (kernel/ion/ion.c:" in out, out
    privs = re.findall(r"^\$\d+ = (\d+)$", out, re.M)
    assert privs == ["1", "0"], (privs, out)       # S-mode in the kernel, U-mode after
    assert re.search(r"^#0  .*ion_process_commands \(\) at kernel/ion/ion\.c", out, re.M), out
    back = int(ecall[1], 16) + 4
    assert f"back in user mode after the ecall, at 0x{back:x} nexus_ecall+" in out, out
    assert re.search(rf"^pc\s+0x{back:x}\s", out, re.M), out
    assert re.search(r"completion on the ring: \{kind = CMD_ION_ALLOC \(0x101\), "
                     r"status = ION_OK \(0\)", out), out
    assert "[rumpk] kernel side (S-mode), in /bin/hello's address space" in out, out
    assert "[rumpk] user side: /bin/hello (pid" in out, out


def test_ubreak_on_hello_main_hits_each_time_the_shell_runs_it(gdb):
    r = gdb(["ubreak hello:main", "continue", "bt 1", "continue", "bt 1", "ubreak"],
            console=[(PROMPT, "hello"), (PROMPT, "hello")])
    out = r.output
    assert re.search(r"ubreak 1: hello:main at 0x1[0-9a-f]{8} \(stops whenever /bin/hello", out), out
    hits = re.findall(r"^Breakpoint 1, main \(\) at userland/programs/hello\.c:\d+$", out, re.M)
    assert len(hits) == 2, out
    assert len(re.findall(r"^#0  main \(\) at userland/programs/hello\.c", out, re.M)) == 2, out
    # Two runs, two processes: a banner for each.
    pids = re.findall(r"\[rumpk\] user side: /bin/hello \(pid (\d+)\)", out)
    assert len(pids) == 2 and pids[0] != pids[1], out
    assert re.search(r"^1\s+hello\s+main\s+0x1[0-9a-f]+\s+2\s+yes$", out, re.M), out
    # The shell ran in between (it has main at the very same address): no stop there.
    assert "args.c" not in out.split("ubreak 1:")[1], out


def test_ubreak_file_line_and_its_errors(gdb):
    r = gdb(["ubreak userland/programs/hello.c:6", "ubreak nosuch:main", "ubreak hello:nosuch",
             "ubreak userland/libnexus/gate.c:28"])
    out = r.output
    assert re.search(r"ubreak 1: hello:userland/programs/hello\.c:6 at 0x1[0-9a-f]+", out), out
    assert "no build/userland/nosuch.elf" in out, out
    assert "nosuch is not in hello" in out, out
    assert "which program is userland/libnexus/gate.c part of?" in out, out


def test_run_and_start_explain_that_the_kernel_already_runs(gdb):
    r = gdb(["run", "start", "print 6 * 7"])
    out = r.output
    assert out.count("the kernel is already running under QEMU") == 2, out
    assert "`continue` lets it run" in out, out
    assert "$1 = 42" in out, out        # GDB carried on: nothing was started


def test_a_breakpoint_where_nothing_is_mapped_says_so(gdb):
    r = gdb(["break subject_main", "continue", "break *0x100000000", "break *0x200000000",
             "break kmain"])
    out = r.output
    # Stopped as the Subject starts: paging is on, only the kernel is mapped.
    assert re.search(r"warning: breakpoint 2 at 0x100000000: not mapped in the kernel's "
                     r"address space, so it cannot hit now \(a user program's address: "
                     r"ubreak PROGRAM:FUNCTION", out), out
    assert "warning: breakpoint 3 at 0x200000000: not mapped" in out, out
    assert "warning: breakpoint 4" not in out, out


def test_si_follows_an_ecall_into_the_kernel_and_an_sret_back(gdb):
    r = gdb(["ubreak hello:main", "continue", "set rumpk follow-ecall on",
             "break nexus_ecall", "continue", "stepi 4", "x/i $pc", "si", "print $pc",
             "thbreak kernel/arch/riscv64/trap_entry.S:122", "continue", "x/i $pc", "si",
             "print $priv"],
            console=[(PROMPT, "hello")])
    out = r.output
    ecall = re.search(r"=> (0x[0-9a-f]+) <nexus_ecall\+\d+>:\s+ecall", out)
    assert ecall, out
    assert re.search(r"^\$1 = \(void \(\*\)\(\)\) 0x[0-9a-f]+ <trap_entry>$", out, re.M), out
    assert re.search(r"=> 0x[0-9a-f]+ <trap_return\+\d+>:\s+sret", out), out
    after = int(ecall[1], 16) + 4
    assert re.search(rf"Temporary breakpoint \d+, (0x0*{after:x} in )?nexus_ecall \(\)", out) \
        or f"0x{after:x}" in out, out
    assert re.search(r"^\$2 = 0$", out, re.M), out
