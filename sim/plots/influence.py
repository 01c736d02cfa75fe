"""The influence diagram: which track's state enables, blocks, speeds up or slows the events
of which other track (``summary.json``'s ``influences``, :mod:`sim.analysis.influence`).

Tracks are boxes on a circle, in file order clockwise from the top; an arrow from track A to
track B says that A's state acts on at least one event of B, coloured and dashed by kind
(see :data:`STYLES`) and thicker the more events it acts on. Arrows between the same two
tracks curve apart: A -> B and B -> A bend to opposite sides, and several kinds of one pair
bend by growing amounts. With more than ``top`` tracks only the ``top`` most connected are
drawn (a note says how many are left out); the report's table lists every influence.

Layout in inches (one data unit is one inch when the function makes its own figure): about
10.5 x 11 inches, 1600 x 1650 px at 150 dpi.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from sim.analysis.influence import KINDS, edges
from sim.plots.style import label_of, new_figure, plain, styled, wrap

__all__ = ["MAX_TRACKS", "STYLES", "most_connected", "plot_influence"]

#: Tracks drawn at most; beyond, the most connected (the table lists every influence).
MAX_TRACKS = 12

#: Colour and line style of each kind of arrow (the colours of Okabe and Ito's palette for
#: colour-blind readers; the line styles tell the kinds apart in grey too).
STYLES: dict[str, tuple[str, str]] = {
    "enables": ("#009E73", "-"),
    "blocks": ("#D55E00", (0, (4, 2))),
    "speeds up": ("#E69F00", "-"),
    "slows": ("#0072B2", (0, (1, 1.5))),
}

_SIZE = 10.5  # width of the square drawing area, inches
_HEAD_H = 1.2  # title, subtitle and legend above it
_BOX_W = 1.75  # track box width
_WRAP = 18  # characters per line in a box


@styled
def plot_influence(
    summary: Mapping[str, Any], *, ax: Axes | None = None, top: int = MAX_TRACKS
) -> Axes:
    """Draw the tracks and the influences between them.

    Parameters
    ----------
    summary : mapping
        ``summary.json`` read as a dict. Used keys: ``title`` (else ``scenario``);
        ``tracks`` (track id -> ``{"label", ...}``, in file order) and ``influences`` (a list
        of ``{"source", "target", "event", "kind", ...}``); tracks named only by influences
        are added, ids as labels.
    ax : matplotlib.axes.Axes, optional
        Where to draw; by default a new figure of about 10.5 x 11.6 inches.
    top : int, optional
        Most tracks drawn (the most connected, see :func:`most_connected`).

    Returns
    -------
    matplotlib.axes.Axes
        With the axis frame turned off and equal scales on both axes.
    """
    tracks = dict(summary.get("tracks") or {})
    rows = list(summary.get("influences") or [])
    shown = most_connected(tracks, rows, top)
    keep = set(shown)
    drawn = {k: v for k, v in edges(rows).items() if k[0] in keep and k[1] in keep}
    left_out = len(_track_ids(tracks, rows)) - len(shown)

    width, height = _SIZE, _SIZE + _HEAD_H
    if ax is None:
        ax = new_figure(width, height, layout=None).add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.set_axis_off()
    _heading(ax, summary, width, height, left_out)

    boxes = _boxes(ax, shown, tracks, centre=(width / 2, _SIZE / 2))
    pair_kinds: dict[tuple[str, str], list[str]] = {}
    for source, target, kind in drawn:
        pair_kinds.setdefault((source, target), []).append(kind)
    for (source, target, kind), events in drawn.items():
        k = pair_kinds[(source, target)].index(kind)
        color, style = STYLES.get(kind, ("0.4", "-"))
        n_events = len({str(r["event"]) for r in events})
        ax.add_patch(
            FancyArrowPatch(
                posA=boxes[source][1],
                posB=boxes[target][1],
                patchA=boxes[source][0],
                patchB=boxes[target][0],
                connectionstyle=f"arc3,rad={0.12 + 0.13 * k}",
                arrowstyle="-|>",
                mutation_scale=16,
                color=color,
                linestyle=style,
                linewidth=1.0 + 0.7 * min(n_events, 5),
                shrinkA=3,
                shrinkB=3,
                zorder=1,
            )
        )
    if not shown:
        ax.text(width / 2, _SIZE / 2, "no influences between tracks", ha="center", va="center")
    return ax


def most_connected(
    tracks: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], top: int
) -> list[str]:
    """The ids of at most ``top`` tracks to draw, in file order: every track when there are
    that few, else those that take part in the most influences (ties: file order).

    Parameters
    ----------
    tracks : mapping
        ``summary.json``'s ``tracks`` (track id -> metadata), in file order.
    rows : sequence of mapping
        ``summary.json``'s ``influences``.
    top : int
        Most tracks returned.

    Returns
    -------
    list of str
    """
    ids = _track_ids(tracks, rows)
    if len(ids) <= top:
        return ids
    degree = Counter()
    for row in rows:
        degree[str(row["source"])] += 1
        degree[str(row["target"])] += 1
    best = sorted(range(len(ids)), key=lambda k: (-degree[ids[k]], k))[:top]
    return [ids[k] for k in sorted(best)]


def _track_ids(tracks: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> list[str]:
    ids = [str(t) for t in tracks]
    for row in rows:
        for t in (str(row["source"]), str(row["target"])):
            if t not in ids:
                ids.append(t)
    return ids


def _heading(ax: Axes, summary: Mapping[str, Any], width: float, height: float, left_out: int):
    title = summary.get("title") or summary.get("scenario") or "Scenario"
    ax.text(
        0.35,
        height - 0.12,
        wrap(plain(str(title)), 110),
        ha="left",
        va="top",
        fontsize=12,
        fontweight="bold",
    )
    note = (
        "An arrow from A to B: the state of track A changes when or how fast events of "
        "track B happen (thicker: more events)"
    )
    if left_out > 0:
        note += f"; the {left_out} least connected tracks are left out (see the table)"
    note = wrap(note, 150)
    ax.text(0.35, height - 0.5, note, ha="left", va="top", fontsize=8, color="0.3")
    handles = [
        Line2D([], [], color=STYLES[k][0], linestyle=STYLES[k][1], linewidth=2.2) for k in KINDS
    ]
    ax.legend(
        handles,
        list(KINDS),
        loc="upper left",
        bbox_to_anchor=(0.35 / width, (height - 0.72 - 0.14 * note.count("\n")) / height),
        ncol=len(KINDS),
        fontsize=9,
        handlelength=3,
        borderaxespad=0,
    )


def _boxes(
    ax: Axes, shown: list[str], tracks: Mapping[str, Any], centre: tuple[float, float]
) -> dict[str, tuple[FancyBboxPatch, tuple[float, float]]]:
    """One box per track on a circle, clockwise from the top: track -> (box, centre)."""
    n = len(shown)
    radius = 0.0 if n == 1 else _SIZE / 2 - 1.0
    out = {}
    for k, track in enumerate(shown):
        angle = math.pi / 2 - 2 * math.pi * k / max(n, 1)
        x = centre[0] + radius * math.cos(angle)
        y = centre[1] + radius * math.sin(angle)
        label = wrap(label_of(tracks.get(track), track), _WRAP)
        h = 0.22 + 0.17 * (label.count("\n") + 1)
        box = FancyBboxPatch(
            (x - _BOX_W / 2, y - h / 2),
            _BOX_W,
            h,
            boxstyle="round,pad=0.02,rounding_size=0.1",
            facecolor="#EEF2F8",
            edgecolor="#4C72B0",
            linewidth=1.3,
            zorder=2,
        )
        ax.add_patch(box)
        ax.text(x, y, label, ha="center", va="center", fontsize=9.5, zorder=3, linespacing=1.1)
        out[track] = (box, (x, y))
    return out
