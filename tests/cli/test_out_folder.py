"""The results folder under faults (issue 14, items 3 and 8): an unwritable --out is reported
before simulating, a full disk in one line, two writers never mix, and odd terminals or
environments do not fail a run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import messages

SIM = [sys.executable, "-m", "sim"]

SCENARIO = """\
scenario: tiny
title: {title}
start: 2025-01-01
horizon: 2025-12-31
tracks:
  t: {{states: [a, b], initial: a}}
events:
  - {{id: go, track: t, from: a, to: b, at: 2025-06-30}}
outcomes:
  gone: {{when: t == b, label: Gone by the end}}
variants:
  late: {{set: {{horizon: 2025-03-01}}}}
"""

# Runs the command with the simulation replaced by a failure: an error about --out must come
# first. ``sim.experiments`` is imported by the commands inside their functions, so patching
# its attributes reaches them.
NO_SIMULATION = """\
import sys
import sim.experiments as ex
def simulate(*args, **kwargs):
    raise RuntimeError("simulated although --out cannot be written")
ex.run_variant = ex.run_variants = ex.run_tornado = ex.run_sobol = simulate
from sim.cli.main import main
main(sys.argv[1:])
"""

DISK_FULL = """\
import errno, sys
import sim.analysis.tables as tables
def full(frame, path):
    raise OSError(errno.ENOSPC, "No space left on device", str(path))
tables.write_csv = full
from sim.cli.main import main
main(sys.argv[1:])
"""


def _scenario(tmp_path, title="Tiny"):
    path = tmp_path / "tiny.yaml"
    path.write_text(SCENARIO.format(title=title), encoding="utf-8")
    return path


def _python(code, *args, env=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=600,
    )


def _bad_outs(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere" / "out")
    outs = {
        "below a file": (blocker / "out", "a_file is a file"),
        "dangling link": (dangling, "which does not exist"),
        "unwritable": (Path("/proc/sim-cannot-write-here"), "cannot write the results folder"),
    }
    if os.getuid() != 0:  # root is not stopped by permissions
        readonly = tmp_path / "readonly"
        readonly.mkdir()
        readonly.chmod(0o555)
        outs["read-only"] = (readonly / "out", "cannot write the results folder")
    return outs


@pytest.mark.parametrize(
    "command",
    [
        ["run", "--no-charts"],
        ["run", "--all-variants", "--no-charts"],
        ["sensitivity", "--no-charts"],
    ],
    ids=["run", "all-variants", "sensitivity"],
)
def test_an_unwritable_out_is_reported_before_simulating(tmp_path, command):
    scenario = _scenario(tmp_path)
    for case, (out, words) in _bad_outs(tmp_path).items():
        r = _python(NO_SIMULATION, command[0], scenario, *command[1:], "--out", out)
        assert r.returncode == 1, (case, r.stderr)
        lines = messages(r.stderr)
        assert len(lines) == 1 and lines[0].startswith(f"{out}: error: "), (case, r.stderr)
        assert words in lines[0] and "--out" in lines[0], case
    assert not (tmp_path / "nowhere").exists()  # the dangling link was not followed


def test_a_full_disk_is_one_line_and_leaves_nothing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("the analyst's own file")
    r = _python(DISK_FULL, "run", _scenario(tmp_path), "--runs", 50, "--no-charts", "--out", out)
    assert r.returncode == 1, r.stderr
    assert messages(r.stderr) == [
        f"{out}: error: the disk is full (No space left on device) while writing the results; "
        "nothing was written: free some space or choose another --out"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "tiny.yaml"]  # no temp folder
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_a_non_ascii_title_on_an_ascii_terminal(tmp_path):
    scenario = _scenario(tmp_path, title="Crise à Genève — été 2025 ✓")
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LANG": "C", "LC_ALL": "C"}
    out = tmp_path / "out"
    r = subprocess.run(
        [*SIM, "run", scenario, "--runs", "50", "--no-charts", "--out", out],
        capture_output=True,
        text=True,
        env=env,
        encoding="ascii",
        errors="strict",  # the command's output must be ASCII indeed
    )
    assert r.returncode == 0, r.stderr
    assert "Crise \\xe0 Gen\\xe8ve" in r.stdout and "Report:" in r.stdout
    summary = (out / "summary.json").read_text(encoding="utf-8")
    assert "Crise à Genève — été 2025 ✓" in summary


def test_a_bogus_mplbackend_does_not_stop_the_charts(tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, "MPLBACKEND": "no_such_backend"}
    r = subprocess.run(
        [*SIM, "run", _scenario(tmp_path), "--runs", "50", "--jobs", "1", "--out", out],
        capture_output=True,
        text=True,
        env=env,
    )
    assert r.returncode == 0, r.stderr
    assert (out / "report.html").is_file() and (out / "outcomes.png").is_file()


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_new_does_not_follow_a_dangling_link(tmp_path, force):
    """Without --force a dangling link is refused; with it the link itself is replaced by
    the starter file (as a live link is), and the file it named is still not created."""
    target = tmp_path / "elsewhere.yaml"
    (tmp_path / "draft.yaml").symlink_to(target)
    r = subprocess.run(
        [*SIM, "new", "draft", *(["--force"] if force else [])],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert not target.exists()
    draft = tmp_path / "draft.yaml"
    if force:
        assert r.returncode == 0, r.stderr
        assert not draft.is_symlink() and "scenario: draft" in draft.read_text(encoding="utf-8")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["draft.yaml"]
    else:
        assert r.returncode == 2, r.stderr
        assert "draft.yaml is a symbolic link to" in r.stderr and "use --force" in r.stderr
        assert draft.is_symlink()


def test_two_runs_on_one_out_leave_the_folder_of_one(tmp_path):
    """Two runs with different seeds race for the same --out; each file must come from the
    run whose summary.json is there."""
    scenario = tmp_path / "chancy.yaml"
    scenario.write_text(
        SCENARIO.format(title="Chancy").replace("at: 2025-06-30", "chance: 50% within 6 months"),
        encoding="utf-8",
    )
    names = ("outcomes.csv", "occupancy.csv", "first_passage.csv")
    args = ["run", scenario, "--runs", "2000", "--jobs", "1", "--no-charts", "--no-spread"]
    reference = {}
    for seed in ("1", "2"):
        out = tmp_path / f"ref{seed}"
        cmd = [*SIM, *map(str, args), "--seed", seed, "--out", out]
        assert subprocess.run(cmd, capture_output=True).returncode == 0
        reference[seed] = {n: (out / n).read_text(encoding="utf-8") for n in names}
    assert reference["1"]["first_passage.csv"] != reference["2"]["first_passage.csv"]
    shared = tmp_path / "shared"
    for _ in range(3):
        procs = [
            subprocess.Popen(
                [*SIM, *map(str, args), "--seed", seed, "--out", shared],
                stdout=subprocess.DEVNULL,
            )
            for seed in ("1", "2")
        ]
        assert [p.wait(timeout=600) for p in procs] == [0, 0]
        seed = str(json.loads((shared / "summary.json").read_text(encoding="utf-8"))["seed"])
        assert {n: (shared / n).read_text(encoding="utf-8") for n in names} == reference[seed]


def test_new_refuses_a_folder_and_a_missing_parent(tmp_path):
    (tmp_path / "d.yaml").mkdir()
    folder = subprocess.run([*SIM, "new", "d"], cwd=tmp_path, capture_output=True,
                            text=True)  # fmt: skip
    assert folder.returncode == 2 and "d.yaml is a folder; choose another NAME" in folder.stderr
    missing = subprocess.run([*SIM, "new", "no/such/x"], cwd=tmp_path, capture_output=True,
                             text=True)  # fmt: skip
    assert missing.returncode == 2
    assert "no/such does not exist; create the folder first" in missing.stderr
    assert not (tmp_path / "no").exists()  # a typo in a path is not a tree of new folders
