"""``plot_history``: step curves over the as-of dates, gaps where the evidence rules out."""

from __future__ import annotations

import numpy as np

from sim.plots.history import plot_history
from sim.plots.style import close_figure


def _point(date, p, observations):
    ci = None if p is None else [max(p - 0.05, 0.0), min(p + 0.05, 1.0)]
    return {
        "date": date,
        "observations": observations,
        "evidence_probability": 1.0,
        "effective_runs": 0.0 if p is None else 100.0,
        "ruled_out": p is None,
        "outcomes": {"x": {"probability": p, "ci95": ci}},
    }


DATA = {
    "start": "2025-01-01",
    "horizon": "2027-01-01",
    "outcomes": {"x": {"label": "Costs $5 [sic]"}},
    "observations": [{"date": "2025-06-01"}, {"date": "2025-06-01"}, {"date": "2026-02-01"}],
    "points": [
        _point("2025-01-01", 0.4, 0),
        _point("2025-06-01", 0.7, 2),
        _point("2026-02-01", None, 3),
    ],
}


def test_curves_gaps_and_observation_marks():
    ax = plot_history(DATA)
    try:
        step = next(line for line in ax.get_lines() if line.get_label() == r"Costs \$5 [sic]")
        assert step.get_drawstyle() == "steps-post"
        assert np.isnan(step.get_ydata()[-1])  # ruled out: no value drawn
        marks = [line for line in ax.get_lines() if line.get_marker() == "^"]
        assert len(marks) == 1 and len(marks[0].get_xdata()) == 2  # two distinct dates
        texts = [t.get_text() for t in ax.get_legend().get_texts()]
        assert texts == [r"Costs \$5 [sic]", "observation (dated here)"]
    finally:
        close_figure(ax.get_figure())


def test_one_point_without_observations():
    data = {**DATA, "observations": [], "points": [_point("2025-01-01", 0.4, 0)]}
    ax = plot_history(data)
    try:
        assert not [line for line in ax.get_lines() if line.get_marker() == "^"]
    finally:
        close_figure(ax.get_figure())
