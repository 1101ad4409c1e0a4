"""Malformed initrd archives (scripts/gen-bad-tars.py), embedded on request
with `make INITRD_ARCHIVE=FILE`: each is refused at boot with its reason,
the kernel stays up, and it says that there are no files instead of spinning."""
import re
import subprocess

import pytest

from conftest import ROOT, build_variant


def corpus(out):
    subprocess.run(["/usr/bin/python3", str(ROOT / "scripts" / "gen-bad-tars.py"), str(out)],
                   check=True)
    return [line.split("\t") for line in (out / "MANIFEST").read_text().splitlines() if line]


def test_the_corpus_covers_the_parsers_refusals(tmp_path):
    cases = corpus(tmp_path)
    assert len(cases) >= 10
    sources = (ROOT / "kernel" / "fs" / "tar.c").read_text() + \
        (ROOT / "kernel" / "fs" / "initrd.c").read_text()
    sources = re.sub(r'"\s*\n\s*"', "", sources)  # C joins adjacent string literals
    for name, reason in cases:
        assert reason in sources, (name, reason)


def test_each_malformed_archive_is_refused_at_boot_with_its_reason(boot, tmp_path):
    for name, reason in corpus(tmp_path):
        # One build directory for all: only the archive changes between builds.
        out = build_variant("test-bad-tar", INITRD_ARCHIVE=tmp_path / name)
        m = boot(kernel=out / "kernel.elf")
        m.expect(r"\[(initrd|tarfs)\] ERROR: [^\r\n]*" + re.escape(reason))
        m.expect(r"exec: /bin/nipbox: file not found \(no file system mounted\)")
        m.expect(r"\[subject\] /bin/nipbox failed 3 times in a row")
        assert "PANIC" not in m.console(), name
        m.kill()
