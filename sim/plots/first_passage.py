"""Curves over time of the outcomes: first passage (the share of runs whose outcome has held by
each date, for outcomes read "at any time") and probability over time (the share of runs in
which the outcome holds on each date, for outcomes read at the horizon)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from sim.plots.style import (
    format_date_axis,
    label_of,
    legend_height,
    new_axes,
    percent_axis,
    pick_colors,
    styled,
    to_dates,
    wrap,
)

__all__ = ["plot_first_passage", "plot_over_time"]

_COLUMNS = ("date", "outcome", "share")


@styled
def plot_first_passage(
    first_passage: pd.DataFrame,
    outcomes: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    ax: Axes | None = None,
    colors: Mapping[str, Any] | None = None,
) -> Axes:
    """One line per outcome: the share of runs whose condition has held by each date.

    Where an outcome's ``first_time_median`` is a date, a marker is drawn where the curve
    crosses 50% (on the dashed 50% line) at that date.

    Parameters
    ----------
    first_passage : pandas.DataFrame
        ``first_passage.csv``: columns ``date`` (ISO string or datetime), ``outcome``,
        ``share`` in [0, 1]; one row per (date, outcome).
    outcomes : mapping of str to mapping, optional
        ``summary.json["outcomes"]``: gives the order, labels (``label``) and medians
        (``first_time_median``, an ISO date or null). Outcomes found only in `first_passage`
        follow, ids as labels.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure.
    colors : mapping of str to colour, optional
        Outcome id -> colour, from :func:`sim.plots.style.outcome_colors` of every outcome
        of the scenario, so an outcome has the same colour in every chart; by default (or for
        an id missing from it) the outcomes drawn take the palette in the order drawn.

    Returns
    -------
    matplotlib.axes.Axes
        With the legend outside the plot area, on the right.

    Raises
    ------
    KeyError
        If a column is missing from `first_passage`.
    """
    missing = [c for c in _COLUMNS if c not in first_passage.columns]
    if missing:
        raise KeyError(f"first-passage data lacks column(s) {missing}; expected {list(_COLUMNS)}")
    outcomes = dict(outcomes or {})
    order, labels = _order(first_passage, outcomes)
    medians = any((outcomes.get(o) or {}).get("first_time_median") for o in order)
    legend = [*labels.values()] + (["median first time"] if medians else [])
    ax = _axes(
        ax, legend, "First passage: share of runs in which the outcome has held by each date"
    )
    if not order:
        ax.text(0.5, 0.5, "no first-passage data", ha="center", va="center", transform=ax.transAxes)
        return ax

    ax.axhline(0.5, color="0.5", linewidth=0.8, linestyle="--", zorder=1)
    _draw_curves(ax, first_passage, order, labels, outcomes, colors)
    _date_axis(ax, first_passage)
    _legend(ax, with_median=medians)
    return ax


@styled
def plot_over_time(
    curves: pd.DataFrame,
    outcomes: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    ax: Axes | None = None,
    colors: Mapping[str, Any] | None = None,
) -> Axes:
    """One line per outcome: the share of runs in which it holds on each date.

    For an outcome read at the horizon this is its probability had the horizon been that
    date (the curve ends at the outcome's probability); unlike first passage it may fall.

    Parameters
    ----------
    curves : pandas.DataFrame
        ``first_passage.csv``: columns ``date`` (ISO string or datetime), ``outcome`` and
        ``holds`` in [0, 1]; one row per (date, outcome).
    outcomes : mapping of str to mapping, optional
        ``summary.json["outcomes"]``: the order and labels; others follow, ids as labels.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure.
    colors : mapping of str to colour, optional
        Outcome id -> colour, from :func:`sim.plots.style.outcome_colors` of every outcome
        of the scenario, so an outcome has the same colour in every chart; by default (or for
        an id missing from it) the outcomes drawn take the palette in the order drawn.

    Returns
    -------
    matplotlib.axes.Axes
        With the legend outside the plot area, on the right.

    Raises
    ------
    KeyError
        If a column is missing from `curves`.
    """
    missing = [c for c in ("date", "outcome", "holds") if c not in curves.columns]
    if missing:
        raise KeyError(f"curves lack column(s) {missing}; expected date, outcome, holds")
    order, labels = _order(curves, dict(outcomes or {}))
    title = "Probability over time: share of runs in which the outcome holds on each date"
    ax = _axes(ax, list(labels.values()), title)
    if not order:
        ax.text(0.5, 0.5, "no outcome", ha="center", va="center", transform=ax.transAxes)
        return ax
    frame = curves[["date", "outcome", "holds"]].rename(columns={"holds": "share"})
    _draw_curves(ax, frame, order, labels, {}, colors)
    _date_axis(ax, frame)
    _zoom(ax, float(frame.loc[frame["outcome"].isin(order), "share"].max()))
    _legend(ax, with_median=False)
    return ax


def _order(data: pd.DataFrame, outcomes: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The outcomes drawn (those of ``outcomes`` first, in its order, then any others in
    ``data``) and their wrapped legend labels."""
    present = list(pd.unique(data["outcome"]))
    order = [o for o in outcomes if o in present] + [o for o in present if o not in outcomes]
    return order, {o: wrap(label_of(outcomes.get(o), o), 30) for o in order}


def _axes(ax: Axes | None, legend: list[str], title: str) -> Axes:
    """The axes of a curves chart: tall enough for ``legend``, titled, a 0-100% y axis."""
    ax = new_axes(ax, 9.0, max(3.6, 1.0 + legend_height(legend)))
    ax.set_title(title, loc="left")
    ax.set_ylim(-0.015, 1.015)  # a curve at 0% or 100% stays visible above the spines
    percent_axis(ax.yaxis)
    ax.set_ylabel("Share of runs")
    ax.grid(axis="y", color="0.88", linewidth=0.8)
    ax.set_axisbelow(True)
    return ax


_ZOOMS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1)  # y-axis tops when every share is small


def _zoom(ax: Axes, top: float) -> None:
    """Zoom the y axis to the smallest of 0.1%, 0.2%, 0.5%, 1%, 2%, 5% or 10% that holds every
    share when all are below 10% (lines all below 1% are a flat smear on a 0-100% axis), with
    six ticks, and say so in the axis label."""
    from matplotlib.ticker import PercentFormatter

    if not 0 < top < _ZOOMS[-1]:
        return
    ceiling = next(z for z in _ZOOMS if top <= z)
    ax.set_ylim(-0.015 * ceiling, 1.015 * ceiling)
    step = ceiling / 5
    percent_axis(ax.yaxis, [k * step for k in range(6)])
    decimals = max(0, -math.floor(math.log10(step * 100) + 1e-9))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=decimals))
    ax.set_ylabel(f"Share of runs (axis zoomed to {100 * ceiling:g}%)")


def _date_axis(ax: Axes, frame: pd.DataFrame) -> None:
    """The x axis from the first date of ``frame`` to its last, as dates."""
    dates = to_dates(frame["date"])
    if dates.min() < dates.max():
        ax.set_xlim(dates.min(), dates.max())
    format_date_axis(ax)


def _draw_curves(
    ax: Axes,
    first_passage: pd.DataFrame,
    order: list[str],
    labels: Mapping[str, str],
    outcomes: Mapping[str, Mapping[str, Any]],
    colors: Mapping[str, Any] | None,
) -> None:
    """One curve per outcome in `order`, and a marker at 50% on its median first time."""
    for outcome, color in zip(order, pick_colors(order, colors), strict=True):
        rows = first_passage[first_passage["outcome"] == outcome]
        series = pd.Series(rows["share"].to_numpy(dtype=float), index=to_dates(rows["date"]))
        series = series.groupby(level=0).max().sort_index()
        ax.plot(
            series.index.to_numpy(),
            series.to_numpy(),
            color=color,
            linewidth=1.8,
            label=labels[outcome],
        )
        median = (outcomes.get(outcome) or {}).get("first_time_median")
        if median:
            ax.plot(
                to_dates([median]),
                [0.5],
                marker="o",
                markersize=6,
                color=color,
                markeredgecolor="white",
                linestyle="none",
                zorder=3,
                clip_on=False,
            )


def _legend(ax: Axes, *, with_median: bool) -> None:
    """The curves' legend outside the plot, on the right, with the median marker's key."""
    handles, texts = ax.get_legend_handles_labels()
    if with_median:
        handles.append(
            Line2D([], [], marker="o", color="0.3", markeredgecolor="white", linestyle="none")
        )
        texts.append("median first time")
    ax.legend(handles, texts, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
