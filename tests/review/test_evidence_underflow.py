"""Review of issue 12: weights must not underflow to 0 (format section 10).

120 observations at 99.9% that every run contradicts give every run the same weight,
0.001^120 = 1e-360: positive, so the posterior is the prior (equal weights) and no run is
ruled out; "ruled out" is only for runs that disagree with a certain observation. The
product in floating point underflows to 0.0, and ``sim run`` reported that every run
"disagrees with at least one certain observation" (there is none). Failed on main at a9c82fa.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import sys

import pytest

SIM = [sys.executable, "-m", "sim"]

HEAD = """\
scenario: contradicted_often
title: Many uncertain observations, all contradicted
start: 2026-01-01
horizon: 2027-01-01
tracks:
  s: {states: ["on", "off"], initial: "on"}
  y: {states: [p, q], initial: p}
events:
  - {id: flip, track: s, from: "on", to: "off", at: 2026-07-01}
  - {id: pq, track: y, from: p, to: q, rate: 1 per year}
outcomes:
  yq: {when: y == q}
evidence:
"""


@pytest.mark.parametrize("count", [60, 120])
def test_many_contradicted_uncertain_observations_are_not_a_ruled_out_run(tmp_path, count):
    """Every run has the same weight, so the posterior of yq is its prior,
    1 - exp(-365/365.25), and the run succeeds. With 60 observations the weights (1e-180)
    are positive but their squares underflow: n_eff was 0 and ``sim run`` stopped with
    "internal error: ValueError: the effective number of runs must be positive"."""
    ev = "".join(
        f"  - {{date: {dt.date(2026, 1, 2) + dt.timedelta(days=k)}, when: s == off, "
        "observed: true, confidence: 99.9%}\n"
        for k in range(count)
    )
    path = tmp_path / "scenario.yaml"
    path.write_text(HEAD + ev, encoding="utf-8")
    out = tmp_path / "out"
    args = ["run", path, "-n", 2000, "-j", 1, "--no-charts", "-o", out]
    result = subprocess.run(SIM + [str(a) for a in args], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text())
    p = 1 - math.exp(-365 / 365.25)
    yq = summary["outcomes"]["yq"]
    assert abs(yq["probability"] - p) < 5 * math.sqrt(p * (1 - p) / 2000)
    assert yq["probability"] == yq["prior_probability"]
    assert math.isclose(summary["evidence"]["effective_runs"], 2000, rel_tol=1e-9)
