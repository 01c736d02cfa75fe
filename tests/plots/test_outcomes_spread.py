"""The outcomes chart shows two ranges, each labelled for what it is."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt  # noqa: E402

from sim.plots.outcomes import SPREAD_COLOR, plot_outcomes  # noqa: E402

OUTCOMES = {
    "a": {"label": "A", "probability": 0.3, "ci95": [0.28, 0.32],
          "spread": {"median": 0.31, "p10": 0.12, "p90": 0.47}},
    "b": {"label": "B", "probability": 0.6, "ci95": [0.58, 0.62]},  # no spread: no range
}  # fmt: skip


def _orange(ax):
    return [line for line in ax.get_lines() if line.get_color() == SPREAD_COLOR]


def test_the_spread_is_an_orange_range_beside_the_wilson_whisker_with_a_legend():
    ax = plot_outcomes(OUTCOMES)
    (line,) = _orange(ax)  # one outcome has a spread
    assert list(line.get_xdata()) == [0.12, 0.47]
    assert list(line.get_ydata()) == [0.2, 0.2]  # just below outcome 0's bar centre
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["Monte Carlo 95% (Wilson)", "across the assumptions, 80%"]
    plt.close(ax.figure)


def test_without_a_spread_no_range_and_the_title_names_the_whisker():
    ax = plot_outcomes({"b": OUTCOMES["b"]})
    assert _orange(ax) == [] and ax.get_legend() is None
    assert "95% Wilson interval" in ax.get_title(loc="left")
    plt.close(ax.figure)


def test_the_spread_chart_draws_the_same_range_in_the_same_orange():
    """F3: the 80% range across the assumptions is one colour in outcomes.png and spread.png."""
    from matplotlib.colors import to_hex

    from sim.plots.importance import plot_spread

    ax = plot_spread({"a": OUTCOMES["a"] | {"spread": OUTCOMES["a"]["spread"] | {
        "parameter_sd": 0.1, "noise_sd": 0.01}}})  # fmt: skip
    (ranges,) = ax.collections  # the one hlines collection: outcome a's 12% to 47%
    assert to_hex(ranges.get_colors()[0]) == SPREAD_COLOR.lower()
    assert ranges.get_segments()[0][:, 0].tolist() == [0.12, 0.47]
    plt.close(ax.figure)
