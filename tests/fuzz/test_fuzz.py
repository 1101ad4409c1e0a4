"""The fuzz targets (built by `make fuzz-targets`): replay the seed corpus,
then fuzz each target for a few seconds. `make fuzz` runs them longer."""
import re
import shutil
import subprocess

import pytest

from conftest import BUILD, ROOT

TARGETS = ["elf", "tar", "path", "cmd", "fdt"]


@pytest.mark.parametrize("target", TARGETS)
def test_fuzz_target_survives_its_corpus_and_a_short_run(target, tmp_path):
    binary = BUILD / "fuzz" / f"fuzz_{target}"
    assert binary.exists(), f"{binary} is not built: make fuzz-targets"
    seeds = ROOT / "tests" / "fuzz" / "corpus" / target
    assert any(seeds.iterdir()), f"no seeds in {seeds}"
    corpus = tmp_path / "corpus"
    shutil.copytree(seeds, corpus)
    proc = subprocess.run([str(binary), "-max_total_time=3", "-print_final_stats=1",
                           f"-artifact_prefix={tmp_path}/", str(corpus)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-3000:]
    runs = int(re.search(r"stat::number_of_executed_units: (\d+)", proc.stderr)[1])
    assert runs > 1000, runs
