"""Render the variant comparison: charts and ``report.html`` of a comparison folder.

Reads ``comparison.json`` alone (written by ``sim run FILE --all-variants`` and ``sim compare``
from :func:`sim.analysis.compare.compare`). The HTML follows :mod:`sim.report.render`: one file
with no external resources (inline CSS, PNG charts as ``data:`` URIs), every piece of text from
the results escaped and isolated for bidirectional display. Its only links are relative ones to
each variant's own report, ``../<variant>/report.html``, and to ``comparison.json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sim.analysis.words import estimative_words
from sim.contracts import read_comparison
from sim.plots import plot_variant_differences, plot_variant_probabilities
from sim.plots.comparison import variant_order
from sim.report import html as h
from sim.report import variants as variants_html
from sim.report.drawn import JUDGMENT_OUTCOMES, compared_note, compared_outcomes
from sim.report.judgments import CSS as JUDGMENTS_CSS

__all__ = ["MATTERS_POINTS", "matters", "points", "render_comparison"]


def render_comparison(folder: Path) -> list[Path]:
    """Write the comparison charts and ``report.html`` of the comparison folder `folder`.

    Writes ``variants.png``/``.svg`` (each variant's outcome probabilities),
    ``differences.png``/``.svg`` (paired differences from base) and ``report.html``, replacing
    files of those names.

    Parameters
    ----------
    folder : pathlib.Path
        A folder holding ``comparison.json``. It normally sits beside the variants' results
        folders (``OUT/comparison`` next to ``OUT/<variant>``): the report links to
        ``../<variant>/report.html``.

    Returns
    -------
    list of pathlib.Path
        The files written: ``variants.png``, ``variants.svg``, ``differences.png``,
        ``differences.svg``, ``report.html``.

    Raises
    ------
    sim.errors.SimError
        If ``comparison.json`` is missing, is not JSON, or does not have the layout of a
        comparison (variants including ``base``; outcomes whose entries per variant have a
        probability in [0, 1] and, when given, well-formed intervals and differences).
    """
    folder = Path(folder)
    comparison = read_comparison(folder / "comparison.json")
    written: list[Path] = []
    charts: dict[str, Path | None] = {}
    drawn = compared_outcomes(comparison)  # a big model's charts fit a slide
    ax = plot_variant_probabilities(comparison, only=drawn)
    charts["variants"] = h.save_chart(ax.get_figure(), folder, "variants", written)
    ax = plot_variant_differences(comparison, only=drawn)
    charts["differences"] = h.save_chart(ax.get_figure(), folder, "differences", written)
    page = folder / "report.html"
    page.write_text(_page(comparison, charts), encoding="utf-8")
    written.append(page)
    return written


# --------------------------------------------------------------------------------------------
# Reading


# --------------------------------------------------------------------------------------------
# HTML


def _drawn(caption: str, comparison: Mapping[str, Any]) -> str:
    """A comparison chart's caption, then which outcomes it leaves out (a big model)."""
    note = compared_note(comparison)
    return f"{caption}. {note}" if note else caption


def _figure(charts: Mapping[str, Path | None], name: str, caption: str) -> str:
    return h.figure(charts.get(name), caption, "")


def _page(comparison: Mapping[str, Any], charts: Mapping[str, Path | None]) -> str:
    title = comparison.get("title") or comparison.get("scenario") or "Variant comparison"
    order = [v for v in variant_order(comparison) if v in comparison["variants"]]
    body = [
        _header(comparison, title, order),
        _judgments_section(comparison, order),
        _variants_section(comparison, order),
        _outcomes_section(comparison, order, charts),
        _settings_section(comparison),
    ]
    return h.document(f"{title}: variant comparison", h.CSS + JUDGMENTS_CSS + _EXTRA_CSS, body)


def _report_link(vid: str) -> str:
    return f"../{quote(vid, safe='')}/report.html"


def _variant_name(comparison: Mapping[str, Any], vid: str) -> str:
    return h.label((comparison.get("variants") or {}).get(vid), vid)


def _header(comparison: Mapping[str, Any], title: str, order: list[str]) -> str:
    runs = comparison.get("runs")
    meta = [
        f"scenario <code>{h.escape(comparison.get('scenario', h.DASH))}</code>",
        f"{len(order)} variants",
        f"from {h.or_dash(comparison.get('start'))} to {h.or_dash(comparison.get('horizon'))}",
    ]
    if isinstance(runs, int):
        meta.append(f"{runs:,} runs per variant")
    return "\n".join(
        [
            "<header>",
            f'<h1 dir="auto">{h.escape(title)}</h1>',
            '<p class="subtitle">Variant comparison</p>',
            f'<p class="meta">{h.DOT.join(meta)}</p>',
            '<p class="description">How each variant changes the probability of each outcome, '
            "compared with the base case. The differences are paired: every variant was run on "
            'the same random numbers as the base (see <a href="#settings">Run settings</a>).</p>',
            "</header>",
        ]
    )


def _judgments_section(comparison: Mapping[str, Any], order: list[str]) -> str:
    """The comparison's key judgments: per outcome, its chance in the base case and the
    variant that moves it most; then each variant's largest move, biggest first. Only
    differences that :func:`matters` counts; with many outcomes, those the variants move
    most (:func:`sim.report.drawn.compared_outcomes`)."""
    outcomes: Mapping[str, Any] = comparison["outcomes"]
    base = {oid: (o.get("by_variant") or {}).get("base") or {} for oid, o in outcomes.items()}
    moves: dict[str, list[tuple[float, str, str]]] = {oid: [] for oid in outcomes}
    for oid, o in outcomes.items():
        for vid in order[1:]:
            e = (o.get("by_variant") or {}).get(vid)
            if isinstance(e, Mapping) and matters(e.get("difference"), e.get("difference_ci95")):
                moves[oid].append((float(e["difference"]), vid, oid))
    listed = compared_outcomes(comparison, JUDGMENT_OUTCOMES)  # the charts' rule
    items = []
    for oid in listed:
        p = base[oid].get("probability")
        text = f"{h.bdi(h.label(outcomes[oid], oid))}: {h.pct(p)} in the base case"
        if moves[oid]:
            _, vid, _ = max(moves[oid], key=lambda m: abs(m[0]))
            text += f"; most moved by {_move(comparison, vid, oid)}"
        else:
            text += f"; no variant moves it by {MATTERS_POINTS:g} point or more"
        items.append(f"<li>{text}</li>")
    best = [max(ms, key=lambda m: abs(m[0])) for ms in _by_variant(moves).values()]
    ranked = sorted(best, key=lambda m: -abs(m[0]))
    movers = "".join(
        f"<li>{_move(comparison, vid, oid, outcome=True)}</li>" for _, vid, oid in ranked
    )
    parts = [
        '<section id="summary">',
        "<h2>Key judgments, given what has been observed</h2>"
        if comparison.get("evidence")
        else "<h2>Key judgments</h2>",
        f'<ul class="judgments">{"".join(items)}</ul>',
    ]
    if len(listed) < len(outcomes):
        parts.append(
            f'<p class="note">The {len(listed)} of the {len(outcomes)} outcomes the variants '
            "move most (then the most likely) are listed; every outcome is in "
            '<a href="#outcomes">the table</a>.</p>'
        )
    out = [vid for vid in order if _ruled_out(outcomes, vid)]
    if out:
        names = ", ".join(h.bdi(_variant_name(comparison, vid)) for vid in out)
        parts.append(
            f"<p><strong>Ruled out by the evidence:</strong> {names} (no run agrees with "
            "everything observed; no probability).</p>"
        )
    if movers:
        parts.append(
            f'<h3>Biggest movers among the variants</h3><ol class="judgments">{movers}</ol>'
        )
    parts.append(
        '<p class="note">Differences are variant minus base in percentage points with their '
        f"paired 95% interval; only those clear of zero and of at least {MATTERS_POINTS:g} "
        "point are named.</p></section>"
    )
    return "\n".join(parts)


def _ruled_out(outcomes: Mapping[str, Any], vid: str) -> bool:
    """Whether variant ``vid`` has no probability (ruled out by the evidence)."""
    entries = [(o.get("by_variant") or {}).get(vid) for o in outcomes.values()]
    return any(isinstance(e, Mapping) and e.get("probability", 0) is None for e in entries)


def _by_variant(moves: Mapping[str, list[tuple[float, str, str]]]) -> dict[str, list]:
    out: dict[str, list] = {}
    for ms in moves.values():
        for m in ms:
            out.setdefault(m[1], []).append(m)
    return out


def _move(comparison: Mapping[str, Any], vid: str, oid: str, *, outcome: bool = False) -> str:
    """ "VARIANT: +12.3 points (9.8 to 14.6)" in HTML; with ``outcome``, "on “OUTCOME”" after
    the variant's name."""
    o = comparison["outcomes"][oid]
    e = o["by_variant"][vid]
    low, high = e["difference_ci95"]
    on = f" on \u201c{h.bdi(h.label(o, oid))}\u201d" if outcome else ""
    return (
        f"{h.bdi(_variant_name(comparison, vid))}{on}: {points(e['difference'])} points "
        f"({points(low)} to {points(high)})"
    )


def _variants_section(comparison: Mapping[str, Any], order: list[str]) -> str:
    variants: Mapping[str, Any] = comparison["variants"]
    rows = []
    for vid in order:
        meta = variants.get(vid) or {}
        description = meta.get("description")
        if not (isinstance(description, str) and description.strip()):
            description = "The scenario as written." if vid == "base" else None
        changes = variants_html.changes_list(meta.get("changes"))
        what = h.or_dash(description) if description or not changes else ""
        rows.append(
            "<tr>"
            f'<td dir="auto">{h.escape(_variant_name(comparison, vid))}</td>'
            f"<td><code>{h.escape(vid)}</code></td>"
            f'<td dir="auto" class="description">{what}{changes}</td>'
            f'<td><a href="{h.escape(_report_link(vid))}">report</a></td>'
            "</tr>"
        )
    return "\n".join(
        [
            '<section id="variants">',
            "<h2>Variants</h2>",
            h.table(["Variant", "Id", "What it changes", "Own report"], rows),
            '<p class="note">Each variant has its own full report (outcomes over time, states, '
            "events, trajectories) in the folder beside this one. Under each description, the "
            "variant's changes: the path in the scenario file, its value in the base case and "
            "in the variant (\u2192), as written.</p>",
            "</section>",
        ]
    )


def _outcomes_section(
    comparison: Mapping[str, Any], order: list[str], charts: Mapping[str, Path | None]
) -> str:
    outcomes: Mapping[str, Any] = comparison["outcomes"]
    head = ["Outcome"] + [
        f"{h.bdi(_variant_name(comparison, vid))}<br><code>{h.escape(vid)}</code> "
        f'<a class="small" href="{h.escape(_report_link(vid))}">report</a>'
        for vid in order
    ]
    rows = []
    for oid, o in outcomes.items():
        label = f'<td dir="auto">{h.escape(h.label(o, oid))}'
        if o.get("ever"):
            label += ' <span class="muted">(at any time)</span>'
        cells = [label + "</td>"]
        by_variant: Mapping[str, Any] = o.get("by_variant") or {}
        for vid in order:
            cells.append(_cell(by_variant.get(vid), vid == "base"))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    table = (
        '<div class="scroll">' + h.table_html(head, rows) + "</div>"
        if rows
        else '<p class="muted">No outcomes.</p>'
    )
    note = (
        "Each cell: the share of runs in which the outcome held, its 95% Wilson interval and "
        "its ICD 203 words; for a variant other than base, then the difference from base in "
        "percentage points (variant minus base) with its paired 95% interval (Newcombe 1998, "
        "method 10), in bold when that interval excludes zero and the difference is at least "
        f"{MATTERS_POINTS:g} point, and the number of runs whose "
        "result differs from the same run of the base."
    )
    if comparison.get("evidence"):
        ev = comparison["evidence"]
        note += (
            f" Given what has been observed ({ev.get('observations')} observations to "
            f"{ev.get('as_of')}, each variant's runs weighted by their agreement "
            "with them): each share is a weighted share, its interval Wilson's with the "
            "effective number of runs, and the difference's interval comes from the "
            "delta-method variance of the two weighted shares on the same runs (not Newcombe's)."
        )
    if any(_ruled_out(outcomes, vid) for vid in order):
        note += (
            " A variant ruled out by the evidence (no run of it agrees with everything "
            "observed) has no probability: its own report lists the observations."
        )
    return "\n".join(
        [
            '<section id="outcomes">',
            "<h2>Outcomes by variant</h2>",
            table,
            f'<p class="note">{h.escape(note)}</p>',
            _figure(
                charts,
                "variants",
                _drawn("Each variant's outcome probabilities, 95% intervals", comparison),
            ),
            _figure(
                charts,
                "differences",
                _drawn(
                    "Difference from base in percentage points, paired 95% intervals", comparison
                ),
            ),
            "</section>",
        ]
    )


def _cell(entry: Any, is_base: bool) -> str:
    if not isinstance(entry, Mapping):
        return f'<td class="num">{h.DASH}</td>'
    if entry["probability"] is None:
        return f'<td class="num">{h.DASH}<br><span class="ci">ruled out by the evidence</span></td>'
    p = float(entry["probability"])
    words = entry.get("words") or estimative_words(p)
    parts = [
        f'<span class="p">{h.pct(p)}</span>',
        f'<span class="ci">{h.interval(entry.get("ci95"))}</span>',
        f'<span class="words">{h.escape(words)}</span>',
    ]
    if not is_base:
        d = entry.get("difference")
        ci = entry.get("difference_ci95")
        if d is None:
            parts.append(f'<span class="ci">{h.DASH}</span>')
        else:
            clear = matters(d, ci)
            parts.append(f'<span class="diff{" sig" if clear else ""}">{points(d)} pts</span>')
            if ci:
                parts.append(f'<span class="ci">{points(ci[0])} to {points(ci[1])}</span>')
        changed = entry.get("changed_runs")
        if isinstance(changed, int) and not isinstance(changed, bool):
            parts.append(f'<span class="ci">{_runs_differ(changed)}</span>')
    return f'<td class="num">{"<br>".join(parts)}</td>'


MATTERS_POINTS = 1.0  # a difference smaller than this (percentage points) is never bold


def matters(difference: Any, ci: Any) -> bool:
    """Whether a difference from base is worth bold type.

    Parameters
    ----------
    difference : float
        Variant minus base, a difference of shares (0.01 is one percentage point).
    ci : sequence of two floats or None
        Its paired 95% interval, shares.

    Returns
    -------
    bool
        True when the interval, as printed (one decimal, in points), excludes zero and the
        difference is at least :data:`MATTERS_POINTS` points in size: with common random
        numbers a fraction of a point can be clear of zero and still not matter.
    """
    if not ci or len(ci) != 2 or difference is None:
        return False
    low, high = (round(float(v) * 100, 1) for v in ci)
    return (low > 0 or high < 0) and abs(float(difference)) * 100 >= MATTERS_POINTS


def points(share: Any) -> str:
    """A difference of shares in percentage points: signed, one decimal, a true minus sign.

    Parameters
    ----------
    share : float
        A difference of shares (0.01 is one point).

    Returns
    -------
    str
        E.g. ``"+1.5"``, ``"\u22120.3"``; a value that rounds to zero reads ``0.0``, never
        ``-0.0`` or ``+0.0``.
    """
    value = round(float(share) * 100, 1)
    if value == 0:
        return "0.0"
    return f"{value:+.1f}".replace("-", h.MINUS)


def _runs_differ(count: int) -> str:
    if count == 0:
        return "no run differs"
    return f"{count:,} run{'' if count == 1 else 's'} differ{'s' if count == 1 else ''}"


def _settings_section(comparison: Mapping[str, Any]) -> str:
    runs = comparison.get("runs")
    crn = (
        "Common random numbers: every variant was run with the same seed and number of runs, "
        "and run i of each variant draws the same random numbers as run i of the base, so a "
        "difference between variants comes from what the variant changes, not from chance, "
        "and is measured run by run (paired)."
    )
    items = [
        ("Runs per variant", f"{runs:,}" if isinstance(runs, int) else h.or_dash(runs)),
        ("Seed", h.or_dash(comparison.get("seed"))),
        ("Engine", h.or_dash(comparison.get("engine"))),
        ("Start", h.or_dash(comparison.get("start"))),
        ("Horizon", h.or_dash(comparison.get("horizon"))),
        ("Random numbers", h.escape(crn)),
        (
            "Intervals",
            "probabilities: Wilson score 95% interval; differences: Newcombe's (1998) paired "
            "hybrid score 95% interval"
            if not comparison.get("evidence")
            else "given the evidence: Wilson score 95% interval with the effective runs; "
            "differences: delta-method 95% interval of two weighted shares on the same runs",
        ),
        ("Data", '<a href="comparison.json">comparison.json</a>'),
    ]
    return h.settings_section(items)


_EXTRA_CSS = """
.subtitle { margin: 0; font-size: 1.05rem; color: #5b6475; }
.scroll { overflow-x: auto; }
.p { font-weight: 600; }
.words { color: #5b6475; font-size: 0.8rem; font-style: italic; }
.diff { display: inline-block; margin-top: 0.25rem; }
.diff.sig { font-weight: 700; }
a.small { font-size: 0.8rem; font-weight: 400; }
thead th { vertical-align: bottom; }
ul.changes { margin: 0.3rem 0 0; padding-left: 1.1rem; font-size: 0.85rem; }
"""
