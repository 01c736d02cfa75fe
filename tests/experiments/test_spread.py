"""The spread across the assumptions that every run reports (the separate spread design).

Scenario: one chance ``p ~ U(10%, 50%)`` within the horizon, so P(outcome | p) = p exactly and
each draw's probability is known from its design quantile level u: p = 0.1 + 0.4 u.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import contracts as c
from sim import load_scenario
from sim.analysis.sensitivity import latin_hypercube
from sim.analysis.summary import summarize
from sim.experiments import run_spread, run_variant, run_variants
from sim.experiments.draws import SPREAD_DRAWS, SPREAD_FIRST_RUN, spread_size
from sim.runner import run_design, run_scenario
from tests.experiments.test_experiments import UNIFORM_CHANCE

RUNS = 4000  # K = 20 draws of m = 200 runs


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    path = tmp_path_factory.mktemp("spread") / "uniform_chance.yaml"
    path.write_text(UNIFORM_CHANCE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def scenario(path):
    return load_scenario(path)


@pytest.fixture(scope="module")
def with_spread(scenario):
    return run_variant(scenario, runs=RUNS, seed=3, jobs=1)


def test_the_main_estimate_is_unchanged_bit_for_bit(scenario, with_spread):
    plain = run_scenario(scenario, runs=RUNS, seed=3, jobs=1)
    assert np.array_equal(with_spread.flags, plain.flags)
    assert np.array_equal(with_spread.first, plain.first)
    assert with_spread.runs == RUNS
    without = run_variant(scenario, runs=RUNS, seed=3, jobs=1, spread=False)
    assert without.second_order is None
    assert summarize(without)["outcomes"]["b"].keys() == (
        summarize(with_spread)["outcomes"]["b"].keys() - {"spread"}
    )


def test_each_draw_has_its_known_probability(with_spread):
    second = with_spread.second_order
    k, m = SPREAD_DRAWS, math.ceil(RUNS / SPREAD_DRAWS)
    assert second.runs == k * m and np.array_equal(second.rows, np.repeat(np.arange(k), m))
    p_true = 0.1 + 0.4 * latin_hypercube(k, 1, 3)[:, 0]
    per_draw = np.array([second.flags[second.rows == d, 0].mean() for d in range(k)])
    assert np.all(np.abs(per_draw - p_true) <= 5 * np.sqrt(p_true * (1 - p_true) / m))
    spread = summarize(with_spread)["outcomes"]["b"]["spread"]
    assert spread["source"] == "spread_design" and spread["runs"] == k * m
    assert (spread["draws"], spread["runs_per_draw"]) == (k, m)
    assert spread["raw_p10"] == pytest.approx(np.quantile(per_draw, 0.1, method="hazen"))
    assert spread["raw_p90"] == pytest.approx(np.quantile(per_draw, 0.9, method="hazen"))
    c = spread["parameter_sd"] / per_draw.std(ddof=1)  # the noise removed: shrunk by c
    for q in ("p10", "p90"):
        assert spread[q] == pytest.approx(
            per_draw.mean() + c * (spread["raw_" + q] - per_draw.mean())
        )
    # the parameter sd of U(0.1, 0.5) is 0.4 / sqrt(12) = 0.115; 20 Latin-hypercube draws
    # estimate it within about 0.02 once the binomial noise (about 0.03 a draw) is removed
    assert abs(spread["parameter_sd"] - 0.4 / math.sqrt(12)) < 0.03


def test_the_spread_uses_numbers_of_its_own_and_the_same_seed_repeats_it(scenario, with_spread):
    again = run_spread(scenario, runs=RUNS, seed=3, jobs=1)
    assert np.array_equal(again.flags, with_spread.second_order.flags)
    # the same design on run indices from 0 (those of the main runs) gives other runs
    design = latin_hypercube(SPREAD_DRAWS, 1, 3)
    on_main = run_design(scenario, design, RUNS // SPREAD_DRAWS, seed=3, jobs=1)
    assert not np.array_equal(on_main.first, again.first)
    shifted = run_design(scenario, design, RUNS // SPREAD_DRAWS, seed=3, jobs=1,
                         first_run=SPREAD_FIRST_RUN)  # fmt: skip
    assert np.array_equal(shifted.first, again.first)
    assert SPREAD_FIRST_RUN > 50_000_000 * 100  # past the most runs --min-effective-runs makes


def test_variants_share_the_spread_design(path):
    scenarios = {v: load_scenario(path, v) for v in ("base", "never")}
    done = run_variants(scenarios, runs=2000, seed=1, jobs=1)
    base, never = (done.results[v].second_order for v in ("base", "never"))
    assert np.array_equal(base.rows, never.rows)
    assert not never.flags.any()  # "never" disables the only event in every draw
    assert done.results["never"].second_order is not None


def test_no_spread_without_uncertain_values_or_with_few_runs(scenario, write_scenario):
    assert spread_size(scenario, 1999) is None
    assert spread_size(scenario, 2000) == (20, 100)
    assert spread_size(scenario, 10**6) == (20, 1000)
    fixed = load_scenario(write_scenario(UNIFORM_CHANCE.replace("{uniform: [10%, 50%]}", "30%")))
    assert spread_size(fixed, 10**6) is None
    assert run_variant(fixed, runs=2000, seed=1, jobs=1).second_order is None


def test_summary_with_the_spread_fits_the_contract(with_spread, tmp_path):
    from sim.report.files import write_results

    write_results(with_spread, tmp_path)
    summary = c.read_summary(tmp_path / "summary.json")
    assert summary["outcomes"]["b"]["spread"]["source"] == "spread_design"


def test_run_reports_the_spread_and_compare_skips_it_on_request(path, tmp_path):
    import json

    from click.testing import CliRunner

    from sim.cli import compare, run

    runner = CliRunner()
    args = ["--runs", "2000", "--jobs", "1", "--no-charts"]
    done = runner.invoke(run.command, [str(path), *args, "--out", str(tmp_path / "r")])
    assert done.exit_code == 0, done.output
    assert "assumptions 80%" in done.output  # the console table's column
    spread = json.loads((tmp_path / "r" / "summary.json").read_text())["outcomes"]["b"]["spread"]
    assert (spread["draws"], spread["runs_per_draw"]) == (20, 100)
    out = tmp_path / "c"
    done = runner.invoke(
        compare.command, [str(path), "never", *args, "--no-spread", "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    for variant in ("base", "never"):
        summary = json.loads((out / variant / "summary.json").read_text())
        assert "spread" not in summary["outcomes"]["b"]
