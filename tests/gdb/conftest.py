"""GDB test helpers: the offline fixture (GDB on the ELF alone, no QEMU) and
small tools shared by the live GDB tests. The `gdb` and `boot` fixtures are
tests/conftest.py's.
"""
import os
import pathlib
import subprocess
import sys

import pytest

_HERE = pathlib.Path(__file__).resolve().parent
_ROOT_CONFTEST = _HERE.parent / "conftest.py"
ROOT = _HERE.parent.parent
KERNEL = ROOT / "build" / "kernel.elf"
LOADER = ROOT / "gdb" / "rumpk-gdb.py"


def pytest_plugin_registered(plugin, manager):
    """Keep `from conftest import ROOT` working in the other suites.

    pytest imports every conftest.py as the module `conftest` (tests/ has no
    __init__.py) and drops the previous one from sys.modules first, so once
    this file is loaded that name would mean this module. As soon as it is
    registered, put tests/conftest.py back under the name."""
    for p in manager.get_plugins():
        if getattr(p, "__file__", None) and pathlib.Path(p.__file__).resolve() == _ROOT_CONFTEST:
            sys.modules["conftest"] = p
            return


class OfflineResult:
    def __init__(self, proc):
        self.returncode = proc.returncode
        self.output = proc.stdout + proc.stderr

    def __str__(self):
        return self.output


def offline_argv(commands, kernel=KERNEL):
    argv = ["gdb-multiarch", "-nx", "-batch",
            "-ex", "set pagination off", "-ex", "set confirm off",
            "-ex", f"file {kernel}", "-ex", f"source {LOADER}",
            "-ex", "set rumpk color off"]
    for c in commands:
        argv += ["-ex", c]
    return argv


@pytest.fixture
def gdb_offline():
    """gdb_offline(commands, timeout=30) -> result with .output: GDB in batch
    mode on build/kernel.elf alone (no target), extensions loaded, colour
    off. A multi-line command (python ... end) can be given as one string:
    it is written to a file and sourced."""

    def run(commands, timeout=30, kernel=KERNEL, env=None):
        files, argv_cmds = [], []
        for i, c in enumerate(commands):
            if "\n" in c:
                path = ROOT / "build" / "test-logs" / f"gdb-offline-{os.getpid()}-{i}.gdb"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(c + "\n")
                files.append(path)
                argv_cmds.append(f"source {path}")
            else:
                argv_cmds.append(c)
        try:
            proc = subprocess.run(offline_argv(argv_cmds, kernel), capture_output=True,
                                  text=True, timeout=timeout, cwd=str(ROOT),
                                  env=env)
        except subprocess.TimeoutExpired as e:
            pytest.fail(f"GDB did not finish within {timeout}s; output so far:\n"
                        f"{(e.stdout or b'').decode(errors='replace')}")
        finally:
            for p in files:
                p.unlink(missing_ok=True)
        return OfflineResult(proc)

    return run
