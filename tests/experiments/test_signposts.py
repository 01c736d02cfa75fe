"""``run_signposts``: candidate signposts ranked by information, on the chain
a -(1/year)-> b -(2/year)-> c beside an independent noise track."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math

import pytest
from ruamel.yaml import YAML

from sim import load_scenario
from sim.experiments.signposts import candidate_dates, default_indicator_dates, run_signposts
from sim.model.conditions import Not
from sim.model.conditions import Test as InStates
from sim.model.evidence import Indicator
from sim.report.signposts import signposts_yaml, write_signposts

# /work/shared/cases-1.1/indicators_chain.yaml without its indicators (added below)
CHAIN = """
scenario: indicators_chain
title: Which early sign says most about the end state?
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
JULY = ((dt.date(2025, 7, 1), 181.0),)
INDICATORS = (
    Indicator("left_a", "left_a", Not(InStates(0, frozenset({0}))), "t != a", True, JULY),
    Indicator("in_b", "in_b", InStates(0, frozenset({1})), "t == b", False, JULY),
    Indicator("noise", "noise", InStates(1, frozenset({1})), "u == noisy", False, JULY),
)
# exact answers of the chain (/work/shared/cases-1.1/expected.json, Markov-chain solution)
P_C = 0.747324505070011
LEFT_A = {
    "p_indicator": 0.3907648691704495,
    "p_outcome_if_true": 0.9698542448492822,
    "p_outcome_if_false": 0.6045933980621495,
    "information_bits": 0.14938274142075564,
}
NOISE_P = 0.2194648433097004
RUNS = 20_000


@pytest.fixture
def chain(write_scenario):
    return dataclasses.replace(load_scenario(write_scenario(CHAIN)), indicators=INDICATORS)


@pytest.fixture
def found(chain):
    return run_signposts(chain, runs=RUNS, seed=11, jobs=1)


def _se(p: float, n: float) -> float:
    return math.sqrt(p * (1 - p) / n)


def test_ever_in_b_is_left_a_and_ranks_first(found):
    rows = found.rows[0]
    # t == a ever is certain (every run starts in a), u == calm too: left out
    assert [r.candidate.when(found.scenario) for r in rows] == ["t == b", "t == c", "u == noisy"]
    assert found.candidates == 5 and found.dates == (dt.date(2025, 7, 1),)
    assert found.dates_from == "indicators"
    best = rows[0]
    own = {r["indicator"]: r for r in found.indicators["c"]}
    # "t != a ever" is the event "t == b ever" (a leads only to b): the same numbers exactly
    for key in ("p_indicator", "p_outcome_if_true", "p_outcome_if_false", "information_bits"):
        assert getattr(best, key) == own["left_a"][key]
    p = LEFT_A["p_indicator"]
    assert abs(best.p_indicator - p) <= 5 * _se(p, RUNS)
    q = LEFT_A["p_outcome_if_true"]
    assert abs(best.p_outcome_if_true - q) <= 5 * _se(q, RUNS * p)
    q = LEFT_A["p_outcome_if_false"]
    assert abs(best.p_outcome_if_false - q) <= 5 * _se(q, RUNS * (1 - p))
    assert abs(found.probability[0] - P_C) <= 5 * _se(P_C, RUNS)
    assert best.information_bits == pytest.approx(LEFT_A["information_bits"], abs=0.01)


def test_the_noise_candidate_carries_next_to_no_information(found):
    noise = found.rows[0][-1]
    assert noise.candidate.when(found.scenario) == "u == noisy"
    # independent of the outcome: the plug-in estimate's bias is about 1 / (2 N ln 2) bits
    assert noise.information_bits < 20 / (2 * RUNS * math.log(2))
    assert abs(noise.p_indicator - NOISE_P) <= 5 * _se(NOISE_P, RUNS)


def test_top_keeps_the_best(chain):
    few = run_signposts(chain, runs=2000, seed=11, top=1, jobs=1)
    assert [r.candidate.when(chain) for r in few.rows[0]] == ["t == b"]
    assert list(few.suggested()) == ["ever_t_b"]


def test_default_dates(chain):
    plain = dataclasses.replace(chain, indicators=())
    dates, source = candidate_dates(plain)
    assert source == "quarters"
    assert dates == [
        dt.date(2025, 4, 1),
        dt.date(2025, 7, 1),
        dt.date(2025, 10, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 4, 1),
        dt.date(2026, 7, 1),
        dt.date(2026, 10, 1),
    ]
    reported = dataclasses.replace(
        plain,
        report_dates=((dt.date(2025, 1, 1), 0.0), (dt.date(2026, 2, 1), 396.0)),
    )
    assert default_indicator_dates(reported) == ([dt.date(2026, 2, 1)], "report.dates")


def test_the_yaml_is_safe_and_holds_the_suggested_indicators(found, tmp_path):
    data = found.to_dict()
    write_signposts(data, tmp_path)
    text = (tmp_path / "signposts.yaml").read_text(encoding="utf-8")
    assert text == signposts_yaml(data)
    loaded = YAML(typ="safe", pure=True).load(io.StringIO(text))
    assert loaded == {
        "indicators": {
            "ever_t_b": {
                "label": "t has been b (at some time)",
                "when": "t == b",
                "ever": True,
                "dates": [dt.date(2025, 7, 1)],
            },
            "ever_t_c": {
                "label": "t has been c (at some time)",
                "when": "t == c",
                "ever": True,
                "dates": [dt.date(2025, 7, 1)],
            },
            "ever_u_noisy": {
                "label": "u has been noisy (at some time)",
                "when": "u == noisy",
                "ever": True,
                "dates": [dt.date(2025, 7, 1)],
            },
        }
    }
    rows = data["outcomes"]["c"]["candidates"]
    assert [r["indicator"] for r in rows] == ["ever_t_b", "ever_t_c", "ever_u_noisy"]
    assert [r["indicator"] for r in data["outcomes"]["c"]["indicators"]] == [
        "left_a",
        "in_b",
        "noise",
    ]


def test_hostile_labels_stay_text(write_scenario, tmp_path):
    text = CHAIN.replace(
        "t: {states: [a, b, c], initial: a}",
        "t: {label: \"!!python/object:os.system '#x' &a *a\", states: [a, b, c], initial: a}",
    )
    sc = load_scenario(write_scenario(text))
    found = run_signposts(sc, runs=300, seed=1, top=2, jobs=1)
    data = found.to_dict()
    loaded = YAML(typ="safe", pure=True).load(io.StringIO(signposts_yaml(data)))
    labels = {v["label"] for v in loaded["indicators"].values()}
    assert "!!python/object:os.system '#x' &a *a has been c (at some time)" in labels


def test_an_id_taken_by_the_scenario_gets_a_suffix(chain):
    taken = dataclasses.replace(
        chain, indicators=(dataclasses.replace(INDICATORS[0], id="ever_t_b"),)
    )
    found = run_signposts(taken, runs=500, seed=1, top=1, jobs=1)
    assert list(found.suggested()) == ["ever_t_b_2"]
    assert found.to_dict()["outcomes"]["c"]["candidates"][0]["indicator"] == "ever_t_b_2"


def test_the_yaml_pasted_into_the_scenario_loads(found, write_scenario):
    text = CHAIN + signposts_yaml(found.to_dict())
    sc = load_scenario(write_scenario(text, "pasted.yaml"))
    assert [i.id for i in sc.indicators] == ["ever_t_b", "ever_t_c", "ever_u_noisy"]
    assert all(i.ever and i.dates == JULY for i in sc.indicators)


@pytest.mark.parametrize("engine", ["numpy", "simpy"])
def test_every_engine_ranks_the_same_runs_alike(chain, engine):
    compiled = run_signposts(chain, runs=400, seed=2, jobs=1, engine="compiled")
    other = run_signposts(chain, runs=400, seed=2, jobs=2, engine=engine)
    assert other.rows == compiled.rows and other.indicators == compiled.indicators
