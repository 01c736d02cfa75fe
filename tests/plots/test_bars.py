"""The bar-panel helpers shared by the sensitivity charts, against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from sim.plots.bars import finite_or_zero, panel_figure, param_label, rows_height
from sim.plots.style import close_figure

NBSP = "\u00a0"


def test_param_label_appends_the_value_as_written():
    labels = {"risk": {"label": "Risk of escalation", "value": "3% to 10%"}}
    assert param_label("risk", labels) == f"Risk of escalation (3%{NBSP}to{NBSP}10%)"


def test_param_label_leaves_out_a_value_the_label_shows():
    labels = {"risk": {"label": "Risk 3% to 10%", "value": "3% to 10%"}}
    assert param_label("risk", labels) == "Risk 3% to 10%"


def test_param_label_without_metadata_is_readable_not_the_address():
    assert param_label("exit.chance", None) == "exit: chance"
    assert param_label("exit.chance", {"other": "Other"}) == "exit: chance"
    assert param_label("risk", None) == "risk"


def test_param_label_puts_the_value_under_right_to_left_text():
    labels = {"p": {"label": "\u062e\u0637\u0631", "value": "1 to 2"}}
    assert param_label("p", labels) == f"\u062e\u0637\u0631\n(1{NBSP}to{NBSP}2)"


def test_param_label_wraps_at_the_width():
    labels = {"p": {"label": "aaaa bbbb cccc", "value": "1 to 2"}}
    # 'aaaa bbbb cccc (1 to 2)' with the value kept whole, 10 characters a line.
    assert param_label("p", labels, width=10) == f"aaaa bbbb\ncccc\n(1{NBSP}to{NBSP}2)"


def test_rows_height_sums_lines_with_a_minimum():
    # One line: 0.165 + 0.12 = 0.285 < 0.3, so 0.3; two lines: 0.33 + 0.12 = 0.45.
    assert rows_height(["a", "b\nc"]) == pytest.approx(0.75)
    assert rows_height(["a", "b\nc"], minimum=0.4) == pytest.approx(0.85)
    assert rows_height([]) == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.25, 0.25), ("0.5", 0.5), (None, 0.0), ("x", 0.0), (math.nan, 0.0), (math.inf, 0.0)],
)
def test_finite_or_zero(value, expected):
    assert finite_or_zero(value) == expected


def test_panel_figure_heights():
    # Rows: max(0.3, 0.45) = 0.45 and 0.3 + 0.45 = 0.75; titles of 1 and 2 lines add
    # 0.75 + 0.18 and 0.75 + 0.36; plus 0.7: 0.45 + 0.75 + 0.93 + 1.11 + 0.7 = 3.94 inches.
    fig, axes = panel_figure([("one", ["a"]), ("two\nlines", ["a", "b\nc"])], 9.5, "none")
    assert len(axes) == 2
    assert fig.get_size_inches() == pytest.approx((9.5, 3.94))
    close_figure(fig)


def test_panel_figure_without_panels_says_so():
    fig, axes = panel_figure([], 9.5, "no outcomes")
    assert axes == []
    assert fig.get_size_inches() == pytest.approx((9.5, 2.0))
    assert [t.get_text() for t in fig.axes[0].texts] == ["no outcomes"]
    close_figure(fig)
