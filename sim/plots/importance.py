"""Which assumptions matter, from ``summary.json``: importance and spread charts.

The importance chart reads ``summary.json["importance"]`` (rank correlations of each uncertain
value with each outcome); the spread chart reads ``outcomes.<id>.spread`` (after ``sim run
--parameter-draws``). A value that makes an outcome *less* likely is blue, *more* likely
orange (as in the tornado of :mod:`sim.plots.sensitivity`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.plots.bars import (
    HIGH_COLOR,
    LOW_COLOR,
    TITLE_WIDTH,
    empty_panel,
    figure_legend,
    finite_or_zero,
    name_axis,
    panel_figure,
    param_label,
    rows_height,
)
from sim.plots.style import SPREAD_COLOR, label_of, new_axes, percent_axis, styled, wrap

__all__ = ["plot_importance", "plot_spread"]


# --------------------------------------------------------------------------------------------
# Importance (summary.json)


@styled
def plot_importance(
    importance: Mapping[str, Sequence[Mapping[str, Any]]],
    parameters: Mapping[str, Any],
    outcomes: Mapping[str, Any],
    *,
    top: int = 8,
    chance: Mapping[str, float] | float | None = None,
    events: Mapping[str, Any] | None = None,
) -> Figure:
    """Rank correlation of each uncertain value with each outcome, one panel per outcome.

    Signed horizontal bars, strongest |rho| on top: orange to the right when a higher value
    goes with the outcome being *more* likely, blue to the left when *less* likely. All panels
    share one x scale, symmetric about zero, so bars compare across outcomes. With `chance`, a
    grey band from -chance to +chance marks correlations that chance alone could give.

    Parameters
    ----------
    importance : mapping
        ``summary.json["importance"]``: outcome id -> ``[{"parameter", "rho"}, ...]``.
    parameters : mapping
        ``summary.json["parameters"]``: name -> ``{"label", "value"}`` (may be empty).
    outcomes : mapping
        ``summary.json["outcomes"]``: gives the panel order and titles (``label``); outcomes
        found only in `importance` follow.
    top : int, optional
        Most values per panel.
    chance : float or mapping of str to float, optional
        Half-width of the band of chance correlations (e.g. ``2 / sqrt(runs)`` when every run
        draws its own values), one for all outcomes or one per outcome id; none by default.
    events : mapping, optional
        ``summary.json["events"]``: gives unnamed ranges a label made from their event's
        (:func:`sim.plots.bars.readable_label`).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    KeyError
        If an entry lacks ``parameter`` or ``rho``.
    """
    order = [o for o in outcomes if o in importance] + [o for o in importance if o not in outcomes]
    panels = []
    for oid in order:
        entries = importance[oid] or []
        idx = sorted(range(len(entries)), key=lambda i: (-abs(float(entries[i]["rho"])), i))
        rows = [entries[i] for i in idx[: max(int(top), 0)]]
        names = [param_label(r["parameter"], parameters, events=events) for r in rows]
        panels.append((wrap(label_of(outcomes.get(oid), oid), TITLE_WIDTH), rows, names))
    bands = [
        finite_or_zero(chance.get(oid) if isinstance(chance, Mapping) else chance) for oid in order
    ]
    largest = max((abs(float(r["rho"])) for _, rows, _ in panels for r in rows), default=0.0)
    limit = max(largest * 1.3, max(bands, default=0.0) * 1.15, 0.02)
    fig, axes = panel_figure([(t, n) for t, _, n in panels], 9.5, "no uncertain values")
    for ax, (title, rows, names), band in zip(axes, panels, bands, strict=True):
        ax.set_title(title, loc="left")
        _draw_importance(ax, rows, names, limit)
        if band > 0:
            ax.axvspan(-band, band, color="0.9", linewidth=0, zorder=1)
    handles = [
        Patch(color=HIGH_COLOR, label="higher value \u2192 outcome more likely"),
        Patch(color=LOW_COLOR, label="higher value \u2192 outcome less likely"),
    ]
    if any(b > 0 for b in bands):
        handles.append(Patch(color="0.9", label="within chance"))
    figure_legend(
        fig,
        "Which assumptions matter: rank correlation of each uncertain value with each outcome",
        handles,
    )
    return fig


def _draw_importance(
    ax: Axes, rows: Sequence[Mapping[str, Any]], names: Sequence[str], limit: float
) -> None:
    ax.set_xlabel("Spearman rank correlation between the value and the outcome (0/1)")
    ax.grid(axis="x", color="0.88", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.set_xlim(-limit, limit)
    if not rows:
        empty_panel(ax, "no uncertain values")
        return
    rho = np.array([float(r["rho"]) for r in rows])
    y = np.arange(len(rows))
    ax.barh(y, rho, height=0.62, color=np.where(rho >= 0, HIGH_COLOR, LOW_COLOR).tolist(), zorder=2)
    ax.axvline(0.0, color="0.3", linewidth=0.9, zorder=3)
    gap = 0.012 * limit
    for yk, r in zip(y, rho, strict=True):
        ax.text(
            r + (gap if r >= 0 else -gap),
            yk,
            _signed(r, 2),
            ha="left" if r >= 0 else "right",
            va="center",
            fontsize=7.5,
            color="0.25",
        )
    ax.xaxis.set_major_locator(MaxNLocator(nbins=9, steps=[1, 2, 2.5, 5, 10], symmetric=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _signed(v, None)))
    name_axis(ax, names)


# --------------------------------------------------------------------------------------------
# Spread across parameter draws (summary.json after --parameter-draws)


@styled
def plot_spread(outcomes: Mapping[str, Mapping[str, Any]], *, ax: Axes | None = None) -> Axes:
    """Spread of each outcome's probability across parameter draws: its 80% interval.

    One row per outcome that has a ``spread``, in file order: a line from the 10th to the
    90th percentile of the per-draw probabilities, a white circle at their median and a black
    diamond at the overall probability (all runs pooled). The right axis gives, in percentage
    points, the standard deviation due to the uncertain values (``parameter sd``) and that of
    Monte Carlo noise within a draw (``noise sd``); the legend title gives the number of draws
    and runs per draw.

    Parameters
    ----------
    outcomes : mapping of str to mapping
        ``summary.json["outcomes"]``: id -> ``{"label", "probability", "spread": {"median",
        "p10", "p90", "parameter_sd", "noise_sd", "draws", "runs_per_draw"}}``. Outcomes
        without ``spread`` are left out.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure whose height grows with the outcomes.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    KeyError
        If a ``spread`` lacks ``p10``, ``p90`` or ``median``.
    """
    ids = [o for o, v in outcomes.items() if isinstance(v.get("spread"), Mapping)]
    names = [wrap(label_of(outcomes[o], o), 40) for o in ids]
    ax = new_axes(ax, 9.5, 1.7 + max(rows_height(names, 0.4), 0.45))
    ax.set_title(
        "Spread across parameter draws (80% interval, Monte Carlo noise removed)",
        loc="left",
        pad=34,
    )
    ax.set_xlim(0, 1)
    percent_axis(ax.xaxis, (0, 0.2, 0.4, 0.6, 0.8, 1.0))
    ax.set_xlabel("Probability of the outcome")
    ax.grid(axis="x", color="0.88", linewidth=0.8)
    ax.set_axisbelow(True)
    if not ids:
        empty_panel(ax, "no outcome has a spread (run with --parameter-draws)")
        return ax
    spreads = [outcomes[o]["spread"] for o in ids]
    _draw_spread(ax, spreads, [outcomes[o].get("probability") for o in ids], names)
    _spread_legend(ax, spreads)
    return ax


def _draw_spread(
    ax: Axes,
    spreads: Sequence[Mapping[str, Any]],
    overall: Sequence[float | None],
    names: Sequence[str],
) -> None:
    """Each outcome's 80% interval, median draw and overall probability, one row each."""
    y = np.arange(len(spreads))
    p10 = np.array([float(s["p10"]) for s in spreads])
    p90 = np.array([float(s["p90"]) for s in spreads])
    median = np.array([float(s["median"]) for s in spreads])
    ax.hlines(y, p10, p90, color=SPREAD_COLOR, linewidth=3.2, zorder=2)
    ax.plot(median, y, "o", color=SPREAD_COLOR, markerfacecolor="white", markersize=7, zorder=3)
    known = [k for k, p in enumerate(overall) if p is not None]
    ax.plot(
        [float(overall[k]) for k in known],
        [y[k] for k in known],
        "D",
        color="0.1",
        markersize=4.5,
        zorder=4,
    )
    name_axis(ax, names)
    right = ax.secondary_yaxis("right")
    right.set_yticks(y, labels=[_sd_text(s) for s in spreads])
    right.tick_params(axis="y", length=0, labelsize=8)
    right.spines["right"].set_visible(False)


def _spread_legend(ax: Axes, spreads: Sequence[Mapping[str, Any]]) -> None:
    """The legend above the chart, titled with the draws and runs per draw when all agree."""
    draws = {s.get("draws") for s in spreads}
    per = {s.get("runs_per_draw") for s in spreads}
    subtitle = "right: standard deviation from the parameters vs from Monte Carlo noise"
    if len(draws) == 1 and len(per) == 1 and None not in draws | per:
        subtitle = f"{draws.pop():,} parameter draws \u00d7 {per.pop():,} runs each; " + subtitle
    handles = [
        Line2D([], [], color=SPREAD_COLOR, linewidth=3.2, label="10th to 90th percentile across draws"),
        Line2D([], [], color=SPREAD_COLOR, marker="o", markerfacecolor="white", linestyle="none",
               markersize=7, label="median draw"),
        Line2D([], [], color="0.1", marker="D", linestyle="none", markersize=4.5,
               label="overall probability (all runs)"),
    ]  # fmt: skip
    ax.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncols=3,
        borderaxespad=0.25,
        title=subtitle,
        title_fontsize=8,
        alignment="left",
    )


def _sd_text(spread: Mapping[str, Any]) -> str:
    ps, ns = spread.get("parameter_sd"), spread.get("noise_sd")
    part = "\u2014" if ps is None else f"{float(ps) * 100:.1f}"
    noise = "\u2014" if ns is None else f"{float(ns) * 100:.1f}"
    return f"parameter sd {part} pts\nnoise sd {noise} pts"


def _signed(value: float, decimals: int | None) -> str:
    if abs(value) < 1e-12:
        return "0"
    text = f"{value:+.{decimals}f}" if decimals is not None else f"{value:+g}"
    return text.replace("-", "\u2212")
