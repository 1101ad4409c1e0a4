"""The embedded initrd under QEMU: what the kernel lists is what was packed;
a big archive works; a cut image is reported with both sizes."""
import os
import re
import subprocess
import tarfile

import pytest

from conftest import BUILD, build_variant

LISTING = re.compile(r"\[tarfs\] ([d-]) ([0-7]{4}) +(\d+) /(\S*)")


def expected_listing(archive):
    """What `tar tvf` sees: (type, size, path) for every member."""
    with tarfile.open(archive) as tar:
        return sorted(("d" if m.isdir() else "-", m.size if m.isfile() else 0,
                       m.name.rstrip("/")) for m in tar.getmembers())


def kernel_listing(m, timeout=60):
    m.expect(r"\[tarfs\] (\d+) entries listed", timeout=timeout)
    rows = [(t, int(size), path) for t, _mode, size, path in LISTING.findall(m.console())]
    return sorted(rows), int(m.child.match[1])


def test_the_kernel_lists_exactly_what_was_packed(boot):
    m = boot(append="monitor tarfs=ls")
    packed = os.path.getsize(BUILD / "initrd.tar")
    m.expect(rf"\[initrd\] {packed} bytes at 0x[0-9a-f]+, CRC-32 0x[0-9a-f]{{8}}: as packed")
    m.expect(r"\[tarfs\] mounted the initrd: (\d+) entries")
    rows, count = kernel_listing(m)
    want = expected_listing(BUILD / "initrd.tar")
    assert rows == want
    assert count == len(want) > 0
    assert ("-", len("rumpk\n"), "etc/hostname") in rows


@pytest.fixture(scope="module")
def big_tree(tmp_path_factory):
    """10,000 files, 8.4 MiB of content, in nested directories."""
    root = tmp_path_factory.mktemp("bigrootfs")
    for i in range(10_000):
        d = root / "big" / f"d{i // 500:02d}"
        d.mkdir(parents=True, exist_ok=True)
        # Sizes vary from 340 to 1339 bytes so every block boundary case shows up.
        size = 340 + (i * 7919) % 1000
        (d / f"f{i:05d}.bin").write_bytes(bytes((i + j) & 0xff for j in range(size)))
    return root


def test_an_8_mib_archive_with_10000_entries_is_indexed_completely(boot, big_tree):
    out = build_variant("test-big", ROOTFS_EXTRA=big_tree)
    archive = out / "initrd.tar"
    assert os.path.getsize(archive) >= 8 * 2**20
    want = expected_listing(archive)
    assert sum(1 for t, _, _ in want if t == "-") >= 10_000
    m = boot(kernel=out / "kernel.elf", append="monitor tarfs=ls")
    m.expect(r"\[initrd\] \d+ bytes at .*: as packed", timeout=30)
    rows, count = kernel_listing(m, timeout=120)
    assert count == len(want)
    assert rows == want


def test_a_cut_image_is_a_loud_boot_error_naming_both_sizes(boot, tmp_path):
    full = BUILD / "initrd.tar"
    data = full.read_bytes()
    cut = tmp_path / "cut.tar"
    cut.write_bytes(data[: len(data) // 2 // 512 * 512])
    out = build_variant("test-cut", INITRD_EMBED=cut)
    # The variant packs its own archive (the same tree): that is the size recorded.
    packed = os.path.getsize(out / "initrd.tar")
    seen = os.path.getsize(cut)
    m = boot(kernel=out / "kernel.elf", append="monitor tarfs=ls")
    m.expect(rf"\[initrd\] ERROR: the kernel sees {seen} bytes of initrd at 0x[0-9a-f]+, "
             rf"but {packed} were packed \(truncated by {packed - seen} bytes\): not mounting it")
    m.expect_prompt()
    assert "[tarfs] mounted" not in m.console()
