"""Render the charts and ``report.html`` of a results folder, from its files alone.

Reads ``summary.json``, ``occupancy.csv`` and ``first_passage.csv`` (see
``docs/RESULTS_LAYOUT.md``); never runs an engine nor reads the scenario file. The HTML is one
file with no external resources: inline CSS, the PNG charts as ``data:`` URIs, and links only
to the scenario's sources. Every piece of text from the results is escaped, and elements
holding such text carry ``dir="auto"`` (inline: ``<bdi>``), so Arabic reads right to left.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.words import estimative_words, wilson_interval
from sim.contracts import read_summary
from sim.errors import SimError
from sim.plots import (
    plot_diagram,
    plot_first_passage,
    plot_importance,
    plot_occupancy,
    plot_outcomes,
    plot_spread,
)
from sim.report import assumptions
from sim.report import html as h

__all__ = ["render_report"]

_OCCUPANCY_COLUMNS = {"date": str, "track": str, "state": str, "share": float}
_FIRST_PASSAGE_COLUMNS = {"date": str, "outcome": str, "share": float}
MAX_DIAGRAM_EVENTS = 150  # beyond this the diagram is tens of megabytes and unreadable


def render_report(folder: Path) -> list[Path]:
    """Write the charts and ``report.html`` of the results folder `folder` into it.

    Writes ``outcomes``, ``first_passage``, ``occupancy`` and ``diagram`` as ``.png`` and
    ``.svg``, then ``report.html``, replacing files of those names. A chart whose CSV file is
    absent is skipped (and the report says so). When the summary has a non-empty
    ``importance``, also writes ``importance`` (rank correlation of each uncertain value with
    each outcome) and a "Which assumptions matter" section; when an outcome has a ``spread``
    (``sim run --parameter-draws``), also writes ``spread`` and a section on the spread across
    parameter draws. Files are written in place; making the whole
    folder appear at once is the caller's business.

    Parameters
    ----------
    folder : pathlib.Path
        A results folder holding at least ``summary.json``.

    Returns
    -------
    list of pathlib.Path
        The files written, charts first (PNG then SVG of each), ``report.html`` last.

    Raises
    ------
    sim.errors.SimError
        If ``summary.json`` is missing or is not a results summary (including a malformed
        ``importance`` or ``spread``), or a CSV file lacks a column or holds a value of the
        wrong type.
    """
    folder = Path(folder)
    summary = read_summary(folder / "summary.json")
    occupancy = _read_csv(folder / "occupancy.csv", _OCCUPANCY_COLUMNS)
    first_passage = _read_csv(folder / "first_passage.csv", _FIRST_PASSAGE_COLUMNS)
    outcomes = summary["outcomes"]

    written: list[Path] = []
    charts: dict[str, Path | None] = {}

    ax = plot_outcomes(outcomes)
    charts["outcomes"] = h.save_chart(ax.get_figure(), folder, "outcomes", written)
    charts["first_passage"] = None
    if first_passage is not None:
        ax = plot_first_passage(first_passage, outcomes)
        charts["first_passage"] = h.save_chart(ax.get_figure(), folder, "first_passage", written)
    charts["occupancy"] = None
    if occupancy is not None:
        fig = plot_occupancy(occupancy, summary.get("tracks") or {})
        charts["occupancy"] = h.save_chart(fig, folder, "occupancy", written)
    charts["diagram"] = None
    if len(summary.get("events") or {}) <= MAX_DIAGRAM_EVENTS:
        ax = plot_diagram(summary)
        charts["diagram"] = h.save_chart(ax.get_figure(), folder, "diagram", written)
    if assumptions.spreads(summary):
        ax = plot_spread(outcomes)
        charts["spread"] = h.save_chart(ax.get_figure(), folder, "spread", written)
    if assumptions.has_importance(summary):
        fig = plot_importance(
            summary["importance"],
            summary.get("parameters") or {},
            outcomes,
            chance=assumptions.chance_levels(summary),
        )
        charts["importance"] = h.save_chart(fig, folder, "importance", written)

    page = folder / "report.html"
    page.write_text(_page(summary, charts), encoding="utf-8")
    written.append(page)
    return written


# --------------------------------------------------------------------------------------------
# Reading


def _read_csv(path: Path, columns: Mapping[str, type]) -> pd.DataFrame | None:
    """Read a tidy CSV; ids stay strings (a state named ``null`` or ``nan`` is not missing)."""
    if not path.exists():
        return None
    try:
        frame = pd.read_csv(path, dtype=dict(columns), keep_default_na=False, encoding="utf-8")
    except (OSError, ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise SimError(f"{path}: error: cannot read it as a results table ({exc})") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SimError(
            f"{path}: error: missing column(s) {', '.join(missing)}; expected {','.join(columns)}"
        )
    dates = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        row = int(dates.isna().to_numpy().argmax())
        raise SimError(
            f"{path}:{row + 2}: error: date {frame['date'].iloc[row]!r} is not YYYY-MM-DD"
        )
    return frame


# --------------------------------------------------------------------------------------------
# HTML


def _page(summary: Mapping[str, Any], charts: Mapping[str, Path | None]) -> str:
    title = summary.get("title") or summary.get("scenario") or "Scenario report"
    body = [
        _header(summary, title),
        _sources(summary.get("sources") or []),
        _outcomes_section(summary, charts),
        assumptions.spread_section(summary, charts),
        assumptions.importance_section(summary, charts),
        _states_section(summary, charts),
        _events_section(summary, charts),
        _trajectories_section(summary),
        _settings_section(summary),
    ]
    return h.document(title, h.CSS, body)


def _header(summary: Mapping[str, Any], title: str) -> str:
    runs = summary.get("runs")
    variant = summary.get("variant") or "base"
    variant_label = summary.get("variant_label")
    variant_text = f"<code>{h.escape(variant)}</code>"
    if variant_label:
        variant_text = f"{h.bdi(variant_label)} ({variant_text})"
    meta = [
        f"scenario <code>{h.escape(summary.get('scenario', h.DASH))}</code>",
        f"variant {variant_text}",
        f"from {h.or_dash(summary.get('start'))} to {h.or_dash(summary.get('horizon'))}",
    ]
    if isinstance(runs, int):
        meta.append(f"{runs:,} runs")
    out = [
        "<header>",
        f'<h1 dir="auto">{h.escape(title)}</h1>',
        f'<p class="meta">{h.DOT.join(meta)}</p>',
    ]
    description = summary.get("description")
    if description:
        for paragraph in str(description).split("\n\n"):
            if paragraph.strip():
                out.append(f'<p dir="auto" class="description">{h.escape(paragraph.strip())}</p>')
    out.append("</header>")
    return "\n".join(out)


def _sources(sources: Iterable[Any]) -> str:
    items = []
    for source in sources:
        if not isinstance(source, Mapping):
            source = {"title": source}
        title = source.get("title") or source.get("url") or "(untitled)"
        url = source.get("url")
        if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
            head = f'<a href="{h.escape(url)}" rel="noopener noreferrer">{h.escape(title)}</a>'
        else:
            head = h.escape(title) + (f" ({h.escape(url)})" if url else "")
        extra = [h.escape(source["date"])] if source.get("date") else []
        if source.get("note"):
            extra.append(f"<bdi>{h.escape(source['note'])}</bdi>")
        tail = f' <span class="muted">{h.DOT.join(extra)}</span>' if extra else ""
        items.append(f'<li dir="auto">{head}{tail}</li>')
    if not items:
        return ""
    return "\n".join(
        ['<section id="sources">', "<h2>Sources</h2>", "<ol>", *items, "</ol>", "</section>"]
    )


def _figure(charts: Mapping[str, Path | None], name: str, caption: str) -> str:
    """The chart called ``name``, or why it is absent."""
    if name == "diagram":
        absent = (
            f'<p class="muted">No diagram: more than {MAX_DIAGRAM_EVENTS} events would not '
            "fit a readable picture.</p>"
        )
    else:
        absent = (
            f'<p class="muted">No {h.escape(name.replace("_", " "))} chart: its CSV file is '
            "absent.</p>"
        )
    return h.figure(charts.get(name), caption, absent)


def _outcomes_section(summary: Mapping[str, Any], charts: Mapping[str, Path | None]) -> str:
    outcomes: Mapping[str, Any] = summary["outcomes"]
    runs = summary.get("runs")
    dates = sorted({d for o in outcomes.values() for d in (o.get("by_date") or {})})
    head = [
        "Outcome",
        "Condition",
        "Probability",
        "95% interval",
        "In words",
        "First time (median)",
    ] + [f"By {d}" for d in dates]
    rows = []
    for oid, o in outcomes.items():
        p = float(o["probability"])
        ci = o.get("ci95")
        if not ci and isinstance(runs, int) and runs > 0:
            ci = wilson_interval(round(p * runs), runs)
        when = o.get("when")
        condition = f"<code>{h.escape(when)}</code>" if when else h.DASH
        if o.get("ever"):
            condition += ' <span class="muted">(at any time)</span>'
        cells = [
            f'<td dir="auto">{h.escape(h.label(o, oid))}</td>',
            f"<td>{condition}</td>",
            f'<td class="num">{h.pct(p)}</td>',
            f'<td class="num">{h.interval(ci)}</td>',
            f"<td>{h.escape(o.get('words') or estimative_words(p))}</td>",
            f'<td class="num">{h.or_dash(o.get("first_time_median"))}</td>',
        ]
        by_date = o.get("by_date") or {}
        by_ci = o.get("by_date_ci95") or {}
        for d in dates:
            text = h.pct(by_date.get(d))
            if by_ci.get(d):
                text += f'<br><span class="ci">{h.interval(by_ci[d])}</span>'
            cells.append(f'<td class="num">{text}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    note = (
        "Probability: the share of runs in which the outcome's condition held at the horizon "
        "(at any time up to it, when marked). 95% interval: Wilson score interval for that "
        "share. Words: ICD 203 words of estimative probability. First time: the median date "
        "at which the condition first held (a dash when it held in fewer than half the "
        "runs)."
    )
    if dates:
        note += " By DATE: the outcome evaluated as if the horizon were that date."
    return "\n".join(
        [
            '<section id="outcomes">',
            "<h2>Outcomes</h2>",
            h.table(head, rows),
            f'<p class="note">{h.escape(note)}</p>',
            _figure(charts, "outcomes", "Outcome probabilities with 95% Wilson intervals"),
            _figure(
                charts,
                "first_passage",
                "First passage: share of runs in which each outcome has held by each date",
            ),
            "</section>",
        ]
    )


def _states_section(summary: Mapping[str, Any], charts: Mapping[str, Path | None]) -> str:
    tracks: Mapping[str, Any] = summary.get("tracks") or {}
    at_horizon: Mapping[str, Any] = summary.get("states_at_horizon") or {}
    order = list(tracks) + [t for t in at_horizon if t not in tracks]
    blocks = []
    for track in order:
        shares = at_horizon.get(track) or {}
        meta = tracks.get(track) or {}
        labels = meta.get("states") or {}
        states = [s for s in labels if s in shares] + [s for s in shares if s not in labels]
        rows = []
        for s in states:
            share = float(shares[s])
            bar = f'<span class="bar" style="width:{max(0.0, min(share, 1.0)) * 100:.1f}%"></span>'
            rows.append(
                f'<tr><td dir="auto">{h.escape(h.label(labels.get(s), s))}</td>'
                f'<td class="num">{h.pct(share)}</td><td class="barcell">{bar}</td></tr>'
            )
        blocks.append(
            f'<div class="track"><h3 dir="auto">{h.escape(h.label(meta, track))}</h3>'
            + h.table(["State", "Share of runs", ""], rows)
            + "</div>"
        )
    return "\n".join(
        [
            '<section id="states">',
            "<h2>States at the horizon</h2>",
            f'<div class="tracks">{"".join(blocks)}</div>'
            if blocks
            else '<p class="muted">None.</p>',
            _figure(charts, "occupancy", "Occupancy: share of runs in each state over time"),
            "</section>",
        ]
    )


def _events_section(summary: Mapping[str, Any], charts: Mapping[str, Path | None]) -> str:
    events: Mapping[str, Any] = summary.get("events") or {}
    tracks: Mapping[str, Any] = summary.get("tracks") or {}
    rows = []
    for eid, ev in events.items():
        track = ev.get("track")
        meta = tracks.get(track) or {}
        labels = meta.get("states") or {}

        def name(state: str, labels: Mapping[str, Any] = labels) -> str:
            return h.bdi(h.label(labels.get(state), state))

        sources = ev.get("from") or []
        sources = [sources] if isinstance(sources, str) else sources
        targets = ev.get("to") or {}
        if isinstance(targets, str):
            targets = {targets: 1.0}
        if len(targets) == 1:
            to_text = name(next(iter(targets)))
        else:
            to_text = ", ".join(
                name(s) + ("" if p is None else f" {float(p) * 100:.3g}%")
                for s, p in targets.items()
            )
        move = f"{', '.join(name(s) for s in sources) or h.DASH} \u2192 {to_text or h.DASH}"
        mean = ev.get("mean_fires")
        rows.append(
            "<tr>"
            + "".join(
                [
                    f'<td dir="auto">{h.escape(h.label(ev, eid))}</td>',
                    f'<td dir="auto">{h.escape(h.label(meta, track)) if track else h.DASH}</td>',
                    f"<td>{move}</td>",
                    f"<td>{h.or_dash(ev.get('timing'))}</td>",
                    f'<td class="num">{h.pct(ev.get("fired_probability"))}</td>',
                    f'<td class="num">{h.DASH if mean is None else f"{float(mean):.2f}"}</td>',
                ]
            )
            + "</tr>"
        )
    table = (
        h.table(
            [
                "Event",
                "Track",
                "From \u2192 to",
                "Timing",
                "Fired (share of runs)",
                "Mean firings per run",
            ],
            rows,
        )
        if rows
        else '<p class="muted">None.</p>'
    )
    return "\n".join(
        [
            '<section id="events">',
            "<h2>Events</h2>",
            table,
            _figure(charts, "diagram", "Scenario diagram: states and the events between them"),
            "</section>",
        ]
    )


def _trajectories_section(summary: Mapping[str, Any]) -> str:
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
            h.table(["#", "Events, in order of firing", "Runs", "Share"], rows),
            "</section>",
        ]
    )


def _settings_section(summary: Mapping[str, Any]) -> str:
    s: Mapping[str, Any] = summary.get("settings") or {}
    elapsed = s.get("elapsed_seconds")
    runs = summary.get("runs")
    dates = s.get("report_dates") or []
    items = [
        ("Seed", h.or_dash(summary.get("seed"))),
        ("Runs", f"{runs:,}" if isinstance(runs, int) else h.or_dash(runs)),
        ("Engine", h.or_dash(summary.get("engine"))),
        ("Worker processes", h.or_dash(s.get("jobs"))),
        ("sim version", h.or_dash(s.get("version"))),
        ("Elapsed", h.DASH if elapsed is None else f"{float(elapsed):.1f} s"),
        ("Scenario file", f"<code>{h.escape(s['file'])}</code>" if s.get("file") else h.DASH),
        ("File SHA-256", f"<code>{h.escape(s['sha256'])}</code>" if s.get("sha256") else h.DASH),
        ("Created", h.or_dash(s.get("created"))),
        ("Start", h.or_dash(summary.get("start"))),
        ("Horizon", h.or_dash(summary.get("horizon"))),
        ("Curves sampled every", h.or_dash(s.get("report_every"))),
        ("Checkpoint dates", h.escape(", ".join(map(str, dates))) if dates else h.DASH),
    ]
    return h.settings_section(items)
