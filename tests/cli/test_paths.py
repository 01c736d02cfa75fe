"""Paths a user can get wrong on the command line: an empty --out, a starter scenario that
cannot be written. One line, the right exit status, nothing written."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT, messages

BUNDLED = ROOT / "scenarios" / "iraq_us_withdrawal_2025.yaml"


def _sim(cwd, *args):
    return subprocess.run(
        [sys.executable, "-m", "sim", *map(str, args)], cwd=cwd, capture_output=True, text=True
    )


@pytest.mark.parametrize("command", ["run", "compare", "sensitivity"])
def test_an_empty_out_is_a_mistaken_command_line(command, tmp_path):
    result = _sim(tmp_path, command, BUNDLED, "--out", "")
    assert result.returncode == 2, result.stderr
    assert "'--out'" in result.stderr and "is empty" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_sim_new_below_a_file_is_one_clear_line(tmp_path):
    (tmp_path / "regfile").write_text("")
    result = _sim(tmp_path, "new", "regfile/x")
    assert result.returncode == 2  # the NAME given is the mistake
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: Invalid value for NAME: regfile is not a folder; create the folder first, or "
        "choose another NAME"
    )


def test_sim_new_force_replaces_a_symbolic_link_not_the_file_it_points_to(tmp_path):
    target = tmp_path / "precious.yaml"
    target.write_text("keep me\n")
    (tmp_path / "starter.yaml").symlink_to(target)
    refused = _sim(tmp_path, "new", "starter")
    assert refused.returncode == 2 and "exists; use --force" in refused.stderr
    result = _sim(tmp_path, "new", "starter", "--force")
    assert result.returncode == 0, result.stderr
    assert target.read_text() == "keep me\n"
    link = tmp_path / "starter.yaml"
    assert not link.is_symlink() and "scenario: starter" in link.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious.yaml", "starter.yaml"]


# the NumPy engine steps all runs together, one firing at a time: 100,000 steps take about
# 10 s, so its detection is tested with a lower limit in tests/engines/test_registry.py
@pytest.mark.parametrize("engine", ["compiled", "simpy"])
def test_a_runaway_run_is_reported_after_the_scenario_file(engine, write_scenario, tmp_path):
    path = write_scenario(
        """\
        scenario: runaway
        start: 2025-01-01
        horizon: 1 year
        tracks:
          t: {states: [a, b], initial: a}
        events:
          - {id: ab, track: t, from: a, to: b, rate: 1000000 per day}
          - {id: ba, track: t, from: b, to: a, rate: 1000000 per day}
        outcomes:
          inb: {when: t == b}
        """
    )
    result = _sim(tmp_path, "run", path, "--runs", 10, "--no-charts", "--engine", engine)
    assert result.returncode == 1
    assert messages(result.stderr)[0].startswith(f"{path}: error: run 0 reached 100,000 firings"), (
        result.stderr
    )
    assert len(messages(result.stderr)) == 1 and not (tmp_path / "reports").exists()
