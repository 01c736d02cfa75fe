"""A read-only install with an unwritable HOME runs every command (issue 14, item 1).

numba caches compiled kernels next to their source (``sim/__pycache__``) or in the user's
cache folder; when neither can be written it used to stop on import with "cannot cache
function 'philox': no locator available". The test makes both unwritable in a way that holds
for root too (CI runs as root, whom ``chmod`` does not stop): the package is a copy whose
``__pycache__`` entries are plain files, and HOME lies below a plain file.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli.progress import COMPILING

ROOT = Path(__file__).resolve().parents[2]

SCENARIO = """\
scenario: tiny
title: Tiny
start: 2025-01-01
horizon: 2025-12-31
tracks:
  t: {states: [a, b], initial: a}
events:
  - {id: go, track: t, from: a, to: b, chance: 50% within 6 months}
outcomes:
  gone: {when: t == b}
"""


@pytest.fixture(scope="module")
def readonly(tmp_path_factory):
    """A read-only copy of the package, an environment whose HOME cannot be written, and a
    scenario file; yields a function running ``python -m sim ARGS`` there."""
    tmp = tmp_path_factory.mktemp("readonly")
    site = tmp / "site"
    shutil.copytree(ROOT / "sim", site / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    for folder in [site / "sim", *(p for p in (site / "sim").rglob("*") if p.is_dir())]:
        (folder / "__pycache__").write_text("not a folder")  # no cache can be made there
    blocker = tmp / "blocker"
    blocker.write_text("a file, so nothing can be created below it")
    (tmp / "temp").mkdir()
    (tmp / "work").mkdir()
    scenario = tmp / "work" / "tiny.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_", "XDG_", "MPL", "PYTHON"))
    }
    env.update(HOME=str(blocker / "home"), PYTHONPATH=str(site), TMPDIR=str(tmp / "temp"))
    if os.getuid() != 0:
        subprocess.run(["chmod", "-R", "a-w", str(site)], check=True)

    def sim(*args):
        return subprocess.run(
            [sys.executable, "-m", "sim", *map(str, args)],
            capture_output=True,
            text=True,
            cwd=tmp / "work",
            env=env,
            timeout=600,
        )

    sim.tmp = tmp
    sim.scenario = scenario
    yield sim
    subprocess.run(["chmod", "-R", "u+w", str(site)], check=False)


def test_the_copy_is_what_runs_and_its_caches_are_unwritable(readonly):
    r = subprocess.run(
        [sys.executable, "-c", "import sim, sys; print(sim.__file__)"],
        capture_output=True,
        text=True,
        cwd=readonly.tmp / "work",
        env={"PYTHONPATH": str(readonly.tmp / "site"), "PATH": os.environ.get("PATH", "")},
    )
    assert r.stdout.strip() == str(readonly.tmp / "site" / "sim" / "__init__.py"), r.stderr
    assert not (readonly.tmp / "site" / "sim" / "__pycache__").is_dir()


def test_help_and_validate_run_without_importing_numba(readonly):
    r = readonly("--help")
    assert r.returncode == 0 and "validate" in r.stdout, r.stderr
    assert r.stderr == ""
    r = readonly("validate", readonly.scenario)
    assert (r.returncode, r.stdout.strip(), r.stderr) == (0, f"{readonly.scenario}: ok", "")
    probe = (
        "import sys; from sim.cli.main import main\n"
        "for argv in (['--help'], ['validate', sys.argv[1]]):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('numba' in sys.modules, 'matplotlib' in sys.modules)\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", probe, str(readonly.scenario)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": os.environ.get("PATH", "")},
    )
    assert r.stdout.splitlines()[-1] == "False False", r.stderr


def test_run_compiles_into_a_private_temporary_cache(readonly):
    out = readonly.tmp / "out"
    r = readonly("run", readonly.scenario, "--runs", 200, "--seed", 0, "--jobs", 1, "--out", out)
    assert r.returncode == 0, r.stderr
    # only the piped progress (no "Matplotlib created a temporary cache directory"), which
    # says that the kernel is compiled first (a new cache) and counts the charts
    lines = r.stderr.splitlines()
    assert all(line.startswith(f"{readonly.scenario}: progress: ") for line in lines), lines
    assert lines[0] == f"{readonly.scenario}: progress: {COMPILING}"
    charts = [line for line in lines if ": progress: drawing charts: " in line]
    assert charts and re.search(r": (\d+)/\1 charts \(100%\)", charts[-1]), lines
    assert (out / "summary.json").is_file() and (out / "report.html").is_file()
    cache = readonly.tmp / "temp" / f"sim-{os.getuid()}"
    assert oct(cache.stat().st_mode & 0o777) == "0o700"
    assert any((cache / "numba").rglob("*.nbi")), "numba's cache index is in the private folder"
