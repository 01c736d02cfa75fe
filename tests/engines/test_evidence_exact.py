"""Every engine against exact answers with evidence (format section 10): one track, closed forms.

The model: one track a -> b with ``chance: 50% within 1 year`` (hazard lambda = ln 2 / 365.25
per day), start 2025-01-01, horizon 2 years (H = 730.5 days). The observation "t == b ever by
2026-01-01" (D = 365 days) was false. With q = exp(-lambda D) = 0.5^(365 / 365.25), the
probability of no b by D, and s = exp(-lambda (H - D)):

* certain: weights 1 for the runs without b by D, 0 for the others. Evidence probability q,
  effective runs N q, prior P(b at H) = 1 - 0.5^2 = 0.75 and, memoryless, posterior
  P(b at H | no b by D) = 1 - s (about 0.5);
* with confidence c = 80%: weights c (no b by D) or 1 - c (b by D), so
  P(E) = c q + (1 - c)(1 - q), posterior [c q (1 - s) + (1 - c)(1 - q) x 1] / P(E) (a run
  with b by D keeps b), and Kish's share n_eff / N = P(E)^2 / (c^2 q + (1 - c)^2 (1 - q)).

A point observation on a two-way chain is solved by the Chapman-Kolmogorov product of
``expm`` (:mod:`tests.engines.markov_exact`). Tolerances are 5 Monte Carlo standard errors,
sqrt(p (1 - p) / n_eff) for a weighted share, at fixed seeds.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy import linalg

import sim
from sim.analysis.evidence import weighted_quantile
from sim.analysis.summary import summarize
from sim.contracts import SummaryFile
from sim.experiments.variants import RuledOut, run_variant, run_variants
from sim.runner import run_scenario
from tests.engines.markov_exact import Check, Joint, answers
from tests.engines.observe import YEAR, observation, weighted_se, with_evidence

SEED = 5150
Z = 5.0
ENGINE_RUNS = [("compiled", 40_000), ("numpy", 20_000), ("simpy", 5_000)]
START = dt.date(2025, 1, 1)

MEMORYLESS = """\
scenario: memoryless
start: 2025-01-01
horizon: 2 years
tracks:
  t: {states: [a, b], initial: a}
events:
  - {id: e, track: t, from: a, to: b, chance: 50% within 1 year}
outcomes:
  b: {when: t == b}
  ever_b: {when: t == b, ever: true}
variants:
  frozen: {set: {events.e.chance: 0% within 1 year}}
"""
LAMBDA = math.log(2) / YEAR  # per day
H, D = 2 * YEAR, 365.0
Q_NONE = math.exp(-LAMBDA * D)  # P(no b by D)
S_REST = math.exp(-LAMBDA * (H - D))  # P(no b in (D, H])

TWO_WAY = """\
scenario: two_way
start: 2025-01-01
horizon: 1 year
tracks:
  t: {states: [a, b], initial: a}
events:
  - {id: go, track: t, from: a, to: b, rate: 1.5 per year}
  - {id: back, track: t, from: b, to: a, rate: 0.5 per year}
outcomes:
  b: {when: t == b}
"""


@pytest.fixture(scope="module")
def memoryless(tmp_path_factory):
    path = tmp_path_factory.mktemp("memoryless") / "memoryless.yaml"
    path.write_text(MEMORYLESS, encoding="utf-8")
    return path


def nothing_by_new_year(scenario, confidence: float = 1.0):
    """``scenario`` with "t == b ever by 2026-01-01: false" in effect."""
    obs = observation(
        scenario, dt.date(2026, 1, 1), "t == b", ever=True, observed=False, confidence=confidence
    )
    return with_evidence(scenario, obs)


@pytest.mark.parametrize(("engine", "runs"), ENGINE_RUNS)
def test_nothing_seen_in_a_year_memoryless(memoryless, engine, runs):
    scenario = nothing_by_new_year(sim.load_scenario(memoryless))
    results = run_scenario(scenario, runs=runs, seed=SEED, jobs=1, engine=engine)
    summary = summarize(results)
    b, ev = summary["outcomes"]["b"], summary["evidence"]
    # certain: weights are 0 or 1, so n_eff is the number of runs left, sum(w)
    assert set(np.unique(results.weights)) <= {0.0, 1.0}
    assert ev["effective_runs"] == pytest.approx(results.weights.sum(), rel=1e-12)
    assert ev["probability"] == pytest.approx(ev["effective_runs"] / runs, rel=1e-12)
    assert abs(ev["probability"] - Q_NONE) < Z * math.sqrt(Q_NONE * (1 - Q_NONE) / runs)
    assert ev["items"][0]["agree"] == ev["probability"]
    want = 1 - S_REST
    assert abs(b["probability"] - want) < Z * weighted_se(want, ev["effective_runs"])
    assert abs(b["prior_probability"] - 0.75) < Z * math.sqrt(0.75 * 0.25 / runs)
    assert abs(want - 0.75) > 20 * weighted_se(want, ev["effective_runs"])  # it did move
    # the runs left saw no b by D: ever b is b at the horizon
    assert summary["outcomes"]["ever_b"]["probability"] == pytest.approx(b["probability"])


def confident_answers(c: float) -> dict[str, float]:
    """Exact values for "no b by D" observed with confidence c (module docstring)."""
    p_e = c * Q_NONE + (1 - c) * (1 - Q_NONE)
    w2 = c**2 * Q_NONE + (1 - c) ** 2 * (1 - Q_NONE)

    def share(q):  # n_eff / N as a function of the share of runs without b by D
        return (c * q + (1 - c) * (1 - q)) ** 2 / (c**2 * q + (1 - c) ** 2 * (1 - q))

    h = 1e-6
    slope = (share(Q_NONE + h) - share(Q_NONE - h)) / (2 * h)
    return {
        "evidence": p_e,
        "evidence_sd": math.sqrt(w2 - p_e**2),
        "posterior": (c * Q_NONE * (1 - S_REST) + (1 - c) * (1 - Q_NONE)) / p_e,
        "share": p_e**2 / w2,
        "share_sd": abs(slope) * math.sqrt(Q_NONE * (1 - Q_NONE)),
    }


def test_confident_answers_by_hand():
    """With q = 1/2 and s = 1/2 exactly: P(E) = 0.5, P(b) = [0.8 x 0.5 x 0.5 + 0.2 x 0.5] /
    0.5 = 0.6, n_eff / N = 0.25 / 0.34."""
    c, q, s = 0.8, 0.5, 0.5
    p_e = c * q + (1 - c) * (1 - q)
    assert p_e == pytest.approx(0.5)
    assert (c * q * (1 - s) + (1 - c) * (1 - q)) / p_e == pytest.approx(0.6)
    assert p_e**2 / (c * c * q + (1 - c) ** 2 * (1 - q)) == pytest.approx(0.25 / 0.34)
    got = confident_answers(0.8)  # q and s differ from 1/2 by a quarter of a day in 365.25
    assert got["posterior"] == pytest.approx(0.6, abs=1e-3)
    assert got["share"] == pytest.approx(0.25 / 0.34, abs=1e-3)


@pytest.mark.parametrize(("engine", "runs"), ENGINE_RUNS)
def test_nothing_seen_with_confidence(memoryless, engine, runs):
    want = confident_answers(0.8)
    scenario = nothing_by_new_year(sim.load_scenario(memoryless), confidence=0.8)
    results = run_scenario(scenario, runs=runs, seed=SEED, jobs=1, engine=engine)
    summary = summarize(results)
    ev = summary["evidence"]
    # kept divided by exp(log_scale): the largest weight of the runs is 1
    scaled = np.unique(results.weights * np.exp(results.log_scale))
    assert scaled == pytest.approx([0.2, 0.8], rel=1e-12)
    assert abs(ev["probability"] - want["evidence"]) < Z * want["evidence_sd"] / math.sqrt(runs)
    share = ev["effective_runs"] / runs
    assert abs(share - want["share"]) < Z * want["share_sd"] / math.sqrt(runs)
    p = summary["outcomes"]["b"]["probability"]
    assert abs(p - want["posterior"]) < Z * weighted_se(want["posterior"], ev["effective_runs"])
    lo, hi = summary["outcomes"]["b"]["ci95"]  # Wilson with n = n_eff, not n
    assert hi - lo == pytest.approx(2 * 1.96 * weighted_se(p, ev["effective_runs"]), rel=0.02)
    assert hi - lo > 1.1 * 2 * 1.96 * math.sqrt(p * (1 - p) / runs)


def first_time_median_days(c: float) -> float:
    """The weighted median of the first time of b given "no b by D" with confidence c.

    A run whose b came at T <= D weighs 1 - c, a later one (or none) c. The weighted CDF of
    T is (1 - c) F(v) / P(E) up to D, which stays below 1/2 here, then
    [(1 - c) F(D) + c (F(v) - F(D))] / P(E); setting it to 1/2 gives
    F(v) = F(D) + [P(E) / 2 - (1 - c) F(D)] / c, and v = -ln(1 - F(v)) / lambda.
    """
    f_d = 1 - Q_NONE
    p_e = c * Q_NONE + (1 - c) * f_d
    assert (1 - c) * f_d / p_e < 0.5
    f_v = f_d + (p_e / 2 - (1 - c) * f_d) / c
    return -math.log(1 - f_v) / LAMBDA


@pytest.mark.parametrize(("engine", "runs"), ENGINE_RUNS)
def test_first_time_median_weighted(memoryless, engine, runs):
    c = 0.8
    v = first_time_median_days(c)  # about 613 days
    assert 600 < v < 630
    scenario = nothing_by_new_year(sim.load_scenario(memoryless), confidence=c)
    results = run_scenario(scenario, runs=runs, seed=SEED, jobs=1, engine=engine)
    summary = summarize(results)
    got = dt.date.fromisoformat(summary["outcomes"]["b"]["first_time_median"])
    # standard error of a quantile: sqrt(q (1 - q) / n_eff) / density at it (days)
    density = c * LAMBDA * math.exp(-LAMBDA * v) / (c * Q_NONE + (1 - c) * (1 - Q_NONE))
    se = weighted_se(0.5, summary["evidence"]["effective_runs"]) / density
    assert abs((got - START).days - v) < Z * se + 1
    # unweighted, the median is a year: 50% within 1 year
    assert summary["outcomes"]["b"]["prior_probability"] == pytest.approx(0.75, abs=0.02)


def test_weighted_quantile_by_hand():
    values = np.array([5.0, 1.0, 3.0, np.inf, 2.0])
    weights = np.array([0.1, 0.2, 0.3, 0.4, 0.0])
    # sorted: 1 (0.2), 2 (0), 3 (0.3), 5 (0.1), inf (0.4); cumulative 0.2, 0.2, 0.5, 0.6, 1
    assert weighted_quantile(values, weights, 0.2) == 1.0
    assert weighted_quantile(values, weights, 0.21) == 3.0
    assert weighted_quantile(values, weights, 0.5) == 3.0  # "at least q x sum(w)"
    assert weighted_quantile(values, weights, 0.55) == 5.0
    assert weighted_quantile(values, weights, 0.61) == math.inf
    assert weighted_quantile(values, weights * 7.0, 0.5) == 3.0  # scale free
    # equal weights: the ceil(qN)-th smallest (section 9)
    assert weighted_quantile(values, np.ones(5), 0.5) == weighted_quantile(values, None, 0.5)
    assert weighted_quantile(values, None, 0.5) == 3.0
    assert math.isnan(weighted_quantile(values, np.zeros(5), 0.5))


def two_way_answers(c: float, day: float, horizon: float):
    """P(b at H | b seen at D with confidence c) by Chapman-Kolmogorov, computed twice: with
    :func:`answers` and written out with 2x2 matrices."""
    q = np.array([[-1.5, 1.5], [0.5, -0.5]]) / YEAR
    p_d = np.array([1.0, 0.0]) @ linalg.expm(q * day)
    rest = linalg.expm(q * (horizon - day))
    w = np.array([1 - c, c])
    p_e = p_d @ w
    posterior = (p_d * w) @ rest[:, 1] / p_e
    joint = Joint(states=[(0,), (1,)], q=q, p0=np.array([1.0, 0.0]))
    b = lambda s: s[0] == 1  # noqa: E731
    got = answers(joint, [Check(b, day, confidence=c)], [Check(b, horizon)], horizon)
    assert got.moments[0] == pytest.approx(p_e, rel=1e-12)
    assert got.posterior[0] == pytest.approx(posterior, rel=1e-12)
    assert got.prior[0] == pytest.approx(linalg.expm(q * horizon)[0, 1], rel=1e-12)
    return got


@pytest.mark.parametrize("confidence", [1.0, 0.9])
@pytest.mark.parametrize(("engine", "runs"), ENGINE_RUNS)
def test_point_observation_on_a_two_way_chain(tmp_path, engine, runs, confidence):
    path = tmp_path / "two_way.yaml"
    path.write_text(TWO_WAY, encoding="utf-8")
    scenario = sim.load_scenario(path)
    seen = dt.date(2025, 5, 1)  # day 120: b was seen
    day = float((seen - START).days)
    want = two_way_answers(confidence, day, scenario.horizon_days)
    scenario = with_evidence(
        scenario, observation(scenario, seen, "t == b", observed=True, confidence=confidence)
    )
    results = run_scenario(scenario, runs=runs, seed=SEED, jobs=1, engine=engine)
    summary = summarize(results)
    ev, b = summary["evidence"], summary["outcomes"]["b"]
    m1, m2 = want.moments[:2]
    assert abs(ev["probability"] - m1) < Z * math.sqrt((m2 - m1**2) / runs)
    share = ev["effective_runs"] / runs
    assert abs(share - want.effective_share) < Z * want.share_se(runs)
    n_eff = ev["effective_runs"]
    assert abs(b["probability"] - want.posterior[0]) < Z * weighted_se(want.posterior[0], n_eff)
    p0 = want.prior[0]
    assert abs(b["prior_probability"] - p0) < Z * math.sqrt(p0 * (1 - p0) / runs)
    assert abs(want.posterior[0] - p0) > 8 * weighted_se(want.posterior[0], n_eff)


def test_a_variant_the_evidence_rules_out(memoryless):
    """The frozen variant never leaves a; "b by 2026-01-01" (certain) leaves none of its
    runs. run_variant raises RuledOut; run_variants reports it with nulls beside a base
    whose posterior is exactly 1 (b is absorbing)."""
    seen_b = {}
    for variant in ("base", "frozen"):
        sc = sim.load_scenario(memoryless, variant)
        seen_b[variant] = with_evidence(
            sc, observation(sc, dt.date(2026, 1, 1), "t == b", ever=True, observed=True)
        )
    with pytest.raises(RuledOut, match=r"0\.00% of runs agree") as caught:
        run_variant(seen_b["frozen"], runs=2_000, seed=SEED, jobs=1, engine="compiled")
    assert caught.value.results.total_weight == 0.0
    runs = run_variants(seen_b, runs=2_000, seed=SEED, jobs=1, engine="compiled")
    frozen = summarize(runs.results["frozen"])
    assert frozen["ruled_out_by_evidence"] is True
    assert frozen["evidence"]["probability"] == 0.0
    assert frozen["evidence"]["items"][0]["agree"] == 0.0
    for entry in frozen["outcomes"].values():
        assert entry["probability"] is None and entry["ci95"] is None
    base = summarize(runs.results["base"])
    assert "ruled_out_by_evidence" not in base
    assert base["outcomes"]["b"]["probability"] == 1.0
    assert base["outcomes"]["ever_b"]["probability"] == 1.0
    by_variant = runs.comparison["outcomes"]["b"]["by_variant"]
    assert by_variant["frozen"]["probability"] is None
    assert by_variant["frozen"]["ruled_out_by_evidence"] is True
    assert by_variant["base"]["probability"] == 1.0


SCHEDULED = """\
scenario: scheduled
start: 2025-01-01
horizon: 1 year
tracks:
  t: {states: [a, b], initial: a}
events:
  - {id: e, track: t, from: a, to: b, at: 2025-06-01}
outcomes:
  b: {when: t == b}
"""


@pytest.mark.parametrize("engine", [name for name, _ in ENGINE_RUNS])
def test_observed_on_the_day_of_a_scheduled_firing(tmp_path, engine):
    """An observation dated D sees the state at the start of D after the firings due then:
    b on 2025-06-01, a on 2025-05-31 and never b by then (section 10). Every run agrees, so
    every weight is exactly 1; "b ever by 2025-05-31" rules every run out."""
    path = tmp_path / "scheduled.yaml"
    path.write_text(SCHEDULED, encoding="utf-8")
    sc = sim.load_scenario(path)
    june, may = dt.date(2025, 6, 1), dt.date(2025, 5, 31)
    agreeing = with_evidence(
        sc,
        observation(sc, june, "t == b", observed=True),
        observation(sc, june, "t == b", ever=True, observed=True),
        observation(sc, may, "t == a", observed=True),
        observation(sc, may, "t == b", ever=True, observed=False, confidence=0.6),
    )
    results = run_scenario(agreeing, runs=500, seed=SEED, jobs=1, engine=engine)
    assert np.allclose(results.weights * np.exp(results.log_scale), np.full(500, 0.6), rtol=1e-15)
    summary = summarize(results)
    assert summary["evidence"]["probability"] == pytest.approx(0.6, rel=1e-15)
    assert summary["evidence"]["effective_runs"] == pytest.approx(500, rel=1e-12)
    assert [i["agree"] for i in summary["evidence"]["items"]] == [1.0] * 4
    assert summary["outcomes"]["b"]["probability"] == 1.0
    assert summary["outcomes"]["b"]["first_time_median"] == "2025-06-01"
    assert summary["states_at_horizon"]["t"] == {"a": 0.0, "b": 1.0}
    SummaryFile.model_validate(summary)  # every share within [0, 1] despite rounding
    impossible = with_evidence(sc, observation(sc, may, "t == b", ever=True, observed=True))
    with pytest.raises(RuledOut):
        run_variant(impossible, runs=500, seed=SEED, jobs=1, engine=engine)
