"""Runs the host unit tests (C, built with ASan and UBSan by `make host-tests`)."""
import pathlib
import subprocess

import pytest

from conftest import BUILD, ROOT

SOURCES = sorted((ROOT / "tests" / "host").glob("test_*.c"))


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_host_unit(source):
    binary = BUILD / "host" / source.stem
    assert binary.exists(), f"{binary} is not built: run make host-tests"
    proc = subprocess.run([str(binary)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " 0 failed" in proc.stdout, proc.stdout


def test_every_host_test_is_known_to_the_makefile():
    makefile = (ROOT / "Makefile").read_text()
    for source in SOURCES:
        name = source.stem.removeprefix("test_")
        assert f"HOST_SRCS_{name} " in makefile or f"HOST_SRCS_{name}\t" in makefile, name
