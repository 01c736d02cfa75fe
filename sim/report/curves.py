"""The report's curves of outcomes over time: first passage for the outcomes read at any
time, probability over time for those read at the horizon."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.report import html as h
from sim.report.drawn import drawn_caption

__all__ = ["first_passage_figure"]


def first_passage_figure(summary: Mapping[str, Any], charts: Mapping[str, Path | None]) -> str:
    """The first-passage chart of the "at any time" outcomes, why the others are left out,
    and the chart of those others' probability over time.

    Parameters
    ----------
    summary : mapping
        ``summary.json`` content.
    charts : mapping of str to pathlib.Path or None
        :func:`sim.report.charts.draw_charts`' charts (``first_passage``, ``over_time``).

    Returns
    -------
    str
        HTML: figures, or a note saying why there is no first-passage chart.
    """
    outcomes = summary["outcomes"]
    left_out = [h.label(o, oid) for oid, o in outcomes.items() if not o.get("ever")]
    caption = drawn_caption(
        "First passage: share of runs in which each outcome has held by each date",
        summary,
        "first_passage",
    )
    why = ""  # HTML: each label isolated (<bdi>), so none reorders the sentence around it
    if left_out:
        which = (  # named when few, counted when many (300 names would fill the page)
            "Outcomes read at the horizon are left out ("
            + "; ".join(h.bdi(label) for label in left_out)
            + ")"
            if len(left_out) <= 10
            else f"The {len(left_out)} outcomes read at the horizon are left out"
        )
        why = which + h.escape(
            ": when one first held says nothing about whether it holds at the horizon"
            + ("; their probability over time is in the next chart." if charts.get("over_time")
               else ".")
        )  # fmt: skip
    over_time = ""
    if charts.get("over_time") is not None:
        text = drawn_caption(
            "Probability over time of the outcomes read at the horizon: the share of runs "
            "in which each holds on each date (its probability, had the horizon been that "
            "date); unlike first passage, a curve may fall",
            summary,
            "over_time",
        )
        over_time = h.figure(charts["over_time"], text, "")
    if charts.get("first_passage") is None:
        absent = "No first passage chart: " + (
            "no outcome is read at any time. " if left_out else "its CSV file is absent. "
        )
        return f'<p class="muted">{h.escape(absent)}{why}</p>' + over_time
    join = " " if caption.endswith(".") else ". "
    caption_html = h.escape(caption + (join if why else "")) + why
    return h.figure(charts["first_passage"], caption, "", caption_html=caption_html) + over_time
