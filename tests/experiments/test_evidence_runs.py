"""Experiments given evidence (format section 10): more runs for rare evidence, and sensitivity
conditioned on the observations, against closed forms."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import numpy as np
import pytest

from sim import load_scenario
from sim.experiments import run_tornado, run_variant
from sim.experiments.variants import MAX_GROWTH
from sim.model.conditions import Test as InStates
from sim.model.evidence import Observation

UNIFORM_CHANCE = """
scenario: uniform_chance
start: 2025-01-01
horizon: 2026-01-01
tracks:
  t: {states: [a, b], initial: a}
parameters:
  p: {value: {uniform: [10%, 50%]}}
events:
  - {id: e, track: t, from: a, to: b, chance: $p within 365 days}
outcomes:
  b: {when: t == b}
"""


def scenario_with(tmp_path, *observations):
    path = tmp_path / "s.yaml"
    path.write_text(UNIFORM_CHANCE, encoding="utf-8")
    return replace(load_scenario(path), evidence=tuple(observations))


def nothing_by(day: float, confidence: float = 1.0) -> Observation:
    """Observed: t == b has not held by ``day``."""
    date = dt.date(2025, 1, 1) + dt.timedelta(days=day)
    return Observation(date, day, InStates(0, frozenset({1})), "t == b", True, False, confidence)


def test_tornado_given_evidence_has_the_conditional_chance_at_each_setting(tmp_path):
    # with p fixed, "not b by day 182.5" leaves P(b by day 365) = 1 - (1 - p)^(1/2)
    sc = scenario_with(tmp_path, nothing_by(182.5))
    tornado = run_tornado(sc, runs=20_000, seed=4, jobs=1)
    n_eff = 20_000 * 0.9  # at least: P(nothing by half a year) >= 1 - sqrt(0.5) ...
    for quantile, got in ((0.1, tornado.low[0, 0]), (0.9, tornado.high[0, 0])):
        p = 0.1 + 0.4 * quantile
        want = 1 - math.sqrt(1 - p)
        n_eff = 20_000 * math.sqrt(1 - p)  # the runs with nothing by half a year
        assert abs(got - want) <= 5 * math.sqrt(want * (1 - want) / n_eff)
    assert tornado.to_dict()["evidence"]["observations"] == 1


def test_min_effective_runs_grows_the_runs_deterministically(tmp_path):
    # "b by day 3": P = 1 - E[(1 - p)^(3/365)], about 0.24% of runs; 2,000 runs leave ~5
    obs = replace(nothing_by(3.0), observed=True)
    sc = scenario_with(tmp_path, obs)
    one = run_variant(sc, runs=2_000, seed=9, jobs=1, min_effective_runs=500)
    two = run_variant(sc, runs=2_000, seed=9, jobs=2, min_effective_runs=500)
    assert one.effective_runs >= 500 and one.runs <= MAX_GROWTH * 2_000
    assert one.runs == two.runs and np.array_equal(one.weights, two.weights)
    # the grown runs are the first runs of one plain run of that size
    plain = run_variant(sc, runs=one.runs, seed=9, jobs=1)
    assert np.array_equal(plain.flags, one.flags)
    # P(b at the horizon | b by day 3) = 1 exactly
    assert one.probabilities()[0] == 1.0


def test_min_effective_runs_stops_at_the_cap(tmp_path):
    obs = replace(nothing_by(1.0), observed=True)  # about 0.08% of runs
    sc = scenario_with(tmp_path, obs)
    got = run_variant(sc, runs=300, seed=1, jobs=1, min_effective_runs=10_000)
    assert got.runs == MAX_GROWTH * 300 and got.effective_runs < 10_000


def test_parameter_posterior_from_nothing_observed(tmp_path):
    # "nothing by a year" has likelihood 1 - p, so the posterior density of p on
    # [0.1, 0.5] is proportional to 1 - p: CDF F(x) = ((x - .1) - (x^2 - .01) / 2) / 0.28
    sc = scenario_with(tmp_path, nothing_by(365.0))
    results = run_variant(sc, runs=40_000, seed=2, jobs=2)
    from sim.analysis.summary import summarize

    post = summarize(results)["parameters"]["p"]["posterior"]

    def cdf(x):
        return ((x - 0.1) - (x * x - 0.01) / 2) / 0.28

    lo, hi = 0.1, 0.5
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if cdf(mid) < 0.5 else (lo, mid)
    median = (lo + hi) / 2
    density = (1 - median) / 0.28
    se = math.sqrt(0.25 / results.effective_runs) / density
    assert abs(post["p50"] - median) <= 5 * se
    assert summarize(results)["parameters"]["p"]["prior"]["p50"] == pytest.approx(0.3, abs=0.01)


NOTHING_HAPPENS = """
scenario: nothing_happens
start: 2025-01-01
horizon: 1 year
tracks:
  t: {states: [a, b], initial: {a: 30%, b: 70%}}
events:
  - {id: e, track: t, from: a, to: b, rate: 5 per year}
outcomes:
  b: {when: t == b}
variants:
  frozen: {label: Nothing happens, disable: [e]}
"""


@pytest.mark.parametrize("engine", ["compiled", "numpy", "simpy"])
def test_a_variant_may_disable_every_event(tmp_path, engine):
    # format section 7: with no event, P(b at the horizon) is its initial share, 70%
    path = tmp_path / "n.yaml"
    path.write_text(NOTHING_HAPPENS, encoding="utf-8")
    sc = load_scenario(path, "frozen")
    assert sc.events == ()
    got = run_variant(sc, runs=4_000, seed=3, jobs=1, engine=engine).probabilities()[0]
    assert abs(got - 0.7) <= 5 * math.sqrt(0.21 / 4_000)
