"""Terminal output shared by commands: the outcome table (rich). Progress is
:mod:`sim.cli.progress`."""

from __future__ import annotations

from typing import Any

import click
from rich.console import Console
from rich.markup import escape as markup_escape
from rich.table import Table

from sim.errors import printable

__all__ = ["escape", "print_comparison", "print_outcomes"]


def escape(text: Any) -> str:
    """``text`` made safe to print through rich: its markup escaped, and control characters and
    bidirectional overrides and isolates written out (``\\u202e``, :func:`sim.errors.printable`),
    so a label cannot reorder the rest of the console line."""
    return markup_escape(printable(str(text)))


def console() -> Console:
    """Standard output; 120 columns wide when it is not a terminal (logs, pipes)."""
    out = Console()
    return out if out.is_terminal else Console(width=120)


def _pct(p: float) -> str:
    return f"{100 * p:.1f}%"


def print_outcomes(summary: dict[str, Any]) -> None:
    """Print the table of outcomes: probability, 95% interval, words, first-time median."""
    out = console()
    title = escape(f"{summary.get('title') or summary['scenario']} [{summary['variant']}]")
    evidence = summary.get("evidence")
    caption = (
        f"{summary['runs']:,} runs, seed {summary['seed']}, "
        f"engine {summary['engine']}, {summary['start']} to {summary['horizon']}"
    )
    if evidence:
        title += f", given {_count(evidence['observations'], 'observation')} to {evidence['as_of']}"
        caption += (
            f"; the model gave what was observed a {_pct(evidence['probability'])} chance; "
            f"{evidence['effective_runs']:,.0f} effective runs"
        )
    if not all(o.get("ever") for o in summary["outcomes"].values()):
        caption += "; median first: n/a for outcomes read at the horizon"
    table = Table(title=title, caption=caption)
    table.add_column("outcome", ratio=1, min_width=16)
    if evidence:
        table.add_column("before", justify="right", no_wrap=True)
    table.add_column("probability", justify="right", no_wrap=True)
    spread = any(isinstance(o.get("spread"), dict) for o in summary["outcomes"].values())
    table.add_column("Monte Carlo 95%", justify="right", no_wrap=True)
    if spread:
        table.add_column("assumptions 80%", justify="right", no_wrap=True)
    table.add_column("in words", no_wrap=True)
    table.add_column("median first", no_wrap=True)
    for oid, o in summary["outcomes"].items():
        label = escape(o.get("label") or oid)
        before = [_pct(o["prior_probability"])] if evidence else []
        if o["probability"] is None:  # ruled out by the evidence
            table.add_row(label, *before, "-", "-", *(["-"] if spread else []),
                          "ruled out by the evidence", "-")  # fmt: skip
            continue
        lo, hi = o["ci95"]
        sp = o.get("spread")
        across = [_across(sp)] if spread else []
        table.add_row(
            label,
            *before,
            _pct(o["probability"]),
            f"{_pct(lo)} - {_pct(hi)}",
            *across,
            o.get("words", ""),
            (o["first_time_median"] or "-") if o.get("ever") else "n/a",
        )
    out.print(table)
    if evidence and evidence["effective_runs"] < FEW_EFFECTIVE_RUNS:
        # FILE: warning: ..., the form of every message on stderr
        where = (summary.get("settings") or {}).get("file") or summary["scenario"]
        warning = few_effective_runs(
            evidence["effective_runs"], summary["runs"], evidence["probability"]
        )
        click.echo(f"{where}: {warning}", err=True)


FEW_EFFECTIVE_RUNS = 1000  # below this many effective runs, a warning


def few_effective_runs(n_eff: float, runs: int, probability: float = 0.0) -> str:
    """The warning for results resting on few effective runs, and what to do."""
    why = " (what was observed is unlikely under the model)" if probability < 0.5 else ""
    runs_word = "effective run" if round(n_eff) == 1 else "effective runs"
    rough = "mean little" if n_eff < 30 else "are rough"
    return (
        f"warning: the evidence leaves {n_eff:,.0f} {runs_word} of {runs:,}{why}, so the "
        f"probabilities {rough}; raise --runs, or add "
        f"--min-effective-runs {FEW_EFFECTIVE_RUNS} to run until there are enough"
    )


def _across(sp: dict[str, Any] | None) -> str:
    """The spread's 80% range (noise removed), "mostly noise" when noise dominates, or "-"."""
    if not sp:
        return "-"
    if sp.get("noise_dominated"):
        return "mostly noise"
    return f"{_pct(sp['p10'])} - {_pct(sp['p90'])}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def print_comparison(comparison: dict[str, Any]) -> None:
    """Print each outcome's probability by variant, with the paired difference against base."""
    out = console()
    variants = list(comparison["variants"])
    given = comparison.get("evidence")
    given = (
        f", given {_count(given['observations'], 'observation')} to {given['as_of']}"
        if given
        else ""
    )
    table = Table(
        title=escape(f"{comparison.get('title') or comparison['scenario']}: variants vs base")
        + given,
        caption=f"{comparison['runs']:,} runs each, common random numbers (seed "
        f"{comparison['seed']}); (+/-) difference vs base in points; intervals in comparison.json",
    )
    table.add_column("outcome", ratio=1, min_width=14)
    for v in variants:  # each variant by its label (its id when it has none)
        label = (comparison["variants"][v] or {}).get("label") or v
        table.add_column(escape(str(label)), justify="right", ratio=1)
    for oid, o in comparison["outcomes"].items():
        cells = []
        for v in variants:
            entry = o["by_variant"][v]
            if entry["probability"] is None:
                cells.append("ruled out")
                continue
            cell = _pct(entry["probability"])
            if v != "base" and entry.get("difference") is not None:
                cell += f" ({100 * entry['difference']:+.1f})"
            cells.append(cell)
        table.add_row(escape(o.get("label") or oid), *cells)
    out.print(table)
    for v in variants[1:]:  # what each variant changes, path: before -> after
        changes = (comparison["variants"][v] or {}).get("changes") or []
        text = "; ".join(
            f"{c['path']}: {c.get('before') or 'not set'} -> {c.get('after') or 'not set'}"
            for c in changes
        )
        if text:
            out.print(escape(f"{v}: {text}"), highlight=False)
