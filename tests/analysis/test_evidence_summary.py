"""The format 1.1 parts of summary.json that the report reads: ``indicators`` (labels for the
signpost sentences), the rows picked for "What to watch", the parameters the evidence moved
most, and a ruled-out variant's results folder."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import numpy as np
import pytest

from sim import load_scenario
from sim.analysis.evidence import parameter_shifts, signpost_row, top_signposts
from sim.analysis.summary import summarize
from sim.contracts import read_summary
from sim.model import conditions
from sim.model.evidence import Indicator, Observation
from sim.report.files import write_results
from sim.runner import run_scenario

# A scheduled exit: on 2025-09-30 t becomes withdrawn in every run; u never moves.
FIXED = """
scenario: fixed
start: 2025-01-01
horizon: 2025-12-31
report: {dates: [2025-06-30]}
tracks:
  t: {states: [present, withdrawn], initial: present}
  u: {states: [calm, tense], initial: calm}
events:
  - {id: exit, track: t, from: present, to: withdrawn, at: 2025-09-30}
outcomes:
  withdrawn: {when: t == withdrawn}
"""


def _scenario(tmp_path, evidence=()):
    path = tmp_path / "fixed.yaml"
    path.write_text(FIXED, encoding="utf-8")
    sc = load_scenario(path)
    gone = conditions.Test(0, frozenset({1}))
    dates = ((dt.date(2025, 3, 31), 89.0), (dt.date(2025, 10, 1), 273.0))
    indicator = Indicator("gone", "The US has gone", gone, "t == withdrawn", True, dates, "n")
    return dataclasses.replace(sc, evidence=tuple(evidence), indicators=(indicator,))


def test_summary_lists_the_indicators(tmp_path):
    s = summarize(run_scenario(_scenario(tmp_path), runs=50, seed=0, jobs=1))
    assert s["indicators"] == {
        "gone": {"label": "The US has gone", "when": "t == withdrawn", "ever": True,
                 "dates": ["2025-03-31", "2025-10-01"], "note": "n"}
    }  # fmt: skip
    # Before the exit nobody has gone: P(I) = 0; after it everybody has: P(I) = 1.
    rows = {r["date"]: r for r in s["signposts"]["withdrawn"]}
    assert rows["2025-03-31"]["p_indicator"] == 0.0
    assert rows["2025-10-01"]["p_indicator"] == 1.0


def test_a_ruled_out_variant_writes_a_valid_results_folder(tmp_path):
    # Observed: still present on 2025-12-01, after the exit every run makes.
    seen = Observation(
        dt.date(2025, 12, 1), 334.0, conditions.Test(0, frozenset({0})), "t == present", False, True
    )
    results = run_scenario(_scenario(tmp_path, [seen]), runs=50, seed=0, jobs=1)
    out = tmp_path / "out"
    out.mkdir()
    write_results(results, out)
    s = read_summary(out / "summary.json")
    assert s["ruled_out_by_evidence"] is True and "signposts" not in s
    assert s["outcomes"]["withdrawn"]["probability"] is None
    assert s["outcomes"]["withdrawn"]["prior_probability"] == 1.0
    assert s["states_at_horizon"]["t"] == {"present": None, "withdrawn": None}
    assert s["evidence"]["items"][0]["agree"] == 0.0
    assert "withdrawn,,,,,," in (out / "outcomes.csv").read_text(encoding="utf-8")


def test_weighted_shares_never_exceed_one(tmp_path):
    # Every run disagrees with a 90% observation: weights 0.1, summed per event in another
    # order than the total, so with these runs and seed the exit (which fires in every run)
    # would read 1.000000000000004 of the weight; a share is at most 1.
    seen = Observation(
        dt.date(2025, 6, 1),
        151.0,
        conditions.Test(1, frozenset({0})),
        "u == calm",
        False,
        True,
        0.9,
    )
    results = run_scenario(_scenario(tmp_path, [seen]), runs=7777, seed=1, jobs=1)
    s = json.loads(json.dumps(summarize(results)))
    assert s["events"]["exit"]["fired_probability"] == 1.0
    assert max(s["states_at_horizon"]["t"].values()) <= 1.0


def _row(indicator, bits, if_true=0.5, if_false=0.2, date="2026-01-01"):
    return {"indicator": indicator, "date": date, "information_bits": bits,
            "p_indicator": 0.3, "p_outcome_if_true": if_true, "p_outcome_if_false": if_false}  # fmt: skip


def test_top_signposts_one_per_indicator_above_the_floor():
    rows = [
        _row("a", 0.2),
        _row("a", 0.1, date="2026-06-01"),  # a again: left out
        _row("b", 0.05, if_true=None),  # P(I) = 0: nothing to say
        _row("c", 0.01),
        _row("d", 0.002),
        _row("e", 0.0009),  # below 0.001 bits
    ]
    assert [r["indicator"] for r in top_signposts(rows)] == ["a", "c", "d"]
    assert [r["indicator"] for r in top_signposts(rows, top=1)] == ["a"]
    assert top_signposts(rows[-1:]) == []


def test_parameter_shifts_relative_to_the_prior_range():
    q = {"mean": 0.2, "p5": 0.1, "p50": 0.2, "p95": 0.3}
    parameters = {
        "small": {"prior": q, "posterior": q | {"mean": 0.19}},  # 0.01 / 0.2 = 0.05
        "big": {"prior": q, "posterior": q | {"mean": 0.26}},  # 0.06 / 0.2 = 0.3
        "fixed": {"prior": q | {"p5": 0.2, "p95": 0.2}, "posterior": q},  # no width: 0
        "no_posterior": {"label": "x"},
    }
    shifts = parameter_shifts(parameters)
    assert [n for n, _ in shifts] == ["big", "small", "fixed"]
    assert [v for _, v in shifts] == pytest.approx([0.3, 0.05, 0.0])


def test_signpost_probabilities_stay_within_one():
    # An outcome that holds in every run: P(O | not I) is 1, but with these weights the ratio
    # of the sums reads 1.0000000000000002.
    rng = np.random.default_rng(0)
    w = rng.random(1000)
    indicator, outcome = rng.random(1000) < 0.3, np.ones(1000, dtype=bool)
    total = w.sum()
    p_i = w[indicator].sum() / total
    assert (w[~indicator].sum() / total) / (1 - p_i) > 1.0  # the rounding at issue
    row = signpost_row(indicator, outcome, w)
    assert row["p_outcome_if_false"] == 1.0 and row["p_outcome_if_true"] == 1.0
    assert row["information_bits"] == 0.0
