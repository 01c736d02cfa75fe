"""Quantities (section 4 of SCENARIO_FORMAT.md) against independently known answers."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from sim.scenario.quantities import (
    ParamRef,
    QuantityError,
    parse_chance,
    parse_duration,
    parse_fixed_probability,
    parse_quantity,
    parse_rate,
)

MONTH = 365.25 / 12
YEAR = 365.25


# -- fixed durations and probabilities ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("12 months", 365.25),
        ("1 year", 365.25),
        ("1 month", 365.25 / 12),
        ("3 months", 3 * 365.25 / 12),
        ("2 weeks", 14.0),
        ("1 week", 7.0),
        ("10 days", 10.0),
        ("1 day", 1.0),
        ("1.5 years", 1.5 * 365.25),
        ("30 Months", 30 * 365.25 / 12),
        ("year", 365.25),  # a bare unit, as in "0.5 per year"
    ],
)
def test_durations_in_days(text: str, days: float):
    assert parse_duration(text) == pytest.approx(days, rel=1e-15)
    if text != "year":
        q = parse_quantity(text, "duration")
        assert q.is_fixed and q.params[0] == pytest.approx(days, rel=1e-15)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("0 days", "must be positive"),
        ("-3 months", "must be positive"),
        ("6", "needs a unit"),
        (6, "needs a unit"),
        ("6 monts", "did you mean 'months'?"),
        ("25%", "percentage where a duration is expected"),
        ("six months", "is not a number"),
        ("1e999 days", "not a finite number"),
        (True, "expected a duration"),
        ([1, 2], "expected a duration"),
    ],
)
def test_bad_durations(value, fragment: str):
    with pytest.raises(QuantityError, match=_re(fragment)):
        if isinstance(value, list | bool):
            parse_duration(value)
        else:
            parse_quantity(value, "duration")


@pytest.mark.parametrize(("value", "p"), [("25%", 0.25), ("0.25", 0.25), (0.25, 0.25), (0, 0.0)])
def test_fixed_probabilities(value, p: float):
    assert parse_fixed_probability(value) == pytest.approx(p)
    assert parse_quantity(value, "probability").params[0] == pytest.approx(p)


def test_percent_number_above_one_suggests_percent():
    with pytest.raises(QuantityError, match="write 25% for a percentage"):
        parse_quantity(25, "probability")
    with pytest.raises(QuantityError, match="write 25% for a percentage"):
        parse_fixed_probability("25")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("150%", "between 0% and 100%"),
        ("-5%", "between 0% and 100%"),
        ("3 months", "has a unit where a probability is expected"),
    ],
)
def test_bad_probabilities(value, fragment: str):
    with pytest.raises(QuantityError, match=_re(fragment)):
        parse_quantity(value, "probability")


def test_numbers():
    assert parse_quantity(2, "number").params == (2.0,)
    assert parse_quantity("0", "number").params == (0.0,)  # multiply: 0 is allowed
    with pytest.raises(QuantityError, match="write 0.25"):
        parse_quantity("25%", "number")
    with pytest.raises(QuantityError, match="must not be negative"):
        parse_quantity(-1, "number")


def test_parameter_references():
    assert parse_quantity("$isis_risk", "probability") == ParamRef("isis_risk")
    with pytest.raises(QuantityError, match="not a valid parameter reference"):
        parse_quantity("$Bad-Name", "probability")
    with pytest.raises(QuantityError, match="cannot be used here"):
        parse_quantity("$p", "probability", allow_param=False)
    with pytest.raises(QuantityError, match="not parameters"):
        parse_quantity({"uniform": ["$a", "$b"]}, "number")


# -- "A to B": 90% credible intervals ----------------------------------------------------------


@pytest.mark.parametrize("text", ["3 to 12 months", "3 months to 1 year", "3 months to 12 months"])
def test_duration_range_is_lognormal_with_5th_95th_percentiles(text: str):
    q = parse_quantity(text, "duration")
    assert q.family == "lognormal"
    assert q.ppf(0.05) == pytest.approx(3 * MONTH, rel=1e-9)
    assert q.ppf(0.95) == pytest.approx(12 * MONTH, rel=1e-9)
    # independently: a lognormal with those quantiles has median sqrt(a b)
    assert q.median() == pytest.approx(math.sqrt(3 * MONTH * 12 * MONTH), rel=1e-9)
    mu, sigma = q.params
    z95 = stats.norm.ppf(0.95)
    assert math.exp(mu + z95 * sigma) == pytest.approx(12 * MONTH, rel=1e-9)
    assert math.exp(mu - z95 * sigma) == pytest.approx(3 * MONTH, rel=1e-9)


def test_number_range_is_lognormal():
    q = parse_quantity("1.5 to 3", "number")
    assert q.family == "lognormal"
    assert q.ppf([0.05, 0.95]) == pytest.approx([1.5, 3.0], rel=1e-9)


@pytest.mark.parametrize(("text", "lo", "hi"), [("10% to 30%", 0.1, 0.3), ("1% to 5%", 0.01, 0.05)])
def test_probability_range_is_beta_with_5th_95th_percentiles(text: str, lo: float, hi: float):
    q = parse_quantity(text, "probability")
    assert q.family == "beta"
    a, b, loc, scale = q.params
    assert (loc, scale) == (0.0, 1.0)
    assert stats.beta.ppf(0.05, a, b) == pytest.approx(lo, abs=1e-6)
    assert stats.beta.ppf(0.95, a, b) == pytest.approx(hi, abs=1e-6)
    assert q.ppf([0.05, 0.95]) == pytest.approx([lo, hi], abs=1e-6)


def test_probability_range_with_percent_once():
    q = parse_quantity("10 to 30%", "probability")
    assert q.ppf([0.05, 0.95]) == pytest.approx([0.1, 0.3], abs=1e-6)


@pytest.mark.parametrize(
    ("text", "kind", "fragment"),
    [
        ("12 to 3 months", "duration", "did you mean '3 to 12 months'?"),
        ("30% to 10%", "probability", "did you mean '10% to 30%'?"),
        ("3 to 3 months", "duration", "has equal ends; write the single value"),
        ("0 to 3 months", "duration", "must be positive"),
        ("0% to 30%", "probability", "strictly between 0% and 100%"),
        ("10% to 100%", "probability", "strictly between 0% and 100%"),
        ("0 to 3", "number", "must be positive"),
    ],
)
def test_bad_ranges(text: str, kind: str, fragment: str):
    with pytest.raises(QuantityError, match=_re(fragment)):
        parse_quantity(text, kind)


# -- distribution mappings -------------------------------------------------------------------


def test_pert_mean_is_min_4mode_max_over_6():
    q = parse_quantity({"pert": [1, 4, 10]}, "number")
    assert q.frozen().mean() == pytest.approx((1 + 4 * 4 + 10) / 6, rel=1e-12)
    d = parse_quantity({"pert": ["1 month", "2 months", "6 months"]}, "duration")
    assert d.frozen().mean() == pytest.approx((1 + 4 * 2 + 6) / 6 * MONTH, rel=1e-12)
    assert d.support() == pytest.approx((MONTH, 6 * MONTH))
    p = parse_quantity({"pert": ["10%", "20%", "60%"]}, "probability")
    assert p.frozen().mean() == pytest.approx((0.1 + 0.8 + 0.6) / 6, rel=1e-12)


def test_uniform_and_triangular():
    u = parse_quantity({"uniform": ["2 months", "6 months"]}, "duration")
    assert u.frozen().mean() == pytest.approx(4 * MONTH)
    assert u.support() == pytest.approx((2 * MONTH, 6 * MONTH))
    assert parse_quantity({"uniform": ["0 days", "1 week"]}, "duration").support() == (0.0, 7.0)
    t = parse_quantity({"triangular": [1, 2, 6]}, "number")
    assert t.frozen().mean() == pytest.approx(3.0)
    assert t.ppf(0.0) == pytest.approx(1.0)


def test_lognormal_exponential_weibull_gamma_beta():
    ln = parse_quantity({"lognormal": {"median": "2 months", "p90": "6 months"}}, "duration")
    assert ln.median() == pytest.approx(2 * MONTH, rel=1e-9)
    assert ln.ppf(0.9) == pytest.approx(6 * MONTH, rel=1e-9)
    ln2 = parse_quantity({"lognormal": {"p5": 1, "p95": 4}}, "number")
    assert ln2.ppf([0.05, 0.95]) == pytest.approx([1, 4], rel=1e-9)
    ex = parse_quantity({"exponential": {"mean": "1 year"}}, "duration")
    assert ex.frozen().mean() == pytest.approx(YEAR)
    wb = parse_quantity({"weibull": {"shape": 2, "scale": "1 year"}}, "duration")
    assert wb.frozen().mean() == pytest.approx(stats.weibull_min(2, scale=YEAR).mean())
    gm = parse_quantity({"gamma": {"shape": 2, "mean": "3 months"}}, "duration")
    assert gm.frozen().mean() == pytest.approx(3 * MONTH)
    assert gm.frozen().var() == pytest.approx((3 * MONTH) ** 2 / 2)
    bt = parse_quantity({"beta": {"mean": 0.3, "sd": 0.1}}, "probability")
    assert bt.frozen().mean() == pytest.approx(0.3)
    assert bt.frozen().std() == pytest.approx(0.1)
    assert parse_quantity({"beta": [2, 3]}, "probability").frozen().mean() == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("value", "kind", "fragment"),
    [
        ({"normal": {"mean": 1}}, "number", "unknown distribution 'normal'"),
        ({"beta": [2, 3]}, "duration", "'beta' is only for probabilities"),
        (
            {"lognormal": {"median": 0.2, "p90": 0.4}},
            "probability",
            "not allowed for a probability",
        ),
        ({"uniform": [1]}, "number", "takes a list of 2 values"),
        ({"uniform": [3, 1]}, "number", "uniform needs A < B"),
        ({"triangular": [1, 5, 3]}, "number", "min <= mode <= max"),
        ({"uniform": [{"a": 1}, 2]}, "number", "fixed values, not a mapping"),
        ({"uniform": 1, "pert": 2}, "number", "one key"),
        ({"exponential": {"mean": 0}}, "number", "positive mean"),
        ({"weibull": {"shape": 0, "scale": 1}}, "number", "positive shape"),
        ({"beta": {"mean": 0.5, "sd": 0.6}}, "probability", "sd^2 < mean"),
        ({"lognormal": {"mean": 1}}, "number", "'lognormal' takes"),
    ],
)
def test_bad_distributions(value, kind: str, fragment: str):
    with pytest.raises(QuantityError, match=_re(fragment)):
        parse_quantity(value, kind)


def test_distribution_text_is_written_back_as_yaml():
    q = parse_quantity({"uniform": ["2 months", "6 months"]}, "duration")
    assert q.text == "uniform [2 months, 6 months]"


# -- chance and rate ----------------------------------------------------------------------------


def test_chance_forms():
    assert parse_chance("25% within 12 months") == ("25%", 365.25, "25% within 12 months")
    p, days, _ = parse_chance({"p": "$risk", "within": "6 months"})
    assert (p, days) == ("$risk", 6 * MONTH)
    with pytest.raises(QuantityError, match="should read like"):
        parse_chance("25% in 12 months")
    with pytest.raises(QuantityError, match=r"\{p: P, within: D\}"):
        parse_chance({"p": "25%"})
    with pytest.raises(QuantityError, match="must be positive"):
        parse_chance("25% within 0 days")


def test_rate_forms():
    assert parse_rate("0.5 per year")[:2] == ("0.5", 365.25)
    assert parse_rate("1 per 3 months")[:2] == ("1", 3 * MONTH)
    assert parse_rate({"r": 2, "per": "1 week"})[:2] == (2, 7.0)
    with pytest.raises(QuantityError, match="plain number of events per period"):
        parse_rate("10% per year")


def test_compiled_chance_hazard(tmp_path):
    """chance: P within D is an exponential with rate -ln(1 - P) / D per day."""
    import sim

    path = tmp_path / "c.yaml"
    path.write_text(
        "scenario: c\nstart: 2025-01-01\nhorizon: 1 year\n"
        "tracks: {t: {states: [a, b], initial: a}}\n"
        "events:\n"
        "  - {id: e, track: t, from: a, to: b, chance: 25% within 12 months}\n"
        "  - {id: f, track: t, from: b, to: a, rate: 2 per 1 year}\n"
        "outcomes: {b: {when: t == b}}\n"
    )
    s = sim.load_scenario(path)
    assert s.horizon_days == 365.25
    assert s.events[0].timing.hazard([]) == pytest.approx(-math.log(0.75) / 365.25, rel=1e-12)
    assert s.events[1].timing.hazard([]) == pytest.approx(2 / 365.25, rel=1e-12)
    # enabled throughout, it fires within D with probability P
    assert 1 - math.exp(-s.events[0].timing.hazard([]) * 365.25) == pytest.approx(0.25)


def _re(fragment: str) -> str:
    import re

    return re.escape(fragment)
