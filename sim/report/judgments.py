"""The top of a report: key judgments an analyst can paste into a brief, and the contents.

Reads the validated ``summary.json`` content (:func:`sim.contracts.read_summary`): each
outcome's probability, interval, words and (optional) ``spread`` across the assumptions, and
``importance`` for the biggest movers. Text from the results is escaped and isolated for
bidirectional display (:func:`sim.report.html.para`, :func:`sim.report.html.bdi`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sim.analysis.evidence import top_signposts
from sim.analysis.words import estimative_words, wilson_interval
from sim.plots.bars import readable_label
from sim.report import evidence
from sim.report import html as h
from sim.report.drawn import JUDGMENT_OUTCOMES, most_likely
from sim.report.watch import signpost_sentence

__all__ = [
    "CSS",
    "MOVERS",
    "SETTLED",
    "WATCH",
    "contents",
    "key_judgments",
    "movers",
    "watch_first",
]

MOVERS = 3  # assumptions listed as the biggest movers
WATCH = 3  # signposts listed under "What to watch first"
SETTLED = 0.005  # a chance this close to 0 or 1 given a signpost: the signpost settles it


def movers(summary: Mapping[str, Any], top: int = MOVERS) -> list[tuple[str, str, float]]:
    """The uncertain values most associated with any outcome, strongest first.

    Parameters
    ----------
    summary : mapping
        ``summary.json`` content; uses ``importance`` (outcome id -> ``[{"parameter",
        "rho"}]``).
    top : int, optional
        Most values returned.

    Returns
    -------
    list of (str, str, float)
        ``(parameter, outcome id, rho)``: each value once, with the outcome it correlates
        with most strongly (largest |rho|) and that rank correlation; empty without
        ``importance``.
    """
    best: dict[str, tuple[str, float]] = {}
    for oid, rows in (summary.get("importance") or {}).items():
        for row in rows or []:
            name, rho = str(row["parameter"]), float(row["rho"])
            if name not in best or abs(rho) > abs(best[name][1]):
                best[name] = (oid, rho)
    ranked = sorted(best.items(), key=lambda kv: -abs(kv[1][1]))
    return [(name, oid, rho) for name, (oid, rho) in ranked[: max(int(top), 0)]]


def key_judgments(summary: Mapping[str, Any]) -> str:
    """The "Key judgments" section: one line per outcome, then the biggest movers.

    A model with more than :data:`sim.report.drawn.JUDGMENT_OUTCOMES` outcomes lists the
    most likely of them (in file order), so the section fits the first screen, and says that
    every outcome is in the outcomes table.

    Each line gives the outcome's label, its probability in ICD 203 words and as a
    percentage, its 95% Monte Carlo interval ("Monte Carlo") and, when the outcome has a
    ``spread``, the 10th-90th percentile across parameter draws with their Monte Carlo noise
    removed ("assumptions"), or, when that noise is as large as the spread, words saying so; a
    note under the list says what each bracketed number is. With evidence, the heading says
    "given what has been observed", a line under it says what that is, and each line ends
    with the probability before the evidence; the words and interval are those given it.
    Then the :data:`MOVERS` biggest movers among the assumptions and the :data:`WATCH`
    signposts most worth watching (:func:`watch_first`).

    Parameters
    ----------
    summary : mapping
        ``summary.json`` content (validated).

    Returns
    -------
    str
        HTML: ``<section id="summary">``.
    """
    outcomes: Mapping[str, Any] = summary["outcomes"]
    runs = summary.get("runs")
    given = evidence.has_evidence(summary)
    items = []
    listed = most_likely(outcomes, JUDGMENT_OUTCOMES)
    for oid in listed:
        o = outcomes[oid]
        p = float(o["probability"])
        ci = o.get("ci95")
        if not ci and isinstance(runs, int) and runs > 0:
            ci = wilson_interval(round(p * runs), runs)
        words = o.get("words") or estimative_words(p)
        text = (
            f"<strong>{h.escape(words.capitalize())}</strong> ({h.pct(p)}; "
            f"Monte Carlo {h.interval(ci)}"
        )
        spread = o.get("spread")
        if isinstance(spread, Mapping) and "p10" in spread and "p90" in spread:
            text += _across(spread)
        if given and o.get("prior_probability") is not None:
            text += f"; prior {h.pct(o['prior_probability'])}"
        items.append(f"<li>{h.bdi(h.label(o, oid))}: {text})</li>")
    parts = [
        '<section id="summary">',
        "<h2>Key judgments, given what has been observed</h2>"
        if given
        else "<h2>Key judgments</h2>",
        evidence.given_line(summary),
        f'<ul class="judgments">{"".join(items)}</ul>',
    ]
    parts.append(_legend(outcomes, given))
    if len(listed) < len(outcomes):
        parts.append(
            f'<p class="note">The {len(listed)} most likely of the {len(outcomes)} outcomes '
            'are listed; every outcome is in <a href="#outcomes">the outcomes table</a>.</p>'
        )
    if not any(isinstance(o.get("spread"), Mapping) for o in outcomes.values()):
        parts.append(
            '<p class="note">The intervals are Monte Carlo noise only: they do not show how '
            "much the uncertain assumptions move each probability (every run with uncertain "
            "values and at least 2,000 runs reports that, unless run with "
            "<code>--no-spread</code>).</p>"
        )
    columns = [c for c in (_movers_html(summary), _watch_html(summary)) if c]
    if columns:
        parts.append(f'<div class="columns">{"".join(columns)}</div>')
    parts.append("</section>")
    return "\n".join(p for p in parts if p)


def _legend(outcomes: Mapping[str, Any], given: bool) -> str:
    """What the numbers in brackets are, once for every line."""
    spread = next((o["spread"] for o in outcomes.values() if o.get("spread")), None)
    text = "In brackets: the probability; its 95% Monte Carlo interval (the noise of the runs)"
    if isinstance(spread, Mapping):
        draws = spread.get("draws")
        text += (
            "; the 80% range across the assumptions"
            + (f" ({draws} draws of the uncertain values," if draws else " (")
            + " each draw's Monte Carlo noise removed)"
        )
    if given:
        text += "; the prior, the probability before the evidence"
    return f'<p class="note">{text}.</p>'


def _across(spread: Mapping[str, Any]) -> str:
    """The key judgment's words on the spread: its 80% range with the Monte Carlo noise taken
    out, or, when the draws differ no more than noise (``noise_dominated``), that."""
    if spread.get("noise_dominated"):
        return (
            "; assumptions: mostly Monte Carlo noise (too few runs a draw: run with "
            "<code>--parameter-draws 20 --runs 400000</code>, 20,000 a draw)"
        )
    return f"; assumptions {h.interval([spread['p10'], spread['p90']])}"


def _movers_html(summary: Mapping[str, Any]) -> str:
    found = movers(summary)
    if not found:
        return ""
    parameters = summary.get("parameters") or {}
    events = summary.get("events") or {}
    outcomes = summary["outcomes"]
    items = []
    for name, oid, rho in found:
        way = "more" if rho > 0 else "less"
        label = readable_label(name, parameters.get(name), events)
        items.append(
            f"<li>{h.bdi(label)} \u2014 the higher, the {way} likely "
            f"\u201c{h.bdi(h.label(outcomes.get(oid), oid))}\u201d (rank correlation "
            f"{_signed(rho)})</li>"
        )
    return (
        '<div><h3>Biggest movers among the assumptions <a class="more" href="#importance">'
        'which matter</a></h3><ol class="judgments">' + "".join(items) + "</ol></div>"
    )


def watch_first(summary: Mapping[str, Any], top: int = WATCH) -> list[tuple[str, dict]]:
    """The signposts most worth watching, whatever the outcome: each outcome's signposts as
    the "What to watch" section lists them (:func:`sim.analysis.evidence.top_signposts`),
    most informative first (mutual information, bits), each indicator once; early warnings
    first: a signpost that settles its outcome (seen or not, the outcome's chance is then
    beyond :data:`SETTLED` of 0% or 100%: it is the outcome, or what it needs) comes after
    those that do not.

    Parameters
    ----------
    summary : mapping
        ``summary.json`` content; uses ``signposts`` and ``outcomes``.
    top : int, optional
        Most signposts returned.

    Returns
    -------
    list of (str, dict)
        ``(outcome id, signpost row)``; empty without signposts.
    """
    signposts = summary.get("signposts")
    if not isinstance(signposts, Mapping):
        return []
    rows = [
        (oid, row)
        for oid, outcome in summary["outcomes"].items()
        if outcome.get("probability") is not None
        for row in top_signposts(list(signposts.get(oid) or []))
    ]
    rows.sort(key=lambda r: (_settles(r[1]), -float(r[1]["information_bits"])))
    out: list[tuple[str, dict]] = []
    seen: set[str] = set()
    for oid, row in rows:
        if row["indicator"] not in seen:
            seen.add(row["indicator"])
            out.append((oid, row))
    return out[: max(int(top), 0)]


def _settles(row: Mapping[str, Any]) -> bool:
    """Whether seeing the signpost, or not, leaves its outcome all but certain either way."""
    chances = (float(row["p_outcome_if_true"]), float(row["p_outcome_if_false"]))
    return any(p <= SETTLED or p >= 1 - SETTLED for p in chances)


def _watch_html(summary: Mapping[str, Any]) -> str:
    found = watch_first(summary)
    if not found:
        return ""
    outcomes, indicators = summary["outcomes"], summary.get("indicators") or {}
    items = "".join(
        f"<li>{signpost_sentence(row, outcomes[oid], oid, indicators)}</li>" for oid, row in found
    )
    return (
        '<div><h3>What to watch first <a class="more" href="#watch">every signpost</a></h3>'
        f'<ol class="judgments">{items}</ol></div>'
    )


def _signed(value: float) -> str:
    text = f"{value:+.2f}"
    return "0.00" if text in ("+0.00", "-0.00") else text.replace("-", h.MINUS)


def contents(sections: Sequence[tuple[str, str]]) -> str:
    """The contents list: ``(id, title)`` pairs as links to the sections, in page order.

    Returns
    -------
    str
        HTML: ``<nav id="contents">``; empty when `sections` is.
    """
    if not sections:
        return ""
    links = "".join(f'<li><a href="#{h.escape(i)}">{h.escape(t)}</a></li>' for i, t in sections)
    return f'<nav id="contents"><h2>Contents</h2><ol class="contents">{links}</ol></nav>'


CSS = """
#summary { background: #f6f8fb; border: 1px solid #dfe4ec; border-radius: 6px;
  padding: 0.2rem 1.2rem 0.6rem; }
#summary h2 { margin-top: 0.8rem; border-bottom: none; }
ul.judgments, ol.judgments { margin: 0.3rem 0; padding-left: 1.3rem; }
ul.judgments li, ol.judgments li { margin: 0.15rem 0; }
#summary div.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1.6rem; }
@media (max-width: 60rem) { #summary div.columns { grid-template-columns: 1fr; } }
#summary h3 a.more { font-size: 0.8rem; font-weight: normal; margin-left: 0.4rem; }
#summary ul.judgments, #summary ol.judgments { font-size: 0.92rem; }
nav#contents h2 { font-size: 1rem; border-bottom: none; margin: 1rem 0 0.2rem; }
ol.contents { columns: 3; margin: 0; font-size: 0.92rem; }
td.small { font-size: 0.85rem; max-width: 40rem; }
"""
