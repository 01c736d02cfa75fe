"""Variant comparison charts: each variant's outcome probabilities, and paired differences.

Both charts read ``comparison.json`` (see :func:`sim.analysis.compare.compare`) and give every
variant the same colour and marker: base in near-black circles, the others in tab10 colours
with a marker of their own, so variants stay distinguishable in greyscale too. A variant's
colour and marker follow its position in the scenario, not which variants are compared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.plots.style import (
    label_of,
    legend_height,
    new_axes,
    percent_axis,
    styled,
    variant_colors,
    wrap,
)

__all__ = [
    "plot_variant_differences",
    "plot_variant_probabilities",
    "variant_order",
    "variant_styles",
]

_BASE = "base"
_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "<", ">", "h", "p", "*")
_LABEL_WIDTH = 34
_LEGEND_WIDTH = 28
_BAND = "0.955"


def variant_order(comparison: Mapping[str, Any]) -> list[str]:
    """Variant ids in display order: base first, then ``variants`` order, then any others.

    Parameters
    ----------
    comparison : mapping
        ``comparison.json`` content.

    Returns
    -------
    list of str
        Ids found in ``comparison["variants"]`` or in any outcome's ``by_variant``.
    """
    ids = list(comparison.get("variants") or {})
    for outcome in (comparison.get("outcomes") or {}).values():
        if isinstance(outcome, Mapping):
            ids += list(outcome.get("by_variant") or {})
    ids = list(dict.fromkeys(ids))
    return ([_BASE] if _BASE in ids else []) + [v for v in ids if v != _BASE]


def variant_styles(comparison: Mapping[str, Any]) -> dict[str, tuple[Any, str]]:
    """Colour and marker of each variant, the same in every comparison chart.

    Both are keyed by the variant's identity, its ``position`` in the scenario's variants
    (``comparison["variants"][id]["position"]``: base 0, then file order), so ``sim compare
    FILE v3`` draws v3 as ``--all-variants`` does. A file without positions (written before
    they were) falls back to the order of :func:`variant_order`.

    Parameters
    ----------
    comparison : mapping
        ``comparison.json`` content.

    Returns
    -------
    dict of str to (colour, marker)
        In :func:`variant_order`; base is near-black circles, the others the colours of
        :func:`sim.plots.style.variant_colors` (they repeat beyond its 10) and distinct
        markers (12, then repeating).
    """
    positions = _positions(comparison, variant_order(comparison))
    palette = variant_colors(positions)
    return {vid: (palette[vid], _MARKERS[k % len(_MARKERS)]) for vid, k in positions.items()}


def _positions(comparison: Mapping[str, Any], order: Sequence[str]) -> dict[str, int]:
    """Each variant's position in the scenario's variants (base 0); by `order` without them."""
    variants = comparison.get("variants") or {}
    given = {
        vid: (variants.get(vid) or {}).get("position") if isinstance(variants, Mapping) else None
        for vid in order
    }
    if all(isinstance(k, int) and not isinstance(k, bool) for k in given.values()):
        return {vid: int(k) for vid, k in given.items()}  # type: ignore[arg-type]
    start = 0 if _BASE in order else 1
    return {vid: k + start for k, vid in enumerate(order)}


@styled
def plot_variant_probabilities(
    comparison: Mapping[str, Any], *, ax: Axes | None = None, only: Sequence[str] | None = None
) -> Axes:
    """Each outcome's probability under each variant, with its 95% Wilson interval.

    Outcomes are rows, top to bottom in file order, on alternately shaded bands; within a row
    each variant has a dot (its probability) and a horizontal error bar (its ``ci95``), base on
    top, in the order of the legend.

    Parameters
    ----------
    comparison : mapping
        ``comparison.json`` content: ``"outcomes"``: outcome id -> ``{"label", "by_variant":
        {variant id: {"probability", "ci95"}}}``, and ``"variants"``: variant id ->
        ``{"label"}`` (labels fall back to ids). A variant missing from an outcome's
        ``by_variant`` is skipped in that row; ``ci95`` is optional.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure whose height grows with the number of outcomes
        and variants.
    only : sequence of str, optional
        The outcomes to draw (in file order); all by default. A big model's report passes
        :func:`sim.report.drawn.compared_outcomes` so that the chart fits a slide.

    Returns
    -------
    matplotlib.axes.Axes
        With the variants' legend outside the plot area, on the right.

    Raises
    ------
    KeyError
        If `comparison` has no ``outcomes`` or an entry has no ``probability``.
    """
    outcomes: Mapping[str, Any] = comparison["outcomes"]
    order = variant_order(comparison)
    styles = variant_styles(comparison)
    ids = _drawn(outcomes, only)
    labels = [wrap(label_of(outcomes[o], o), _LABEL_WIDTH) for o in ids]
    legend = _legend_labels(comparison, order)
    ax = new_axes(ax, 9.5, _height(labels, len(order), legend))
    ax.set_title("Outcome probabilities by variant (error bars: 95% Wilson interval)", loc="left")
    ax.set_xlim(-0.01, 1.01)
    percent_axis(ax.xaxis, (0, 0.2, 0.4, 0.6, 0.8, 1.0))
    ax.set_xlabel("Probability (share of runs)")
    ax.grid(axis="x", color="0.85", linewidth=0.8)
    ax.set_axisbelow(True)
    if not ids:
        ax.set_yticks([])
        ax.text(0.5, 0.5, "no outcomes", ha="center", va="center", transform=ax.transAxes)
        return ax

    _bands(ax, len(ids))
    offsets = _offsets(len(order))
    for vid, offset, text in zip(order, offsets, legend, strict=True):
        color, marker = styles[vid]
        rows = [
            (y, outcomes[o]["by_variant"][vid]) for y, o in enumerate(ids) if _has(outcomes[o], vid)
        ]
        y = np.array([r[0] for r in rows], dtype=float) + offset
        p = np.array([float(r[1]["probability"]) for r in rows])
        xerr = _xerr(p, [r[1].get("ci95") for r in rows])
        ax.errorbar(
            p,
            y,
            xerr=xerr,
            fmt=marker,
            color=color,
            markersize=5,
            markeredgecolor="white",
            markeredgewidth=0.5,
            elinewidth=1.3,
            capsize=2,
            label=text,
            zorder=3,
        )
    _outcome_axis(ax, labels)
    _variant_legend(ax)
    return ax


@styled
def plot_variant_differences(
    comparison: Mapping[str, Any], *, ax: Axes | None = None, only: Sequence[str] | None = None
) -> Axes:
    """Paired difference from base of each outcome under each other variant, in points.

    Outcomes are rows, as in :func:`plot_variant_probabilities`; within a row each non-base
    variant has a dot at its ``difference`` (variant minus base, in percentage points) and a
    horizontal error bar for its paired 95% interval (``difference_ci95``). A dot is filled
    when the interval excludes zero, hollow when it includes it. A vertical line marks zero.

    Parameters
    ----------
    comparison : mapping
        ``comparison.json`` content: ``"outcomes"``: outcome id -> ``{"label", "by_variant":
        {variant id: {"difference", "difference_ci95"}}}``, and ``"variants"``. Entries without
        ``difference`` are skipped; ``difference_ci95`` is optional.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure sized like that of
        :func:`plot_variant_probabilities`.
    only : sequence of str, optional
        The outcomes to draw, as in :func:`plot_variant_probabilities`.

    Returns
    -------
    matplotlib.axes.Axes
        With the variants' legend outside the plot area, on the right.

    Raises
    ------
    KeyError
        If `comparison` has no ``outcomes``.
    """
    outcomes: Mapping[str, Any] = comparison["outcomes"]
    order = [v for v in variant_order(comparison) if v != _BASE]
    styles = variant_styles(comparison)
    ids = _drawn(outcomes, only)
    labels = [wrap(label_of(outcomes[o], o), _LABEL_WIDTH) for o in ids]
    legend = _legend_labels(comparison, order)
    keys = ["filled: interval excludes 0", "hollow: interval includes 0"]
    ax = new_axes(ax, 9.5, _height(labels, len(order), legend + keys))
    ax.set_title("Difference from base (percentage points, paired 95% interval)", loc="left")
    ax.set_xlabel("Variant minus base (percentage points)")
    ax.grid(axis="x", color="0.85", linewidth=0.8)
    ax.set_axisbelow(True)
    if not ids or not order:
        ax.set_yticks([])
        ax.set_xticks([])
        message = "no outcomes" if not ids else "no variant besides base"
        ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
        return ax

    _bands(ax, len(ids))
    ax.axvline(0.0, color="0.25", linewidth=1.0, zorder=2)
    handles, bounds = _draw_differences(ax, outcomes, ids, order, styles, legend)
    lo, hi = min(bounds), max(bounds)
    pad = 0.06 * (hi - lo) if hi > lo else 1.0
    ax.set_xlim(lo - pad, hi + pad)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=9, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(_signed))
    _outcome_axis(ax, labels)
    _differences_legend(ax, handles, keys)
    return ax


def _draw_differences(
    ax: Axes,
    outcomes: Mapping[str, Any],
    ids: Sequence[str],
    order: Sequence[str],
    styles: Mapping[str, tuple[Any, str]],
    legend: Sequence[str],
) -> tuple[list[Any], list[float]]:
    """Each variant's differences (points) with their intervals, one offset dot per outcome row.

    Returns the variants' legend handles and the x extent drawn (with 0), in points.
    """
    offsets = _offsets(len(order))
    handles = []
    bounds = [0.0]
    for vid, offset, text in zip(order, offsets, legend, strict=True):
        color, marker = styles[vid]
        rows = [
            (y, outcomes[o]["by_variant"][vid])
            for y, o in enumerate(ids)
            if _has(outcomes[o], vid, "difference")
        ]
        handles.append(
            Line2D([], [], color=color, marker=marker, markersize=5, linewidth=1.3, label=text)
        )
        if not rows:
            continue
        y = np.array([r[0] for r in rows], dtype=float) + offset
        d = np.array([float(r[1]["difference"]) for r in rows]) * 100
        ci = [r[1].get("difference_ci95") for r in rows]
        xerr = _xerr(d, [[c[0] * 100, c[1] * 100] if _pair(c) else None for c in ci])
        low, high = d - xerr[0], d + xerr[1]
        bounds += [float(low.min()), float(high.max())]
        ax.errorbar(d, y, xerr=xerr, fmt="none", ecolor=color, elinewidth=1.3, capsize=2, zorder=3)
        clear = (low > 0) | (high < 0)
        for mask, face in ((clear, color), (~clear, "white")):
            ax.plot(
                d[mask],
                y[mask],
                linestyle="none",
                marker=marker,
                markersize=5,
                color=color,
                markerfacecolor=face,
                markeredgewidth=1.1,
                zorder=4,
            )
    return handles, bounds


def _differences_legend(ax: Axes, handles: list[Any], keys: Sequence[str]) -> None:
    """The variants' legend, right of the plot, with the filled/hollow keys after them."""
    grey = "0.35"
    handles = [
        *handles,
        Line2D([], [], color=grey, marker="o", markersize=5, linestyle="none", label=keys[0]),
        Line2D(
            [],
            [],
            color=grey,
            marker="o",
            markersize=5,
            markerfacecolor="white",
            linestyle="none",
            label=keys[1],
        ),
    ]
    _variant_legend(ax, handles)


def _variant_legend(ax: Axes, handles: list[Any] | None = None) -> None:
    """The variants' legend right of the plot (of ``handles``, else of what was drawn)."""
    ax.legend(
        **({"handles": handles} if handles is not None else {}),
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        borderaxespad=0.0,
        title="Variant",
        title_fontsize=8,
        alignment="left",
    )


# --------------------------------------------------------------------------------------------


def _legend_labels(comparison: Mapping[str, Any], order: Sequence[str]) -> list[str]:
    """Each variant's label; "(ruled out by the evidence)" after one with no probability."""
    variants = comparison.get("variants") or {}
    out = []
    for v in order:
        text = label_of(variants.get(v), v)
        if _ruled_out(comparison, v):
            text += " (ruled out by the evidence)"
        out.append(wrap(text, _LEGEND_WIDTH))
    return out


def _ruled_out(comparison: Mapping[str, Any], vid: str) -> bool:
    """Whether variant ``vid`` has entries and every one has a null probability."""
    entries = [
        (o.get("by_variant") or {}).get(vid) for o in (comparison.get("outcomes") or {}).values()
    ]
    entries = [e for e in entries if isinstance(e, Mapping)]
    return bool(entries) and all(e.get("probability", 0) is None for e in entries)


def _drawn(outcomes: Mapping[str, Any], only: Sequence[str] | None) -> list[str]:
    """The outcome ids to draw, in file order: all, or those of ``only``."""
    return list(outcomes) if only is None else [o for o in outcomes if o in set(only)]


def _height(labels: Sequence[str], variants: int, legend: Sequence[str]) -> float:
    """Figure height: rows tall enough for the wrapped label and one dot per variant."""
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    row = max(0.17 * lines + 0.16, 0.105 * variants + 0.16, 0.4)
    return max(1.4 + row * max(len(labels), 1), 1.2 + legend_height(legend) + 0.3)


def _offsets(n: int) -> np.ndarray:
    """Vertical offsets of `n` variants within a row of height 1 (first variant on top)."""
    if n <= 1:
        return np.zeros(max(n, 0))
    step = min(0.78 / n, 0.22)
    return (np.arange(n) - (n - 1) / 2) * step


def _bands(ax: Axes, n: int) -> None:
    for i in range(0, n, 2):
        ax.axhspan(i - 0.5, i + 0.5, color=_BAND, linewidth=0, zorder=0)


def _outcome_axis(ax: Axes, labels: Sequence[str]) -> None:
    y = np.arange(len(labels))
    ax.set_ylim(len(labels) - 0.5, -0.5)  # first outcome on top
    ax.set_yticks(y, labels=list(labels))
    ax.tick_params(axis="y", length=0)


def _has(outcome: Any, vid: str, key: str = "probability") -> bool:
    by_variant = outcome.get("by_variant") if isinstance(outcome, Mapping) else None
    entry = by_variant.get(vid) if isinstance(by_variant, Mapping) else None
    if not isinstance(entry, Mapping):
        return False
    if key == "probability":  # a missing one is an error: let the caller see the KeyError
        return "probability" not in entry or entry["probability"] is not None  # null: ruled out
    return isinstance(entry.get(key), int | float)


def _pair(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2


def _xerr(x: np.ndarray, intervals: Sequence[Any]) -> np.ndarray:
    """Error-bar extents (2 x n) around `x` from ``[low, high]`` pairs (None: no bar)."""
    lower = np.array([v - c[0] if _pair(c) else 0.0 for v, c in zip(x, intervals, strict=True)])
    upper = np.array([c[1] - v if _pair(c) else 0.0 for v, c in zip(x, intervals, strict=True)])
    return np.clip(np.vstack([lower, upper]).reshape(2, len(x)).astype(float), 0.0, None)


def _signed(value: float, _pos: int) -> str:
    if abs(value) < 1e-9:
        return "0"
    return f"{value:+g}".replace("-", "\u2212")  # a true minus sign, as matplotlib writes it
