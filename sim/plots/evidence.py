"""What the evidence says about the assumptions, from ``summary.json["parameters"]``.

Each named parameter that the evidence moved (:func:`sim.analysis.evidence.parameter_shifts`)
gets a small panel of two rows: its 5-95% range with its median, before the evidence (grey) and
given it (blue), each on the parameter's own scale (internal units: probabilities as
percentages, durations in days).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from sim.plots.bars import (
    LOW_COLOR,
    TITLE_WIDTH,
    figure_legend,
    name_axis,
    panel_figure,
    readable_label,
)
from sim.plots.style import styled, wrap

__all__ = ["is_probability", "plot_parameter_shifts"]

_ROWS = ("before the evidence", "given the evidence")
_COLORS = ("0.55", LOW_COLOR)
_DURATION = re.compile(r"\b(day|week|month|year)s?\b")  # a duration: days inside


def is_probability(entry: Mapping[str, Any]) -> bool:
    """Whether a ``summary.json["parameters"]`` entry is a probability: its value as written
    has a ``%`` (its numbers are then fractions, shown as percentages)."""
    return "%" in str(entry.get("value") or "")


@styled
def plot_parameter_shifts(
    parameters: Mapping[str, Any],
    names: Sequence[str],
    events: Mapping[str, Any] | None = None,
) -> Figure:
    """Prior and posterior 5/50/95% ranges of the parameters ``names``, one panel each.

    Parameters
    ----------
    parameters : mapping
        ``summary.json["parameters"]``: name -> ``{"label", "value", "prior": {"p5", "p50",
        "p95", "mean"}, "posterior": {...}}``.
    names : sequence of str
        The parameters to draw, top to bottom (each must have ``prior`` and ``posterior``).
    events : mapping, optional
        ``summary.json["events"]``, for readable labels
        (:func:`sim.plots.bars.readable_label`).

    Returns
    -------
    matplotlib.figure.Figure
        One panel per name (a centred note when ``names`` is empty).

    Raises
    ------
    KeyError
        If a named parameter lacks ``prior`` or ``posterior`` or their percentiles.
    """
    panels = [
        (wrap(readable_label(n, parameters.get(n), events), TITLE_WIDTH), list(_ROWS))
        for n in names
    ]
    fig, axes = panel_figure(panels, 8.0, "No parameter to show")
    for ax, name in zip(axes, names, strict=True):
        _ranges(ax, parameters[name], panels[list(names).index(name)][0])
    figure_legend(
        fig,
        "What the evidence says about the assumptions: 5\u201395% range and median",
        [
            Line2D([], [], color=_COLORS[0], linewidth=3, marker="o", label=_ROWS[0]),
            Line2D([], [], color=_COLORS[1], linewidth=3, marker="o", label=_ROWS[1]),
        ],
    )
    return fig


def _ranges(ax: Axes, entry: Mapping[str, Any], title: str) -> None:
    """Two rows: the prior and posterior p5-p95 lines with a dot at p50."""
    bounds = []
    for k, key in enumerate(("prior", "posterior")):
        q = entry[key]
        low, mid, high = float(q["p5"]), float(q["p50"]), float(q["p95"])
        bounds += [low, high]
        ax.plot([low, high], [k, k], color=_COLORS[k], linewidth=4, solid_capstyle="butt")
        ax.plot([mid], [k], marker="o", color="white", markeredgecolor=_COLORS[k], markersize=7)
    low, high = min(bounds), max(bounds)
    pad = 0.08 * (high - low) if high > low else max(abs(high) * 0.1, 0.01)
    ax.set_xlim(low - pad, high + pad)
    if is_probability(entry):
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
    elif _DURATION.search(str(entry.get("value") or "")):
        ax.set_xlabel("days", loc="right")
    ax.grid(axis="x", color="0.9", linewidth=0.8)
    ax.set_axisbelow(True)
    name_axis(ax, list(_ROWS))
    ax.set_title(title, loc="left", fontsize=9)
