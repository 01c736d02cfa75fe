"""The report's sections on the assumptions: the spread of each probability across parameter
draws (``sim run --parameter-draws``) and the importance of each uncertain value.

Both read the validated ``summary.json`` content (:func:`sim.contracts.read_summary`):
outcomes' ``spread``, and ``importance`` with ``importance_runs``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.plots.bars import readable_label
from sim.report import html as h
from sim.report.drawn import drawn_note
from sim.report.judgments import movers

__all__ = [
    "assumptions_section",
    "chance_levels",
    "has_importance",
    "importance_section",
    "spread_section",
    "spreads",
]

IMPORTANCE_RUNS = 20_000  # fallback when a summary lacks importance_runs: sim.results' value


def spreads(summary: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Outcome id -> spread, for the outcomes that have one (file order)."""
    return {
        oid: o["spread"]
        for oid, o in summary["outcomes"].items()
        if isinstance(o.get("spread"), Mapping)
    }


def has_importance(summary: Mapping[str, Any]) -> bool:
    """Whether the summary ranks any uncertain value for any outcome."""
    importance = summary.get("importance")
    return isinstance(importance, Mapping) and any(importance.values())


def chance_levels(summary: Mapping[str, Any]) -> dict[str, float]:
    """Per outcome, the |rho| that chance alone reaches about one time in twenty.

    Importance is computed from the first n runs: ``summary["importance_runs"]`` when given,
    else min(runs, :data:`IMPORTANCE_RUNS`) (the runner keeps the draws of at most that many
    runs, so the band errs on the wide side). Every run drawing its own values: about
    2 / sqrt(n), the null standard error of a correlation being 1 / sqrt(n). With parameter
    draws of m runs each, the n runs hold only K = n / m distinct values of each parameter and
    the runs of a draw move together: the null variance of the correlation is then about
    Var(per-draw probability) / (K p (1 - p)), the per-draw variance being parameter_sd^2 +
    noise_sd^2 from the outcome's ``spread``.
    """
    runs = summary.get("runs")
    used = summary.get("importance_runs")
    if not h.is_number(used, 1) and h.is_number(runs, 1):
        used = min(runs, IMPORTANCE_RUNS)
    if not h.is_number(used, 4):
        return {}
    found = spreads(summary)
    out: dict[str, float] = {}
    for oid, o in summary["outcomes"].items():
        sp = found.get(oid)
        p = float(o["probability"])
        if sp is None:
            out[oid] = 2 / math.sqrt(used)
            continue
        per = sp.get("runs_per_draw")
        draws = sp.get("draws")
        if not (h.is_number(draws, 2) and h.is_number(per, 1)) or not 0 < p < 1:
            continue
        k = max(min(float(draws), used // per), 1.0)
        var = float(sp.get("parameter_sd") or 0) ** 2 + float(sp.get("noise_sd") or 0) ** 2
        out[oid] = min(2 * math.sqrt(var / (k * p * (1 - p))), 1.0)
    return out


def _raw_range(sp: Mapping[str, Any]) -> str:
    """The spread's 10th-90th percentile of the draws as measured, or a dash (older files)."""
    if sp.get("raw_p10") is None or sp.get("raw_p90") is None:
        return h.DASH
    return h.interval([sp["raw_p10"], sp["raw_p90"]])


def spread_section(summary: Mapping[str, Any], charts: Mapping[str, Path | None]) -> str:
    """The "How much the assumptions move each probability" section (with the ``spread``
    chart), or nothing when no outcome has a spread or the chart was not drawn."""
    found = spreads(summary)
    if not found or "spread" not in charts:
        return ""
    outcomes: Mapping[str, Any] = summary["outcomes"]
    rows = []
    for oid, sp in found.items():
        o = outcomes[oid]
        rows.append(
            "<tr>"
            + "".join(
                [
                    f'<td dir="auto">{h.escape(h.label(o, oid))}</td>',
                    f'<td class="num">{h.pct(o["probability"])}</td>',
                    f'<td class="num">{h.pct(sp["median"])}</td>',
                    f'<td class="num">{h.interval([sp["p10"], sp["p90"]])}</td>',
                    f'<td class="num">{_raw_range(sp)}</td>',
                    f'<td class="num">{_sd_points(sp.get("parameter_sd"))}</td>',
                    f'<td class="num">{_sd_points(sp.get("noise_sd"))}</td>',
                ]
            )
            + "</tr>"
        )
    how = _how_drawn(next(iter(found.values())))
    text = (
        f"{how}: each draw sets every uncertain value (named parameters and ranges such as "
        "3% to 10%) once, for all its runs, so each draw gives its own probability "
        "of each outcome. Those probabilities vary for two reasons: the values differ "
        "(parameter uncertainty, what this section is about) and each draw's runs are a "
        "finite sample (Monte Carlo noise). By the law of total variance, the observed "
        "variance of the per-draw probabilities is the parameter variance plus the binomial "
        "noise p(1 − p)/m of a draw of m runs; the noise term is estimated from each "
        "draw's own p(1 − p)/(m − 1) and subtracted, and the parameter sd is the "
        "square root of what remains. The 80% range (10th–90th percentile) is read with the "
        "noise taken out: each draw's distance from the mean is shrunk by "
        "√(1 − noise variance / observed variance), so the draws keep only the parameter "
        "variance (a method-of-moments correction for measurement error, Louis 1984); the "
        "range as measured, noise included, is beside it. When the noise sd is as large as "
        "the parameter sd the draws differ no more than noise would: the key judgments say so "
        "instead of giving a range, and more runs per draw (a larger --runs) would tell."
    )
    return "\n".join(
        [
            '<section id="spread">',
            "<h2>How much the assumptions move each probability</h2>",
            h.table(
                [
                    "Outcome",
                    "Probability (all runs)",
                    "Median draw",
                    "80% range, noise removed",
                    "80% of draws as measured",
                    "Parameter sd",
                    "Noise sd",
                ],
                rows,
            ),
            f'<p class="note">{h.escape(text)} Standard deviations are in percentage points.</p>',
            h.figure(
                charts.get("spread"),
                " ".join(
                    [
                        "Spread across parameter draws: 80% interval of the per-draw "
                        "probability with the Monte Carlo noise removed, median draw and "
                        "overall probability.",
                        drawn_note(summary, "spread"),
                    ]
                ).strip(),
                "",
            ),
            "</section>",
        ]
    )


def _how_drawn(spread: Mapping[str, Any]) -> str:
    """How the draws behind a spread were made: the runs themselves split into draws
    (``--parameter-draws``) or a separate spread design beside them (the default)."""
    draws, per = spread.get("draws"), spread.get("runs_per_draw")
    sized = isinstance(draws, int) and isinstance(per, int)
    if spread.get("source") == "spread_design":
        size = f"{draws:,} parameter draws of {per:,} runs each" if sized else "parameter draws"
        return (
            f"Beside the runs of this report, a separate, smaller set of {size} was made (on "
            "random numbers of their own, so the probabilities above are unchanged; "
            "--no-spread skips it)"
        )
    if sized:
        return f"The runs were split into {draws:,} parameter draws of {per:,} runs each"
    return "The runs were split into parameter draws"


def importance_section(summary: Mapping[str, Any], charts: Mapping[str, Path | None]) -> str:
    """The "Which assumptions matter" section (with the ``importance`` chart), or nothing when
    the chart was not drawn."""
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
    levels = chance_levels(summary)
    if levels:
        low, high = min(levels.values()), max(levels.values())
        span = f"{low:.3f}" if high - low < 0.0005 else f"{low:.3f} to {high:.3f}"
        if spreads(summary):
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
            + h.escape(text).replace(
                "SIM_SENSITIVITY",
                "<code>sim sensitivity FILE --method tornado</code> (or "
                "<code>--method sobol</code>)",
            )
            + "</p>",
            h.figures(
                charts,
                "importance",
                " ".join(
                    [
                        "Rank correlation of the uncertain values with each outcome, strongest "
                        "first (the top few per outcome; every value's rank is in the "
                        "Assumptions table).",
                        drawn_note(summary, "importance"),
                    ]
                ).strip(),
                "",
            ),
            "</section>",
        ]
    )


def assumptions_section(summary: Mapping[str, Any]) -> str:
    """The "Assumptions" section: one row per uncertain value of ``summary["parameters"]``.

    Each row gives the value's readable label (:func:`sim.plots.bars.readable_label`: never
    an address such as ``exit.modifiers.1``), its range as written, its note (for an unnamed
    range, the note of its event) and source when the summary has them, and its rank in
    importance (1: the strongest rank correlation with any outcome), most important first.

    Parameters
    ----------
    summary : mapping
        ``summary.json`` content: ``parameters`` (name -> ``{"label", "value", "note",
        "source", "event", "key", "while"}``, all but label and value optional), ``events``
        and ``importance``.

    Returns
    -------
    str
        HTML: ``<section id="assumptions">``, or "" when there is no uncertain value.
    """
    parameters: Mapping[str, Any] = summary.get("parameters") or {}
    if not parameters:
        return ""
    events = summary.get("events") or {}
    ranked = [name for name, _, _ in movers(summary, top=len(parameters))]
    rank = {name: k for k, name in enumerate(ranked, start=1)}
    order = sorted(
        parameters, key=lambda n: (rank.get(n, len(rank) + 1), list(parameters).index(n))
    )
    rows = []
    for name in order:
        meta = parameters[name] if isinstance(parameters[name], Mapping) else {}
        note = " ".join(str(meta[k]) for k in ("note", "source") if meta.get(k))
        event = events.get(meta.get("event") or name.partition(".")[0]) if "." in name else None
        if not note and isinstance(event, Mapping) and event.get("note"):
            note = str(event["note"])  # a summary written before parameters carried notes
        rows.append(
            "<tr>"
            + h.para(readable_label(name, parameters[name], events), "td")
            + f'<td class="num">{h.or_dash(meta.get("value"))}</td>'
            + (h.para(note, "td", 'class="small"') if note else f"<td>{h.DASH}</td>")
            + f'<td class="num">{rank.get(name, h.DASH)}</td>'
            + "</tr>"
        )
    text = (
        "Every uncertain value of the scenario: each run draws each value once from its range "
        "(a 90% credible range for A to B). Rank: by the strongest rank correlation of the "
        "value with any outcome (see Which assumptions matter); a dash when not ranked."
    )
    return "\n".join(
        [
            '<section id="assumptions">',
            "<h2>Assumptions</h2>",
            f'<p class="note">{h.escape(text)}</p>',
            h.table(["Uncertain value", "Range", "Note and source", "Rank in importance"], rows),
            "</section>",
        ]
    )


def _sd_points(value: Any) -> str:
    return h.DASH if not h.is_number(value) else f"{float(value) * 100:.1f} pts"
