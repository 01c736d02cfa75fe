"""Which outcomes and tracks the report's charts draw, and the sentence saying so.

The number of charts and the time to draw them must not grow with the model (at 50 tracks
every chart together once took 23 s against a 1.9 s run; at 300 tracks they did not finish):
outcome charts draw the most likely outcomes, track charts the tracks most uncertain at the
horizon, up to the caps below; every outcome and track stays in the report's tables and the
CSV files, and the captions say so (:func:`drawn_note`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from sim.analysis.evidence import top_signposts

__all__ = [
    "CHART_OUTCOMES",
    "CHART_TRACKS",
    "COMPARISON_OUTCOMES",
    "COMPARISON_ROWS",
    "DIAGRAM_TRACKS",
    "IMPORTANCE_OUTCOMES",
    "JUDGMENT_OUTCOMES",
    "PASSAGE_OUTCOMES",
    "SIGNPOST_OUTCOMES",
    "compared_note",
    "compared_outcomes",
    "drawn_caption",
    "drawn_note",
    "drawn_outcomes",
    "drawn_tracks",
    "most_likely",
    "most_uncertain_tracks",
]

CHART_OUTCOMES = 20  # bars of the outcomes chart: the most likely outcomes
PASSAGE_OUTCOMES = 8  # curves of the first-passage chart: the most likely "at any time"
CHART_TRACKS = 8  # tracks of the occupancy charts (2 pages): the most uncertain at the horizon
DIAGRAM_TRACKS = 12  # tracks of the diagram pages: the most uncertain at the horizon
IMPORTANCE_OUTCOMES = 6  # outcomes of the importance charts (3 pages): the most likely
SIGNPOST_OUTCOMES = 8  # outcomes of the signposts charts (2 pages): the most likely
JUDGMENT_OUTCOMES = 10  # lines of the key judgments (the first screen): the most likely
COMPARISON_OUTCOMES = 10  # outcomes of the comparison charts: the largest differences ...
COMPARISON_ROWS = 60  # ... and at most this many dots (outcomes x variants) a chart


def most_likely(
    outcomes: Mapping[str, Any], n: int, among: Iterable[str] | None = None
) -> list[str]:
    """The ``n`` most likely outcomes (``among`` those ids, default all), in file order.

    Parameters
    ----------
    outcomes : mapping
        ``summary.json``'s ``outcomes``: id -> dict with ``probability`` (None: ruled out,
        read as the probability before the evidence, else 0).
    n : int
    among : iterable of str, optional

    Returns
    -------
    list of str
        All of ``among`` when there are at most ``n``; ties go to the earlier in file order.
    """
    ids = [o for o in (outcomes if among is None else among) if o in outcomes]
    if len(ids) <= n:
        return ids

    def probability(oid: str) -> float:
        o = outcomes[oid]
        p = o.get("probability")
        p = o.get("prior_probability") if p is None else p
        return float(p or 0.0)

    chosen = set(sorted(ids, key=lambda oid: -probability(oid))[:n])  # stable: file order
    return [oid for oid in ids if oid in chosen]


def most_uncertain_tracks(summary: Mapping[str, Any], n: int) -> list[str]:
    """The ``n`` tracks whose state at the horizon is the most uncertain, in file order.

    Uncertainty is the Shannon entropy -sum p log p of the track's shares of runs in each
    state at the horizon (``states_at_horizon``); a track always in one state has 0.

    Returns
    -------
    list of str
        All tracks when there are at most ``n``; ties go to the earlier in file order.
    """
    tracks = summary.get("tracks") or {}
    at_horizon = summary.get("states_at_horizon") or {}
    ids = list(tracks) + [t for t in at_horizon if t not in tracks]
    if len(ids) <= n:
        return ids

    def entropy(track: str) -> float:
        shares = [float(p) for p in (at_horizon.get(track) or {}).values() if p and p > 0]
        return -sum(p * math.log(p) for p in shares)

    chosen = set(sorted(ids, key=lambda t: -entropy(t))[:n])
    return [t for t in ids if t in chosen]


def drawn_outcomes(summary: Mapping[str, Any]) -> dict[str, list[str]]:
    """The outcomes each outcome chart draws: ``outcomes``, ``first_passage`` (the "at any
    time" ones), ``over_time`` (the others), ``importance`` and ``signposts`` (those with rows), the most likely first
    (:func:`most_likely`); the report says when some are left out."""
    outcomes = summary["outcomes"]
    return {
        "outcomes": most_likely(outcomes, CHART_OUTCOMES),
        "first_passage": most_likely(
            outcomes, PASSAGE_OUTCOMES, _candidates(summary, "first_passage")
        ),
        "over_time": most_likely(outcomes, PASSAGE_OUTCOMES, _candidates(summary, "over_time")),
        "importance": most_likely(
            outcomes, IMPORTANCE_OUTCOMES, _candidates(summary, "importance")
        ),
        "signposts": most_likely(outcomes, SIGNPOST_OUTCOMES, _candidates(summary, "signposts")),
    }


def drawn_tracks(summary: Mapping[str, Any]) -> dict[str, list[str]]:
    """The tracks the ``occupancy`` and ``diagram`` charts draw (:func:`most_uncertain_tracks`)."""
    return {
        "occupancy": most_uncertain_tracks(summary, CHART_TRACKS),
        "diagram": most_uncertain_tracks(summary, DIAGRAM_TRACKS),
    }


_DRAWN = {  # chart -> (what, among, where all are)
    "outcomes": ("most likely", "outcomes", "the table above and summary.json"),
    "spread": ("most likely", "outcomes", "the table above"),
    "first_passage": ("most likely", "outcomes read at any time", "first_passage.csv"),
    "over_time": ("most likely", "outcomes read at the horizon", "first_passage.csv"),
    "importance": ("most likely", "outcomes", "summary.json (importance)"),
    "signposts": ("most likely", "outcomes with signposts", "the tables above"),
    "occupancy": ("most uncertain at the horizon", "tracks", "the tables above and occupancy.csv"),
    "diagram": ("most uncertain at the horizon", "tracks", "the events table above"),
}


def drawn_caption(text: str, summary: Mapping[str, Any], chart: str) -> str:
    """``text``, then which outcomes or tracks chart ``chart`` draws when it leaves some out
    (:func:`drawn_note`)."""
    note = drawn_note(summary, chart)
    return f"{text}. {note}" if note else text


def drawn_note(summary: Mapping[str, Any], chart: str) -> str:
    """The sentence saying which outcomes or tracks chart ``chart`` draws when it leaves some
    out (``"The 20 most likely of the 50 outcomes are drawn; all are in ..."``, ``"The 8 of
    the 50 tracks most uncertain at the horizon are drawn; ..."``), else "".

    Parameters
    ----------
    summary : mapping
        ``summary.json`` content.
    chart : str
        ``outcomes``, ``spread``, ``first_passage``, ``importance``, ``signposts``,
        ``occupancy`` or ``diagram``.
    """
    how, among, where = _DRAWN[chart]
    if chart in ("occupancy", "diagram"):
        drawn = drawn_tracks(summary)[chart]
        tracks = summary.get("tracks") or {}
        total = len(tracks) + len(
            [t for t in summary.get("states_at_horizon") or {} if t not in tracks]
        )
        noun = "tracks"
    else:
        drawn = drawn_outcomes(summary)["outcomes" if chart == "spread" else chart]
        total = len(_candidates(summary, chart))
        noun = among
    if len(drawn) >= total:
        return ""
    if noun == "tracks":
        return f"The {len(drawn)} of the {total} tracks {how} are drawn; all are in {where}."
    return f"The {len(drawn)} {how} of the {total} {noun} are drawn; all are in {where}."


def _candidates(summary: Mapping[str, Any], chart: str) -> list[str]:
    """The outcomes chart ``chart`` would draw without a cap."""
    outcomes = summary["outcomes"]
    if chart == "first_passage":
        return [o for o, v in outcomes.items() if v.get("ever")]
    if chart == "over_time":
        return [o for o, v in outcomes.items() if not v.get("ever")]
    if chart == "importance":
        return [o for o in outcomes if o in (summary.get("importance") or {})]
    if chart == "signposts":
        signposts = summary.get("signposts")
        if not isinstance(signposts, Mapping):
            return []
        return [o for o in outcomes if top_signposts(list(signposts.get(o) or []))]
    return list(outcomes)


def compared_outcomes(comparison: Mapping[str, Any], n: int | None = None) -> list[str]:
    """The outcomes the comparison charts draw (or ``n`` of them), in file order: those with
    the largest differences from base.

    A chart's height grows with outcomes x variants (a row per outcome, a dot per variant in
    it), so it draws at most :data:`COMPARISON_OUTCOMES` outcomes and at most
    :data:`COMPARISON_ROWS` dots (at least 3 outcomes): 10 outcomes of 6 variants, 5 of 12,
    about 1,400 by 1,400 pixels. They are the outcomes whose largest absolute paired
    difference from base (any variant) is largest, ties in file order; without differences
    (base alone), the most likely under base. Every outcome stays in the table.

    Parameters
    ----------
    comparison : mapping
        ``comparison.json`` content: ``outcomes`` (id -> ``by_variant``: variant ->
        ``{"probability", "difference"}``) and ``variants``.
    n : int, optional
        How many; by default the charts' number above.

    Returns
    -------
    list of str
    """
    outcomes = comparison.get("outcomes") or {}
    ids = list(outcomes)
    variants = len(comparison.get("variants") or {}) or 1
    if n is None:
        n = max(3, min(COMPARISON_OUTCOMES, COMPARISON_ROWS // variants))
    if len(ids) <= n:
        return ids

    def largest(oid: str) -> float:
        entries = (outcomes[oid] or {}).get("by_variant") or {}
        found = [abs(float(e["difference"])) for e in entries.values()
                 if isinstance(e, Mapping) and isinstance(e.get("difference"), int | float)]  # fmt: skip
        if found:
            return max(found)
        base = entries.get("base") if isinstance(entries, Mapping) else None
        p = base.get("probability") if isinstance(base, Mapping) else None
        return float(p or 0.0) - 2.0  # below any difference: the most likely first

    chosen = set(sorted(ids, key=lambda oid: -largest(oid))[:n])
    return [oid for oid in ids if oid in chosen]


def compared_note(comparison: Mapping[str, Any]) -> str:
    """The sentence saying which outcomes the comparison charts leave out, or "" (none)."""
    ids = list(comparison.get("outcomes") or {})
    drawn = compared_outcomes(comparison)
    if len(drawn) >= len(ids):
        return ""
    what = "differences from base" if len(comparison.get("variants") or {}) > 1 else "probability"
    return (
        f"The {len(drawn)} of the {len(ids)} outcomes with the largest {what} are drawn; the "
        f"other {len(ids) - len(drawn)}, all with smaller ones, are in the table above."
    )
