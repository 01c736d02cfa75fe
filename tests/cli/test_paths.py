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
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "regfile/x.yaml: error: cannot write the starter scenario here "
        "(File exists: regfile); choose another NAME"
    )


@pytest.mark.parametrize("engine", ["compiled", "numpy", "simpy"])
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
