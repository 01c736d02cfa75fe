"""What to watch, from ``summary.json["signposts"]``: a dumbbell per signpost.

For each outcome O, its top signposts (:func:`sim.analysis.evidence.top_signposts`): an
indicator I at a date, drawn as a line from P(O | not I) (blue dot) to P(O | I) (orange dot)
around P(O) (a dashed line), with P(I) in the row's label. Colours as in the importance chart
(:mod:`sim.plots.importance`): orange "the outcome is more likely if it is seen".
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, MaxNLocator, PercentFormatter

from sim.analysis.evidence import SIGNPOSTS_TOP, top_signposts
from sim.analysis.words import format_probability
from sim.plots.bars import (
    HIGH_COLOR,
    LABEL_WIDTH,
    LOW_COLOR,
    TITLE_WIDTH,
    figure_legend,
    name_axis,
    panel_figure,
)
from sim.plots.style import label_of, styled, wrap

__all__ = ["plot_signposts", "short_date", "signpost_label"]


def short_date(iso: str) -> str:
    """``"2026-09-30"`` as ``"30 Sep 2026"``; text that is not an ISO date is kept."""
    try:
        return dt.date.fromisoformat(str(iso)).strftime("%-d %b %Y")
    except ValueError:
        return str(iso)


def signpost_label(row: Mapping[str, Any], indicators: Mapping[str, Any]) -> str:
    """Text naming a signpost: the indicator's label, "by" (read at any time up to the date,
    ``ever``) or "on" the date, and P(I): ``"US gone, by 30 Sep 2026 (35.0%)"``; after a
    right-to-left label, the date goes on a second line (kept in reading order)."""
    meta = indicators.get(row["indicator"])
    word = "by" if isinstance(meta, Mapping) and meta.get("ever") else "on"
    text = label_of(meta, row["indicator"])
    when = f"{word} {short_date(row['date'])} ({format_probability(row['p_indicator'])})"
    if any(unicodedata.bidirectional(c) in ("R", "AL") for c in text):
        # On a line of its own: appended to right-to-left text, it would be reordered.
        return f"{text}\n{when}"
    return f"{text}, {when}"


@styled
def plot_signposts(
    signposts: Mapping[str, Sequence[Mapping[str, Any]]],
    outcomes: Mapping[str, Any],
    indicators: Mapping[str, Any] | None = None,
    *,
    top: int = SIGNPOSTS_TOP,
) -> Figure:
    """The top signposts of each outcome as dumbbells, one panel per outcome.

    Parameters
    ----------
    signposts : mapping
        ``summary.json["signposts"]``: outcome id -> rows ``{"indicator", "date",
        "p_indicator", "p_outcome_if_true", "p_outcome_if_false", "information_bits"}``.
    outcomes : mapping
        ``summary.json["outcomes"]``: the panel order, titles (``label``) and P(O)
        (``probability``); outcomes without a row worth watching get no panel.
    indicators : mapping, optional
        ``summary.json["indicators"]``: id -> ``{"label", "ever"}``; ids are shown without it.
    top : int, optional
        Most signposts per outcome.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per outcome with a signpost worth watching (a centred note when none has).
    """
    indicators = indicators or {}
    panels, picked = [], []
    for oid, outcome in outcomes.items():
        rows = top_signposts(list(signposts.get(oid) or []), top)
        if rows and outcome.get("probability") is not None:
            names = [_wrap_lines(signpost_label(r, indicators)) for r in rows]
            panels.append((wrap(label_of(outcome, oid), TITLE_WIDTH), names))
            picked.append((float(outcome["probability"]), rows))
    fig, axes = panel_figure(panels, 9.0, "No signpost tells much about any outcome")
    for ax, (title, names), (p, rows) in zip(axes, panels, picked, strict=True):
        _dumbbells(ax, title, names, p, rows)
    figure_legend(
        fig,
        "What to watch: each outcome's chance if the signpost is seen, and if not",
        [
            Line2D([], [], color=HIGH_COLOR, marker="o", linestyle="none", label="if seen"),
            Line2D([], [], color=LOW_COLOR, marker="o", linestyle="none", label="if not"),
            Line2D([], [], color="0.3", linestyle="--", label="now"),
        ],
    )
    return fig


def _wrap_lines(text: str) -> str:
    """Each line of ``text`` wrapped at :data:`sim.plots.bars.LABEL_WIDTH`."""
    return "\n".join(wrap(line, LABEL_WIDTH) for line in text.split("\n"))


def _dumbbells(
    ax: Axes, title: str, names: list[str], p: float, rows: list[Mapping[str, Any]]
) -> None:
    """One panel: a row per signpost, P(O | not I) to P(O | I), P(O) dashed."""
    yes = [float(r["p_outcome_if_true"]) for r in rows]
    no = [float(r["p_outcome_if_false"]) for r in rows]
    for k, (a, b) in enumerate(zip(no, yes, strict=True)):
        ax.plot([a, b], [k, k], color="0.55", linewidth=2.2, solid_capstyle="butt", zorder=1)
        for x, color in ((a, LOW_COLOR), (b, HIGH_COLOR)):
            ax.annotate(
                format_probability(x), (x, k), xytext=(0, 6), textcoords="offset points",
                ha="center", va="bottom", fontsize=8, color=color, zorder=4,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"},
            )  # fmt: skip
    ax.scatter(no, range(len(rows)), color=LOW_COLOR, s=36, zorder=2)
    ax.scatter(yes, range(len(rows)), color=HIGH_COLOR, s=36, zorder=2)
    ax.axvline(p, color="0.3", linestyle="--", linewidth=1)
    low, high = min([p, *yes, *no]), max([p, *yes, *no])
    pad = max(0.05, 0.1 * (high - low))
    ax.set_xlim(max(-0.04, low - pad), min(1.04, high + pad))  # room for the numbers
    ticks = [t for t in MaxNLocator(nbins=8, steps=[1, 2, 2.5, 5, 10]).tick_values(
        max(0.0, low - pad), min(1.0, high + pad)) if 0 <= t <= 1]  # fmt: skip
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0 if high - low >= 0.1 else None))
    ax.grid(axis="x", color="0.9", linewidth=0.8)
    ax.set_axisbelow(True)
    name_axis(ax, names)
    ax.set_title(f"{title}: now {format_probability(p)}", loc="left", fontsize=9)
