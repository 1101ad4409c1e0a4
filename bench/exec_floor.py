#!/usr/bin/python3
"""The least an exec of a program through its exit must execute, from its ELF.

    bench/exec_floor.py build/userland/hello.elf

docs/performance.md explains each term. The floor assumes a kernel that
copies and clears memory a 64-bit word at a time, maps the stack lazily (one
page touched), and a program that makes the system calls hello makes (one
console write, one exit); it is what `make bench` puts beside the measured
exec-hello figure.
"""
import sys

from elftools.elf.elffile import ELFFile

PAGE = 4096
WORD = 8
VALIDATION = 125           # ELF header and 3 program headers: ~25 checks of ~5 instructions
PAGE_TABLES = 7            # root, 2 L1 (user space, ION window), 4 L0 (code, stack, ION, ProcInfo)
PROCINFO_FILL = 40         # magic, sender, key, pid, the path
PRINTF = 180               # formatting a 36-character line
WRITE_SYSCALL = 2096       # bench.py's console-write-64 floor
EXIT_SYSCALL = 1040        # a system call round trip (the exit never completes, but is checked)
FREE_PER_PAGE = 10         # bitmap bit, counters


def floor_for(path):
    with open(path, "rb") as f:
        elf = ELFFile(f)
        loads = [s for s in elf.iter_segments() if s["p_type"] == "PT_LOAD"]
        copied = sum(s["p_filesz"] for s in loads)
        pages = 0
        for s in loads:
            first = s["p_vaddr"] // PAGE
            last = (s["p_vaddr"] + s["p_memsz"] - 1) // PAGE
            pages += last - first + 1
    cleared = pages * PAGE - copied                  # the rest of every segment page
    terms = {
        "validate the headers": VALIDATION,
        f"copy {copied} file bytes (ld + sd per word)": 2 * (copied // WORD),
        f"clear the other {cleared} bytes of {pages} segment pages": cleared // WORD,
        "clear one stack page": PAGE // WORD,
        "clear and fill the ProcInfo page": PAGE // WORD + PROCINFO_FILL,
        f"clear {PAGE_TABLES} page-table pages": PAGE_TABLES * PAGE // WORD,
        "printf of the greeting": PRINTF,
        "write(): one console write": WRITE_SYSCALL,
        "exit(): one system call": EXIT_SYSCALL,
        "free every page": FREE_PER_PAGE * (pages + 2 + PAGE_TABLES),
    }
    return {"floor": sum(terms.values()), "terms": terms}


if __name__ == "__main__":
    result = floor_for(sys.argv[1] if len(sys.argv) > 1 else "build/userland/hello.elf")
    for what, n in result["terms"].items():
        print(f"{n:>8,}  {what}")
    print(f"{result['floor']:>8,}  floor")
