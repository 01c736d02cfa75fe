"""The grid of curves over time: calendar months and scheduled dates when ``report.every`` is
absent, the format's ``start + k every`` (a month of 365.25/12 days) when it is written."""

from __future__ import annotations

import sim
from sim.analysis.tables import first_passage_frame, occupancy_frame
from sim.runner import run_scenario
from tests.conftest import OWN_CASES

FIXED = OWN_CASES / "fixed_dates.yaml"  # start 2026-01-01, recall at 2026-03-15, end 06-30


def _dates(scenario) -> list[str]:
    return [scenario.date_of(d).isoformat() for d in scenario.grid_days]


def test_without_every_the_grid_is_the_first_of_each_month_and_the_scheduled_dates():
    scenario = sim.load_scenario(FIXED)
    assert scenario.report_every_text == "calendar month"
    assert _dates(scenario) == [
        "2026-01-01", "2026-02-01", "2026-03-01", "2026-03-14", "2026-03-15", "2026-04-01",
        "2026-05-01", "2026-06-01", "2026-06-30",
    ]  # fmt: skip
    # a variant that moves the recall past the horizon drops its date from the grid
    later = sim.load_scenario(FIXED, "later_recall")
    assert "2026-03-15" not in _dates(later) and len(later.grid_days) == 7
    assert "2026-03-14" not in _dates(later)
    # the curves are on that grid: the recall is seen on its own day, after it fires
    results = run_scenario(scenario, runs=8, seed=1, jobs=1)
    table = occupancy_frame(results)
    recalled = table[(table.track == "mission") & (table.state == "recalled")]
    assert recalled.set_index("date")["share"].to_dict() == {
        "2026-01-01": 0.0, "2026-02-01": 0.0, "2026-03-01": 0.0, "2026-03-14": 0.0,
        "2026-03-15": 1.0, "2026-04-01": 1.0, "2026-05-01": 1.0, "2026-06-01": 1.0, "2026-06-30": 1.0,
    }  # fmt: skip
    # probability over time of the outcomes read at the horizon: the review is done 45 days
    # after the start (2026-02-15), the recall on 2026-03-15; every run alike
    curves = first_passage_frame(results)
    holds = curves.pivot(index="date", columns="outcome", values="holds")
    assert holds["reviewed"].tolist() == [0, 0, 1, 1, 1, 1, 1, 1, 1]
    assert holds["recalled"].tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 1]


def test_an_explicit_every_keeps_the_formats_grid(write_scenario):
    text = FIXED.read_text(encoding="utf-8") + "report: {every: 1 month}\n"
    scenario = sim.load_scenario(write_scenario(text))
    assert scenario.report_every_text == "1 month"
    month = 365.25 / 12
    assert scenario.grid_days == tuple(k * month for k in range(6)) + (180.0,)
    assert _dates(scenario)[1:3] == ["2026-01-31", "2026-03-02"]  # floor(30.44), floor(60.88)
