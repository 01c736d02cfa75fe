"""Values that validate are usable: extreme durations, rates, multipliers and shapes.

Each input of issue 14 (item 4) that gave an internal error, or that validated and then drew
infinite, zero or collapsed values, is rejected at its ``FILE:LINE:COL`` with the value and the
bound; values just inside the bounds still validate.
"""

from __future__ import annotations

import math

import pytest
from scipy import special

from sim.model.distributions import fit_beta_90
from sim.scenario.load import check_file

BASE = """\
scenario: t
title: T
start: 2030-01-01
horizon: 2 years
tracks:
  a: {{states: [x, y], initial: x}}
events:
  - {{id: e, track: a, from: x, to: y, {timing}}}
  - {{id: back, track: a, from: y, to: x, rate: 1 per year, modifiers: [{{when: a == y, multiply: {mult}}}]}}
outcomes:
  o: {{when: a == y}}
"""


def _problems(tmp_path, timing: str, mult: str = "2") -> list[str]:
    f = tmp_path / "t.yaml"
    f.write_text(BASE.format(timing=timing, mult=mult), encoding="utf-8")
    return [str(p) for p in check_file(f) if p.severity == "error"]


REJECTED = [
    # (timing, line, fragments the one message must hold)
    ("chance: 50% within 1e308 months", 8, ["'1e308 months'", "10,000 years"]),
    ("rate: 1 per 1e308 months", 8, ["'1e308 months'", "at most 10000 years"]),
    ("chance: 5% within 1e306 years", 8, ["'1e306 years'", "10,000 years"]),
    ("after: 1e308 years", 8, ["event 'e' after", "'1e308 years'"]),
    ("after: 20000 years", 8, ["'20000 years'", "at most 10000 years"]),
    ("after: 1e-310 days", 8, ["'1e-310 days'", "at least 1e-300 days"]),
    ("after: {gamma: {shape: 1e-9, mean: 3 months}}", 8, ["gamma shape 1e-09", "0.1 and 1e+06"]),
    ("after: {weibull: {shape: 0.01, scale: 1 year}}", 8, ["weibull shape 0.01", "below 0.1"]),
    ("after: {uniform: [0 days, 1e-300 days]}", 8, ["1e-300 days", "under 1e-06 days"]),
    ("after: {exponential: {mean: 1e-9 days}}", 8, ["all but zero", "fixed duration"]),
    ("after: 1e-300 to 1 days", 8, ["too wide", "1e14 times"]),
    ("rate: 1e400 per year", 8, ["'1e400' is not a finite number"]),
    ("rate: 2e6 per year", 8, ["number '2e6' is above 1e+06"]),
    ("rate: 1 to 1e20 per year", 8, ["'1e20'", "at most 1e+06"]),
    ("rate: 2 per 0.5 days", 8, ["'per 0.5 days' is shorter than a day", "'24 per day'"]),
    ("chance: 5% within 2 hours", 8, ["unknown unit 'hours'"]),
    ("chance: 1e-300% to 1% within 1 year", 8, ["'1e-300% to 1%'", "no beta distribution"]),
]


@pytest.mark.parametrize(("timing", "line", "fragments"), REJECTED)
def test_unusable_value_is_rejected_at_its_place(tmp_path, timing, line, fragments):
    errors = _problems(tmp_path, timing)
    assert len(errors) == 1, errors
    (message,) = errors
    assert message.startswith(f"{tmp_path / 't.yaml'}:{line}:"), message
    assert ": error: " in message
    for fragment in fragments:
        assert fragment in message, message


def test_huge_multiplier_is_quoted_as_written(tmp_path):
    (message,) = _problems(tmp_path, "rate: 1 per year", mult="1e400")
    assert ":9:" in message
    assert "'1e400' is not a finite number" in message and "'inf'" not in message


def test_multiplier_above_a_million_is_rejected(tmp_path):
    (message,) = _problems(tmp_path, "rate: 1 per year", mult="1e7")
    assert "number '10000000.0' is above 1e+06" in message  # YAML read 1e7 as a float


@pytest.mark.parametrize(
    "timing",
    [
        "after: 1e-300 days",  # the engines' tests use waits this short
        "after: 10000 years",
        "rate: 1e6 per day",
        "chance: 1% within 1000 years",
        "rate: 1 per 1 day",
        "after: {gamma: {shape: 0.1, mean: 3 months}}",
        "after: {weibull: {shape: 1e6, scale: 1 year}}",
        "after: {uniform: [0 days, 1e-6 days]}",
        "chance: 1e-6 to 1% within 1 year",
        "chance: 0.01% to 99% within 1 year",
        # small beta shapes are fine: draws of 0 or nearly 1 are probabilities engines run
        "chance: {p: {beta: [1e-9, 1]}, within: 1 year}",
        "chance: {p: {beta: {mean: 0.1%, sd: 3%}}, within: 1 year}",
    ],
)
def test_values_at_the_bounds_still_validate(tmp_path, timing):
    assert _problems(tmp_path, timing) == []


def test_horizon_beyond_every_bound_is_located(tmp_path):
    f = tmp_path / "t.yaml"
    f.write_text(
        BASE.format(timing="rate: 1 per year", mult="2").replace("2 years", "1e306 years"),
        encoding="utf-8",
    )
    (message,) = [str(p) for p in check_file(f)]
    assert message.startswith(f"{f}:4:10: error: 'horizon'"), message
    assert "'1e306 years'" in message


def test_beta_fit_refuses_an_end_it_cannot_match_relatively():
    # 1e-302 is met to 1e-6 absolutely by a 5th percentile of 3.6e-9: not a fit
    with pytest.raises(ValueError, match="no beta distribution"):
        fit_beta_90(1e-302, 0.01)


@pytest.mark.parametrize(("a", "b"), [(1e-6, 0.01), (1e-9, 1e-8), (0.999, 0.99999)])
def test_beta_fit_matches_small_ends_relatively(a, b):
    al, be = fit_beta_90(a, b)
    lo, hi = special.betaincinv(al, be, [0.05, 0.95])
    assert math.isclose(lo, a, rel_tol=1e-3)
    assert math.isclose(1 - hi, 1 - b, rel_tol=1e-3) and math.isclose(hi, b, rel_tol=1e-3)


@pytest.mark.parametrize(
    ("timing", "mult"),
    [("rate: -0 per year", "2"), ("chance: -0% within 1 year", "2"), ("rate: 1 per year", "-0")],
)
def test_minus_zero_is_zero_and_runs(tmp_path, timing, mult):
    # found by tools/fuzz.py: 'rate: -0 per year' drew waits of -inf days ("Negative delay")
    from sim.runner import run_scenario
    from sim.scenario.load import load_scenario

    f = tmp_path / "t.yaml"
    f.write_text(BASE.format(timing=timing, mult=mult), encoding="utf-8")
    for engine in ("simpy", "numpy", "compiled"):
        results = run_scenario(load_scenario(f), runs=20, seed=0, jobs=1, engine=engine)
        assert results.final.shape[0] == 20


def test_minus_zero_is_read_as_plus_zero():
    from sim.scenario.quantities import parse_quantity

    for text, kind in (("-0", "number"), ("-0%", "probability"), ("-0.0", "number")):
        assert math.copysign(1.0, parse_quantity(text, kind).params[0]) == 1.0
