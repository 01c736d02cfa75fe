"""Review of issue 12: weighted shares must stay in [0, 1] whatever the floating-point
rounding of the weight sums (format sections 10 and 11).

Every run of these scenarios agrees with the evidence, so the exact answers are known: a
condition that holds in every run has probability exactly 1, and every share reported is in
[0, 1]. These tests failed on main at a9c82fa with ``internal error: ValueError: a share must
lie in [0, 1]`` or a ``SummaryFile`` validation error (a share of 1.0000000000000002).
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from sim.analysis.evidence import signpost_row

SIM = [sys.executable, "-m", "sim"]


def sim(*args):
    return subprocess.run(SIM + [str(a) for a in args], capture_output=True, text=True)


UNCERTAIN_AGREED = """\
scenario: uncertain_agreed
title: An uncertain observation every run agrees with
start: 2026-01-01
horizon: 2027-01-01
tracks:
  s: {states: ["on", "off"], initial: "on"}
events:
  - {id: flip, track: s, from: "on", to: "off", at: 2026-07-01}
outcomes:
  soff: {when: s == off}
evidence:
  - {date: 2026-02-01, when: s == on, observed: true, confidence: 90%}
"""


@pytest.mark.parametrize("engine", ["compiled", "numpy", "simpy"])
@pytest.mark.parametrize("runs", [10, 100, 4000])
def test_uncertain_observation_every_run_agrees_with(write_scenario, tmp_path, engine, runs):
    """Weights all 0.9: the outcome holds in every run, so its probability is 1 (to rounding, never
    above) and s is 'off' at the horizon with share 1 (not 1.0000000000000004)."""
    path = write_scenario(UNCERTAIN_AGREED)
    out = tmp_path / "out"
    result = sim("run", path, "-n", runs, "--engine", engine, "-j", 1, "--no-charts", "-o", out)
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["outcomes"]["soff"]["probability"] == pytest.approx(1.0, abs=1e-12)
    assert summary["states_at_horizon"]["s"]["off"] == pytest.approx(1.0, abs=1e-12)
    assert summary["evidence"]["probability"] == pytest.approx(0.9)


@pytest.mark.parametrize("runs", [1000, 3000, 10000])
def test_signpost_conditionals_never_exceed_one(runs):
    """An outcome that holds in every run: P(O | I) = P(O | not I) = 1, never above, for every
    share of runs k / N in which the indicator holds (no evidence: equal weights)."""
    outcome = np.ones(runs, dtype=bool)
    for k in range(1, runs):
        indicator = np.zeros(runs, dtype=bool)
        indicator[:k] = True
        row = signpost_row(indicator, outcome, None)
        assert 1 - 1e-12 <= row["p_outcome_if_true"] <= 1.0, k
        assert 1 - 1e-12 <= row["p_outcome_if_false"] <= 1.0, k


INDICATOR_ALWAYS = """\
scenario: indicator_always
title: An indicator and an outcome that always holds
start: 2026-01-01
horizon: 2027-01-01
tracks:
  y: {states: [p, q], initial: p}
  z: {states: [u, v], initial: u}
events:
  - {id: pq, track: y, from: p, to: q, rate: 1 per year}
  - {id: uv, track: z, from: u, to: v, at: 2026-12-01}
outcomes:
  done: {when: z == v}
indicators:
  early: {when: y == q, dates: [2026-01-26]}
"""


def test_signposts_without_evidence_do_not_crash(write_scenario, tmp_path):
    """No evidence at all: seed 11 with 1000 runs gives an indicator share k/N for which
    (N-k)/N / (1 - k/N) rounds to 1.0000000000000002; the run must still succeed with
    p_outcome_if_false 1."""
    path = write_scenario(INDICATOR_ALWAYS)
    out = tmp_path / "out"
    result = sim("run", path, "-n", 1000, "-s", 11, "-j", 1, "--no-charts", "-o", out)
    assert result.returncode == 0, result.stderr
    row = json.loads((out / "summary.json").read_text())["signposts"]["done"][0]
    assert row["p_outcome_if_true"] == pytest.approx(1.0, abs=1e-12)
    assert row["p_outcome_if_false"] == pytest.approx(1.0, abs=1e-12)


def test_signpost_of_an_indicator_true_in_every_run_with_weights():
    """Format section 11: an indicator true in every run has P(I) = 1 (not 1.0000000000000002
    or 0.9999999999999999) and p_outcome_if_false null (not 0.0), whatever the weights."""
    rng = np.random.default_rng(1)
    for trial in range(50):
        weights = np.where(rng.random(1000) < 0.5, 0.9, 0.1)
        outcome = rng.random(1000) < 0.4
        row = signpost_row(np.ones(1000, dtype=bool), outcome, weights)
        assert row["p_indicator"] == 1.0, trial
        assert row["p_outcome_if_false"] is None, trial
