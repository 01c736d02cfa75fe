"""conftest.py skips the tests marked ``shared`` when the team's shared folder is absent.

Each check runs pytest in a subprocess on a small test module, with ``tests.conftest`` loaded
as a plugin and ``SIM_SHARED`` pointing to a folder of our making.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

MODULE = """\
import json

import pytest

from tests.conftest import CASES, HAVE_SHARED

# a guarded read at import: the module imports without the folder
EXPECTED = json.loads((CASES / "expected.json").read_text()) if HAVE_SHARED else {}


@pytest.mark.shared
def test_marked():
    assert EXPECTED == {"x": 1}


def test_fixture(shared):
    assert (shared / "cases" / "expected.json").is_file()


@pytest.mark.parametrize("n", [1, pytest.param(2, marks=pytest.mark.shared)])
def test_param(n):
    assert n == 1 or EXPECTED


@pytest.mark.shared
@pytest.mark.parametrize("path", sorted(CASES.glob("*.yaml")))  # empty without the folder
def test_files(path):
    assert path.is_file()


def test_plain():
    assert True
"""


def run_pytest(tmp_path: Path, shared: Path) -> subprocess.CompletedProcess:
    """Run MODULE under pytest with SIM_SHARED=shared; -rA lists every outcome and reason."""
    (tmp_path / "test_sample.py").write_text(MODULE, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    env = {**os.environ, "SIM_SHARED": str(shared), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider"]
    return subprocess.run(
        [*command, "-rA", "-q", "test_sample.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_marked_tests_are_skipped_with_the_reason_without_the_folder(tmp_path: Path):
    empty = tmp_path / "empty"
    empty.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    r = run_pytest(work, empty)
    assert r.returncode == 0, r.stdout + r.stderr
    skipped = [line for line in r.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(skipped) == 4, r.stdout
    reason = f"needs the team's shared folder at {empty} (absent)"
    assert all(reason in line for line in skipped), skipped
    passed = sorted(line.split()[1] for line in r.stdout.splitlines() if line.startswith("PASSED"))
    assert passed == ["test_sample.py::test_param[1]", "test_sample.py::test_plain"]


def test_marked_tests_run_with_the_folder(tmp_path: Path):
    folder = tmp_path / "shared"
    (folder / "cases").mkdir(parents=True)
    (folder / "cases" / "expected.json").write_text('{"x": 1}', "utf-8")
    (folder / "cases" / "a.yaml").write_text("scenario: a\n", "utf-8")
    work = tmp_path / "work"
    work.mkdir()
    r = run_pytest(work, folder)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "SKIPPED" not in r.stdout
    assert "6 passed" in r.stdout
