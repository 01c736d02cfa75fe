"""The report's "How the tracks influence each other" section: the influence diagram and a
table of every influence (``summary.json``'s ``influences``, :mod:`sim.analysis.influence`).

The table has one row per influence, grouped by the track whose state acts (in file order),
then in event order: which states, which event of which track, how (enables, blocks, speeds
up or slows, with the multiplier) and the condition as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.plots.influence import MAX_TRACKS
from sim.report import html as h

__all__ = ["influence_section"]


def influence_section(summary: Mapping[str, Any], charts: Mapping[str, Path | None]) -> str:
    """The section: a sentence on what it shows, the chart ``influence`` and the table.

    Parameters
    ----------
    summary : mapping
        ``summary.json`` content: ``influences`` (a list of ``{"source", "states",
        "target", "event", "kind", "factor", "condition"}``), ``tracks`` and ``events`` (for
        labels).
    charts : mapping of str to pathlib.Path or None
        The drawn charts; ``influence`` is shown when present.

    Returns
    -------
    str
        HTML: ``<section id="influence">``, or "" when no track acts on another's events.
    """
    rows = list(summary.get("influences") or [])
    if not rows:
        return ""
    tracks: Mapping[str, Any] = summary.get("tracks") or {}
    events: Mapping[str, Any] = summary.get("events") or {}
    order = {t: k for k, t in enumerate(tracks)}
    rows.sort(key=lambda r: order.get(r.get("source"), len(order)))
    n_tracks = len({r.get("source") for r in rows} | {r.get("target") for r in rows})
    intro = (
        f"{len(rows)} influences: the state of one track changes when events of another track "
        "can happen (enables, blocks: from the event's condition) or how fast they happen "
        "(speeds up, slows: from its modifiers; an uncertain multiplier is shown by its "
        "median)."
    )
    if n_tracks > MAX_TRACKS:
        intro += f" The diagram shows the {MAX_TRACKS} most connected tracks; the table all."
    body = [
        '<section id="influence">',
        "<h2>How the tracks influence each other</h2>",
        f'<p class="note">{h.escape(intro)}</p>',
        h.figure(
            charts.get("influence"),
            "Influence diagram: which track's state acts on which track's events",
            "",
        ),
        h.table(
            ["When track", "is in", "it", "event", "of track", "Condition as written"],
            [_row(r, tracks, events) for r in rows],
        ),
        "</section>",
    ]
    return "\n".join(body)


def _row(row: Mapping[str, Any], tracks: Mapping[str, Any], events: Mapping[str, Any]) -> str:
    source, target = str(row.get("source")), str(row.get("target"))
    meta = tracks.get(source) or {}
    labels = meta.get("states") or {}
    states = " or ".join(h.bdi(h.label(labels.get(s), s)) for s in row.get("states") or [])
    kind = str(row.get("kind") or "")
    factor = row.get("factor")
    how = h.escape(kind)
    if h.is_number(factor):
        how += f" (\u00d7{float(factor):.2g})"
    eid = str(row.get("event"))
    cells = [
        f'<td dir="auto">{h.escape(h.label(meta, source))}</td>',
        f"<td>{states or h.DASH}</td>",
        f"<td>{how}</td>",
        f'<td dir="auto">{h.escape(h.label(events.get(eid), eid))}</td>',
        f'<td dir="auto">{h.escape(h.label(tracks.get(target), target))}</td>',
        f'<td dir="ltr"><code>{h.or_dash(row.get("condition"))}</code></td>',
    ]
    return "<tr>" + "".join(cells) + "</tr>"
