"""Every lab proven both ways under QEMU: its bug reproduces (the check fails,
naming the symptom) and the main tree passes its check."""
import json
import os
import pathlib
import subprocess

import pytest

from conftest import BUILD, ROOT

LABS = sorted(p for p in (ROOT / "labs").iterdir() if (p / "lab.json").is_file())
IDS = [p.name for p in LABS]


def lab_py(*args, timeout=600):
    return subprocess.run(["/usr/bin/python3", str(ROOT / "scripts" / "lab.py"), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_make_labs_lists_every_lab_with_its_symptom():
    proc = subprocess.run(["make", "-s", "labs"], cwd=ROOT, capture_output=True, text=True)
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == len(LABS)
    for line, lab in zip(lines, LABS):
        meta = json.loads((lab / "lab.json").read_text())
        assert line.split()[:2] == [lab.name[:2], lab.name[3:]]
        assert meta["symptom"] in line


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_the_lab_is_complete(lab):
    for name in ("README.md", "bug.patch", "check.py", "lab.json"):
        assert (lab / name).is_file(), name
    readme = (lab / "README.md").read_text()
    for section in ("## The story", "## The symptom", "## Goals", "GDB", "## Hints",
                    "## What fixed means"):
        assert section in readme, section


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_the_main_tree_passes_the_check(lab):
    proc = lab_py("check", lab.name[:2], "--tree", str(ROOT), "--no-build")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "FAIL" not in proc.stdout


@pytest.mark.parametrize("lab", [lab for lab in LABS if (lab / "bug.patch").stat().st_size],
                         ids=[lab.name for lab in LABS if (lab / "bug.patch").stat().st_size])
def test_the_bug_reproduces_and_the_check_names_it(lab, tmp_path):
    tree = tmp_path / "tree"
    made = lab_py("workspace", lab.name[:2], "--reset", "--dir", str(tree))
    assert made.returncode == 0, made.stdout + made.stderr
    proc = lab_py("check", lab.name[:2], "--tree", str(tree))
    assert proc.returncode != 0, proc.stdout + proc.stderr
    meta = json.loads((lab / "lab.json").read_text())
    # The first failing check is the one the lab is about.
    first_fail = next(ln for ln in proc.stdout.splitlines() if "FAIL" in ln)
    assert meta.get("failing_check", "") in first_fail, proc.stdout
    assert "full console log" in proc.stdout or "the tree builds" in proc.stdout
