"""The report's "What to watch" section (format section 11): per outcome, the signposts that
tell most about it, in sentences an analyst can paste into a brief, and their chart.

Reads the validated ``summary.json`` content: ``signposts`` (outcome id -> rows sorted by
``information_bits``), ``indicators`` (id -> label, ever) and outcomes' probabilities. Text from
the results is escaped and isolated for bidirectional display.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.analysis.evidence import MIN_BITS, top_signposts
from sim.plots.signposts import short_date
from sim.report import html as h
from sim.report.drawn import drawn_note

__all__ = ["CSS", "signpost_sentence", "watch_section"]

_ARTICLES = ("The ", "A ", "An ")


def _clause(label: str) -> str:
    """An indicator's label to follow "If by DATE": a leading article in lower case."""
    for article in _ARTICLES:
        if label.startswith(article):
            return article.lower() + label[len(article) :]
    return label


def _move(before: float, after: float, *, start: bool, ci: Any = None) -> str:
    """How a probability moves, in words: "rises from 20% to 45% (41%-49%)", "falls to 8%",
    "stays at 20%" (when both read the same); ``ci`` is the new probability's Monte Carlo
    interval, written after it when given."""
    was, now = h.pct(before), h.pct(after)
    if ci:
        now += f" ({h.interval(ci)})"
    if was == h.pct(after):
        return f"stays at {now}"
    way = "rises" if after > before else "falls"
    return f"{way} from {was} to {now}" if start else f"{way} to {now}"


def signpost_sentence(
    row: Mapping[str, Any],
    outcome: Mapping[str, Any],
    outcome_id: str,
    indicators: Mapping[str, Any] | None = None,
) -> str:
    """One signpost as a sentence for a brief (HTML).

    "If by 30 Sep 2026 the US has left Iraq altogether (35% likely), the chance of
    “Security vacuum” rises from 20% to 45%; if not, it falls to 8%." "By" for an
    indicator read at any time up to its date (``ever``), "on" for one read on the date;
    the first probability is the outcome's (given the evidence, if any), the others
    P(O | I) and P(O | not I); all as :func:`sim.report.html.pct` writes them.

    Parameters
    ----------
    row : mapping
        One ``summary.json["signposts"][OUTCOME]`` row, with both conditional probabilities.
    outcome : mapping
        ``summary.json["outcomes"][OUTCOME]``: ``label`` and ``probability``.
    outcome_id : str
    indicators : mapping, optional
        ``summary.json["indicators"]``; without an entry the indicator's id is its label.

    Returns
    -------
    str
        HTML, labels escaped and isolated (``<bdi>``).
    """
    meta = (indicators or {}).get(row["indicator"])
    ever = isinstance(meta, Mapping) and meta.get("ever")
    label = _clause(h.label(meta, row["indicator"]))
    now = float(outcome["probability"])
    yes, no = float(row["p_outcome_if_true"]), float(row["p_outcome_if_false"])
    return (
        f"If {'by' if ever else 'on'} {h.escape(short_date(row['date']))} {h.bdi(label)} "
        f"({h.pct(row['p_indicator'])} likely), the chance of "
        f"\u201c{h.bdi(h.label(outcome, outcome_id))}\u201d "
        f"{_move(now, yes, start=True, ci=row.get('p_outcome_if_true_ci95'))}; "
        f"if not, it {_move(now, no, start=False, ci=row.get('p_outcome_if_false_ci95'))}."
    )


def watch_section(summary: Mapping[str, Any], charts: Mapping[str, Path | None]) -> str:
    """The "What to watch" section: per outcome, its top signposts in sentences, then the
    ``signposts`` chart; "" without signposts.

    Returns
    -------
    str
        HTML: ``<section id="watch">``.
    """
    signposts = summary.get("signposts")
    if not isinstance(signposts, Mapping) or not signposts:
        return ""
    outcomes: Mapping[str, Any] = summary["outcomes"]
    indicators = summary.get("indicators") or {}
    blocks, quiet = [], []
    for oid, outcome in outcomes.items():
        rows = top_signposts(list(signposts.get(oid) or []))
        if not rows or outcome.get("probability") is None:
            quiet.append(h.bdi(h.label(outcome, oid)))
            continue
        items = "".join(
            f"<li>{signpost_sentence(r, outcome, oid, indicators)} "
            f'<span class="muted">({r["information_bits"]:.3f} bits)</span></li>'
            for r in rows
        )
        blocks.append(
            f'<h3 dir="auto">{h.escape(h.label(outcome, oid))}</h3><ul class="watch">{items}</ul>'
        )
    given = " given the evidence" if summary.get("evidence") else ""
    text = (
        "An indicator is something an analyst can see before the horizon. For each outcome, "
        "the indicators (each at its most telling date) that tell most about it, measured by "
        "the mutual information between the two yes/no questions, in bits; the probabilities "
        f"are shares of the runs{given} in which the indicator was seen, or not, each with its "
        "95% Monte Carlo interval (from the effective number of such runs). Indicators "
        f"telling less than {MIN_BITS} bits are left out; every date of every indicator is in "
        "summary.json."
    )
    parts = [
        '<section id="watch">',
        "<h2>What to watch</h2>",
        f'<p class="note">{h.escape(text)}</p>',
        *blocks,
    ]
    if quiet:
        parts.append(f'<p class="muted">No indicator tells much about: {"; ".join(quiet)}.</p>')
    if blocks:
        parts.append(
            h.figures(
                charts,
                "signposts",
                " ".join(
                    [
                        "What to watch: each outcome's chance if the signpost is seen "
                        "(orange) and if not (blue), around its chance now (dashed); the "
                        "signpost's own chance in brackets.",
                        drawn_note(summary, "signposts"),
                    ]
                ).strip(),
                "",
            )
        )
    parts.append("</section>")
    return "\n".join(parts)


CSS = """
ul.watch { margin: 0.2rem 0 0.8rem; padding-left: 1.3rem; }
ul.watch li { margin: 0.25rem 0; max-width: 62rem; }
"""
