"""The scenario diagram: each track's states as boxes, its events as labelled arrows.

Layout, in inches (one data unit is one inch when the function makes its own figure): one row
per track, states left to right in file order. Events that move a track to a later state in the
row arc *above* the boxes, events to an earlier state arc *below*, so no arrow crosses a box.
Arcs leave and enter the boxes vertically and nest like parentheses (longer arcs higher, and
attached nearer the box centres); an arc's label (event label, then its timing) sits at its
apex, and labels at the same height are at least one box spacing apart. Firings that leave
the state unchanged (a ``to`` equal to the ``from`` state) are not drawn.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from sim.analysis.words import format_probability
from sim.plots.style import colors, label_of, new_figure, plain, styled, wrap

__all__ = ["diagram_pages", "plot_diagram"]

# Geometry, inches.
_BOX_W = 1.55  # state box width
_SPACING = 2.1  # centre-to-centre distance between state boxes (5 states fit 1600 px)
_MARGIN = 0.35  # left and right margins
_TITLE_H = 0.75  # scenario title and legend line at the top of the figure
_TRACK_TITLE_H = 0.32  # track label above each row
_ROW_GAP = 0.25  # between rows
_LINE_H = 0.15  # one line of box text
_LABEL_LINE_H = 0.13  # one line of an arc label (7.2 pt, line spacing 1.2)
_MIN_APEX = 0.36  # least apex height of an arc above (or below) the boxes
_ATTACH = 0.34  # where level-0 arcs meet a box, as a fraction of its width from the centre
_STATE_WRAP = 18  # characters per line in a state box
_EVENT_WRAP = 24  # characters per line of an event label


@dataclass
class _Arc:
    i: int  # index of the from state in the row
    j: int  # index of the to state
    text: str
    color: Any
    level: int = 0
    dashed: bool = False  # the event has a guard (a ``when``)

    @property
    def mid(self) -> float:
        return (self.i + self.j) / 2

    @property
    def span(self) -> int:
        return abs(self.j - self.i)


@dataclass
class _Row:
    track: str
    label: str
    states: list[str]
    state_labels: list[str]
    shares: list[float | None]
    up: list[_Arc]
    down: list[_Arc]
    box_h: float

    def height_above(self) -> float:
        return _arc_room(self.up)

    def height_below(self) -> float:
        return _arc_room(self.down)

    @property
    def up_geometry(self) -> tuple[float, float]:
        return _geometry(self.up)

    @property
    def down_geometry(self) -> tuple[float, float]:
        return _geometry(self.down)

    def height(self) -> float:
        return _TRACK_TITLE_H + self.height_above() + self.box_h + self.height_below()


@styled
def plot_diagram(summary: Mapping[str, Any], *, ax: Axes | None = None) -> Axes:
    """Draw the scenario's tracks, states and events.

    Parameters
    ----------
    summary : mapping
        ``summary.json`` read as a dict. Used keys: ``title`` (else ``scenario``) for the
        heading; ``tracks`` (track id -> ``{"label", "states": {state id: label}}``, in file
        order); ``events`` (event id -> ``{"label", "track", "from": [state, ...],
        "to": {state: branch probability}, "timing": "25% / 12 mo"}``); and
        ``states_at_horizon`` (track id -> state id -> share), shown under each state's name.
        Tracks and states named only by events or ``states_at_horizon`` are added, ids as
        labels. ``to`` may also be a single state id and ``from`` a single id.
    ax : matplotlib.axes.Axes, optional
        Where to draw. By default a new figure sized to the diagram: its height grows with the
        number of tracks (about 1.5 to 3 inches a track, more with many nested arcs) and its width with the longest track.

    Returns
    -------
    matplotlib.axes.Axes
        With the axis frame turned off and equal scales on both axes.
    """
    rows = _rows(summary)
    n_max = max((len(r.states) for r in rows), default=1)
    width = max(6.5, 2 * _MARGIN + (n_max - 1) * _SPACING + _BOX_W)
    title = summary.get("title") or summary.get("scenario") or "Scenario"
    title = wrap(plain(str(title)), int((width - 2 * _MARGIN) / 0.12))
    legend = wrap(
        "States (boxes, with the share of runs at the horizon) and events (arrows, with "
        "timing); dashed: a conditional event, possible only while the condition after "
        "\u201cif\u201d holds",
        int((width - 2 * _MARGIN) / 0.065),
    )
    title_h = _TITLE_H + 0.22 * title.count("\n") + 0.14 * legend.count("\n")
    height = title_h + sum(r.height() + _ROW_GAP for r in rows) + 0.1
    if ax is None:
        fig = new_figure(width, height, layout=None)
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.set_axis_off()

    ax.text(_MARGIN, height - 0.12, title, ha="left", va="top", fontsize=12, fontweight="bold")
    ax.text(
        _MARGIN,
        height - 0.45 - 0.22 * title.count("\n"),
        legend,
        ha="left",
        va="top",
        fontsize=8,
        color="0.35",
    )

    top = height - title_h
    for row in rows:
        _draw_row(ax, row, top)
        top -= row.height() + _ROW_GAP
    if not rows:
        ax.text(width / 2, height / 2, "no tracks", ha="center", va="center")
    return ax


def diagram_pages(summary: Mapping[str, Any], max_height: float = 11.5) -> list[list[str]]:
    """Track ids in file order, grouped so that each group's diagram is at most about
    ``max_height`` inches tall (a track taller than that on its own has a page to itself).

    Parameters
    ----------
    summary : mapping
        ``summary.json`` read as a dict (see :func:`plot_diagram`).
    max_height : float, optional
        Inches; 11.5 in at 150 dpi is about 1700 px, under a slide's 1800.

    Returns
    -------
    list of list of str
        The track ids of each page; draw a page with :func:`plot_diagram` on a summary whose
        ``tracks``, ``events`` and ``states_at_horizon`` keep only those tracks.
    """
    pages: list[list[str]] = []
    used = max_height
    for row in _rows(summary):
        need = row.height() + _ROW_GAP
        if pages and used + need <= max_height - _TITLE_H - 0.35:
            pages[-1].append(row.track)
            used += need
        else:
            pages.append([row.track])
            used = need
    return pages


def _rows(summary: Mapping[str, Any]) -> list[_Row]:
    tracks: dict[str, Any] = dict(summary.get("tracks") or {})
    events: dict[str, Any] = dict(summary.get("events") or {})
    horizon: dict[str, Any] = dict(summary.get("states_at_horizon") or {})

    states: dict[str, list[str]] = {}
    for track, meta in tracks.items():
        states[track] = list((meta or {}).get("states") or {})
    for track, shares in horizon.items():
        _extend(states.setdefault(track, []), shares or {})
    for event in events.values():
        track = event.get("track")
        if track is None:
            continue
        _extend(states.setdefault(track, []), _as_list(event.get("from")))
        _extend(states.setdefault(track, []), _as_branch(event.get("to")))

    rows = []
    for track, names in states.items():
        meta = tracks.get(track) or {}
        labels = meta.get("states") or {}
        state_labels = [wrap(label_of(labels.get(s), s), _STATE_WRAP) for s in names]
        shares = [(horizon.get(track) or {}).get(s) for s in names]
        lines = max((lab.count("\n") + 1 for lab in state_labels), default=1)
        has_share = any(v is not None for v in shares)
        box_h = 0.18 + _LINE_H * lines + (0.15 if has_share else 0.0)
        up, down = _arcs(track, names, events)
        rows.append(
            _Row(track, label_of(meta, track), names, state_labels, shares, up, down, box_h)
        )
    return rows


def _arcs(track: str, names: list[str], events: Mapping[str, Any]) -> tuple[list, list]:
    index = {s: k for k, s in enumerate(names)}
    mine = [(eid, ev) for eid, ev in events.items() if ev.get("track") == track]
    palette = colors(max(len(mine), 1))
    up: list[_Arc] = []
    down: list[_Arc] = []
    for (eid, ev), color in zip(mine, palette, strict=False):
        branch = _as_branch(ev.get("to"))
        timing = plain(str(ev.get("timing") or "").strip())
        when = _condition(ev.get("when"))
        for source in _as_list(ev.get("from")):
            for target, p in branch.items():
                i, j = index[source], index[target]
                if i == j:
                    continue
                second = timing
                if len(branch) > 1 and p is not None:
                    second = f"{timing}, branch {float(p) * 100:.3g}%".lstrip(", ")
                text = wrap(label_of(ev, eid), _EVENT_WRAP)
                if second:
                    text += "\n" + second
                if when:
                    text += "\n" + when
                (up if j > i else down).append(_Arc(i, j, text, color, dashed=bool(when)))
    _assign_levels(up)
    _assign_levels(down)
    return up, down


def _assign_levels(arcs: list[_Arc]) -> None:
    """Give each arc a level (its apex height, in steps) so that arcs nest and labels clear.

    Arcs are placed shortest first. An arc goes above every arc already placed whose span lies
    within its own (so arcs nest like parentheses and no label sits under a longer arc's
    line), then higher still until its label is at least one box spacing from the labels of
    the arcs on its level.
    """
    placed: list[_Arc] = []
    for arc in sorted(arcs, key=lambda a: (a.span, min(a.i, a.j))):
        lo, hi = sorted((arc.i, arc.j))
        inner = [o.level for o in placed if lo <= min(o.i, o.j) and max(o.i, o.j) <= hi]
        level = max(inner, default=-1) + 1
        while any(o.level == level and abs(o.mid - arc.mid) < 1 for o in placed):
            level += 1
        arc.level = level
        placed.append(arc)


def _geometry(arcs: list[_Arc]) -> tuple[float, float]:
    """``(apex of level 0, height per level)`` for one side of a row, from its tallest label."""
    lines = max((a.text.count("\n") + 1 for a in arcs), default=1)
    label_h = lines * _LABEL_LINE_H + 0.05
    return max(_MIN_APEX, label_h / 2 + 0.1), label_h + 0.06


def _arc_room(arcs: list[_Arc]) -> float:
    """Height taken by one side's arcs and labels (a small gap when there are none)."""
    if not arcs:
        return 0.12
    apex0, level_h = _geometry(arcs)
    top_level = max(a.level for a in arcs)
    return apex0 + top_level * level_h + level_h / 2 + 0.04


def _draw_row(ax: Axes, row: _Row, top: float) -> None:
    ax.text(
        _MARGIN,
        top - 0.04,
        row.label,
        ha="left",
        va="top",
        fontsize=10,
        fontweight="bold",
        color="0.15",
    )
    box_top = top - _TRACK_TITLE_H - row.height_above()
    box_bottom = box_top - row.box_h
    centre_y = (box_top + box_bottom) / 2
    xs = [_MARGIN + _BOX_W / 2 + k * _SPACING for k in range(len(row.states))]

    for x, label, share in zip(xs, row.state_labels, row.shares, strict=True):
        ax.add_patch(
            FancyBboxPatch(
                (x - _BOX_W / 2, box_bottom),
                _BOX_W,
                row.box_h,
                boxstyle="round,pad=0,rounding_size=0.08",
                facecolor="#EEF2F8",
                edgecolor="#4C72B0",
                linewidth=1.2,
                zorder=2,
            )
        )
        text_y = centre_y + (0.075 if share is not None else 0.0)
        ax.text(x, text_y, label, ha="center", va="center", fontsize=8.5, zorder=3, linespacing=1.1)
        if share is not None:
            ax.text(
                x,
                box_bottom + 0.1,
                f"{format_probability(float(share))} at horizon",
                ha="center",
                va="center",
                fontsize=7,
                color="0.35",
                zorder=3,
            )

    for arc in row.up:
        _draw_arc(ax, arc, xs, box_top, +1, row.up_geometry)
    for arc in row.down:
        _draw_arc(ax, arc, xs, box_bottom, -1, row.down_geometry)


def _draw_arc(
    ax: Axes, arc: _Arc, xs: list[float], y: float, sign: int, geometry: tuple[float, float]
) -> None:
    # Arcs leave the source on the side facing the target and land on the target's side
    # facing the source; higher arcs attach nearer the box centres, so arcs sharing a box nest
    # instead of crossing.
    direction = 1 if arc.j > arc.i else -1
    offset = max(_ATTACH - 0.08 * arc.level, 0.05) * _BOX_W
    x0 = xs[arc.i] + direction * offset
    x1 = xs[arc.j] - direction * offset
    apex0, level_h = geometry
    apex = apex0 + arc.level * level_h
    # Cubic Bezier leaving and entering the boxes vertically (a "bridge"); with both control
    # points at height h its midpoint is at 0.75 h, so h = apex / 0.75 puts it at the apex.
    h = y + sign * apex / 0.75
    path = Path(
        [(x0, y), (x0, h), (x1, h), (x1, y)],
        [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4],
    )
    ax.add_patch(
        FancyArrowPatch(
            path=path,
            arrowstyle="-|>",
            mutation_scale=11,
            color=arc.color,
            linewidth=1.2,
            linestyle=(0, (4, 2)) if arc.dashed else "-",
            zorder=1,
        )
    )
    ax.text(
        (x0 + x1) / 2,
        y + sign * apex,
        arc.text,
        ha="center",
        va="center",
        fontsize=7.2,
        color=arc.color,
        linespacing=1.2,
        zorder=4,
        bbox={
            "boxstyle": "round,pad=0.15",
            "facecolor": "white",
            "edgecolor": "none",
            "alpha": 0.92,
        },
    )


def _condition(when: Any) -> str:
    """An event's guard as a label line: ``if`` and the condition as written, shortened to
    two lines of an event label; "" without a guard."""
    if when is None or not str(when).strip():
        return ""
    text = textwrap.shorten("if " + plain(str(when)), 2 * _EVENT_WRAP, placeholder=" \u2026")
    return wrap(text, _EVENT_WRAP)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _as_branch(value: Any) -> dict[str, float | None]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {value: 1.0}
    if isinstance(value, Mapping):
        return {str(k): (None if v is None else float(v)) for k, v in value.items()}
    return {str(v): None for v in value}


def _extend(names: list[str], more: Any) -> None:
    for name in more:
        if name not in names:
            names.append(str(name))
