"""Which assumptions drive each outcome: tornado, Sobol, importance and spread charts.

The tornado and Sobol charts read ``sensitivity.json`` (written by ``sim sensitivity``); the
importance and spread charts read ``summary.json`` (``importance``, and ``outcomes.<id>.spread``
after ``sim run --parameter-draws``). Parameters are named by their label, wrapped, followed by
their value as written (``3% to 10%``) when the label does not already show it.

Colours: the 10th-percentile end of a tornado bar and a value that makes an outcome *less*
likely are blue; the 90th-percentile end and a value that makes it *more* likely are orange, so
the two charts read the same way.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.analysis.words import format_probability
from sim.plots._style import label_of, new_axes, new_figure, percent_axis, styled, wrap

__all__ = [
    "plot_importance",
    "plot_sobol",
    "plot_spread",
    "plot_tornado",
    "plot_tornado_grid",
]

_LOW = "#4C72B0"  # 10th percentile; "less likely"
_HIGH = "#DD8452"  # 90th percentile; "more likely"
_BASE = "0.15"
_LABEL_WIDTH = 44
_TITLE_WIDTH = 66
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
    names = [_param_label(r["parameter"], labels) for r in rows]
    ax = new_axes(ax, 9.5, 1.5 + _rows_height(names))
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
def plot_tornado_grid(data: Mapping[str, Any]) -> Figure:
    """One tornado panel per outcome of a tornado ``sensitivity.json`` (top 10 values each).

    Parameters
    ----------
    data : mapping
        ``sensitivity.json`` content: ``outcomes`` (outcome id -> entries, see
        :func:`plot_tornado`), and optionally ``outcome_labels`` (id -> label) and
        ``parameters`` (name -> ``{"label", "value"}``).

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
        rows = _tornado_rows(entries, _GRID_TOP)
        names = [_param_label(r["parameter"], labels) for r in rows]
        title = label_of(titles.get(oid), oid)
        if rows:
            title += f" (base\u00a0{format_probability(float(rows[0]['base']))})"
        panels.append((wrap(title, _TITLE_WIDTH), rows, names))
    fig, axes = _panel_figure([(t, n) for t, _, n in panels], 9.5, "no outcomes")
    for ax, (title, rows, names) in zip(axes, panels, strict=True):
        _draw_tornado(ax, rows, names)
        ax.set_title(title, loc="left")
    _figure_legend(
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
        Patch(color=_LOW, label=_LOW_TEXT),
        Patch(color=_HIGH, label=_HIGH_TEXT),
        Line2D([], [], color=_BASE, linewidth=1.2, label=_BASE_TEXT),
    ]


def _draw_tornado(ax: Axes, rows: Sequence[Mapping[str, Any]], names: Sequence[str]) -> None:
    ax.set_xlabel("Probability of the outcome")
    ax.grid(axis="x", color="0.88", linewidth=0.8)
    ax.set_axisbelow(True)
    if not rows:
        _empty(ax, "no uncertain values")
        return
    base = float(rows[0]["base"])
    low = np.array([float(r["low"]) for r in rows])
    high = np.array([float(r["high"]) for r in rows])
    y = np.arange(len(rows))
    for k in range(len(rows)):
        # The longer half first, so that when both ends lie on the same side of the base
        # (a non-monotone effect, or noise) the shorter one stays visible on top of it.
        halves = sorted(((low[k], _LOW), (high[k], _HIGH)), key=lambda h: -abs(h[0] - base))
        for z, (end, color) in enumerate(halves):
            ax.barh(y[k], end - base, left=base, height=0.62, color=color, zorder=2 + z)
    ax.axvline(base, color=_BASE, linewidth=1.2, zorder=5)
    values = np.concatenate([low, high, [base]])
    lo, hi = float(values.min()), float(values.max())
    pad = max(0.08 * (hi - lo), 0.004)
    ax.set_xlim(max(lo - pad, -0.002), min(hi + pad, 1.002))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(_percent_tick))
    _name_axis(ax, names)
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
        names = [_param_label(r["parameter"], labels) for r in rows]
        panels.append((wrap(label_of(titles.get(oid), oid), _TITLE_WIDTH), rows, names))
    bounds = [0.0, 1.0]
    for _, rows, _ in panels:
        for r in rows:
            for key in ("ST", "S1"):
                v, c = _num(r.get(key)), abs(_num(r.get(f"{key}_conf")))
                bounds += [v - c, v + c]
    x_lo = max(min(bounds) - 0.03, -0.25)
    x_hi = min(max(bounds) + 0.03, 1.25)
    fig, axes = _panel_figure([(t, n) for t, _, n in panels], 9.5, "no outcomes")
    for ax, (title, rows, names) in zip(axes, panels, strict=True):
        ax.set_title(title, loc="left")
        _draw_sobol(ax, rows, names, (x_lo, x_hi))
    handles = [
        Patch(color=_ST, label="total order ST (with interactions)"),
        Patch(color=_S1, label="first order S1 (alone)"),
        Line2D([], [], color="0.2", linewidth=1.0, marker="|", label="95% confidence interval"),
    ]
    _figure_legend(
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
        _empty(ax, "no uncertain values")
        return
    y = np.arange(len(rows), dtype=float)
    for key, color, offset in (("ST", _ST, -0.19), ("S1", _S1, 0.19)):
        v = np.array([_num(r.get(key)) for r in rows])
        c = np.array([abs(_num(r.get(f"{key}_conf"))) for r in rows])
        ax.barh(y + offset, v, height=0.36, color=color, zorder=2)
        ax.errorbar(v, y + offset, xerr=c, fmt="none", ecolor="0.2", elinewidth=0.9, capsize=2)
    ax.axvline(0.0, color="0.3", linewidth=0.9, zorder=3)
    ax.axvline(1.0, color="0.6", linewidth=0.9, linestyle=":", zorder=1)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 2.5, 5, 10]))
    _name_axis(ax, names)


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
        names = [_param_label(r["parameter"], parameters) for r in rows]
        panels.append((wrap(label_of(outcomes.get(oid), oid), _TITLE_WIDTH), rows, names))
    bands = [_num(chance.get(oid) if isinstance(chance, Mapping) else chance) for oid in order]
    largest = max((abs(float(r["rho"])) for _, rows, _ in panels for r in rows), default=0.0)
    limit = max(largest * 1.3, max(bands, default=0.0) * 1.15, 0.02)
    fig, axes = _panel_figure([(t, n) for t, _, n in panels], 9.5, "no uncertain values")
    for ax, (title, rows, names), band in zip(axes, panels, bands, strict=True):
        ax.set_title(title, loc="left")
        _draw_importance(ax, rows, names, limit)
        if band > 0:
            ax.axvspan(-band, band, color="0.9", linewidth=0, zorder=1)
    handles = [
        Patch(color=_HIGH, label="higher value \u2192 outcome more likely"),
        Patch(color=_LOW, label="higher value \u2192 outcome less likely"),
    ]
    if any(b > 0 for b in bands):
        handles.append(Patch(color="0.9", label="within chance"))
    _figure_legend(
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
        _empty(ax, "no uncertain values")
        return
    rho = np.array([float(r["rho"]) for r in rows])
    y = np.arange(len(rows))
    ax.barh(y, rho, height=0.62, color=np.where(rho >= 0, _HIGH, _LOW).tolist(), zorder=2)
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
    _name_axis(ax, names)


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
    ax = new_axes(ax, 9.5, 1.7 + max(_rows_height(names, 0.4), 0.45))
    ax.set_title(
        "Spread across parameter draws (80% interval of the per-draw probability)",
        loc="left",
        pad=34,
    )
    ax.set_xlim(0, 1)
    percent_axis(ax.xaxis, (0, 0.2, 0.4, 0.6, 0.8, 1.0))
    ax.set_xlabel("Probability of the outcome")
    ax.grid(axis="x", color="0.88", linewidth=0.8)
    ax.set_axisbelow(True)
    if not ids:
        _empty(ax, "no outcome has a spread (run with --parameter-draws)")
        return ax
    spreads = [outcomes[o]["spread"] for o in ids]
    y = np.arange(len(ids))
    p10 = np.array([float(s["p10"]) for s in spreads])
    p90 = np.array([float(s["p90"]) for s in spreads])
    median = np.array([float(s["median"]) for s in spreads])
    overall = [outcomes[o].get("probability") for o in ids]
    ax.hlines(y, p10, p90, color=_LOW, linewidth=3.2, zorder=2)
    ax.plot(median, y, "o", color=_LOW, markerfacecolor="white", markersize=7, zorder=3)
    known = [k for k, p in enumerate(overall) if p is not None]
    ax.plot(
        [float(overall[k]) for k in known],
        [y[k] for k in known],
        "D",
        color="0.1",
        markersize=4.5,
        zorder=4,
    )
    _name_axis(ax, names)
    right = ax.secondary_yaxis("right")
    right.set_yticks(y, labels=[_sd_text(s) for s in spreads])
    right.tick_params(axis="y", length=0, labelsize=8)
    right.spines["right"].set_visible(False)
    draws = {s.get("draws") for s in spreads}
    per = {s.get("runs_per_draw") for s in spreads}
    subtitle = "right: standard deviation from the parameters vs from Monte Carlo noise"
    if len(draws) == 1 and len(per) == 1 and None not in draws | per:
        subtitle = f"{draws.pop():,} parameter draws \u00d7 {per.pop():,} runs each; " + subtitle
    handles = [
        Line2D([], [], color=_LOW, linewidth=3.2, label="10th to 90th percentile across draws"),
        Line2D([], [], color=_LOW, marker="o", markerfacecolor="white", linestyle="none",
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
    return ax


def _sd_text(spread: Mapping[str, Any]) -> str:
    ps, ns = spread.get("parameter_sd"), spread.get("noise_sd")
    part = "\u2014" if ps is None else f"{float(ps) * 100:.1f}"
    noise = "\u2014" if ns is None else f"{float(ns) * 100:.1f}"
    return f"parameter sd {part} pts\nnoise sd {noise} pts"


# --------------------------------------------------------------------------------------------
# Shared helpers


def _param_label(name: str, parameters: Mapping[str, Any] | None, width: int = _LABEL_WIDTH) -> str:
    """Wrapped label of a parameter, with its value as written unless the label shows it."""
    meta = (parameters or {}).get(name)
    text = label_of(meta, name)
    value = meta.get("value") if isinstance(meta, Mapping) else None
    if not (isinstance(value, str) and value.strip() and value.strip() not in text):
        return wrap(text, width)
    shown = "(" + label_of(value, value).replace(" ", "\u00a0") + ")"  # kept on one line
    if any(unicodedata.bidirectional(c) in ("R", "AL") for c in text):
        # On a line of its own: appended to right-to-left text, "(3% to 10%)" would be
        # reordered by the bidirectional algorithm.
        return wrap(text, width) + "\n" + shown
    return wrap(f"{text} {shown}", width)


def _rows_height(names: Sequence[str], minimum: float = 0.3) -> float:
    """Height in inches of bar rows labelled with `names` (wrapped text)."""
    return sum(max(minimum, 0.165 * (n.count("\n") + 1) + 0.12) for n in names)


def _panel_figure(
    panels: Sequence[tuple[str, Sequence[str]]], width: float, empty: str
) -> tuple[Figure, list[Axes]]:
    """A figure of stacked panels, each as tall as its title and its labelled rows."""
    if not panels:
        fig = new_figure(width, 2.0)
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, empty, ha="center", va="center")
        return fig, []
    rows = [max(_rows_height(names), 0.45) for _, names in panels]
    overhead = [0.75 + 0.18 * (title.count("\n") + 1) for title, _ in panels]
    fig = new_figure(width, 0.7 + sum(rows) + sum(overhead))
    axes = fig.subplots(
        len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": rows}
    )[:, 0]  # fmt: skip
    return fig, list(axes)


def _figure_legend(fig: Figure, title: str, handles: Sequence[Any]) -> None:
    """The figure's legend, above the panels, with the figure's title as its (bold) title."""
    if not fig.axes or not fig.axes[0].has_data():
        fig.suptitle(title, x=0.01, ha="left", fontsize=10, fontweight="bold")
        return
    fig.legend(
        handles=list(handles),
        loc="outside upper left",
        ncols=len(handles),
        handlelength=1.6,
        title=title,
        title_fontproperties={"weight": "bold", "size": 10},
        alignment="left",
    )


def _name_axis(ax: Axes, names: Sequence[str]) -> None:
    y = np.arange(len(names))
    ax.set_ylim(len(names) - 0.5, -0.5)  # first (largest) on top
    ax.set_yticks(y, labels=list(names))
    ax.tick_params(axis="y", length=0)


def _empty(ax: Axes, text: str) -> None:
    ax.set_yticks([])
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)


def _percent_tick(value: float, _pos: int) -> str:
    """A share as a percentage with no more decimals than it needs: 20%, 22.5%."""
    return f"{round(value * 100, 6):g}%"


def _num(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return 0.0
    return out if math.isfinite(out) else 0.0


def _signed(value: float, decimals: int | None) -> str:
    if abs(value) < 1e-12:
        return "0"
    text = f"{value:+.{decimals}f}" if decimals is not None else f"{value:+g}"
    return text.replace("-", "\u2212")
