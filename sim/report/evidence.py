"""The report's sections on evidence (format section 10): what has been observed, how the
forecast has changed as it came in, what it says about the assumptions, and the notice of a
variant it rules out.

Reads the validated ``summary.json`` content (:func:`sim.contracts.read_summary`):
``evidence`` (as_of, observations, probability, effective_runs, items with ``agree``),
outcomes' ``prior_probability``, parameters' ``prior``/``posterior`` and
``ruled_out_by_evidence``; and, when present, ``history/history.json`` beside it (``sim
history``). Text from the results is escaped and isolated for bidirectional display.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.analysis.evidence import parameter_shifts
from sim.plots.bars import readable_label
from sim.plots.evidence import is_probability
from sim.plots.signposts import short_date
from sim.report import html as h

__all__ = [
    "CSS",
    "FEW_EFFECTIVE_RUNS",
    "SHIFTS_TOP",
    "SURPRISING",
    "given_line",
    "has_evidence",
    "history_section",
    "moved_parameters",
    "observed_section",
    "parameters_section",
    "ruled_out",
    "ruled_out_notice",
]

SURPRISING = 0.10  # an observation that fewer than this share of runs agree with surprised
FEW_EFFECTIVE_RUNS = 1_000  # below this many effective runs the intervals are wide
SHIFTS_TOP = 6  # parameters shown in "what the evidence says about the assumptions"


def has_evidence(summary: Mapping[str, Any]) -> bool:
    """Whether the results are conditioned on at least one observation."""
    block = summary.get("evidence")
    return isinstance(block, Mapping) and bool(block.get("items"))


def ruled_out(summary: Mapping[str, Any]) -> bool:
    """Whether the evidence rules the variant out (no run agrees with it)."""
    return bool(summary.get("ruled_out_by_evidence"))


def _observation(item: Mapping[str, Any]) -> str:
    """What was observed, in words (HTML): its label, or its condition, at or by its date."""
    when = f"<code>{h.escape(item.get('when') or h.DASH)}</code>"
    what = h.bdi(item["label"]) if item.get("label") else when
    seen = "seen" if item.get("observed") else "not seen"
    if item.get("ever"):
        text = f"{what}: {seen} at any time up to {h.escape(short_date(item['date']))}"
    else:
        text = f"{what}: {seen} on {h.escape(short_date(item['date']))}"
    if item.get("label"):
        text += f' <span class="muted">({when})</span>'
    return text


def _agree_cell(item: Mapping[str, Any]) -> str:
    share = float(item["agree"])
    text = h.pct(share)
    if share < SURPRISING:
        return f'<td class="num surprising">{text}<br><strong>surprising</strong></td>'
    return f'<td class="num">{text}</td>'


def _items_table(items: list[Mapping[str, Any]]) -> str:
    rows = []
    for item in items:
        notes = [h.para(item[k], "div") for k in ("source", "note") if item.get(k)]
        confidence = float(item.get("confidence", 1.0))
        rows.append(
            "<tr>"
            f'<td class="num">{h.escape(item["date"])}</td>'
            f"<td>{_observation(item)}</td>"
            f'<td class="num">{h.pct(confidence)}</td>'
            + _agree_cell(item)
            + (f'<td class="small">{"".join(notes)}</td>' if notes else f"<td>{h.DASH}</td>")
            + "</tr>"
        )
    head = ["Date", "What was observed", "Confidence", "Runs that agree", "Source and note"]
    return h.table(head, rows)


def _reading(block: Mapping[str, Any], runs: Any) -> str:
    """The evidence probability and effective runs in plain words, and a warning box when the
    effective runs are few."""
    p = float(block["probability"])
    n_eff = block.get("effective_runs")
    text = f"The model gave what was observed a {h.pct(p)} chance: " + (
        "it was surprised, which is worth a second look at the observations and the model."
        if p < SURPRISING
        else "it was not surprised."
    )
    if not h.is_number(n_eff):
        return f'<p class="reading">{h.escape(text)}</p>'
    of = f" of {runs:,}" if isinstance(runs, int) else ""
    text += (
        f" Weighted by it, the runs are worth {float(n_eff):,.0f} equally weighted "
        f"runs{of} (Kish's effective number), which set the width of the intervals."
    )
    out = f'<p class="reading">{h.escape(text)}</p>'
    if float(n_eff) < FEW_EFFECTIVE_RUNS:
        out += (
            '<div class="warning"><strong>Few effective runs.</strong> Fewer than '
            f"{FEW_EFFECTIVE_RUNS:,} runs carry the forecast, so its probabilities are "
            "uncertain: raise <code>--runs</code>, or use <code>--min-effective-runs</code> "
            "to keep running until enough runs agree with the evidence.</div>"
        )
    return out


def observed_section(summary: Mapping[str, Any]) -> str:
    """The "What has been observed" section: each observation with the share of runs that
    agree with it (flagged as surprising below :data:`SURPRISING`), and the evidence
    probability and effective runs in words; "" without evidence.

    Returns
    -------
    str
        HTML: ``<section id="observed">``.
    """
    if not has_evidence(summary):
        return ""
    block = summary["evidence"]
    items = list(block["items"])
    n = len(items)
    intro = (
        f"{n} observation{'s' if n != 1 else ''} up to {short_date(block['as_of'])}. "
        + (
            "No run agrees with all of them (see the top of the report)."
            if ruled_out(summary)
            else "Every result in this report is given them: each run counts with a weight, the "
            "product over the observations of their confidence when the run agrees with one and "
            "of one minus it when not (a certain observation keeps only the runs that agree)."
        )
        + (
            " Runs that agree: the share of all runs whose value matches each observation, before "
            "weighting."
        )
    )
    parts = [
        '<section id="observed">',
        "<h2>What has been observed</h2>",
        f'<p class="note">{h.escape(intro)}</p>',
        _items_table(items),
    ]
    if not ruled_out(summary):
        parts.append(_reading(block, summary.get("runs")))
    parts.append("</section>")
    return "\n".join(parts)


def ruled_out_notice(summary: Mapping[str, Any]) -> str:
    """The notice at the top of a report whose variant the evidence rules out: what that
    means, and each observation with the share of runs that agree with it alone.

    Returns
    -------
    str
        HTML: ``<section id="summary" class="ruled-out">``; "" when not ruled out.
    """
    if not ruled_out(summary):
        return ""
    items = (summary.get("evidence") or {}).get("items") or []
    lines = "".join(f"<li>{_observation(i)}: {h.pct(i['agree'])} of runs agree</li>" for i in items)
    return "\n".join(
        [
            '<section id="summary" class="ruled-out">',
            "<h2>Ruled out by the evidence</h2>",
            "<p><strong>No run of this variant agrees with everything observed</strong> (each "
            "disagrees with at least one certain observation), so there is no forecast given "
            "the evidence: the probabilities below are blank, and only those before the "
            "evidence are shown.</p>",
            f'<ul class="judgments">{lines}</ul>' if lines else "",
            '<p class="note">Look at the observations that few runs agree with: the model '
            "gives them little or no chance. Check them, give them a confidence below 100%, "
            "or change the model.</p>",
            "</section>",
        ]
    )


def moved_parameters(summary: Mapping[str, Any], top: int = SHIFTS_TOP) -> list[tuple[str, float]]:
    """The named parameters the evidence moved most: ``(name, shift)``, largest first, shift
    as in :func:`sim.analysis.evidence.parameter_shifts`; at most ``top``."""
    return parameter_shifts(dict(summary.get("parameters") or {}))[: max(int(top), 0)]


def _value(entry: Mapping[str, Any], x: Any) -> str:
    """A parameter's value in its internal unit: a percentage for a probability, else a number
    (days for a duration)."""
    if not h.is_number(x):
        return h.DASH
    if is_probability(entry):
        return h.pct(x)
    return f"{float(x):.3g}".replace("-", h.MINUS)


def _range(entry: Mapping[str, Any], q: Mapping[str, Any]) -> str:
    return f"{_value(entry, q['p5'])}\u2013{_value(entry, q['p95'])} (median {_value(entry, q['p50'])})"


def parameters_section(summary: Mapping[str, Any], charts: Mapping[str, Path | None]) -> str:
    """The "What the evidence says about the assumptions" section: the parameters it moved
    most, prior and posterior ranges, and the ``parameter_shifts`` chart; "" without them."""
    moved = moved_parameters(summary)
    if not moved or ruled_out(summary):
        return ""
    parameters = summary["parameters"]
    events = summary.get("events") or {}
    rows = []
    for name, shift in moved:
        entry = parameters[name]
        rows.append(
            "<tr>"
            + h.para(readable_label(name, entry, events), "td")
            + f'<td class="num">{h.escape(_range(entry, entry["prior"]))}</td>'
            + f'<td class="num">{h.escape(_range(entry, entry["posterior"]))}</td>'
            + f'<td class="num">{shift * 100:.0f}%</td>'
            + "</tr>"
        )
    largest = moved[0][1]
    verdict = (
        "The evidence says little about the assumptions: no mean moved by more than a tenth "
        "of its prior range."
        if largest < 0.1
        else "The evidence moved some assumptions: read the ranges given the evidence as what "
        "the observations suggest about them."
    )
    text = (
        "Each named uncertain value, before the evidence (every run counts the same) and given "
        "it (runs weighted by the evidence): its 5th to 95th percentile and median. Move: how "
        "far its mean moved, as a share of the width of its 5\u201395% range before the "
        "evidence. Probabilities in percent, durations in days."
    )
    runs = next((parameters[n].get("runs") for n, _ in moved), None)
    if isinstance(runs, int):
        text += f" Read from the first {runs:,} runs."
    return "\n".join(
        [
            '<section id="posterior">',
            "<h2>What the evidence says about the assumptions</h2>",
            f"<p>{h.escape(verdict)}</p>",
            h.table(["Uncertain value", "Before the evidence", "Given the evidence", "Move"], rows),
            f'<p class="note">{h.escape(text)}</p>',
            h.figure(
                charts.get("parameter_shifts"),
                "The assumptions the evidence moved most: 5\u201395% range and median, before "
                "and given the evidence",
                "",
            ),
            "</section>",
        ]
    )


def history_section(history: Mapping[str, Any] | None, charts: Mapping[str, Path | None]) -> str:
    """The "How the forecast has changed" section: ``history/history.png`` with a caption
    from ``history/history.json`` (its ``points``: the start, then each observation date;
    ``as_of`` in an early layout); "" when the folder has no history."""
    if not isinstance(history, Mapping):
        return ""
    steps = history.get("points") or history.get("as_of") or []
    steps = [s for s in steps if isinstance(s, Mapping)]
    dates = sorted({str(s["date"]) for s in steps if s.get("date")})
    caption = "How the forecast has changed as the observations came in"
    if dates:
        caption += (
            f": each outcome's probability given the observations known on each of "
            f"{len(dates)} dates, from {short_date(dates[0])} to {short_date(dates[-1])}"
        )
    runs = history.get("runs")
    if h.is_number(runs) and not isinstance(runs, bool):
        caption += f" ({int(runs):,} runs each)"
    few = [
        short_date(s["date"])
        for s in steps
        if h.is_number(s.get("effective_runs"))
        and 0 < s["effective_runs"] < FEW_EFFECTIVE_RUNS
        and not s.get("ruled_out")
    ]
    ruled = [short_date(s["date"]) for s in steps if s.get("ruled_out")]
    notes = []
    if few:
        notes.append(
            f"Fewer than {FEW_EFFECTIVE_RUNS:,} effective runs on {', '.join(few)}: the "
            "probabilities there are uncertain."
        )
    if ruled:
        notes.append(
            f"From {ruled[0]} no run agrees with the observations in effect: no forecast "
            "from then on."
        )
    note = f'<p class="note">{h.escape(" ".join(notes))}</p>' if notes else ""
    absent = '<p class="muted">No history chart: history/history.png is absent.</p>'
    return "\n".join(
        [
            '<section id="history">',
            "<h2>How the forecast has changed</h2>",
            h.figure(charts.get("history"), caption, absent),
            note,
            "</section>",
        ]
    )


def given_line(summary: Mapping[str, Any]) -> str:
    """One line under the key judgments: what the forecast is given (HTML); "" without
    evidence."""
    if not has_evidence(summary) or ruled_out(summary):
        return ""
    block = summary["evidence"]
    n = int(block.get("observations") or len(block["items"]))
    surprising = sum(float(i["agree"]) < SURPRISING for i in block["items"])
    text = (
        f"Given what has been observed: {n} observation{'s' if n != 1 else ''} up to "
        f"{short_date(block['as_of'])}, to which the model gave a "
        f"{h.pct(block['probability'])} chance"
    )
    if surprising:
        text += f"; {surprising} of them surprising"
    n_eff = block.get("effective_runs")
    if h.is_number(n_eff) and not math.isnan(float(n_eff)):
        text += f"; {float(n_eff):,.0f} effective runs"
    return (
        f'<p class="given">{h.escape(text)} (see <a href="#observed">what has been '
        "observed</a>).</p>"
    )


CSS = """
.warning { background: #fff4e5; border: 1px solid #f0b45c; border-radius: 5px;
  padding: 0.5rem 0.8rem; margin: 0.6rem 0; }
td.surprising { color: #a3480b; }
#summary.ruled-out { background: #fdecec; border-color: #e6a3a3; }
p.given { font-weight: 600; margin: 0.3rem 0 0.6rem; }
p.reading { max-width: 60rem; }
"""
