"""The loader under QEMU: every malformed ELF of the generated corpus is
refused with its own `exec: PATH: REASON` line, and a shell that cannot start
is retried with a back-off that the console announces."""
import re

import pytest

from conftest import BUILD, build_variant

PROMPT = r"nipbox> "


@pytest.fixture(scope="module")
def bad_corpus():
    """The corpus the build ships in the initrd under /bad/ (make generates it
    with scripts/gen-bad-elves.py), and its MANIFEST of expected refusals."""
    manifest = BUILD / "rootfs-bad" / "bad" / "MANIFEST"
    assert manifest.is_file(), "make builds the /bad/ corpus"
    return [line.split("\t") for line in manifest.read_text().splitlines() if line.strip()]


def test_every_malformed_elf_is_refused_with_its_reason(boot, bad_corpus):
    cases = [(name, reason) for name, reason in bad_corpus if reason != "ok"]
    assert len(cases) >= 30
    m = boot()
    m.expect(PROMPT, timeout=20)
    for name, reason in cases:
        m.sendline(f"exec /bad/{name}")
        m.expect(re.escape(f"exec: /bad/{name}: {reason}") + r"\r*\n")
        m.expect(PROMPT)
    m.sendline("hello")
    m.expect(r"Hello from a dynamically loaded ELF!")
    console = m.console()
    assert "PANIC" not in console and "killed" not in console


def test_a_shell_that_cannot_start_is_retried_with_a_growing_pause(boot, tmp_path):
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "nipbox").write_text("#!/bin/sh\necho this is not an ELF\n")
    out = build_variant("test-no-shell", ROOTFS_EXTRA=tmp_path)
    m = boot(kernel=out / "kernel.elf")
    for _ in range(3):
        m.expect(r"exec: /bin/nipbox: not an ELF file")
    m.expect(r"\[subject\] /bin/nipbox failed 3 times in a row; next try in 1000 ms")
    m.expect(r"exec: /bin/nipbox: not an ELF file", timeout=5)
    m.expect(r"\[subject\] /bin/nipbox failed 4 times in a row; next try in 2000 ms")
    # Paused, not spinning: nothing more for most of those 2 seconds.
    before = m.console().count("exec: /bin/nipbox")
    m.expect(r"failed 5 times in a row; next try in 4000 ms", timeout=10)
    assert m.console().count("exec: /bin/nipbox") == before + 1
