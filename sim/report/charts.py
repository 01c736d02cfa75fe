"""The charts of a results folder's report, each sized for a slide (about 1600x1800 px).

Charts too tall for that are split into pages of whole panels: ``occupancy`` by tracks,
``importance`` by outcomes (top values only: every value's rank is in the assumptions
table), ``diagram`` by tracks; further pages are ``NAME_2``, ``NAME_3``, ... The
``influence`` diagram draws at most :data:`sim.plots.influence.MAX_TRACKS` tracks (its table
in the report lists every influence).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.evidence import top_signposts
from sim.plots import (
    diagram_pages,
    plot_diagram,
    plot_first_passage,
    plot_importance,
    plot_influence,
    plot_occupancy,
    plot_outcomes,
    plot_parameter_shifts,
    plot_signposts,
    plot_spread,
)
from sim.report import assumptions, evidence
from sim.report import html as h

__all__ = [
    "IMPORTANCE_PER_PAGE",
    "IMPORTANCE_TOP",
    "MAX_DIAGRAM_EVENTS",
    "OCCUPANCY_PER_PAGE",
    "SIGNPOSTS_PER_PAGE",
    "ChartProgress",
    "draw_charts",
]

#: ``progress(done, total, name)``: charts saved, charts to draw, the one just saved.
ChartProgress = Callable[[int, int, str], None]

MAX_DIAGRAM_EVENTS = 150  # beyond this the diagram is tens of megabytes and unreadable
OCCUPANCY_PER_PAGE = 4  # tracks per occupancy chart, so each fits a slide (about 1600x1800 px)
IMPORTANCE_PER_PAGE = 2  # outcomes per importance chart, likewise
IMPORTANCE_TOP = 6  # values per outcome in the chart; every value's rank is in the assumptions
SIGNPOSTS_PER_PAGE = 4  # outcomes per signposts chart


def draw_charts(
    folder: Path,
    summary: Mapping[str, Any],
    occupancy: pd.DataFrame | None,
    first_passage: pd.DataFrame | None,
    written: list[Path],
    progress: ChartProgress | None = None,
) -> dict[str, Path | None]:
    """Draw and save every chart of a results folder's report.

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
        Told after each chart is saved: charts done, charts to draw (known before the
        first is drawn), and the chart's name.

    Returns
    -------
    dict of str to pathlib.Path or None
        Chart name -> PNG path (``occupancy_2``, ``importance_2``, ``diagram_2``, ... for
        further pages); None for a chart that could not be drawn.
    """
    charts: dict[str, Path | None] = {}
    todo: dict[str, Callable[[], Figure]] = {}
    outcomes = summary["outcomes"]
    if evidence.ruled_out(summary):  # no run carries weight: the curves would read 0
        occupancy = first_passage = None

    todo["outcomes"] = lambda: plot_outcomes(outcomes).get_figure()
    charts["first_passage"] = None
    ever = [oid for oid, o in outcomes.items() if o.get("ever")]
    if first_passage is not None and ever:
        rows = first_passage[first_passage["outcome"].isin(ever)]
        todo["first_passage"] = lambda: plot_first_passage(
            rows, {oid: outcomes[oid] for oid in ever}
        ).get_figure()
    charts["occupancy"] = None
    if occupancy is not None:
        tracks = summary.get("tracks") or {}
        order = list(tracks) + [t for t in pd.unique(occupancy["track"]) if t not in tracks]
        for k, page in enumerate(_pages(order, OCCUPANCY_PER_PAGE)):
            todo["occupancy" if k == 0 else f"occupancy_{k + 1}"] = lambda page=page: (
                plot_occupancy(
                    occupancy[occupancy["track"].isin(page)],
                    {t: tracks.get(t) or {} for t in page},
                )
            )
    charts["diagram"] = None
    if len(summary.get("events") or {}) <= MAX_DIAGRAM_EVENTS:
        _plan_diagram(summary, todo)
    if summary.get("influences"):
        todo["influence"] = lambda: plot_influence(summary).get_figure()
    if assumptions.spreads(summary):
        todo["spread"] = lambda: plot_spread(outcomes).get_figure()
    if assumptions.has_importance(summary):
        _plan_importance(summary, todo)
    _plan_evidence(summary, todo)
    for k, (stem, make) in enumerate(todo.items(), start=1):
        charts[stem] = h.save_chart(make(), folder, stem, written)
        if progress is not None:
            progress(k, len(todo), stem)
    history = folder / "history" / "history.png"
    charts["history"] = history if history.is_file() else None
    return charts


def _plan_importance(summary: Mapping[str, Any], todo: dict[str, Callable[[], Figure]]) -> None:
    """The importance charts, :data:`IMPORTANCE_PER_PAGE` outcomes a page."""
    outcomes, importance = summary["outcomes"], summary["importance"]
    order = [o for o in outcomes if o in importance] + [o for o in importance if o not in outcomes]
    for k, page in enumerate(_pages(order, IMPORTANCE_PER_PAGE)):
        todo["importance" if k == 0 else f"importance_{k + 1}"] = lambda page=page: plot_importance(
            {o: importance[o] for o in page if o in importance},
            summary.get("parameters") or {},
            {o: outcomes[o] for o in page if o in outcomes},
            top=IMPORTANCE_TOP,
            chance=assumptions.chance_levels(summary),
            events=summary.get("events") or {},
        )


def _plan_evidence(summary: Mapping[str, Any], todo: dict[str, Callable[[], Figure]]) -> None:
    """The charts of the evidence and signposts: ``parameter_shifts`` (the assumptions the
    evidence moved most) and ``signposts``, ``signposts_2``, ... (what to watch)."""
    moved = evidence.moved_parameters(summary)
    if moved and not evidence.ruled_out(summary):
        todo["parameter_shifts"] = lambda: plot_parameter_shifts(
            summary["parameters"], [n for n, _ in moved], summary.get("events") or {}
        )
    signposts = summary.get("signposts")
    if isinstance(signposts, Mapping) and signposts:
        outcomes = summary["outcomes"]
        watched = [o for o in outcomes if top_signposts(list(signposts.get(o) or []))]
        for k, page in enumerate(_pages(watched, SIGNPOSTS_PER_PAGE)):
            todo["signposts" if k == 0 else f"signposts_{k + 1}"] = lambda page=page: (
                plot_signposts(
                    signposts, {o: outcomes[o] for o in page}, summary.get("indicators") or {}
                )
            )


def _plan_diagram(summary: Mapping[str, Any], todo: dict[str, Callable[[], Figure]]) -> None:
    """The state diagram, a few tracks per page (``diagram``, ``diagram_2``, ...)."""
    pages = diagram_pages(summary)
    for k, tracks in enumerate(pages):
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
        todo["diagram" if k == 0 else f"diagram_{k + 1}"] = lambda part=part: plot_diagram(
            part
        ).get_figure()
    if not pages:
        todo["diagram"] = lambda: plot_diagram(summary).get_figure()


def _pages(items: list[str], size: int) -> list[list[str]]:
    """``items`` in consecutive groups of at most ``size``."""
    return [items[k : k + size] for k in range(0, len(items), size)]
