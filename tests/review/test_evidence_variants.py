"""Review of issue 12: variants with evidence (format section 10).

``compare`` with the base ruled out: the other variants keep their posterior, reported "as
usual" (interval and words). A named parameter fixed by a variant is not a distribution in
that variant, so it gets no ``prior``/``posterior``. Both tests failed on main at a9c82fa.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SIM = [sys.executable, "-m", "sim"]


def sim(*args):
    return subprocess.run(SIM + [str(a) for a in args], capture_output=True, text=True)


BASE_RULED_OUT = """\
scenario: base_ruled_out
title: The base is ruled out, a variant is not
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
  - {date: 2026-08-01, when: s == on, observed: true}
variants:
  never: {disable: [flip]}
"""


def test_compare_keeps_the_interval_of_a_variant_when_the_base_is_ruled_out(
    write_scenario, tmp_path
):
    """Variant 'never' agrees with the evidence in every run: its comparison entry has the
    same probability, interval and words as its own summary.json; exact p = 1 - exp(-1)."""
    path = write_scenario(BASE_RULED_OUT)
    out = tmp_path / "out"
    result = sim("compare", path, "base", "never", "-n", 4000, "-j", 1, "--no-charts", "-o", out)
    assert result.returncode == 0, result.stderr
    entry = json.loads((out / "comparison" / "comparison.json").read_text())["outcomes"]["yq"]
    never = entry["by_variant"]["never"]
    own = json.loads((out / "never" / "summary.json").read_text())["outcomes"]["yq"]
    p = 1 - 2.718281828459045 ** (-365 / 365.25)
    assert never["probability"] == pytest.approx(p, abs=5 * (p * (1 - p) / 4000) ** 0.5)
    assert never["ci95"] == own["ci95"]
    assert never["words"] == own["words"]
    assert entry["by_variant"]["base"]["ruled_out_by_evidence"] is True


FIXED_IN_VARIANT = """\
scenario: fixed_in_variant
title: A parameter fixed by a variant
start: 2030-01-01
horizon: 2032-01-01
tracks:
  north: {states: [waiting, done], initial: waiting}
parameters:
  r:
    label: Rate of completion, per year
    value: {lognormal: {median: 0.5, p90: 1.5}}
events:
  - {id: north_done, track: north, from: waiting, to: done, rate: $r per year}
outcomes:
  north: {when: north == done}
evidence:
  - {date: 2031-01-01, when: north == done, observed: false}
variants:
  known_rate: {set: {parameters.r: 0.5}}
"""


def test_a_parameter_fixed_by_the_variant_has_no_prior_or_posterior(write_scenario, tmp_path):
    """Format section 10: parameters.NAME.prior/posterior only for a parameter 'whose value
    in this variant is a distribution'."""
    path = write_scenario(FIXED_IN_VARIANT)
    out = tmp_path / "out"
    result = sim("run", path, "-v", "known_rate", "-n", 1000, "-j", 1, "--no-charts", "-o", out)
    assert result.returncode == 0, result.stderr
    parameters = json.loads((out / "summary.json").read_text()).get("parameters", {})
    assert "prior" not in parameters.get("r", {})
    assert "posterior" not in parameters.get("r", {})
