"""scripts/gen-bad-elves.py: the malformed ELF files for the kernel's loader.

The generator runs into a temporary directory; its MANIFEST must name enough
files and rules, every reason must be one kernel/loader/elf_check.c really
returns, and its cases must match tests/host/test_elf_check.c's (which
applies the same mutations in memory). Then a tiny host program built from
elf_check.c runs on every file: each is refused with exactly its reason.
The end-to-end check (the kernel refusing each under QEMU) comes with exec.
"""
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

GENERATOR = ROOT / "scripts" / "gen-bad-elves.py"
GOOD_ELF = ROOT / "tests" / "host" / "data" / "good-user.elf"
ELF_CHECK_C = ROOT / "kernel" / "loader" / "elf_check.c"
TEST_C = ROOT / "tests" / "host" / "test_elf_check.c"

# Runs elf_check on every file of a MANIFEST; prints "FILE<TAB>REASON" ("ok" when it passes).
DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "abi/user.h"
#include "loader/elf_check.h"

int main(int argc, char **argv)
{
    char path[4096], line[512];
    const struct elf_limits lim = { USER_BASE, USER_END, 4096 };
    if (argc != 2)
        return 2;
    snprintf(path, sizeof path, "%s/MANIFEST", argv[1]);
    FILE *m = fopen(path, "r");
    if (!m)
        return 2;
    while (fgets(line, sizeof line, m)) {
        line[strcspn(line, "\t")] = '\0';
        snprintf(path, sizeof path, "%s/%s", argv[1], line);
        FILE *f = fopen(path, "rb");
        if (!f)
            return 2;
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        unsigned char *buf = malloc(n ? (size_t)n : 1);  /* exactly n: ASan sees overreads */
        if (fread(buf, 1, (size_t)n, f) != (size_t)n)
            return 2;
        fclose(f);
        const char *reason = NULL;
        int rc = elf_check(buf, (size_t)n, &lim, NULL, &reason);
        printf("%s\t%s\n", line, rc == 0 ? "ok" : reason);
        free(buf);
    }
    fclose(m);
    return 0;
}
"""


@pytest.fixture(scope="module")
def bad_elves(tmp_path_factory):
    out = tmp_path_factory.mktemp("bad-elves")
    proc = subprocess.run([sys.executable, str(GENERATOR), str(GOOD_ELF), str(out)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    manifest = [line.split("\t") for line in (out / "MANIFEST").read_text().splitlines()]
    assert all(len(row) == 2 for row in manifest), manifest
    return out, dict(manifest)


def test_generator_writes_the_files_and_the_manifest(bad_elves):
    out, manifest = bad_elves
    manifest = dict(manifest)  # the fixture's dict is shared by the module's tests
    assert manifest.pop("good.elf") == "ok"
    assert (out / "good.elf").read_bytes() == GOOD_ELF.read_bytes()
    assert len(manifest) >= 30
    on_disk = {p.name for p in out.iterdir()} - {"MANIFEST", "good.elf"}
    assert on_disk == set(manifest)
    assert (out / "empty.elf").stat().st_size == 0


def test_every_reason_is_one_the_validator_returns(bad_elves):
    _, manifest = bad_elves
    source = ELF_CHECK_C.read_text()
    for name, reason in manifest.items():
        if reason != "ok":
            assert f'"{reason}"' in source, (name, reason)


def test_every_reason_of_the_validator_is_generated(bad_elves):
    """Each phrase elf_check.c can return, but the loader's own bad limits."""
    _, manifest = bad_elves
    phrases = set(re.findall(r'(?:return|:)\s*"([^"]+)";', ELF_CHECK_C.read_text()))
    assert len(phrases) >= 20, phrases
    assert phrases - {"bad loader limits"} <= set(manifest.values())


def test_distinct_rules_are_covered(bad_elves):
    _, manifest = bad_elves
    reasons = set(manifest.values()) - {"ok"}
    assert len(reasons) >= 15, sorted(reasons)
    for fixed in ("not an ELF file", "wrong machine"):  # the contract's own phrases
        assert fixed in reasons


def test_the_cases_are_test_elf_checks(bad_elves):
    """Same names, same reasons: the C test's BAD(m_NAME, "step", "reason") table."""
    _, manifest = bad_elves
    in_c = {m.group(1).replace("_", "-") + ".elf": m.group(2)
            for m in re.finditer(r'BAD\(m_(\w+), "\w+", "([^"]+)"\)', TEST_C.read_text())}
    in_python = {name: reason for name, reason in manifest.items() if name != "good.elf"}
    assert in_python == in_c  # C's m_x86_64 is x86-64.elf


def test_the_validator_refuses_each_with_its_reason(bad_elves, tmp_path):
    out, manifest = bad_elves
    cc = shutil.which("gcc")
    if cc is None:
        pytest.skip("no gcc to build the host driver")
    driver_c = tmp_path / "driver.c"
    driver_c.write_text(DRIVER)
    driver = tmp_path / "driver"
    subprocess.run([cc, "-std=c11", "-g", "-O1", "-Wall", "-Werror",
                    "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
                    f"-I{ROOT / 'kernel'}", f"-I{ROOT / 'include'}",
                    "-o", str(driver), str(driver_c), str(ELF_CHECK_C)],
                   check=True, capture_output=True, timeout=120)
    proc = subprocess.run([str(driver), str(out)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    got = dict(line.split("\t") for line in proc.stdout.splitlines())
    assert got == manifest
