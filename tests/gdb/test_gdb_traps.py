"""The trap frame printer on a live panic: it says what the kernel's panic
report says (both come from trap_describe's words), registers by ABI name."""
import re

import pytest


@pytest.mark.parametrize("selftest", ["fault", "illegal"])
def test_trap_frame_printer_matches_the_panic_report(gdb, selftest):
    r = gdb(["break panic_trap", "continue", "print *tf", "print/x tf->sepc", "continue"],
            append=f"selftest={selftest}")
    out = r.output
    m = re.search(r"^\$1 = (.*?), sepc (0x[0-9a-f]+) <([\w.]+)\+\d+> = \{ra = 0x[0-9a-f]+ "
                  r"<[\w.+]+>, sp = 0x[0-9a-f]+,", out, re.M)
    assert m, out
    words, sepc, function = m[1], m[2], m[3]
    assert function.startswith("fault_"), out
    assert f"$2 = {sepc}" in out, out
    assert re.search(rf"PANIC: [^:\n]*: {re.escape(words)} in kernel at pc {sepc}", r.console), \
        (words, r.console)
    if selftest == "illegal":
        assert words == "illegal instruction (encoding 0x00000000)", words
    else:
        assert re.fullmatch(r"load (page|access) fault at 0x0", words), words
    fields = re.findall(r"\b([a-z]\w*) = 0x", out.split("$1 = ")[1].splitlines()[0])
    assert fields[:4] == ["ra", "sp", "gp", "tp"] and fields[-4:] == ["sepc", "sstatus",
                                                                        "scause", "stval"]
