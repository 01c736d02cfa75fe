"""The forecast over the as-of dates: how each outcome's probability moved with the evidence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from sim.plots.style import (
    format_date_axis,
    label_of,
    legend_height,
    new_axes,
    outcome_colors,
    percent_axis,
    pick_colors,
    styled,
    to_dates,
    wrap,
)

__all__ = ["plot_history"]


@styled
def plot_history(
    history: Mapping[str, Any],
    *,
    ax: Axes | None = None,
    colors: Mapping[str, Any] | None = None,
) -> Axes:
    """One step curve per outcome: its probability as of each date, with its 95% band; each
    observation's date marked on the time axis.

    A forecast made as of a date holds until the next as-of date, so each curve is drawn as
    steps; a point at which the evidence rules out every run has no probability, and its
    curve stops there.

    Parameters
    ----------
    history : mapping
        ``history.json`` content (:class:`sim.contracts.history.HistoryFile`): ``start``,
        ``horizon``, ``outcomes`` (id -> ``{label}``), ``observations`` (each with a
        ``date``) and ``points`` (each with ``date`` and ``outcomes`` id ->
        ``{probability, ci95}``, nulls when ruled out).
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure.
    colors : mapping of str to colour, optional
        Outcome id -> colour (:func:`sim.plots.style.outcome_colors`); by default that of
        ``history["outcomes"]``, which lists every outcome of the scenario in file order, so
        each outcome has the colour it has in the results folder's charts.

    Returns
    -------
    matplotlib.axes.Axes
        With the legend outside the plot area, on the right.
    """
    outcomes = history["outcomes"]
    labels = {o: wrap(label_of(meta, o), 30) for o, meta in outcomes.items()}
    legend = [*labels.values(), "observation"]
    ax = new_axes(ax, 9.0, max(3.6, 1.0 + legend_height(legend)))
    ax.set_title("The forecast as of each date: probability at the horizon", loc="left")
    ax.set_ylim(-0.015, 1.015)
    percent_axis(ax.yaxis)
    ax.set_ylabel("Probability")
    ax.set_xlabel("As of")
    ax.grid(axis="y", color="0.88", linewidth=0.8)
    ax.set_axisbelow(True)
    points = history["points"]
    dates = to_dates([p["date"] for p in points])
    keyed = colors if colors is not None else outcome_colors(outcomes)
    for oid, color in zip(outcomes, pick_colors(list(outcomes), keyed), strict=True):
        _curve(ax, dates, points, oid, color, labels[oid])
    seen = sorted({o["date"] for o in history.get("observations", [])})
    for when in to_dates(seen) if seen else []:
        ax.axvline(when, color="0.45", linewidth=0.9, linestyle=":", zorder=1)
    if seen:
        ax.plot(
            to_dates(seen),
            np.zeros(len(seen)),
            marker="^",
            markersize=7,
            color="0.3",
            linestyle="none",
            transform=ax.get_xaxis_transform(),
            clip_on=False,
            zorder=4,
        )
    start, horizon = to_dates([history["start"], history["horizon"]])
    if start < horizon:
        ax.set_xlim(start, horizon)
    format_date_axis(ax)
    handles, texts = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], marker="^", color="0.3", linestyle="none"))
    texts.append("observation (dated here)")
    ax.legend(handles, texts, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    return ax


def _curve(ax: Axes, dates: np.ndarray, points: list, oid: str, color: Any, label: str) -> None:
    """The step curve and band of one outcome; null probabilities are gaps."""
    p = np.array([_num(pt["outcomes"][oid]["probability"]) for pt in points])
    ci = [pt["outcomes"][oid]["ci95"] or [None, None] for pt in points]
    low = np.array([_num(c[0]) for c in ci])
    high = np.array([_num(c[1]) for c in ci])
    ax.fill_between(dates, low, high, step="post", color=color, alpha=0.18, linewidth=0)
    ax.plot(dates, p, drawstyle="steps-post", color=color, linewidth=1.8, label=label)
    ax.plot(dates, p, marker="o", markersize=4.5, color=color, linestyle="none")


def _num(value: Any) -> float:
    return np.nan if value is None else float(value)
