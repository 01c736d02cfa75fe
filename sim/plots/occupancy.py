"""Occupancy over calendar time: the share of runs in each state, one stacked panel per track."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.plots.style import (
    colors,
    format_date_axis,
    label_of,
    legend_height,
    new_axes,
    new_figure,
    percent_axis,
    styled,
    to_dates,
    wrap,
)

__all__ = ["plot_occupancy", "plot_track_occupancy"]

_COLUMNS = ("date", "track", "state", "share")


@styled
def plot_occupancy(occupancy: pd.DataFrame, tracks: Mapping[str, Any] | None = None) -> Figure:
    """Stacked-area occupancy over calendar time, one panel per track, sharing the date axis.

    Parameters
    ----------
    occupancy : pandas.DataFrame
        ``occupancy.csv``: columns ``date`` (ISO string or datetime), ``track``, ``state``,
        ``share``; one row per (date, track, state). At each date a track's shares sum to 1.
    tracks : mapping of str to mapping, optional
        ``summary.json["tracks"]``: track id -> ``{"label", "states": {state id: label}}``. Gives
        the panel order, the state order within a panel (bottom to top) and the labels. Tracks
        and states found only in `occupancy` follow, ids as labels.

    Returns
    -------
    matplotlib.figure.Figure
        Figure of height about 2.5 inches per track (more for a track whose legend of
        states needs it); every panel has its own date labels.

    Raises
    ------
    KeyError
        If a column is missing from `occupancy`.
    """
    tracks = dict(tracks or {})
    _check_columns(occupancy)
    order = list(tracks) + [t for t in pd.unique(occupancy["track"]) if t not in tracks]
    if not order:
        fig = new_figure(9.0, 2.0)
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no occupancy data", ha="center", va="center")
        return fig
    # A panel is at least as tall as its legend, so legends never run into the next panel.
    heights = [
        max(2.1, 0.55 + legend_height(_states(occupancy, t, tracks.get(t))[1])) for t in order
    ]
    # Every panel keeps its own dates, so a panel read alone (or a slide of it) is dated.
    heights = [hgt + 0.45 for hgt in heights]
    fig = new_figure(9.0, 0.5 + sum(heights))
    axes = fig.subplots(
        len(order), 1, sharex=True, squeeze=False, gridspec_kw={"height_ratios": heights}
    )[:, 0]
    for ax, track in zip(axes, order, strict=True):
        plot_track_occupancy(occupancy, track, tracks.get(track), ax=ax)
        ax.tick_params(axis="x", labelbottom=True)
    return fig


@styled
def plot_track_occupancy(
    occupancy: pd.DataFrame,
    track: str,
    meta: Mapping[str, Any] | None = None,
    *,
    ax: Axes | None = None,
) -> Axes:
    """Stacked-area occupancy of one track over calendar time.

    Parameters
    ----------
    occupancy : pandas.DataFrame
        ``occupancy.csv`` (see :func:`plot_occupancy`); rows of other tracks are ignored.
    track : str
        The track id.
    meta : mapping, optional
        ``summary.json["tracks"][track]``: ``{"label", "states": {state id: label}}``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        With the states' legend outside the plot area, on the right.
    """
    _check_columns(occupancy)
    ax = new_axes(ax, 9.0, 2.6)
    meta = meta or {}
    ax.set_title(label_of(meta, track), loc="left")
    rows = occupancy[occupancy["track"] == track]
    if rows.empty:
        ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
        return ax

    table = rows.pivot_table(index="date", columns="state", values="share", aggfunc="sum")
    table.index = to_dates(table.index)
    table = table.sort_index().fillna(0.0)
    states, labels = _states(occupancy, track, meta)

    x = table.index.to_numpy()
    ys = table[states].to_numpy(dtype=float).T
    ax.stackplot(
        x,
        ys,
        labels=labels,
        colors=colors(len(states)),
        alpha=0.9,
        linewidth=0.3,
        edgecolor="white",
    )
    if len(x) > 1:
        ax.set_xlim(x[0], x[-1])
    ax.set_ylim(0, 1)
    percent_axis(ax.yaxis, (0, 0.5, 1.0))
    ax.set_ylabel("Share of runs")
    format_date_axis(ax)
    # Reverse so the legend reads top to bottom like the stack.
    handles, texts = ax.get_legend_handles_labels()
    ax.legend(
        handles[::-1], texts[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0
    )
    return ax


def _states(
    occupancy: pd.DataFrame, track: str, meta: Mapping[str, Any] | None
) -> tuple[list[str], list[str]]:
    """The track's states with data, in file order then data order, and their wrapped labels."""
    present = list(pd.unique(occupancy.loc[occupancy["track"] == track, "state"]))
    state_labels = (meta or {}).get("states") or {}
    states = [s for s in state_labels if s in present] + [
        s for s in present if s not in state_labels
    ]
    return states, [wrap(label_of(state_labels.get(s), s), 28) for s in states]


def _check_columns(frame: pd.DataFrame) -> None:
    missing = [c for c in _COLUMNS if c not in frame.columns]
    if missing:
        raise KeyError(f"occupancy data lacks column(s) {missing}; expected {list(_COLUMNS)}")
