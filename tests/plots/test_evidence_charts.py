"""The charts of evidence and signposts: what is drawn where, from values set by hand."""

from __future__ import annotations

import pytest

from sim.plots import plot_outcomes, plot_parameter_shifts, plot_signposts
from sim.plots.signposts import short_date, signpost_label
from sim.plots.style import close_figure, save_figure
from tests.report.evidence_helpers import evidence_summary

ARABIC = "\u0627\u0644\u0646\u0641\u0648\u0630 \u064a\u062a\u0648\u0633\u0639"


def _lines(ax):
    """(x data, y data) of each 2-point line drawn (the dumbbells, the ranges)."""
    return [
        (list(map(float, ln.get_xdata())), list(map(float, ln.get_ydata())))
        for ln in ax.get_lines()
        if len(ln.get_xdata()) == 2 and ln.get_linestyle() == "-"
    ]


def test_short_date_and_labels():
    assert short_date("2026-09-30") == "30 Sep 2026" and short_date("soon") == "soon"
    row = {"indicator": "gone", "date": "2026-09-30", "p_indicator": 0.35}
    assert signpost_label(row, {"gone": {"label": "US gone", "ever": True}}) == (
        "US gone, by 30 Sep 2026 (35.0%)"
    )
    assert signpost_label(row, {}) == "gone, on 30 Sep 2026 (35.0%)"
    # After right-to-left text the date goes on its own line, kept in reading order.
    assert signpost_label(row, {"gone": {"label": ARABIC}}) == f"{ARABIC}\non 30 Sep 2026 (35.0%)"


def test_signposts_chart_draws_each_dumbbell(tmp_path):
    s = evidence_summary()
    fig = plot_signposts(s["signposts"], s["outcomes"], s["indicators"])
    axes = fig.axes
    assert len(axes) == 2  # one panel per outcome with a signpost worth watching
    # security_vacuum: talks by 1 Dec, 10% if not -> 35% if seen, P(O) = 20% dashed.
    assert _lines(axes[0]) == [([0.1, 0.35], [0.0, 0.0])]
    dashed = [ln for ln in axes[0].get_lines() if ln.get_linestyle() == "--"]
    assert [float(ln.get_xdata()[0]) for ln in dashed] == [0.2]
    assert axes[0].get_title(loc="left") == "Security vacuum: now 20.0%"
    assert [t.get_text() for t in axes[0].get_yticklabels()] == [
        "The talks open, by 1 Dec 2025 (40.0%)"
    ]
    assert _lines(axes[1]) == [([0.9, 0.5], [0.0, 0.0])]
    png, _ = save_figure(fig, tmp_path, "signposts")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_signposts_chart_without_rows_worth_watching():
    s = evidence_summary()
    quiet = {o: [r | {"information_bits": 0.0} for r in rows] for o, rows in s["signposts"].items()}
    fig = plot_signposts(quiet, s["outcomes"], s["indicators"])
    assert not fig.axes[0].has_data()
    assert "No signpost" in fig.axes[0].texts[0].get_text()
    close_figure(fig)


def test_parameter_shifts_draws_prior_and_posterior_ranges(tmp_path):
    s = evidence_summary()
    fig = plot_parameter_shifts(s["parameters"], ["risk", "delay"])
    risk, delay = fig.axes
    assert _lines(risk) == [([0.1, 0.3], [0.0, 0.0]), ([0.15, 0.34], [1.0, 1.0])]
    assert _lines(delay) == [([30.0, 90.0], [0.0, 0.0]), ([31.0, 90.0], [1.0, 1.0])]
    assert risk.get_title(loc="left") == "Risk of collapse"
    assert delay.get_xlabel() == "days"
    png, _ = save_figure(fig, tmp_path, "shifts")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_outcomes_chart_marks_the_prior_and_survives_nulls():
    s = evidence_summary()
    ax = plot_outcomes(s["outcomes"])
    bars = [p.get_width() for p in ax.patches]
    assert bars == pytest.approx([0.2, 0.8])
    diamonds = [ln for ln in ax.get_lines() if ln.get_marker() == "D"]
    assert list(diamonds[0].get_xdata()) == pytest.approx([0.31, 0.55])
    assert "before the evidence" in ax.get_title(loc="left")
    close_figure(ax.get_figure())

    for o in s["outcomes"].values():
        o |= {"probability": None, "ci95": None, "words": None}
    ax = plot_outcomes(s["outcomes"])
    assert len(ax.patches) == 0  # no bar without a probability
    right = ax.child_axes[0]  # the secondary axis: probability and words
    assert [t.get_text() for t in right.get_yticklabels()] == ["ruled out", "ruled out"]
    diamonds = [ln for ln in ax.get_lines() if ln.get_marker() == "D"]
    assert list(diamonds[0].get_xdata()) == pytest.approx([0.31, 0.55])
    close_figure(ax.get_figure())


def test_parameter_titles_are_plain_text():
    s = evidence_summary()
    s["parameters"]["risk"]["label"] = "Cost $5 to $10"
    fig = plot_parameter_shifts(s["parameters"], ["risk"])
    assert fig.axes[0].get_title(loc="left") == r"Cost \$5 to \$10"  # escaped once: no mathtext
    close_figure(fig)
