"""Signposts (format section 11) against exact answers: a hand-computed 2x2, the null rules,
and the chain a -> b -> c of the shared case ``indicators_chain`` solved with ``expm``.

The chain: t moves a -> b at 1 a year and b -> c at 2 a year, u (noise, independent) calm ->
noisy at 0.5 a year; start 2025-01-01, horizon 2027-01-01 (H = 730 days); every indicator is
read on 2025-07-01 (D = 181 days) and the outcome is c at the horizon. With P(D) = expm(Q D):

* left_a (t != a ever by D; t never returns to a): P(I) = 1 - P(D)[a, a];
  P(O | I) = [P(D)[a, b] P(H - D)[b, c] + P(D)[a, c]] / P(I), P(O | not I) = P(H - D)[a, c];
* in_b (t == b at D): P(I) = P(D)[a, b], P(O | I) = P(H - D)[b, c],
  P(O | not I) = [P(D)[a, a] P(H - D)[a, c] + P(D)[a, c]] / (1 - P(I));
* noise: independent of t, so P(O | I) = P(O | not I) = P(O), a likelihood ratio of 1 and no
  information; P(I) = 1 - exp(-0.5 D / 365.25).

The numbers are those of ``cases-1.1/expected.json`` (copied here, not read).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy import linalg

import sim
from sim.analysis.evidence import mutual_information_bits, signpost_row
from sim.analysis.summary import summarize
from sim.runner import run_scenario
from tests.engines.observe import (
    YEAR,
    indicator,
    information_se,
    observation,
    signpost_joint,
    weighted_se,
    with_evidence,
)

SEED = 2718
Z = 5.0
ENGINE_RUNS = [("compiled", 40_000), ("numpy", 20_000), ("simpy", 5_000)]

CHAIN = """\
scenario: indicators_chain
start: 2025-01-01
horizon: 2027-01-01
tracks:
  t: {states: [a, b, c], initial: a}
  u: {states: [calm, noisy], initial: calm}
events:
  - {id: ab, track: t, from: a, to: b, rate: 1 per year}
  - {id: bc, track: t, from: b, to: c, rate: 2 per year}
  - {id: noise, track: u, from: calm, to: noisy, rate: 0.5 per year}
outcomes:
  c: {when: t == c}
"""
# cases-1.1/expected.json, indicators_chain, base
EXPECTED_C = 0.747324505070011
EXPECTED = {
    "left_a": {
        "information_bits": 0.14938274142075564,
        "likelihood_ratio": 10.877628074149987,
        "p_indicator": 0.3907648691704495,
        "p_outcome_if_false": 0.6045933980621495,
        "p_outcome_if_true": 0.9698542448492822,
    },
    "in_b": {
        "information_bits": 0.06197303655424777,
        "likelihood_ratio": 6.494912904469447,
        "p_indicator": 0.238067686192651,
        "p_outcome_if_false": 0.6838359674513244,
        "p_outcome_if_true": 0.950518685438132,
    },
    "noise": {
        "information_bits": 0.0,
        "likelihood_ratio": 1.0,
        "p_indicator": 0.2194648433097004,
        "p_outcome_if_false": 0.747324505070011,
        "p_outcome_if_true": 0.747324505070011,
    },
}


def chain_answers() -> dict[str, dict[str, float]]:
    """The module docstring's formulas, then the likelihood ratio and information from the
    2x2 joint: LR = P(I | O) / P(I | not O), MI = sum p(i, o) log2 p(i, o) / (p(i) p(o))."""
    q = np.array([[-1.0, 1.0, 0.0], [0.0, -2.0, 2.0], [0.0, 0.0, 0.0]]) / YEAR
    d, h = 181.0, 730.0
    now, rest = linalg.expm(q * d)[0], linalg.expm(q * (h - d))
    rows = {
        "left_a": (1 - now[0], (now[1] * rest[1, 2] + now[2]) / (1 - now[0]), rest[0, 2]),
        "in_b": (now[1], rest[1, 2], (now[0] * rest[0, 2] + now[2]) / (1 - now[1])),
    }
    p_c = linalg.expm(q * h)[0, 2]
    rows["noise"] = (1 - math.exp(-0.5 * d / YEAR), p_c, p_c)
    out = {}
    for name, (p_i, if_true, if_false) in rows.items():
        joint = signpost_joint(p_i, if_true, if_false)
        p_o = joint[:, 0].sum()
        mi = sum(
            joint[i, j] * math.log2(joint[i, j] / (joint[i].sum() * joint[:, j].sum()))
            for i in range(2)
            for j in range(2)
        )
        out[name] = {
            "p_indicator": p_i,
            "p_outcome_if_true": if_true,
            "p_outcome_if_false": if_false,
            "likelihood_ratio": (joint[0, 0] / p_o) / (joint[0, 1] / (1 - p_o)),
            "information_bits": max(mi, 0.0),
            "joint": joint,
        }
    return out


def test_closed_forms_give_the_shared_numbers():
    got = chain_answers()
    for name, row in EXPECTED.items():
        for key, value in row.items():
            assert got[name][key] == pytest.approx(value, rel=1e-9, abs=1e-12), (name, key)


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    path = tmp_path_factory.mktemp("chain") / "indicators_chain.yaml"
    path.write_text(CHAIN, encoding="utf-8")
    sc = sim.load_scenario(path)
    july = [dt.date(2025, 7, 1)]
    return with_evidence(
        sc,
        indicators=(
            indicator(sc, "left_a", "t != a", july, ever=True),
            indicator(sc, "in_b", "t == b", july),
            indicator(sc, "noise", "u == noisy", july),
        ),
    )


@pytest.mark.parametrize(("engine", "runs"), ENGINE_RUNS)
def test_signposts_of_the_chain(chain, engine, runs):
    want = chain_answers()
    results = run_scenario(chain, runs=runs, seed=SEED, jobs=1, engine=engine)
    summary = summarize(results)
    assert "evidence" not in summary  # indicators are never evidence
    p_c = summary["outcomes"]["c"]["probability"]
    assert abs(p_c - EXPECTED_C) < Z * math.sqrt(EXPECTED_C * (1 - EXPECTED_C) / runs)
    rows = summary["signposts"]["c"]
    assert [r["indicator"] for r in rows] == ["left_a", "in_b", "noise"]  # by information
    for row in rows:
        exact = want[row["indicator"]]
        assert row["date"] == "2025-07-01"
        p_i = exact["p_indicator"]
        assert abs(row["p_indicator"] - p_i) < Z * math.sqrt(p_i * (1 - p_i) / runs)
        for key, n in (("p_outcome_if_true", p_i * runs), ("p_outcome_if_false", (1 - p_i) * runs)):
            p = exact[key]
            assert abs(row[key] - p) < Z * math.sqrt(p * (1 - p) / n), (row["indicator"], key)
        assert row["likelihood_ratio"] == pytest.approx(exact["likelihood_ratio"], rel=0.15)
        se = information_se(exact["joint"], runs)
        assert abs(row["information_bits"] - exact["information_bits"]) < Z * se


def test_a_hand_computed_row():
    """Five runs weighted 1, 2, 3, 4, 0: joint [[0.1, 0.2], [0.4, 0.3]]."""
    ind = np.array([True, True, False, False, True])
    out = np.array([True, False, False, True, True])
    w = np.array([1.0, 2.0, 3.0, 4.0, 0.0])
    row = signpost_row(ind, out, w)
    mi = (
        0.1 * math.log2(0.1 / (0.3 * 0.5))
        + 0.2 * math.log2(0.2 / (0.3 * 0.5))
        + 0.4 * math.log2(0.4 / (0.7 * 0.5))
        + 0.3 * math.log2(0.3 / (0.7 * 0.5))
    )
    assert row == {
        "p_indicator": pytest.approx(0.3),
        "p_outcome_if_true": pytest.approx(1 / 3),
        "p_outcome_if_false": pytest.approx(4 / 7),
        "likelihood_ratio": pytest.approx((0.1 / 0.5) / (0.2 / 0.5)),
        "information_bits": pytest.approx(mi, rel=1e-12),
    }
    assert mi == pytest.approx(0.0349, abs=1e-4)
    # without weights every run counts once: joint [[2, 1], [1, 1]] / 5
    plain = signpost_row(ind, out, None)
    assert plain["p_indicator"] == pytest.approx(0.6)
    assert plain["p_outcome_if_true"] == pytest.approx(2 / 3)
    assert plain["likelihood_ratio"] == pytest.approx((2 / 3) / (1 / 2))


def test_null_rules():
    """Section 11: P(O | I) null when P(I) = 0, P(O | not I) null when P(I) = 1, the
    likelihood ratio null when P(O) is 0 or 1 or P(I | not O) = 0; 0 log 0 = 0."""
    yes, no = np.ones(4, bool), np.zeros(4, bool)
    mixed = np.array([True, False, True, False])
    never = signpost_row(no, mixed, None)
    assert never["p_indicator"] == 0.0 and never["p_outcome_if_true"] is None
    assert never["p_outcome_if_false"] == 0.5
    assert never["likelihood_ratio"] is None  # P(I | not O) = 0
    assert never["information_bits"] == 0.0
    always = signpost_row(yes, mixed, None)
    assert always["p_outcome_if_false"] is None and always["p_outcome_if_true"] == 0.5
    assert always["likelihood_ratio"] == 1.0 and always["information_bits"] == 0.0
    for certain in (yes, no):  # P(O) is 1 or 0
        row = signpost_row(mixed, certain, None)
        assert row["likelihood_ratio"] is None and row["information_bits"] == 0.0
    # I only when O: P(I | not O) = 0, the ratio is null; I = O carries all of O's entropy
    same = signpost_row(mixed, mixed, None)
    assert same["likelihood_ratio"] is None
    assert same["p_outcome_if_true"] == 1.0 and same["p_outcome_if_false"] == 0.0
    assert same["information_bits"] == pytest.approx(1.0, rel=1e-15)
    # zero weights drop runs: the one run that would make P(I | not O) > 0 weighs nothing
    row = signpost_row(np.array([True, True, False]), np.array([True, False, False]),
                       np.array([1.0, 0.0, 1.0]))  # fmt: skip
    assert row["likelihood_ratio"] is None and row["information_bits"] == pytest.approx(1.0)


def test_mutual_information_by_hand():
    assert mutual_information_bits(np.array([[0.5, 0.0], [0.0, 0.5]])) == pytest.approx(1.0)
    assert mutual_information_bits(np.array([[0.25, 0.25], [0.25, 0.25]])) == 0.0
    # one empty cell: 0.25 log2(0.25 / (0.25 x 0.5)) + 0.25 log2(0.25 / (0.75 x 0.5))
    #                 + 0.5 log2(0.5 / (0.75 x 0.5)) = 0.25 + 0.25 log2(2/3) + 0.5 log2(4/3)
    got = mutual_information_bits(np.array([[0.25, 0.0], [0.25, 0.5]]))
    assert got == pytest.approx(0.25 + 0.25 * math.log2(2 / 3) + 0.5 * math.log2(4 / 3))
    assert got == pytest.approx(0.3112781244591328, rel=1e-12)
    # a variable that never varies carries no information
    assert mutual_information_bits(np.array([[0.3, 0.7], [0.0, 0.0]])) == 0.0
    assert mutual_information_bits(np.array([[0.0, 0.0], [0.0, 1.0]])) == 0.0


def test_signposts_are_weighted_by_the_evidence(chain):
    """Noise seen on 2025-07-01 with confidence 90%: the t indicators keep their exact values
    (u is independent of t), and the noise indicator, read on the observed day, has
    P(I) = c p / (c p + (1 - c)(1 - p)), p its prior probability (Bayes' rule)."""
    runs, c = 40_000, 0.9
    seen = observation(chain, dt.date(2025, 7, 1), "u == noisy", observed=True, confidence=c)
    scenario = with_evidence(chain, seen, indicators=chain.indicators)
    summary = summarize(run_scenario(scenario, runs=runs, seed=SEED, jobs=1, engine="compiled"))
    n_eff = summary["evidence"]["effective_runs"]
    want = chain_answers()
    rows = {r["indicator"]: r for r in summary["signposts"]["c"]}
    for name in ("left_a", "in_b"):
        p_i = want[name]["p_indicator"]
        assert abs(rows[name]["p_indicator"] - p_i) < Z * weighted_se(p_i, n_eff)
    p = want["noise"]["p_indicator"]
    post = c * p / (c * p + (1 - c) * (1 - p))
    assert abs(rows["noise"]["p_indicator"] - post) < Z * weighted_se(post, n_eff)
    assert abs(post - p) > 20 * weighted_se(post, n_eff)


def test_each_side_of_a_signpost_has_its_effective_runs_and_interval():
    from sim.analysis.evidence import group_effective_runs, signpost_intervals

    ind = np.array([True, True, True, False, False])
    out = np.array([True, False, True, True, False])
    w = np.array([1.0, 0.5, 0.5, 0.2, 0.0])
    # seen: sum w = 2, sum w^2 = 1.5 -> 8/3; not seen: 0.2^2 / 0.04 = 1 (the weightless run
    # counts for nothing)
    assert group_effective_runs(ind[:, None], w)[:, 0] == pytest.approx([8 / 3, 1.0])
    assert group_effective_runs(ind[:, None], None)[:, 0].tolist() == [3.0, 2.0]
    row = signpost_row(ind, out, w)
    assert row["p_outcome_if_true"] == pytest.approx(1.5 / 2)
    extra = signpost_intervals(row, 8 / 3, 1.0)
    z = 1.959963984540054
    n, p = 8 / 3, 0.75
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert extra["p_outcome_if_true_ci95"] == pytest.approx([centre - half, centre + half])
    assert extra["p_outcome_if_false_ci95"] == pytest.approx([1 / (1 + z * z), 1.0])
    assert extra["effective_runs_if_true"] == pytest.approx(8 / 3)
    never = signpost_intervals(signpost_row(np.zeros(5, bool), out, None), 0.0, 5.0)
    assert never["p_outcome_if_true_ci95"] is None and never["effective_runs_if_true"] == 0.0
