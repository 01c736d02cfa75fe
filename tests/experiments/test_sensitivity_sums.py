"""Tornado and Sobol from per-row sums (``sim.runner.run_design_sums``, memory independent of
the runs) give the numbers of the per-run path (``run_design`` + ``row_means``, and a plain
run for the tornado's base setting), with and without evidence, and the caps."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest

from sim import load_scenario
from sim.analysis import sensitivity as sa
from sim.errors import SimError
from sim.experiments import run_sobol, run_tornado
from sim.experiments.sensitivity import MAX_SAMPLES
from sim.model.conditions import Test as InStates
from sim.model.evidence import Observation
from sim.runner import MAX_RUNS, run_design, run_scenario

TWO_VALUES = """
scenario: two_values
start: 2025-01-01
horizon: 2026-01-01
tracks:
  t: {states: [a, b, c], initial: a}
parameters:
  p: {value: {uniform: [10%, 50%]}}
  q: {value: {uniform: [20%, 70%]}}
events:
  - {id: e, track: t, from: a, to: b, chance: $p within 365 days}
  - {id: f, track: t, from: b, to: c, chance: $q within 200 days}
outcomes:
  b: {when: t == b}
  c: {when: t == c}
  moved: {when: t != a, ever: true}
"""


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    path = tmp_path_factory.mktemp("sums") / "s.yaml"
    path.write_text(TWO_VALUES, encoding="utf-8")
    return load_scenario(path)


@pytest.fixture(scope="module")
def given(plain):
    # observed: t still in a on day 60, with 90% confidence (weights 0.9 and 0.1)
    day = 60.0
    seen = Observation(
        dt.date(2025, 1, 1) + dt.timedelta(days=day),
        day, InStates(0, frozenset({0})), "t == a", False, True, 0.9,
    )  # fmt: skip
    return replace(plain, evidence=(seen,))


def per_run_tornado(scenario, runs, seed):
    """The tornado's numbers the way they were computed before per-row sums."""
    base = run_scenario(scenario, runs=runs, seed=seed, jobs=1)
    design = sa.tornado_design(len(scenario.slots))
    res = run_design(scenario, design, runs, common=True, seed=seed, jobs=1)
    rows = sa.row_means(res.flags, res.rows, res.weights if res.weighted else None)
    return base, rows


@pytest.mark.parametrize("which", ["plain", "given"])
def test_tornado_from_sums_is_the_per_run_tornado(which, request):
    scenario = request.getfixturevalue(which)
    runs = 9000  # two blocks (8,192 + 808 runs) fold into each row
    got = run_tornado(scenario, runs=runs, seed=11, jobs=1)
    base, rows = per_run_tornado(scenario, runs, 11)
    np.testing.assert_allclose(got.base, base.probabilities(), rtol=1e-12, atol=0)
    np.testing.assert_allclose(got.low, rows[0::2], rtol=1e-12, atol=0)
    np.testing.assert_allclose(got.high, rows[1::2], rtol=1e-12, atol=0)
    if which == "plain":  # counts: exactly equal
        assert np.array_equal(got.low, rows[0::2]) and np.array_equal(
            got.base, base.probabilities()
        )
        assert got.effective_runs is None
    else:
        assert got.effective_runs == pytest.approx(base.effective_runs, rel=1e-12)
        assert got.evidence_probability == pytest.approx(base.evidence_probability, rel=1e-12)
        assert got.effective_runs < runs  # the evidence weighs the runs unequally


def test_sobol_from_sums_is_the_per_run_sobol_with_two_workers(given):
    runs, samples, seed = 300, 8, 5
    got = run_sobol(given, samples=samples, runs=runs, seed=seed, jobs=2)
    design = sa.sobol_design(len(given.slots), samples, seed)
    res = run_design(given, design, runs, common=True, seed=seed, jobs=1)
    want = sa.row_means(res.flags, res.rows, res.weights)
    np.testing.assert_allclose(got.y, want, rtol=1e-12, atol=0)
    assert got.y.shape == (samples * 4, 3)


def test_sensitivity_runs_and_samples_are_capped(plain):
    with pytest.raises(SimError, match=f"at most {MAX_RUNS:,}"):
        run_tornado(plain, runs=MAX_RUNS + 1, seed=1, jobs=1)
    with pytest.raises(SimError, match=f"at most {MAX_SAMPLES:,}"):
        run_sobol(plain, samples=2 * MAX_SAMPLES, runs=10, seed=1, jobs=1)


def test_sensitivity_runs_above_the_cap_are_a_command_line_mistake(capsys):
    from sim.cli.main import main

    with pytest.raises(SystemExit) as ended:
        main(["sensitivity", "x.yaml", "--runs", str(MAX_RUNS + 1)])
    assert ended.value.code == 2
    assert "50000000" in capsys.readouterr().err


def test_sensitivity_samples_above_the_cap_are_a_command_line_mistake(capsys):
    # review13: --samples 131072 (a power of 2 above the cap) ran the loading, then ended
    # with exit 1 and a bare line; like --runs, it is the command line's mistake
    from sim.cli.main import main

    with pytest.raises(SystemExit) as ended:
        main(["sensitivity", "x.yaml", "-m", "sobol", "--samples", str(2 * MAX_SAMPLES)])
    assert ended.value.code == 2
    assert f"{2 * MAX_SAMPLES}" in capsys.readouterr().err
