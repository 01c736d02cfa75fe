"""A really full disk (a 256 KB tmpfs, where this process may mount one): one line, exit 1,
nothing left behind (issue 14; tests/cli/test_out_folder.py simulates ENOSPC everywhere)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.cli.test_out_folder import SCENARIO
from tests.conftest import messages

SIZE = "256k"  # summary.json fits; runs.csv of 20,000 runs (about 1 MB) does not


@pytest.fixture
def small_disk(tmp_path):
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root (mount -t tmpfs)")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_really_full_disk_is_one_line_and_leaves_nothing(small_disk, tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(SCENARIO.format(title="Tiny"), encoding="utf-8")
    out = small_disk / "out"
    r = subprocess.run(
        [sys.executable, "-m", "sim", "run", scenario, "--runs", "20000",
         "--save-runs", "--no-charts", "--no-spread", "--out", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert r.returncode == 1, r.stderr
    lines = messages(r.stderr)
    assert len(lines) == 1 and lines[0].startswith(f"{out}: error: the disk is full"), r.stderr
    assert "nothing was written" in lines[0]
    assert list(small_disk.iterdir()) == []  # no temporary folder, no half results
