"""The charts of a results folder's report, each sized for a slide (about 1600x1800 px).

Charts too tall for that are split into pages of whole panels: ``occupancy`` by tracks,
``importance`` by outcomes (top values only: every value's rank is in the assumptions
table), ``diagram`` by tracks; further pages are ``NAME_2``, ``NAME_3``, ... The
``influence`` diagram draws at most :data:`sim.plots.influence.MAX_TRACKS` tracks (its table
in the report lists every influence).

The number of charts and the time to draw them do not grow with the model: outcome charts
draw the most likely outcomes, track charts the tracks most uncertain at the horizon
(:mod:`sim.report.drawn`); every outcome and track is in the report's tables and CSV files.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sim.plots import (
    diagram_pages,
    plot_diagram,
    plot_first_passage,
    plot_importance,
    plot_influence,
    plot_occupancy,
    plot_outcomes,
    plot_over_time,
    plot_parameter_shifts,
    plot_signposts,
    plot_spread,
)
from sim.plots.style import outcome_colors
from sim.report import assumptions, evidence
from sim.report import html as h
from sim.report.drawn import drawn_outcomes, drawn_tracks

__all__ = [
    "IMPORTANCE_PER_PAGE",
    "IMPORTANCE_TOP",
    "MAX_DIAGRAM_EVENTS",
    "OCCUPANCY_PER_PAGE",
    "SIGNPOSTS_PER_PAGE",
    "ChartProgress",
    "draw_charts",
]

MAX_DIAGRAM_EVENTS = 150  # of the tracks drawn; beyond this the diagram is unreadable
OCCUPANCY_PER_PAGE = 4  # tracks per occupancy chart, so each fits a slide (about 1600x1800 px)
IMPORTANCE_PER_PAGE = 2  # outcomes per importance chart, likewise
IMPORTANCE_TOP = 6  # values per outcome in the chart; every value's rank is in the assumptions
SIGNPOSTS_PER_PAGE = 4  # outcomes per signposts chart
ChartProgress = Callable[[int, int, str], None]  # (charts done, charts in all, chart name)


def draw_charts(
    folder: Path,
    summary: Mapping[str, Any],
    occupancy: pd.DataFrame | None,
    first_passage: pd.DataFrame | None,
    written: list[Path],
    progress: ChartProgress | None = None,
) -> dict[str, Path | None]:
    """Draw and save every chart of a results folder's report.

    At most a fixed number of charts, whatever the size of the model: each draws the most
    likely outcomes or the most uncertain tracks only (:mod:`sim.report.drawn`).

    Parameters
    ----------
    folder : pathlib.Path
        Where the PNG and SVG files go.
    summary : mapping
        ``summary.json`` content (validated).
    occupancy, first_passage : pandas.DataFrame or None
        ``occupancy.csv`` and ``first_passage.csv``; None when absent (no chart).
    written : list of pathlib.Path
        The files written are appended to it (PNG then SVG of each chart).
    progress : callable(done, total, name), optional
        Called before the first chart (``done`` 0, ``name`` "") and after each chart is
        saved, with the number of charts saved, the number to draw and the chart's name.

    Returns
    -------
    dict of str to pathlib.Path or None
        Chart name -> PNG path (``occupancy_2``, ``importance_2``, ``diagram_2``, ... for
        further pages); None for a chart that could not be drawn.
    """
    charts: dict[str, Path | None] = dict.fromkeys(
        ("first_passage", "over_time", "occupancy", "diagram")
    )
    if evidence.ruled_out(summary):  # no run carries weight: the curves would read 0
        occupancy = first_passage = None
    plan = _plan(summary, occupancy, first_passage)
    if progress is not None:
        progress(0, len(plan), "")
    for k, (stem, draw) in enumerate(plan):
        charts[stem] = h.save_chart(draw(), folder, stem, written)
        if progress is not None:
            progress(k + 1, len(plan), stem)
    history = folder / "history" / "history.png"
    charts["history"] = history if history.is_file() else None
    return charts


def _plan(summary, occupancy, first_passage) -> list[tuple[str, Callable[[], Any]]]:
    """The charts to draw, in order: (name, function returning the figure)."""
    outcomes = summary["outcomes"]
    palette = outcome_colors(outcomes)  # by position among all outcomes: the same everywhere
    chosen, tracks = drawn_outcomes(summary), drawn_tracks(summary)
    plan: list[tuple[str, Callable[[], Any]]] = [
        (
            "outcomes",
            lambda: plot_outcomes({o: outcomes[o] for o in chosen["outcomes"]}).get_figure(),
        )
    ]
    ever = chosen["first_passage"]
    if first_passage is not None and ever:
        passage = first_passage[first_passage["outcome"].isin(ever)]
        shown = {o: outcomes[o] for o in ever}
        plan.append(
            (
                "first_passage",
                lambda: plot_first_passage(passage, shown, colors=palette).get_figure(),
            )
        )
    at_horizon = chosen["over_time"]
    if first_passage is not None and "holds" in first_passage.columns and at_horizon:
        holds = first_passage[first_passage["outcome"].isin(at_horizon)]
        read = {o: outcomes[o] for o in at_horizon}
        plan.append(("over_time", lambda: plot_over_time(holds, read, colors=palette).get_figure()))
    if occupancy is not None:
        meta = summary.get("tracks") or {}
        for k, page in enumerate(_pages(tracks["occupancy"], OCCUPANCY_PER_PAGE)):
            rows = occupancy[occupancy["track"].isin(page)]
            info = {t: meta.get(t) or {} for t in page}
            plan.append((_stem("occupancy", k), lambda r=rows, i=info: plot_occupancy(r, i)))
    keep = set(tracks["diagram"])
    events = [e for e in (summary.get("events") or {}).values() if e.get("track") in keep]
    if len(events) <= MAX_DIAGRAM_EVENTS:  # of the tracks drawn
        plan += _diagram_plan(summary, tracks["diagram"])
    if summary.get("influences"):
        plan.append(("influence", lambda: plot_influence(summary).get_figure()))
    if assumptions.spreads(summary):
        plan.append(
            (
                "spread",
                lambda: plot_spread({o: outcomes[o] for o in chosen["outcomes"]}).get_figure(),
            )
        )
    if assumptions.has_importance(summary):
        for k, page in enumerate(_pages(chosen["importance"], IMPORTANCE_PER_PAGE)):
            plan.append((_stem("importance", k), lambda page=page: _importance(summary, page)))
    return plan + _evidence_plan(summary, chosen["signposts"])


def _importance(summary: Mapping[str, Any], page: list[str]) -> Any:
    """One page of the importance chart: the outcomes ``page``."""
    outcomes, importance = summary["outcomes"], summary["importance"]
    return plot_importance(
        {o: importance[o] for o in page},
        summary.get("parameters") or {},
        {o: outcomes[o] for o in page},
        top=IMPORTANCE_TOP,
        chance=assumptions.chance_levels(summary),
        events=summary.get("events") or {},
    )


def _stem(name: str, page: int) -> str:
    """File stem of page ``page`` (0-based) of chart ``name``: ``NAME``, ``NAME_2``, ..."""
    return name if page == 0 else f"{name}_{page + 1}"


def _evidence_plan(summary: Mapping[str, Any], watched: list[str]) -> list:
    """The charts of the evidence and signposts: ``parameter_shifts`` (the assumptions the
    evidence moved most) and ``signposts``, ``signposts_2``, ... (what to watch, for the
    outcomes ``watched``)."""
    plan: list[tuple[str, Callable[[], Any]]] = []
    moved = evidence.moved_parameters(summary)
    if moved and not evidence.ruled_out(summary):
        names = [n for n, _ in moved]
        plan.append(
            (
                "parameter_shifts",
                lambda: plot_parameter_shifts(
                    summary["parameters"], names, summary.get("events") or {}
                ),
            )
        )
    signposts = summary.get("signposts")
    if isinstance(signposts, Mapping) and signposts:
        outcomes, indicators = summary["outcomes"], summary.get("indicators") or {}
        for k, page in enumerate(_pages(watched, SIGNPOSTS_PER_PAGE)):
            shown = {o: outcomes[o] for o in page}
            plan.append(
                (_stem("signposts", k), lambda s=shown: plot_signposts(signposts, s, indicators))
            )
    return plan


def _diagram_plan(summary: Mapping[str, Any], tracks: list[str]) -> list:
    """The state diagram of the tracks ``tracks``, a few per page (``diagram``,
    ``diagram_2``, ...)."""
    keep = set(tracks)
    part = {
        **summary,
        "tracks": {t: m for t, m in (summary.get("tracks") or {}).items() if t in keep},
        "events": {
            e: ev for e, ev in (summary.get("events") or {}).items() if ev.get("track") in keep
        },
        "states_at_horizon": {
            t: v for t, v in (summary.get("states_at_horizon") or {}).items() if t in keep
        },
    }
    plan: list[tuple[str, Callable[[], Any]]] = []
    for k, page in enumerate(diagram_pages(part)):
        plan.append((_stem("diagram", k), lambda page=page: _diagram_page(part, page)))
    return plan or [("diagram", lambda: plot_diagram(part).get_figure())]


def _diagram_page(summary: Mapping[str, Any], tracks: list[str]) -> Any:
    """The diagram of the tracks ``tracks`` of ``summary``."""
    keep = set(tracks)
    part = {
        **summary,
        "tracks": {t: m for t, m in summary["tracks"].items() if t in keep},
        "events": {e: ev for e, ev in summary["events"].items() if ev.get("track") in keep},
        "states_at_horizon": {
            t: v for t, v in (summary.get("states_at_horizon") or {}).items() if t in keep
        },
    }
    return plot_diagram(part).get_figure()


def _pages(items: list[str], size: int) -> list[list[str]]:
    """``items`` in consecutive groups of at most ``size``."""
    return [items[k : k + size] for k in range(0, len(items), size)]
