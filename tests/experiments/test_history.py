"""``run_history``: the forecast as of each observation date, against closed forms."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest

from sim import load_scenario
from sim.contracts.history import HistoryFile
from sim.experiments.history import as_of_dates, run_history
from sim.model.conditions import Test as InStates
from sim.model.evidence import Observation
from sim.report.history import HISTORY_COLUMNS, write_history

# One track a -> b, 50% within one year (hazard ln 2 / 365.25 per day), horizon two years
# (730.5 days). Memoryless: P(b by the horizon) = 1 - 0.5^2 = 0.75; given no b by day d,
# P(b by the horizon) = 1 - 0.5^((730.5 - d) / 365.25).
MEMORYLESS = """
scenario: memoryless
start: 2025-01-01
horizon: 2 years
tracks:
  t: {states: [a, b], initial: a}
events:
  - {id: e, track: t, from: a, to: b, chance: 50% within 1 year}
outcomes:
  b: {when: t == b}
"""
RUNS = 20_000
B = InStates(0, frozenset({1}))


def _given_nothing_by(day: float) -> float:
    return 1.0 - 0.5 ** ((730.5 - day) / 365.25)


def _none_by(date: dt.date, ever: bool = True, observed: bool = False, confidence: float = 1.0):
    day = float((date - dt.date(2025, 1, 1)).days)
    return Observation(date, day, B, "t == b", ever, observed, confidence)


@pytest.fixture
def scenario(write_scenario):
    return load_scenario(write_scenario(MEMORYLESS))


def _close(estimate: float, exact: float, n_eff: float) -> None:
    se = math.sqrt(exact * (1 - exact) / n_eff)
    assert abs(estimate - exact) <= 5 * se, (estimate, exact, se)


def test_the_forecast_as_of_each_date_matches_the_closed_form(scenario):
    year = _none_by(dt.date(2026, 1, 1))  # "ever b by 2026-01-01": false (day 365)
    history = run_history(
        dataclasses.replace(scenario, evidence=(year,)), runs=RUNS, seed=3, jobs=1
    )
    start, after = history.points
    assert (start.date, after.date) == (dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    assert (start.observations, after.observations) == (0, 1)
    assert start.effective_runs == RUNS and start.evidence_probability == 1.0
    _close(start.probability[0], 0.75, RUNS)
    # the evidence's probability: no b by day 365, 0.5^(365 / 365.25)
    _close(after.evidence_probability, 0.5 ** (365 / 365.25), RUNS)
    # a certain observation keeps the agreeing runs, each weighing 1: n_eff is their number
    assert after.effective_runs == pytest.approx(after.evidence_probability * RUNS, rel=1e-12)
    _close(after.probability[0], _given_nothing_by(365.0), after.effective_runs)
    assert _given_nothing_by(365.0) == pytest.approx(0.5, abs=1e-3)
    for p in history.points:  # the interval is Wilson's with n_eff around the estimate
        assert p.ci_low[0] < p.probability[0] < p.ci_high[0]
    half = after.ci_high[0] - after.ci_low[0]
    assert half == pytest.approx(2 * 1.96 * math.sqrt(0.25 / after.effective_runs), rel=0.02)
    assert history.notes() == []


def test_a_later_observation_leaves_the_earlier_points_as_they_were(scenario):
    early = _none_by(dt.date(2025, 7, 1))
    late = _none_by(dt.date(2026, 3, 1), ever=False, observed=True, confidence=0.9)
    one = run_history(dataclasses.replace(scenario, evidence=(early,)), runs=4000, seed=5, jobs=1)
    two = run_history(
        dataclasses.replace(scenario, evidence=(late, early)), runs=4000, seed=5, jobs=1
    )
    assert [p.date for p in two.points] == [
        dt.date(2025, 1, 1),
        dt.date(2025, 7, 1),
        dt.date(2026, 3, 1),
    ]
    assert two.points[:2] == one.points  # same runs, reweighted: not a digit moves
    assert two.points[2].observations == 2
    # the 90%-sure "b on 2026-03-01" makes b at the horizon far more likely than before
    assert two.points[2].probability[0] > two.points[1].probability[0] + 0.2


def test_observations_at_one_date_are_one_point_and_the_start_comes_first(scenario):
    a = _none_by(dt.date(2025, 7, 1))
    b = _none_by(dt.date(2025, 7, 1), ever=False)
    sc = dataclasses.replace(scenario, evidence=(a, b))
    assert as_of_dates(sc) == [dt.date(2025, 1, 1), dt.date(2025, 7, 1)]


def test_a_ruled_out_point_has_no_probability_from_then_on(scenario):
    # b on 2025-03-01 (about 13% of runs), then "never b by 2025-09-01": no run does both
    fine = _none_by(dt.date(2025, 3, 1), ever=False, observed=True)
    impossible = _none_by(dt.date(2025, 9, 1))
    history = run_history(
        dataclasses.replace(scenario, evidence=(fine, impossible)), runs=1000, seed=1, jobs=1
    )
    assert [p.ruled_out for p in history.points] == [False, False, True]
    assert history.points[2].probability == (None,)
    assert history.points[2].effective_runs == 0.0
    (note,) = history.notes()
    assert "from 2025-09-01 no run agrees" in note
    data = history.to_dict()
    HistoryFile.model_validate(data)
    assert data["points"][2]["outcomes"]["b"] == {"probability": None, "ci95": None}


def test_no_evidence_gives_the_start_alone_with_a_note(scenario):
    history = run_history(scenario, runs=500, seed=1, jobs=1)
    assert len(history.points) == 1 and history.points[0].observations == 0
    assert "one point" in history.notes()[0]


def test_the_files_layout(scenario, tmp_path):
    obs = (_none_by(dt.date(2026, 1, 1)), _none_by(dt.date(2025, 6, 1), confidence=0.8))
    history = run_history(dataclasses.replace(scenario, evidence=obs), runs=2000, seed=2, jobs=1)
    written = write_history(history.to_dict(), tmp_path, charts=True)
    assert {p.name for p in written} == {
        "history.json",
        "history.csv",
        "history.png",
        "history.svg",
    }
    data = json.loads((tmp_path / "history.json").read_text(encoding="utf-8"))
    HistoryFile.model_validate(data)
    assert [p["date"] for p in data["points"]] == ["2025-01-01", "2025-06-01", "2026-01-01"]
    assert [o["date"] for o in data["observations"]] == ["2026-01-01", "2025-06-01"]
    assert data["observations"][1]["confidence"] == 0.8
    frame = pd.read_csv(tmp_path / "history.csv")
    assert tuple(frame.columns) == HISTORY_COLUMNS
    assert frame["observations"].tolist() == [0, 1, 2]
    for row, point in zip(frame.itertuples(), data["points"], strict=True):
        assert row.date == point["date"]
        assert row.probability == point["outcomes"]["b"]["probability"]
        assert [row.ci_low, row.ci_high] == point["outcomes"]["b"]["ci95"]
        assert row.effective_runs == point["effective_runs"]
    assert (tmp_path / "history.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert np.isclose(data["points"][0]["outcomes"]["b"]["probability"], 0.75, atol=0.05)


@pytest.mark.parametrize("engine", ["numpy", "simpy"])
def test_every_engine_and_any_jobs_give_the_same_history(scenario, engine):
    obs = (_none_by(dt.date(2025, 5, 1)), _none_by(dt.date(2026, 2, 1), ever=False, confidence=0.7))
    sc = dataclasses.replace(scenario, evidence=obs)
    compiled = run_history(sc, runs=300, seed=9, jobs=1, engine="compiled")
    other = run_history(sc, runs=300, seed=9, jobs=2, engine=engine)
    assert other.points == compiled.points
