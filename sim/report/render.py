"""Render the charts and ``report.html`` of a results folder, from its files alone.

Reads ``summary.json``, ``occupancy.csv`` and ``first_passage.csv`` (see
``docs/RESULTS_LAYOUT.md``); never runs an engine nor reads the scenario file. The HTML is one
file with no external resources: inline CSS, the PNG charts as ``data:`` URIs, and links only
to the scenario's sources. Every piece of text from the results is escaped, and elements
holding such text carry ``dir="auto"`` (inline: ``<bdi>``), so Arabic reads right to left.
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.words import estimative_words, format_probability, wilson_interval
from sim.contracts import read_summary
from sim.errors import SimError
from sim.plots import (
    plot_diagram,
    plot_first_passage,
    plot_importance,
    plot_occupancy,
    plot_outcomes,
    plot_spread,
    save_figure,
)

__all__ = ["render_report"]

_OCCUPANCY_COLUMNS = {"date": str, "track": str, "state": str, "share": float}
_FIRST_PASSAGE_COLUMNS = {"date": str, "outcome": str, "share": float}
_DASH = "\u2014"
_DOT = " \u00b7 "
#: Runs whose draws of the uncertain values are kept for ``importance`` (sim.runner).
MAX_DIAGRAM_EVENTS = 150  # beyond this the diagram is tens of megabytes and unreadable
_IMPORTANCE_RUNS = 20_000  # fallback: sim.results.IMPORTANCE_RUNS


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
    charts["outcomes"] = _save(ax.get_figure(), folder, "outcomes", written)
    charts["first_passage"] = None
    if first_passage is not None:
        ax = plot_first_passage(first_passage, outcomes)
        charts["first_passage"] = _save(ax.get_figure(), folder, "first_passage", written)
    charts["occupancy"] = None
    if occupancy is not None:
        fig = plot_occupancy(occupancy, summary.get("tracks") or {})
        charts["occupancy"] = _save(fig, folder, "occupancy", written)
    charts["diagram"] = None
    if len(summary.get("events") or {}) <= MAX_DIAGRAM_EVENTS:
        ax = plot_diagram(summary)
        charts["diagram"] = _save(ax.get_figure(), folder, "diagram", written)
    if _spreads(summary):
        ax = plot_spread(outcomes)
        charts["spread"] = _save(ax.get_figure(), folder, "spread", written)
    if _has_importance(summary):
        fig = plot_importance(
            summary["importance"],
            summary.get("parameters") or {},
            outcomes,
            chance=_chance_levels(summary),
        )
        charts["importance"] = _save(fig, folder, "importance", written)

    page = folder / "report.html"
    page.write_text(_page(summary, charts), encoding="utf-8")
    written.append(page)
    return written


# --------------------------------------------------------------------------------------------
# Reading


def _is_number(value: Any, low: float = -math.inf, high: float = math.inf) -> bool:
    return (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and low <= value <= high
    )


def _spreads(summary: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Outcome id -> spread, for the outcomes that have one (file order)."""
    return {
        oid: o["spread"]
        for oid, o in summary["outcomes"].items()
        if isinstance(o.get("spread"), Mapping)
    }


def _has_importance(summary: Mapping[str, Any]) -> bool:
    importance = summary.get("importance")
    return isinstance(importance, Mapping) and any(importance.values())


def _chance_levels(summary: Mapping[str, Any]) -> dict[str, float]:
    """Per outcome, the |rho| that chance alone reaches about one time in twenty.

    Importance is computed from the first n runs: ``summary["importance_runs"]`` when given,
    else min(runs, :data:`_IMPORTANCE_RUNS`) (the runner keeps the draws of at most that many
    runs, so the band errs on the wide side). Every run drawing its own values: about
    2 / sqrt(n), the null standard error of a correlation being 1 / sqrt(n). With parameter
    draws of m runs each, the n runs hold only K = n / m distinct values of each parameter and
    the runs of a draw move together: the null variance of the correlation is then about
    Var(per-draw probability) / (K p (1 - p)), the per-draw variance being parameter_sd^2 +
    noise_sd^2 from the outcome's ``spread``.
    """
    runs = summary.get("runs")
    used = summary.get("importance_runs")
    if not _is_number(used, 1) and _is_number(runs, 1):
        used = min(runs, _IMPORTANCE_RUNS)
    if not _is_number(used, 4):
        return {}
    spreads = _spreads(summary)
    out: dict[str, float] = {}
    for oid, o in summary["outcomes"].items():
        sp = spreads.get(oid)
        p = float(o["probability"])
        if sp is None:
            out[oid] = 2 / math.sqrt(used)
            continue
        per = sp.get("runs_per_draw")
        draws = sp.get("draws")
        if not (_is_number(draws, 2) and _is_number(per, 1)) or not 0 < p < 1:
            continue
        k = max(min(float(draws), used // per), 1.0)
        var = float(sp.get("parameter_sd") or 0) ** 2 + float(sp.get("noise_sd") or 0) ** 2
        out[oid] = min(2 * math.sqrt(var / (k * p * (1 - p))), 1.0)
    return out


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


def _save(fig: Any, folder: Path, stem: str, written: list[Path]) -> Path:
    png, svg = save_figure(fig, folder, stem)
    written += [png, svg]
    return png


# --------------------------------------------------------------------------------------------
# HTML


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _e(value: Any) -> str:
    """Escaped text of `value`; control characters (invalid in HTML) become spaces."""
    return html.escape(_CONTROL.sub(" ", str(value)), quote=True)


def _bdi(value: Any) -> str:
    """Inline user text, isolated for bidirectional display."""
    return f"<bdi>{_e(value)}</bdi>"


def _label(meta: Any, fallback: str) -> str:
    label = (
        meta.get("label") if isinstance(meta, Mapping) else meta if isinstance(meta, str) else None
    )
    return label.strip() if isinstance(label, str) and label.strip() else str(fallback)


def _pct(p: Any) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return _DASH
    return format_probability(float(p))


def _interval(ci: Any) -> str:
    if not ci or len(ci) != 2:
        return _DASH
    return f"{_pct(ci[0])}\u2013{_pct(ci[1])}"


def _or_dash(value: Any) -> str:
    return _DASH if value is None or value == "" else _e(value)


def _page(summary: Mapping[str, Any], charts: Mapping[str, Path | None]) -> str:
    title = summary.get("title") or summary.get("scenario") or "Scenario report"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<title dir="auto">{_e(title)}</title>',
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        _header(summary, title),
        _sources(summary.get("sources") or []),
        _outcomes_section(summary, charts),
        _spread_section(summary, charts),
        _importance_section(summary, charts),
        _states_section(summary, charts),
        _events_section(summary, charts),
        _trajectories_section(summary),
        _settings_section(summary),
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(p for p in parts if p)


def _header(summary: Mapping[str, Any], title: str) -> str:
    runs = summary.get("runs")
    variant = summary.get("variant") or "base"
    variant_label = summary.get("variant_label")
    variant_text = f"<code>{_e(variant)}</code>"
    if variant_label:
        variant_text = f"{_bdi(variant_label)} ({variant_text})"
    meta = [
        f"scenario <code>{_e(summary.get('scenario', _DASH))}</code>",
        f"variant {variant_text}",
        f"from {_or_dash(summary.get('start'))} to {_or_dash(summary.get('horizon'))}",
    ]
    if isinstance(runs, int):
        meta.append(f"{runs:,} runs")
    out = [
        "<header>",
        f'<h1 dir="auto">{_e(title)}</h1>',
        f'<p class="meta">{_DOT.join(meta)}</p>',
    ]
    description = summary.get("description")
    if description:
        for paragraph in str(description).split("\n\n"):
            if paragraph.strip():
                out.append(f'<p dir="auto" class="description">{_e(paragraph.strip())}</p>')
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
            head = f'<a href="{_e(url)}" rel="noopener noreferrer">{_e(title)}</a>'
        else:
            head = _e(title) + (f" ({_e(url)})" if url else "")
        extra = [_e(source["date"])] if source.get("date") else []
        if source.get("note"):
            extra.append(f"<bdi>{_e(source['note'])}</bdi>")
        tail = f' <span class="muted">{_DOT.join(extra)}</span>' if extra else ""
        items.append(f'<li dir="auto">{head}{tail}</li>')
    if not items:
        return ""
    return "\n".join(
        ['<section id="sources">', "<h2>Sources</h2>", "<ol>", *items, "</ol>", "</section>"]
    )


def _figure(charts: Mapping[str, Path | None], name: str, caption: str) -> str:
    path = charts.get(name)
    if path is None and name == "diagram":
        return (
            f'<p class="muted">No diagram: more than {MAX_DIAGRAM_EVENTS} events would not '
            "fit a readable picture.</p>"
        )
    if path is None:
        return (
            f'<p class="muted">No {_e(name.replace("_", " "))} chart: its CSV file is absent.</p>'
        )
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{_e(caption)}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


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
        condition = f"<code>{_e(when)}</code>" if when else _DASH
        if o.get("ever"):
            condition += ' <span class="muted">(at any time)</span>'
        cells = [
            f'<td dir="auto">{_e(_label(o, oid))}</td>',
            f"<td>{condition}</td>",
            f'<td class="num">{_pct(p)}</td>',
            f'<td class="num">{_interval(ci)}</td>',
            f"<td>{_e(o.get('words') or estimative_words(p))}</td>",
            f'<td class="num">{_or_dash(o.get("first_time_median"))}</td>',
        ]
        by_date = o.get("by_date") or {}
        by_ci = o.get("by_date_ci95") or {}
        for d in dates:
            text = _pct(by_date.get(d))
            if by_ci.get(d):
                text += f'<br><span class="ci">{_interval(by_ci[d])}</span>'
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
            _table(head, rows),
            f'<p class="note">{_e(note)}</p>',
            _figure(charts, "outcomes", "Outcome probabilities with 95% Wilson intervals"),
            _figure(
                charts,
                "first_passage",
                "First passage: share of runs in which each outcome has held by each date",
            ),
            "</section>",
        ]
    )


def _spread_section(summary: Mapping[str, Any], charts: Mapping[str, Path | None]) -> str:
    spreads = _spreads(summary)
    if not spreads or "spread" not in charts:
        return ""
    outcomes: Mapping[str, Any] = summary["outcomes"]
    rows = []
    for oid, sp in spreads.items():
        o = outcomes[oid]
        rows.append(
            "<tr>"
            + "".join(
                [
                    f'<td dir="auto">{_e(_label(o, oid))}</td>',
                    f'<td class="num">{_pct(o["probability"])}</td>',
                    f'<td class="num">{_pct(sp["median"])}</td>',
                    f'<td class="num">{_interval([sp["p10"], sp["p90"]])}</td>',
                    f'<td class="num">{_sd_points(sp.get("parameter_sd"))}</td>',
                    f'<td class="num">{_sd_points(sp.get("noise_sd"))}</td>',
                ]
            )
            + "</tr>"
        )
    first = next(iter(spreads.values()))
    draws, per = first.get("draws"), first.get("runs_per_draw")
    how = "The runs were split into parameter draws"
    if isinstance(draws, int) and isinstance(per, int):
        how = f"The runs were split into {draws:,} parameter draws of {per:,} runs each"
    text = (
        f"{how}: each draw sets every uncertain value (named parameters and ranges such as "
        "3% to 10%) once, for all its runs, so each draw gives its own probability "
        "of each outcome. Those probabilities vary for two reasons: the values differ "
        "(parameter uncertainty, what this section is about) and each draw's runs are a "
        "finite sample (Monte Carlo noise). By the law of total variance, the observed "
        "variance of the per-draw probabilities is the parameter variance plus the binomial "
        "noise p(1 − p)/m of a draw of m runs; the noise term is estimated from each "
        "draw's own p(1 − p)/(m − 1) and subtracted, and the parameter sd is the "
        "square root of what remains. The 10th–90th percentile interval is that of the "
        "observed per-draw probabilities, noise included: it shows parameter uncertainty "
        "faithfully when the noise sd is small next to the parameter sd (otherwise run more "
        "runs per draw)."
    )
    return "\n".join(
        [
            '<section id="spread">',
            "<h2>How much the assumptions move each probability</h2>",
            _table(
                [
                    "Outcome",
                    "Probability (all runs)",
                    "Median draw",
                    "80% of draws (10th–90th percentile)",
                    "Parameter sd",
                    "Noise sd",
                ],
                rows,
            ),
            f'<p class="note">{_e(text)} Standard deviations are in percentage points.</p>',
            _figure(
                charts,
                "spread",
                "Spread across parameter draws: 80% interval of the per-draw probability, "
                "median draw and overall probability",
            ),
            "</section>",
        ]
    )


def _importance_section(summary: Mapping[str, Any], charts: Mapping[str, Path | None]) -> str:
    if "importance" not in charts:
        return ""
    runs = summary.get("runs")
    n = f"{runs:,} " if isinstance(runs, int) else ""
    text = (
        "For each uncertain value (a named parameter or an unnamed range such as 3% to 10%), "
        "the rank (Spearman) correlation between the value drawn in each run and whether the "
        f"outcome held in that run, across the {n}runs of this report, so it needs no extra "
        "runs. Positive: runs with a higher value ended with the outcome more often. "
        "Correlations with a yes/no outcome are small in absolute terms: compare them with "
        "each other. Each value varies together with all the others, so this is association, "
        "not a controlled experiment; for the effect of one value at a time, or for shares "
        "of variance, run SIM_SENSITIVITY."
    )
    levels = _chance_levels(summary)
    if levels:
        low, high = min(levels.values()), max(levels.values())
        span = f"{low:.3f}" if high - low < 0.0005 else f"{low:.3f} to {high:.3f}"
        if _spreads(summary):
            text += (
                f" The grey band marks what chance alone could give (|rho| below {span}, "
                "depending on the outcome): with parameter draws each value takes only as "
                "many distinct values as there are draws, so the band is wide; bars inside it "
                "should not be read as effects."
            )
        else:
            text += (
                f" The grey band marks what chance alone could give (|rho| below about "
                f"2/√N = {span}); bars inside it should not be read as effects."
            )
    return "\n".join(
        [
            '<section id="importance">',
            "<h2>Which assumptions matter</h2>",
            '<p class="note">'
            + _e(text).replace(
                "SIM_SENSITIVITY",
                "<code>sim sensitivity FILE --method tornado</code> (or "
                "<code>--method sobol</code>)",
            )
            + "</p>",
            _figure(
                charts,
                "importance",
                "Rank correlation of each uncertain value with each outcome, strongest first",
            ),
            "</section>",
        ]
    )


def _sd_points(value: Any) -> str:
    return _DASH if not _is_number(value) else f"{float(value) * 100:.1f} pts"


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
                f'<tr><td dir="auto">{_e(_label(labels.get(s), s))}</td>'
                f'<td class="num">{_pct(share)}</td><td class="barcell">{bar}</td></tr>'
            )
        blocks.append(
            f'<div class="track"><h3 dir="auto">{_e(_label(meta, track))}</h3>'
            + _table(["State", "Share of runs", ""], rows)
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
            return _bdi(_label(labels.get(state), state))

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
        move = f"{', '.join(name(s) for s in sources) or _DASH} \u2192 {to_text or _DASH}"
        mean = ev.get("mean_fires")
        rows.append(
            "<tr>"
            + "".join(
                [
                    f'<td dir="auto">{_e(_label(ev, eid))}</td>',
                    f'<td dir="auto">{_e(_label(meta, track)) if track else _DASH}</td>',
                    f"<td>{move}</td>",
                    f"<td>{_or_dash(ev.get('timing'))}</td>",
                    f'<td class="num">{_pct(ev.get("fired_probability"))}</td>',
                    f'<td class="num">{_DASH if mean is None else f"{float(mean):.2f}"}</td>',
                ]
            )
            + "</tr>"
        )
    table = (
        _table(
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
        names = [_bdi(_label(events.get(e), e)) for e in t.get("events") or []]
        sequence = " \u2192 ".join(names) if names else '<span class="muted">no event fired</span>'
        count = t.get("count")
        rows.append(
            f'<tr><td class="num">{rank}</td><td>{sequence}</td>'
            f'<td class="num">{_DASH if count is None else f"{int(count):,}"}</td>'
            f'<td class="num">{_pct(t.get("share"))}</td></tr>'
        )
    return "\n".join(
        [
            '<section id="trajectories">',
            "<h2>Most frequent trajectories</h2>",
            _table(["#", "Events, in order of firing", "Runs", "Share"], rows),
            "</section>",
        ]
    )


def _settings_section(summary: Mapping[str, Any]) -> str:
    s: Mapping[str, Any] = summary.get("settings") or {}
    elapsed = s.get("elapsed_seconds")
    runs = summary.get("runs")
    dates = s.get("report_dates") or []
    items = [
        ("Seed", _or_dash(summary.get("seed"))),
        ("Runs", f"{runs:,}" if isinstance(runs, int) else _or_dash(runs)),
        ("Engine", _or_dash(summary.get("engine"))),
        ("Worker processes", _or_dash(s.get("jobs"))),
        ("sim version", _or_dash(s.get("version"))),
        ("Elapsed", _DASH if elapsed is None else f"{float(elapsed):.1f} s"),
        ("Scenario file", f"<code>{_e(s['file'])}</code>" if s.get("file") else _DASH),
        ("File SHA-256", f"<code>{_e(s['sha256'])}</code>" if s.get("sha256") else _DASH),
        ("Created", _or_dash(s.get("created"))),
        ("Start", _or_dash(summary.get("start"))),
        ("Horizon", _or_dash(summary.get("horizon"))),
        ("Curves sampled every", _or_dash(s.get("report_every"))),
        ("Checkpoint dates", _e(", ".join(map(str, dates))) if dates else _DASH),
    ]
    return _settings_table(items)


def _settings_table(items: list[tuple[str, str]]) -> str:
    """The "Run settings" section: (escaped-later name, HTML value) pairs."""
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in items)
    return "\n".join(
        [
            '<section id="settings">',
            "<h2>Run settings</h2>",
            f'<table class="settings"><tbody>{rows}</tbody></table>',
            "</section>",
        ]
    )


def _table(head: list[str], rows: list[str]) -> str:
    th = "".join(f"<th>{_e(h)}</th>" for h in head)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Naskh Arabic",
  "DejaVu Sans", Arial, sans-serif; color: #1d2330; max-width: 1150px; margin: 2rem auto;
  padding: 0 1.2rem; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: 0.3rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #d5dae3;
  padding-bottom: 0.2rem; }
h3 { font-size: 1rem; margin: 0.6rem 0 0.3rem; }
.meta, .muted, .note, figcaption { color: #5b6475; }
.note { font-size: 0.88rem; }
.description { max-width: 60rem; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.92rem; }
th, td { border-bottom: 1px solid #e3e7ee; padding: 0.32rem 0.6rem; text-align: start;
  vertical-align: top; }
thead th { background: #f3f5f9; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.ci { color: #5b6475; font-size: 0.8rem; }
code { font-size: 0.88em; background: #f3f5f9; padding: 0 0.2em; border-radius: 3px; }
.tracks { display: flex; flex-wrap: wrap; gap: 0 2rem; }
.barcell { width: 8rem; }
.bar { display: block; height: 0.75rem; margin-top: 0.2rem; background: #4c72b0; }
figure { margin: 1.2rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eef0f4; }
table.settings th { text-align: start; font-weight: 600; background: none; }
a { color: #2452a4; }
"""
