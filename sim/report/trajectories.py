"""The report's "Most frequent trajectories" section: sequences of events, in order of firing.

Placed late in the report: with many tracks almost every run follows a sequence of its own,
so the most frequent ones cover a small share of the runs, which the section says first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.report import html as h

__all__ = ["trajectories_section"]


def trajectories_section(summary: Mapping[str, Any]) -> str:
    """The "Most frequent trajectories" section: how much of the runs the listed sequences
    cover, then one row per sequence; empty when the summary lists none.

    Parameters
    ----------
    summary : mapping
        ``summary.json`` content: ``trajectories`` (``[{"events", "count", "share"}]``),
        ``events`` (for labels) and ``runs``.

    Returns
    -------
    str
        HTML: ``<section id="trajectories">`` or "".
    """
    trajectories = summary.get("trajectories") or []
    if not trajectories:
        return ""
    events: Mapping[str, Any] = summary.get("events") or {}
    rows = []
    for rank, t in enumerate(trajectories, start=1):
        names = [h.bdi(h.label(events.get(e), e)) for e in t.get("events") or []]
        sequence = " \u2192 ".join(names) if names else '<span class="muted">no event fired</span>'
        count = t.get("count")
        rows.append(
            f'<tr><td class="num">{rank}</td><td>{sequence}</td>'
            f'<td class="num">{h.DASH if count is None else f"{int(count):,}"}</td>'
            f'<td class="num">{h.pct(t.get("share"))}</td></tr>'
        )
    return "\n".join(
        [
            '<section id="trajectories">',
            "<h2>Most frequent trajectories</h2>",
            f'<p class="note">{h.escape(_coverage(trajectories, summary.get("runs")))}</p>',
            h.table(["#", "Events, in order of firing", "Runs", "Share"], rows),
            "</section>",
        ]
    )


def _coverage(trajectories: list[Any], runs: Any) -> str:
    """What share of the runs the listed trajectories cover."""
    share = sum(float(t.get("share") or 0.0) for t in trajectories)
    n = len(trajectories)
    text = f"The {n} most frequent sequences of events cover {h.pct(share)} of the runs together"
    if isinstance(runs, int) and runs > 0:
        text += f" (of {runs:,})"
    return text + (
        ": most runs follow a sequence of their own, so read these as examples, not as the "
        "likely futures."
        if share < 0.5
        else "."
    )
