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
from sim.contracts import read_json, read_summary
from sim.errors import SimError
from sim.report import assumptions, evidence, influence, judgments, trajectories, variants, watch
from sim.report import html as h
from sim.report.charts import MAX_DIAGRAM_EVENTS, ChartProgress, draw_charts
from sim.report.curves import first_passage_figure
from sim.report.drawn import drawn_caption

__all__ = ["render_report"]

_OCCUPANCY_COLUMNS = {"date": str, "track": str, "state": str, "share": float}
_FIRST_PASSAGE_COLUMNS = {"date": str, "outcome": str, "share": float}


def render_report(folder: Path, progress: ChartProgress | None = None) -> list[Path]:
    """Write the charts and ``report.html`` of the results folder `folder` into it.

    Writes ``outcomes``, ``first_passage``, ``over_time``, ``occupancy`` and ``diagram`` as
    ``.png`` and ``.svg``, then ``report.html``, replacing files of those names. A chart whose
    CSV file is absent is skipped (and the report says so). The first-passage chart draws only
    outcomes read "at any time" (``ever``; none: no chart). Charts too tall for a slide are
    split into pages: ``occupancy_2`` (after :data:`sim.report.charts.OCCUPANCY_PER_PAGE`
    tracks), ``importance_2``, ... (after :data:`sim.report.charts.IMPORTANCE_PER_PAGE`
    outcomes), ``diagram_2``, ... (tracks grouped to fit a slide). When the summary lists
    ``influences``, also writes ``influence`` (which track's state acts on which track's events)
    and a section with the chart and a table of every influence. When the summary has a
    non-empty ``importance``, also writes ``importance`` (rank correlation of each uncertain
    value with each outcome) and a "Which assumptions matter" section; when an outcome has a
    ``spread`` (``sim run --parameter-draws``), also writes ``spread`` and a section on the
    spread across parameter draws. Files are written in place; making the whole folder appear at
    once is the caller's business.

    Parameters
    ----------
    folder : pathlib.Path
        A results folder holding at least ``summary.json``.
    progress : callable(done, total, name), optional
        Told of each chart drawn (:func:`sim.report.charts.draw_charts`).

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

    history_file = folder / "history" / "history.json"
    history = read_json(history_file, "run `sim history` again") if history_file.is_file() else None

    written: list[Path] = []
    charts = draw_charts(folder, summary, occupancy, first_passage, written, progress)
    page = folder / "report.html"
    page.write_text(_page(summary, charts, history), encoding="utf-8")
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


def _page(
    summary: Mapping[str, Any], charts: Mapping[str, Path | None], history: Any = None
) -> str:
    title = summary.get("title") or summary.get("scenario") or "Scenario report"
    ruled_out = evidence.ruled_out(summary)
    sections = [
        ("changes", "What this variant changes", variants.changes_section(summary)),
        ("description", "About this scenario", _about(summary)),
        ("observed", "What has been observed", evidence.observed_section(summary)),
        ("history", "How the forecast has changed", evidence.history_section(history, charts)),
        ("outcomes", "Outcomes", _outcomes_section(summary, charts)),
        ("watch", "What to watch", watch.watch_section(summary, charts)),
        ("posterior", "What the evidence says about the assumptions",
         evidence.parameters_section(summary, charts)),
        ("assumptions", "Assumptions", assumptions.assumptions_section(summary)),
        ("spread", "How much the assumptions move each probability",
         assumptions.spread_section(summary, charts)),
        ("importance", "Which assumptions matter", assumptions.importance_section(summary, charts)),
        ("states", "States at the horizon", "" if ruled_out else _states_section(summary, charts)),
        ("events", "Events", _events_section(summary, charts)),
        ("influence", "How the tracks influence each other",
         influence.influence_section(summary, charts)),
        ("trajectories", "Most frequent trajectories",
         "" if ruled_out else trajectories.trajectories_section(summary)),
        ("settings", "Run settings", _settings_section(summary)),
    ]  # fmt: skip
    present = [(i, t, html) for i, t, html in sections if html]
    body = [
        _header(summary, title),
        evidence.ruled_out_notice(summary) if ruled_out else judgments.key_judgments(summary),
        judgments.contents([(i, t) for i, t, _ in present]),
        *(html for _, _, html in present),
    ]
    css = h.CSS + judgments.CSS
    if summary.get("evidence") or summary.get("signposts"):
        css += evidence.CSS + watch.CSS
    return h.document(title, css, body)


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
    return "\n".join(
        ["<header>", h.para(title, "h1"), f'<p class="meta">{h.DOT.join(meta)}</p>', "</header>"]
    )


def _about(summary: Mapping[str, Any]) -> str:
    """The description, one paragraph per blank-line-separated block, then the sources."""
    paragraphs = [
        h.para(p.strip(), "p", 'class="description"')
        for p in str(summary.get("description") or "").split("\n\n")
        if p.strip()
    ]
    sources = _sources(summary.get("sources") or [])
    if not paragraphs and not sources:
        return ""
    return "\n".join(
        ['<section id="description">', "<h2>About this scenario</h2>", *paragraphs, sources]
        + ["</section>"]
    )


def _sources(sources: Iterable[Any]) -> str:
    items = []
    for source in sources:
        if not isinstance(source, Mapping):
            source = {"title": source}
        title = source.get("title") or source.get("url") or "(untitled)"
        url = source.get("url")
        if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
            head = (
                f'<a href="{h.escape(url)}" rel="noopener noreferrer" dir="{h.direction(title)}">'
                f"{h.bidi_html(title)}</a>"
            )
        else:
            head = f'<bdi dir="{h.direction(title)}">{h.bidi_html(title)}</bdi>'
            head += f" ({h.escape(url)})" if url else ""
        extra = [h.escape(source["date"])] if source.get("date") else []
        if source.get("note"):
            note = str(source["note"])
            extra.append(f'<span dir="{h.direction(note)}">{h.bidi_html(note)}</span>')
        tail = f' <span class="muted">{h.DOT.join(extra)}</span>' if extra else ""
        items.append(f'<li dir="ltr">{head}{tail}</li>')
    if not items:
        return ""
    return "\n".join(['<div id="sources">', "<h3>Sources</h3>", "<ol>", *items, "</ol>", "</div>"])


def _figure(charts: Mapping[str, Path | None], name: str, caption: str) -> str:
    """The chart called ``name``, or why it is absent."""
    if name == "diagram":
        absent = (
            f'<p class="muted">No diagram: more than {MAX_DIAGRAM_EVENTS} events (of the tracks '
            "it would draw) would not fit a readable picture.</p>"
        )
    else:
        absent = (
            f'<p class="muted">No {h.escape(name.replace("_", " "))} chart: its CSV file is '
            "absent.</p>"
        )
    return h.figures(charts, name, caption, absent)


def _outcomes_section(summary: Mapping[str, Any], charts: Mapping[str, Path | None]) -> str:
    outcomes: Mapping[str, Any] = summary["outcomes"]
    runs = summary.get("runs")
    dates = sorted({d for o in outcomes.values() for d in (o.get("by_date") or {})})
    given = evidence.has_evidence(summary)
    spread = any(isinstance(o.get("spread"), Mapping) for o in outcomes.values())
    head = [
        "Outcome",
        "Condition",
        "Probability given the evidence" if given else "Probability",
        *(["Before the evidence"] if given else []),
        "Monte Carlo 95%",
        *(["Across the assumptions, 80%"] if spread else []),
        "In words",
        "First time (median)",
    ] + [f"By {d}" for d in dates]
    rows = []
    for oid, o in outcomes.items():
        p = None if o["probability"] is None else float(o["probability"])
        ci = o.get("ci95")
        if not ci and p is not None and isinstance(runs, int) and runs > 0:
            ci = wilson_interval(round(p * runs), runs)
        when = o.get("when")
        condition = f"<code>{h.escape(when)}</code>" if when else h.DASH
        if o.get("ever"):
            condition += ' <span class="muted">(at any time)</span>'
        words = o.get("words") or (h.DASH if p is None else estimative_words(p))
        cells = [
            f'<td dir="auto">{h.escape(h.label(o, oid))}</td>',
            f"<td>{condition}</td>",
            f'<td class="num">{h.pct(p)}</td>',
            *([f'<td class="num">{h.pct(o.get("prior_probability"))}</td>'] if given else []),
            f'<td class="num">{h.interval(ci)}</td>',
            *([f'<td class="num">{_spread_cell(o)}</td>'] if spread else []),
            f"<td>{h.escape(words)}</td>",
            f'<td class="num">{_first_time(o)}</td>',
        ]
        by_date = o.get("by_date") or {}
        by_ci = o.get("by_date_ci95") or {}
        for d in dates:
            text = h.pct(by_date.get(d))
            if by_ci.get(d):
                text += f'<br><span class="ci">{h.interval(by_ci[d])}</span>'
            cells.append(f'<td class="num">{text}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    note = _outcomes_note(spread, bool(dates), given)
    return "\n".join(
        [
            '<section id="outcomes">',
            "<h2>Outcomes</h2>",
            h.table(head, rows),
            f'<p class="note" id="outcomes-note">{h.escape(note)}</p>',
            _figure(
                charts,
                "outcomes",
                drawn_caption(_outcomes_caption(summary), summary, "outcomes"),
            ),
            '<p class="muted">No first passage chart: no run agrees with the evidence.</p>'
            if evidence.ruled_out(summary)
            else first_passage_figure(summary, charts),
            "</section>",
        ]
    )


def _outcomes_note(spread: bool, dates: bool, given: bool) -> str:
    """The note under the outcomes table: what each column means."""
    note = (
        "Probability: the share of runs in which the outcome's condition held at the horizon "
        "(at any time up to it, when marked). Monte Carlo 95%: Wilson score interval for that "
        "share, the noise of a finite number of runs, which more runs shrink. Words: ICD 203 "
        "words of estimative probability. First time: the median date "
        "at which the condition first held (a dash when it held in fewer than half the "
        "runs); n/a for an outcome read at the horizon, whose first time says nothing about "
        "it (its condition may hold from the start and stop long before the horizon)."
    )
    if spread:
        note += (
            " Across the assumptions, 80%: the 10th to 90th percentile of the probability "
            "across draws of the uncertain values, with each draw's Monte Carlo noise taken "
            "out (see How much the assumptions move each probability); more runs do not "
            "shrink it."
        )
    if dates:
        note += " By DATE: the outcome evaluated as if the horizon were that date."
    if given:
        note += (
            " Given the evidence: every share is of the runs' weight (see What has been "
            "observed), and intervals use Kish's effective number of runs; before the "
            "evidence: the share of all runs, from the same runs."
        )
    return note


def _spread_cell(outcome: Mapping[str, Any]) -> str:
    """An outcome's 80% range across the assumptions (its spread's p10 to p90), or a dash."""
    sp = outcome.get("spread")
    if not isinstance(sp, Mapping) or outcome.get("probability") is None:
        return h.DASH
    if sp.get("noise_dominated"):  # the draws differ no more than Monte Carlo noise
        return f"{h.interval([sp['p10'], sp['p90']])} (mostly noise)"
    return h.interval([sp["p10"], sp["p90"]])


def _outcomes_caption(summary: Mapping[str, Any]) -> str:
    if any(isinstance(o.get("spread"), Mapping) for o in summary["outcomes"].values()):
        return (
            "Outcome probabilities with their Monte Carlo 95% Wilson intervals (black "
            "whiskers) and their 80% ranges across the assumptions (orange lines)"
            + ("; before the evidence: diamonds" if evidence.has_evidence(summary) else "")
        )
    if evidence.ruled_out(summary):
        return "Outcome probabilities before the evidence (diamonds); none given it: ruled out"
    if evidence.has_evidence(summary):
        return (
            "Outcome probabilities given the evidence with 95% Wilson intervals (bars), and "
            "before the evidence (diamonds)"
        )
    return "Outcome probabilities with 95% Wilson intervals"


def _first_time(outcome: Mapping[str, Any]) -> str:
    """The median first time of an "at any time" outcome; "n/a" for one read at the horizon."""
    if not outcome.get("ever"):
        return 'n/a<sup><a href="#outcomes-note">*</a></sup>'
    return h.or_dash(outcome.get("first_time_median"))


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
            _figure(
                charts,
                "occupancy",
                drawn_caption(
                    "Occupancy: share of runs in each state over time", summary, "occupancy"
                ),
            ),
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
            _figure(
                charts,
                "diagram",
                drawn_caption(
                    "Scenario diagram: states and the events between them", summary, "diagram"
                ),
            ),
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
