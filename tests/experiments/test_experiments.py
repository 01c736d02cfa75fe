"""The experiments as a library (no command line), against answers known in advance."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from sim import SimError, load_scenario
from sim.analysis.sensitivity import latin_hypercube
from sim.experiments import (
    run_parameter_draws,
    run_sobol,
    run_tornado,
    run_variant,
    run_variants,
)

# P(b) = p: the event's chance within the one-year horizon is the parameter itself.
UNIFORM_CHANCE = """
scenario: uniform_chance
start: 2025-01-01
horizon: 1 year
tracks:
  t: {states: [a, b], initial: a}
parameters:
  p: {value: {uniform: [10%, 50%]}}
events:
  - {id: e, track: t, from: a, to: b, chance: $p within 1 year}
outcomes:
  b: {when: t == b}
variants:
  never:
    label: Never
    set: {events.e.chance: 0% within 1 year}
  always_b:
    label: Starts in b
    set: {tracks.t.initial: b}
"""

NO_VALUES = """
scenario: fixed
start: 2025-01-01
horizon: 1 year
tracks:
  t: {states: [a, b], initial: a}
events:
  - {id: e, track: t, from: a, to: b, chance: 30% within 1 year}
outcomes:
  b: {when: t == b}
"""


@pytest.fixture
def path(write_scenario):
    return write_scenario(UNIFORM_CHANCE)


def _load(path, variant="base"):
    return load_scenario(path, variant)


def test_a_variant_that_never_fires_differs_by_minus_the_base_probability(path):
    scenarios = {v: _load(path, v) for v in ("base", "never", "always_b")}
    done = run_variants(scenarios, runs=2000, seed=0, jobs=1)
    assert list(done.results) == ["base", "never", "always_b"]
    base_p = float(done.results["base"].flags[:, 0].mean())
    assert 0.2 < base_p < 0.4  # E[p] = 30%
    entry = done.comparison["outcomes"]["b"]["by_variant"]
    # never: every run that ended in b under base ends in a: the paired difference is exact
    assert entry["never"]["probability"] == 0.0
    assert entry["never"]["difference"] == -base_p
    assert entry["never"]["changed_runs"] == round(base_p * 2000)
    # starting in b: every run ends in b
    assert entry["always_b"]["probability"] == 1.0
    assert entry["always_b"]["difference"] == 1.0 - base_p
    assert entry["base"]["difference"] == 0.0 and entry["base"]["changed_runs"] == 0


def test_variants_need_the_base(path):
    with pytest.raises(SimError, match="base"):
        run_variants({"never": _load(path, "never")}, runs=10, seed=1, jobs=1)


def test_variant_runs_match_a_plain_run(path):
    from sim.runner import run_scenario

    scenario = _load(path)
    a = run_variant(scenario, runs=700, seed=9, jobs=1)
    b = run_scenario(scenario, runs=700, seed=9, jobs=1)
    assert np.array_equal(a.flags, b.flags) and np.array_equal(a.first, b.first)


def test_parameter_draws_fix_each_value_for_its_draw(path):
    scenario = _load(path)
    k = 10
    progress = []
    draws = run_parameter_draws(
        scenario, k, runs=1001, seed=4, jobs=1, progress=lambda *a: progress.append(a)
    )
    assert draws.runs_per_draw == 101  # ceil(1001 / 10)
    res = draws.results
    assert res.runs == 1010 and res.settings.parameter_draws == k
    assert np.array_equal(draws.design, latin_hypercube(k, 1, 4))
    assert np.array_equal(res.rows, np.repeat(np.arange(k), 101))
    # every run of draw d has p at the uniform's quantile of the design's level
    expected = 0.1 + 0.4 * draws.design[:, 0]
    assert np.allclose(res.slot_values[:, 0], np.repeat(expected, 101))
    assert progress[0] == ("uniform_chance [base]", 0, 1010)
    assert progress[-1] == ("uniform_chance [base]", 1010, 1010)


def test_parameter_draws_need_values_and_two_runs_a_draw(path, write_scenario):
    with pytest.raises(SimError, match="two per draw"):
        run_parameter_draws(_load(path), 10, runs=19, seed=1, jobs=1)
    fixed = load_scenario(write_scenario(NO_VALUES, "fixed.yaml"))
    with pytest.raises(SimError, match="uncertain values"):
        run_parameter_draws(fixed, 10, runs=100, seed=1, jobs=1)
    # run_variant falls back to plain runs when there is nothing to draw
    assert run_variant(fixed, runs=50, seed=1, jobs=1, parameter_draws=5).rows.max() == 0


def test_tornado_of_one_value_is_its_quantiles(path):
    runs = 4000
    calls = []
    result = run_tornado(
        _load(path), runs=runs, seed=2, jobs=1, progress=lambda *a: calls.append(a)
    )
    # one batch of 3 settings x runs: the base, then p at its 10th and 90th percentiles
    assert calls[0] == ("uniform_chance [base] tornado", 0, 3 * runs)
    assert calls[-1] == ("uniform_chance [base] tornado", 3 * runs, 3 * runs)
    assert [c[1] for c in calls] == sorted(c[1] for c in calls)
    # p at its 10th and 90th percentiles of U(10%, 50%): 14% and 46%; base: E[p] = 30%
    for got, want in ((result.low[0, 0], 0.14), (result.high[0, 0], 0.46), (result.base[0], 0.3)):
        assert abs(got - want) < 4 * math.sqrt(want * (1 - want) / runs)
    data = result.to_dict()
    assert data["method"] == "tornado" and data["settings"]["settings"] == 3
    (row,) = data["outcomes"]["b"]
    assert row["parameter"] == "p" and row["score"] == pytest.approx(row["high"] - row["low"])
    assert data["parameters"]["p"]["p10"] == pytest.approx(0.14)
    assert data["parameters"]["p"]["p90"] == pytest.approx(0.46)


def test_sensitivity_needs_uncertain_values(write_scenario):
    fixed = load_scenario(write_scenario(NO_VALUES, "fixed.yaml"))
    with pytest.raises(SimError, match="no uncertain values"):
        run_tornado(fixed, runs=10, seed=1, jobs=1)
    with pytest.raises(SimError, match="no uncertain values"):
        run_sobol(fixed, runs=10, seed=1, jobs=1)


def test_sobol_samples_must_be_a_power_of_two(path):
    with pytest.raises(SimError, match="power of 2"):
        run_sobol(_load(path), samples=12, runs=10, seed=1, jobs=1)


def test_sobol_of_one_value_gives_it_everything(path):
    result = run_sobol(_load(path), samples=16, runs=200, seed=3, jobs=1)
    assert result.design.shape == (16 * 3, 1) and result.y.shape == (48, 1)
    # the probability is a function of p alone: its total index is 1 up to sampling noise
    assert result.indices[0]["ST"][0] == pytest.approx(1.0, abs=0.15)
    assert result.to_dict()["settings"]["rows"] == 48


def test_sobol_with_seed_0_is_reproducible(path):
    """SALib treats seed 0 as no seed (`if seed:`): the intervals must still repeat."""
    scenario = _load(path)
    one = run_sobol(scenario, samples=8, runs=50, seed=0, jobs=1)
    np.random.seed(12345)  # the global generator must play no part
    two = run_sobol(scenario, samples=8, runs=50, seed=0, jobs=1)
    assert replace(one, ran=None).to_dict() == replace(two, ran=None).to_dict()  # but the time
    assert one.indices[0]["ST_conf"][0] > 0  # the bootstrap ran
