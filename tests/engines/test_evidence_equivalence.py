"""With evidence and indicators, every engine gives the same runs, run by run (format
sections 8, 10 and 11).

Probes (observations, indicators at their dates, extra candidate signposts) are hidden
outcomes and checkpoints of an augmented scenario (:mod:`sim.engines.watch`), which draws the
same addressed random numbers as the scenario; so for the same seed each engine must give the
same per-run probe values and weights, bit for bit, and the same weighted sums (occupancy,
by_point, passage, fired, fire_count) up to the order of float additions (1e-12 relative).
The model mixes every timing (rate, chance, after, at), a branch, a guard, a modifier with an
uncertain factor, a random initial state and report dates; the observations fall on a day an
``at`` event fires, so "after the firings due at that instant" is exercised too.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import sim
from sim.analysis.summary import summarize
from sim.engines import ENGINE_NAMES, REFERENCE
from sim.model.evidence import Probe
from sim.runner import run_scenario
from sim.scenario.conditions import parse_condition
from tests.engines.observe import indicator, observation, with_evidence

RUNS = 3_000
SEED = 0  # a seed like any other
SUMS = ("occupancy", "by_point", "passage", "fired", "fire_count")
PER_RUN = ("flags", "first", "final", "slot_values", "traj_hash")

MIXED = """\
scenario: mixed
start: 2025-01-01
horizon: 18 months
report: {every: 3 months, dates: [2025-06-01, 2026-01-01]}
parameters:
  speed: {label: Speed-up, value: {triangular: [1, 2, 5]}}
  p: {label: Chance, value: 20% to 60%}
tracks:
  gov: {states: [stable, strained, collapse], initial: {stable: 0.8, strained: 0.2}}
  army: {states: [barracks, deployed], initial: barracks}
  deal: {states: [none, talks, signed], initial: none}
events:
  - id: strain
    track: gov
    from: stable
    to: strained
    rate: 1 per year
    modifiers: [{when: army == deployed, multiply: $speed}]
  - {id: recover, track: gov, from: strained, to: stable, after: {lognormal: {median: 4 months, p90: 1 year}}}
  - id: fall
    track: gov
    from: strained
    to: {collapse: 0.4, stable: 0.6}
    chance: $p within 1 year
  - {id: deploy, track: army, from: barracks, to: deployed, at: 2025-06-01, when: gov != stable}
  - {id: talk, track: deal, from: none, to: talks, rate: 0.8 per year}
  - {id: sign, track: deal, from: talks, to: signed, after: {uniform: [1 month, 6 months]}}
outcomes:
  collapse: {when: gov == collapse}
  ever_collapse: {when: gov == collapse, ever: true}
  signed: {when: deal == signed}
  calm: {when: gov == stable and army == barracks}
"""


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> sim.Scenario:
    """The model with three observations and two indicators."""
    path = tmp_path_factory.mktemp("mixed") / "mixed.yaml"
    path.write_text(MIXED, encoding="utf-8")
    sc = sim.load_scenario(path)
    june, oct_ = dt.date(2025, 6, 1), dt.date(2025, 10, 1)
    return with_evidence(
        sc,
        observation(sc, june, "army == deployed", observed=False, confidence=0.9),
        observation(sc, oct_, "gov == collapse", ever=True, observed=False),
        observation(sc, oct_, "deal in [talks, signed]", observed=True, confidence=0.7),
        indicators=(
            indicator(sc, "strained", "gov == strained", [june, dt.date(2026, 1, 1)]),
            indicator(sc, "deployed", "army == deployed", [june], ever=True),
        ),
    )


@pytest.fixture(scope="module")
def by_engine(mixed) -> dict:
    """Every engine's runs of ``mixed``, plus a candidate probe at 2025-12-01."""
    extra = (Probe(parse_condition("deal == signed", {"deal": ("none", "talks", "signed"),
             "gov": (), "army": ()}), True, 334.0, "deal == signed"),)  # fmt: skip
    return {
        name: run_scenario(mixed, runs=RUNS, seed=SEED, jobs=1, engine=name, probes=extra)
        for name in (REFERENCE, *[n for n in ENGINE_NAMES if n != REFERENCE])
    }


def test_three_engines_ran(by_engine):
    assert set(by_engine) == {"simpy", "numpy", "compiled"}
    ref = by_engine[REFERENCE]
    assert ref.probes.shape == (RUNS, 3 + 3 + 1)  # observations, indicator dates, extra
    assert 0 < ref.weights.sum() < RUNS and len(np.unique(ref.weights)) > 3
    assert ref.probes.any(axis=0).all() and not ref.probes.all(axis=0).any()


@pytest.mark.parametrize("name", ["compiled", "numpy"])
def test_same_weights_probes_and_runs(by_engine, name):
    ref, other = by_engine[REFERENCE], by_engine[name]
    assert np.array_equal(ref.probes, other.probes)
    assert np.array_equal(ref.weights, other.weights)
    assert ref.probe_list == other.probe_list
    for key in PER_RUN:
        assert np.array_equal(getattr(ref, key), getattr(other, key)), key
    for key in SUMS:
        a, b = getattr(ref, key), getattr(other, key)
        assert a.shape == b.shape and a.dtype.kind == "f", key
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12 * RUNS, err_msg=key)


@pytest.mark.parametrize("name", ["compiled", "numpy"])
def test_same_summary(by_engine, name):
    """The numbers of summary.json agree, signposts and posteriors included."""
    ref, other = summarize(by_engine[REFERENCE]), summarize(by_engine[name])
    for key in ("evidence", "signposts", "parameters", "states_at_horizon", "events"):
        assert _same(other[key], ref[key]), key
    for oid, entry in ref["outcomes"].items():
        got = other["outcomes"][oid]
        for key in ("probability", "prior_probability", "ci95", "by_date"):
            assert _same(got[key], entry[key]), (oid, key)
        assert got["first_time_median"] == entry["first_time_median"]


def _same(a, b) -> bool:
    """Nested dicts, lists and numbers equal, floats to 1e-12."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-12, abs=1e-12)
    return a == b


def test_weights_are_the_product_over_observations(by_engine, mixed):
    """w_r = product of c (agrees) or 1 - c (disagrees), from the stored probe values; the
    results keep them divided by exp(log_scale) (the largest weight of a block is 1)."""
    r = by_engine["compiled"]
    want = np.ones(RUNS)
    for k, obs in enumerate(mixed.evidence):
        agree = r.probes[:, k] == obs.observed
        want *= np.where(agree, obs.confidence, 1 - obs.confidence)
    np.testing.assert_allclose(r.weights * np.exp(r.log_scale), want, rtol=1e-12)
    assert r.weights.max() == 1.0
    # weighted sums are sums of weights: the horizon's occupancy of each track adds to sum(w)
    assert r.occupancy[-1].sum(axis=1) == pytest.approx([r.weights.sum()] * 3, rel=1e-12)
    # at the horizon, the weighted by-point counts are the weighted outcome flags
    assert r.by_point[-1] == pytest.approx(r.weights @ r.flags, rel=1e-12)
    # passage: the weight of the runs whose first time is at or before each checkpoint
    for p, day in enumerate(r.points):
        assert r.passage[p] == pytest.approx(r.weights @ (r.first <= day), rel=1e-12, abs=1e-9)


def test_the_same_with_two_workers(by_engine, mixed):
    r = run_scenario(mixed, runs=RUNS, seed=SEED, jobs=2, engine="compiled")
    ref = by_engine["compiled"]
    assert np.array_equal(r.weights, ref.weights)
    assert np.array_equal(r.probes, ref.probes[:, : r.probes.shape[1]])
    for key in SUMS:
        np.testing.assert_allclose(getattr(r, key), getattr(ref, key), rtol=1e-12, err_msg=key)
