"""Which uncertain values drive each outcome, from ``sensitivity.json``: tornado and Sobol charts.

Both read ``sensitivity.json`` (written by ``sim sensitivity``). Parameters are named by their
label, wrapped, followed by their value as written (``3% to 10%``) when the label does not
already show it. The 10th-percentile end of a tornado bar is blue, the 90th-percentile end
orange (as in :mod:`sim.plots.importance`). The importance and spread charts, which read
``summary.json``, are in :mod:`sim.plots.importance`.
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

from sim.analysis.words import format_probability
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
from sim.plots.style import label_of, new_axes, styled, wrap

__all__ = ["plot_sobol", "plot_tornado", "plot_tornado_grid"]

_BASE = "0.15"
_GRID_TOP = 10
_SOBOL_TOP = 10
_LOW_TEXT = "value at its 10th percentile"
_HIGH_TEXT = "at its 90th percentile"
_BASE_TEXT = "base: every value random"


# --------------------------------------------------------------------------------------------
# Tornado


@styled
def plot_tornado(
    entries: Sequence[Mapping[str, Any]],
    *,
    ax: Axes | None = None,
    labels: Mapping[str, Any] | None = None,
    top: int | None = 12,
) -> Axes:
    """Tornado chart of one outcome: its probability with each uncertain value set low or high.

    One horizontal bar per uncertain value, largest swing on top. Each bar starts at the base
    probability (every value random, the vertical line) and reaches p(low), in blue, with the
    value at its 10th percentile, and p(high), in orange, with it at its 90th percentile. The
    right axis gives the swing |p(high) - p(low)| in percentage points.

    Parameters
    ----------
    entries : sequence of mapping
        ``sensitivity.json["outcomes"][id]`` of a tornado: one ``{"parameter", "low", "high",
        "base", "score"}`` per uncertain value, probabilities in [0, 1]. ``score`` defaults to
        ``|high - low|``; the entries are sorted by it here, whatever their order.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure whose height grows with the bars and the lines
        of their labels.
    labels : mapping, optional
        Parameter name -> label, or -> ``{"label", "value"}`` (``sensitivity.json
        ["parameters"]``); names without one are shown as they are.
    top : int or None, optional
        Most bars drawn (the largest swings); None draws all.

    Returns
    -------
    matplotlib.axes.Axes
        With the legend between the title and the bars.

    Raises
    ------
    KeyError
        If an entry lacks ``parameter``, ``low``, ``high`` or ``base``.
    """
    rows = _tornado_rows(entries, top)
    names = [param_label(r["parameter"], labels) for r in rows]
    ax = new_axes(ax, 9.5, 1.5 + rows_height(names))
    base = float(rows[0]["base"]) if rows else None
    title = "Tornado: each uncertain value at its 10th and 90th percentile"
    if base is not None:
        title += f" (base {format_probability(base)})"
    _draw_tornado(ax, rows, names)
    ax.set_title(title, loc="left", pad=22)
    ax.legend(
        handles=_tornado_handles(),
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncols=3,
        borderaxespad=0.25,
        handlelength=1.6,
    )
    return ax


@styled
def plot_tornado_grid(data: Mapping[str, Any], *, top: int = _GRID_TOP) -> Figure:
    """One tornado panel per outcome of a tornado ``sensitivity.json`` (top `top` values each).

    Parameters
    ----------
    data : mapping
        ``sensitivity.json`` content: ``outcomes`` (outcome id -> entries, see
        :func:`plot_tornado`), and optionally ``outcome_labels`` (id -> label) and
        ``parameters`` (name -> ``{"label", "value"}``).
    top : int, optional
        Most values per panel, largest swing first (10 by default).

    Returns
    -------
    matplotlib.figure.Figure
        Panels stacked in file order, about 0.3 inch per bar line plus 1.2 inch per panel;
        one legend at the top.

    Raises
    ------
    KeyError
        If `data` has no ``outcomes`` or an entry lacks a field (see :func:`plot_tornado`).
    """
    outcomes: Mapping[str, Any] = data["outcomes"]
    labels = data.get("parameters") or {}
    titles = data.get("outcome_labels") or {}
    panels = []
    for oid, entries in outcomes.items():
        rows = _tornado_rows(entries, max(int(top), 0))
        names = [param_label(r["parameter"], labels) for r in rows]
        title = label_of(titles.get(oid), oid)
        if rows:
            title += f" (base\u00a0{format_probability(float(rows[0]['base']))})"
        panels.append((wrap(title, TITLE_WIDTH), rows, names))
    fig, axes = panel_figure([(t, n) for t, _, n in panels], 9.5, "no outcomes")
    for ax, (title, rows, names) in zip(axes, panels, strict=True):
        _draw_tornado(ax, rows, names)
        ax.set_title(title, loc="left")
    figure_legend(
        fig,
        "Tornado: each outcome's probability with one uncertain value at a time set to its "
        "10th or 90th percentile",
        _tornado_handles(),
    )
    return fig


def _tornado_rows(entries: Sequence[Mapping[str, Any]], top: int | None) -> list[Mapping]:
    def score(e: Mapping[str, Any]) -> float:
        s = e.get("score")
        return float(s) if s is not None else abs(float(e["high"]) - float(e["low"]))

    order = sorted(range(len(entries)), key=lambda i: (-score(entries[i]), i))
    rows = [dict(entries[i], score=score(entries[i])) for i in order]
    return rows if top is None else rows[: max(int(top), 0)]


def _tornado_handles() -> list[Any]:
    return [
        Patch(color=LOW_COLOR, label=_LOW_TEXT),
        Patch(color=HIGH_COLOR, label=_HIGH_TEXT),
        Line2D([], [], color=_BASE, linewidth=1.2, label=_BASE_TEXT),
    ]


def _draw_tornado(ax: Axes, rows: Sequence[Mapping[str, Any]], names: Sequence[str]) -> None:
    ax.set_xlabel("Probability of the outcome")
    ax.grid(axis="x", color="0.88", linewidth=0.8)
    ax.set_axisbelow(True)
    if not rows:
        empty_panel(ax, "no uncertain values")
        return
    base = float(rows[0]["base"])
    low = np.array([float(r["low"]) for r in rows])
    high = np.array([float(r["high"]) for r in rows])
    y = np.arange(len(rows))
    for k in range(len(rows)):
        # The longer half first, so that when both ends lie on the same side of the base
        # (a non-monotone effect, or noise) the shorter one stays visible on top of it.
        halves = sorted(
            ((low[k], LOW_COLOR), (high[k], HIGH_COLOR)), key=lambda h: -abs(h[0] - base)
        )
        for z, (end, color) in enumerate(halves):
            ax.barh(y[k], end - base, left=base, height=0.62, color=color, zorder=2 + z)
    ax.axvline(base, color=_BASE, linewidth=1.2, zorder=5)
    values = np.concatenate([low, high, [base]])
    lo, hi = float(values.min()), float(values.max())
    pad = max(0.08 * (hi - lo), 0.004)
    ax.set_xlim(max(lo - pad, -0.002), min(hi + pad, 1.002))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(_percent_tick))
    name_axis(ax, names)
    right = ax.secondary_yaxis("right")
    right.set_yticks(y, labels=[f"{float(r['score']) * 100:.1f} pts" for r in rows])
    right.tick_params(axis="y", length=0)
    right.spines["right"].set_visible(False)
    right.set_ylabel("swing", rotation=270, labelpad=12, color="0.3")


# --------------------------------------------------------------------------------------------
# Sobol


@styled
def plot_sobol(data: Mapping[str, Any]) -> Figure:
    """Total-order (ST) and first-order (S1) Sobol indices, one panel per outcome.

    Each panel shows the values with the largest ST (at most 10), largest on top: a dark bar
    for ST (the share of the outcome's variance due to that value, interactions included) and
    a light one for S1 (due to it alone), each with its 95% confidence half-width as an error
    bar. The x axis runs from 0 to 1 (wider when an estimate falls outside, up to -0.25 and
    1.25; further error bars are cut at the edge): with few samples, indices are noisy and
    can leave [0, 1].

    Parameters
    ----------
    data : mapping
        ``sensitivity.json`` content of a Sobol analysis: ``outcomes`` (outcome id -> one
        ``{"parameter", "ST", "ST_conf", "S1", "S1_conf"}`` per value), and optionally
        ``outcome_labels`` and ``parameters`` (as in :func:`plot_tornado_grid`).

    Returns
    -------
    matplotlib.figure.Figure
        Panels stacked in file order; one legend at the top.

    Raises
    ------
    KeyError
        If `data` has no ``outcomes`` or an entry lacks ``parameter`` or ``ST``.
    """
    outcomes: Mapping[str, Any] = data["outcomes"]
    labels = data.get("parameters") or {}
    titles = data.get("outcome_labels") or {}
    panels = []
    for oid, entries in outcomes.items():
        order = sorted(range(len(entries)), key=lambda i: (-float(entries[i]["ST"]), i))
        rows = [entries[i] for i in order[:_SOBOL_TOP]]
        names = [param_label(r["parameter"], labels) for r in rows]
        panels.append((wrap(label_of(titles.get(oid), oid), TITLE_WIDTH), rows, names))
    bounds = [0.0, 1.0]
    for _, rows, _ in panels:
        for r in rows:
            for key in ("ST", "S1"):
                v, c = finite_or_zero(r.get(key)), abs(finite_or_zero(r.get(f"{key}_conf")))
                bounds += [v - c, v + c]
    x_lo = max(min(bounds) - 0.03, -0.25)
    x_hi = min(max(bounds) + 0.03, 1.25)
    fig, axes = panel_figure([(t, n) for t, _, n in panels], 9.5, "no outcomes")
    for ax, (title, rows, names) in zip(axes, panels, strict=True):
        ax.set_title(title, loc="left")
        _draw_sobol(ax, rows, names, (x_lo, x_hi))
    handles = [
        Patch(color=_ST, label="total order ST (with interactions)"),
        Patch(color=_S1, label="first order S1 (alone)"),
        Line2D([], [], color="0.2", linewidth=1.0, marker="|", label="95% confidence interval"),
    ]
    figure_legend(
        fig, "Sobol indices: share of each outcome's variance due to each uncertain value", handles
    )
    return fig


_ST = "#3B5B92"
_S1 = "#9DB4D9"


def _draw_sobol(
    ax: Axes, rows: Sequence[Mapping[str, Any]], names: Sequence[str], xlim: tuple[float, float]
) -> None:
    ax.set_xlabel("Sobol index (share of variance)")
    ax.grid(axis="x", color="0.88", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.set_xlim(*xlim)
    if not rows:
        empty_panel(ax, "no uncertain values")
        return
    y = np.arange(len(rows), dtype=float)
    for key, color, offset in (("ST", _ST, -0.19), ("S1", _S1, 0.19)):
        v = np.array([finite_or_zero(r.get(key)) for r in rows])
        c = np.array([abs(finite_or_zero(r.get(f"{key}_conf"))) for r in rows])
        ax.barh(y + offset, v, height=0.36, color=color, zorder=2)
        ax.errorbar(v, y + offset, xerr=c, fmt="none", ecolor="0.2", elinewidth=0.9, capsize=2)
    ax.axvline(0.0, color="0.3", linewidth=0.9, zorder=3)
    ax.axvline(1.0, color="0.6", linewidth=0.9, linestyle=":", zorder=1)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 2.5, 5, 10]))
    name_axis(ax, names)


def _percent_tick(value: float, _pos: int) -> str:
    """A share as a percentage with no more decimals than it needs: 20%, 22.5%."""
    return f"{round(value * 100, 6):g}%"
