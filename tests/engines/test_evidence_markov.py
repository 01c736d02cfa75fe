"""Every engine against exact answers with evidence on a six-track Markov model, and an
uncertain rate learnt from evidence (format section 10).

The six tracks have 3 x 2 x 2 x 2 x 3 x 2 = 144 joint states; z's switch-on is guarded by x
and u's rise runs three times faster while y is tense (a modifier), so the tracks are not
independent. The exact answers come from the joint generator (:mod:`tests.engines.markov_exact`):
a point observation on x (confidence 85%), an ``ever`` observation on y (confidence 95%) and a
certain point observation on z and u, against four outcomes, one of them ``ever``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import pytest
from scipy import integrate, optimize

import sim
from sim.analysis.summary import summarize
from sim.runner import run_scenario
from tests.engines.markov_exact import Check, Joint, answers
from tests.engines.observe import YEAR, observation, weighted_se, with_evidence

SEED = 8128
Z = 5.0
ENGINE_RUNS = [("compiled", 40_000), ("numpy", 20_000), ("simpy", 4_000)]
START = dt.date(2025, 1, 1)

SIX = """\
scenario: six_tracks
start: 2025-01-01
horizon: 2 years
tracks:
  x: {states: [x0, x1, x2], initial: x0}
  y: {states: [calm, tense], initial: calm}
  z: {states: ["off", "on"], initial: {"off": 0.6, "on": 0.4}}
  u: {states: [low, high], initial: low}
  v: {states: [v0, v1, v2], initial: v0}
  w: {states: ["no", "yes"], initial: "no"}
events:
  - {id: x01, track: x, from: x0, to: x1, rate: 1.2 per year}
  - {id: x12, track: x, from: x1, to: x2, rate: 0.8 per year}
  - {id: x20, track: x, from: x2, to: x0, rate: 0.5 per year}
  - {id: tense, track: y, from: calm, to: tense, rate: 0.7 per year}
  - {id: calm, track: y, from: tense, to: calm, rate: 1 per year}
  - {id: z_on, track: z, from: "off", to: "on", rate: 2 per year, when: x != x0}
  - {id: z_off, track: z, from: "on", to: "off", rate: 0.6 per year}
  - id: rise
    track: u
    from: low
    to: high
    rate: 0.5 per year
    modifiers: [{when: y == tense, multiply: 3}]
  - {id: fall, track: u, from: high, to: low, rate: 1.5 per year}
  - {id: v01, track: v, from: v0, to: v1, rate: 1 per year}
  - {id: v12, track: v, from: v1, to: v2, rate: 1 per year}
  - {id: v10, track: v, from: v1, to: v0, rate: 0.5 per year}
  - {id: w, track: w, from: "no", to: "yes", rate: 0.3 per year}
outcomes:
  x2_on: {when: x == x2 and z == on}
  high: {when: u == high}
  far: {when: v == v2 or w == yes}
  ever_high: {when: u == high, ever: true}
"""
SIZES = (3, 2, 2, 2, 3, 2)
X, Y, Zt, U, V, W = range(6)


def rates(s: tuple[int, ...]) -> list[tuple[int, int, float]]:
    """(track, new state, rate per year) of every transition out of joint state ``s``,
    written from the YAML above: guards switch a rate off, the modifier multiplies it."""
    out = [(X, (s[X] + 1) % 3, (1.2, 0.8, 0.5)[s[X]])]
    out.append((Y, 1 - s[Y], (0.7, 1.0)[s[Y]]))
    if s[Zt] == 0 and s[X] != 0:
        out.append((Zt, 1, 2.0))
    if s[Zt] == 1:
        out.append((Zt, 0, 0.6))
    out.append((U, 1 - s[U], 0.5 * (3.0 if s[Y] == 1 else 1.0) if s[U] == 0 else 1.5))
    out += {0: [(V, 1, 1.0)], 1: [(V, 2, 1.0), (V, 0, 0.5)], 2: []}[s[V]]
    if s[W] == 0:
        out.append((W, 1, 0.3))
    return out


def six_track_chain() -> Joint:
    """The joint generator (per day) and initial distribution of the six tracks."""
    states = list(itertools.product(*(range(k) for k in SIZES)))
    index = {s: i for i, s in enumerate(states)}
    q = np.zeros((len(states), len(states)))
    for s, i in index.items():
        for track, new, per_year in rates(s):
            t = list(s)
            t[track] = new
            q[i, index[tuple(t)]] += per_year / YEAR
        q[i, i] = -q[i].sum()
    p0 = np.array([(0.6, 0.4)[s[Zt]] if s[:2] + s[3:] == (0,) * 5 else 0.0 for s in states])
    return Joint(states=states, q=q, p0=p0)


OBSERVED = [  # (date, when, ever, observed, confidence, predicate)
    (dt.date(2025, 7, 1), "x == x1", False, True, 0.85, lambda s: s[X] == 1),
    (dt.date(2025, 10, 1), "y == tense", True, False, 0.95, lambda s: s[Y] == 1),
    (dt.date(2026, 1, 1), "z == on and u == high", False, False, 1.0,
     lambda s: s[Zt] == 1 and s[U] == 1),
]  # fmt: skip
OUTCOMES = [
    lambda s: s[X] == 2 and s[Zt] == 1,
    lambda s: s[U] == 1,
    lambda s: s[V] == 2 or s[W] == 1,
]


@pytest.fixture(scope="module")
def six_tracks(tmp_path_factory):
    """The scenario with its three observations, and the exact answers."""
    path = tmp_path_factory.mktemp("six") / "six.yaml"
    path.write_text(SIX, encoding="utf-8")
    scenario = sim.load_scenario(path)
    observations = [
        observation(scenario, d, when, ever=ever, observed=seen, confidence=c)
        for d, when, ever, seen, c, _ in OBSERVED
    ]
    checks = [
        Check(pred, float((d - START).days), ever, seen, c)
        for d, _, ever, seen, c, pred in OBSERVED
    ]
    h = scenario.horizon_days
    outcomes = [Check(p, h) for p in OUTCOMES] + [Check(OUTCOMES[1], h, ever=True)]
    exact = answers(six_track_chain(), checks, outcomes, h)
    return with_evidence(scenario, *observations), exact


def test_the_joint_chain_is_a_generator():
    joint = six_track_chain()
    assert joint.q.shape == (144, 144)
    assert np.allclose(joint.q.sum(axis=1), 0.0, atol=1e-15)
    assert joint.p0.sum() == pytest.approx(1.0)
    # z cannot switch on while x is in x0; u rises at 1.5 a year while y is tense
    s = (0, 1, 0, 0, 0, 0)
    assert (Zt, 1, 2.0) not in rates(s) and (U, 1, 1.5) in rates(s)


def test_exact_answers_are_sane(six_tracks):
    """Without observations the posterior is the prior; the ever outcome bounds the point one."""
    _, exact = six_tracks
    joint, h = six_track_chain(), 2 * YEAR
    plain = answers(joint, [], [Check(OUTCOMES[1], h), Check(OUTCOMES[1], h, ever=True)], h)
    assert plain.moments == pytest.approx([1, 1, 1, 1])
    assert plain.posterior == pytest.approx(plain.prior, rel=1e-12)
    assert plain.prior[0] < plain.prior[1] < 1
    assert exact.prior[1] == pytest.approx(plain.prior[0], rel=1e-12)
    assert 0.05 < exact.moments[0] < 0.5  # the evidence is informative, not impossible
    # v and w are independent of the observed tracks: "far" does not move
    assert exact.posterior[2] == pytest.approx(exact.prior[2], rel=1e-10)
    # an engine that ignored the evidence would miss "ever_high" by over 20 standard errors
    n_eff = ENGINE_RUNS[0][1] * exact.effective_share
    se = np.sqrt(exact.posterior * (1 - exact.posterior) / n_eff)
    assert np.abs(exact.posterior - exact.prior)[3] > 20 * se[3]


@pytest.mark.parametrize(("engine", "runs"), ENGINE_RUNS)
def test_six_tracks_with_three_observations(six_tracks, engine, runs):
    scenario, exact = six_tracks
    results = run_scenario(scenario, runs=runs, seed=SEED, jobs=1, engine=engine)
    summary = summarize(results)
    ev = summary["evidence"]
    m1, m2 = exact.moments[:2]
    assert abs(ev["probability"] - m1) < Z * math.sqrt((m2 - m1**2) / runs)
    share = ev["effective_runs"] / runs
    assert abs(share - exact.effective_share) < Z * exact.share_se(runs)
    n_eff = ev["effective_runs"]
    ids = ["x2_on", "high", "far", "ever_high"]
    for oid, post, prior in zip(ids, exact.posterior, exact.prior, strict=True):
        got = summary["outcomes"][oid]
        assert abs(got["probability"] - post) < Z * weighted_se(post, n_eff), oid
        se = math.sqrt(prior * (1 - prior) / runs)
        assert abs(got["prior_probability"] - prior) < Z * se, oid


UNIFORM = """\
scenario: uncertain_rate
start: 2025-01-01
horizon: 2 years
parameters:
  r: {label: Rate per year, value: {uniform: [0.2, 3]}}
tracks:
  t: {states: [a, b], initial: a}
events:
  - {id: e, track: t, from: a, to: b, rate: $r per year}
outcomes:
  b: {when: t == b}
"""
LOW, HIGH = 0.2, 3.0


def rate_posterior(days: float):
    """Density, CDF and median of R given "nothing by ``days``", R ~ uniform(LOW, HIGH) per
    year: the likelihood of no event in t = days / 365.25 years is exp(-R t), so the
    posterior density is exp(-R t) / integral over [LOW, HIGH] (Bayes' rule)."""
    t = days / YEAR
    norm = (math.exp(-LOW * t) - math.exp(-HIGH * t)) / t

    def density(r):
        return math.exp(-r * t) / norm

    def cdf(r):
        return integrate.quad(density, LOW, r)[0]

    median = optimize.brentq(lambda r: cdf(r) - 0.5, LOW, HIGH, xtol=1e-13)
    mean = integrate.quad(lambda r: r * density(r), LOW, HIGH)[0]
    return density, median, mean


def test_rate_posterior_closed_form():
    """The median solves exp(-a t) - exp(-m t) = (exp(-a t) - exp(-b t)) / 2."""
    density, median, mean = rate_posterior(365.0)
    t = 365.0 / YEAR
    a, b = math.exp(-LOW * t), math.exp(-HIGH * t)
    assert median == pytest.approx(-math.log((a + b) / 2) / t, rel=1e-10)
    assert LOW < median < mean < (LOW + HIGH) / 2
    assert integrate.quad(density, LOW, HIGH)[0] == pytest.approx(1.0, rel=1e-10)


@pytest.mark.parametrize(("engine", "runs"), ENGINE_RUNS)
def test_an_uncertain_rate_learnt_from_nothing_happening(tmp_path, engine, runs):
    path = tmp_path / "uncertain_rate.yaml"
    path.write_text(UNIFORM, encoding="utf-8")
    scenario = sim.load_scenario(path)
    seen = dt.date(2026, 1, 1)
    scenario = with_evidence(
        scenario, observation(scenario, seen, "t == b", ever=True, observed=False)
    )
    density, median, mean = rate_posterior(float((seen - START).days))
    results = run_scenario(scenario, runs=runs, seed=SEED, jobs=1, engine=engine)
    summary = summarize(results)
    n_eff = summary["evidence"]["effective_runs"]
    r = summary["parameters"]["r"]
    assert r["runs"] == runs  # every run's draw was read
    assert abs(r["prior"]["p50"] - (LOW + HIGH) / 2) < Z * 0.5 / math.sqrt(runs) * (HIGH - LOW)
    # a quantile's standard error: sqrt(q (1 - q) / n_eff) / density at it
    se = weighted_se(0.5, n_eff) / density(median)
    assert abs(r["posterior"]["p50"] - median) < Z * se
    var = integrate.quad(lambda x: (x - mean) ** 2 * density(x), LOW, HIGH)[0]
    assert abs(r["posterior"]["mean"] - mean) < Z * math.sqrt(var / n_eff)
    assert abs(median - (LOW + HIGH) / 2) > 10 * se  # the evidence moved it
