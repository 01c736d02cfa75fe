"""Terminal output shared by commands: progress bars and the outcome table (rich)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

__all__ = ["print_comparison", "print_outcomes", "progress_bar", "progress_bars"]


@contextmanager
def progress_bar(title: str, total: int) -> Iterator[Callable[[int, int], None]]:
    """A progress bar with ETA on standard error; yields ``advance(done, total)``.

    Hidden when standard error is not a terminal.
    """
    console = Console(file=sys.stderr)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task(title, total=total)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield advance


@contextmanager
def progress_bars() -> Iterator[Callable[[str, int, int], None]]:
    """Progress bars with ETA on standard error, one batch of runs at a time; yields
    ``advance(label, done, total)`` (see :mod:`sim.experiments`).

    A new ``label`` replaces the previous batch's bar. Hidden when standard error is not a
    terminal.
    """
    with ExitStack() as stack:
        current: dict[str, Callable[[int, int], None]] = {}

        def advance(label: str, done: int, total: int) -> None:
            if label not in current:
                stack.close()
                current.clear()
                current[label] = stack.enter_context(progress_bar(label, total))
            current[label](done, total)

        yield advance


def console() -> Console:
    """Standard output; 120 columns wide when it is not a terminal (logs, pipes)."""
    out = Console()
    return out if out.is_terminal else Console(width=120)


def _pct(p: float) -> str:
    return f"{100 * p:.1f}%"


def print_outcomes(summary: dict[str, Any]) -> None:
    """Print the table of outcomes: probability, 95% interval, words, first-time median."""
    out = console()
    title = f"{summary.get('title') or summary['scenario']} [{summary['variant']}]"
    table = Table(
        title=title,
        caption=f"{summary['runs']:,} runs, seed {summary['seed']}, "
        f"engine {summary['engine']}, {summary['start']} to {summary['horizon']}",
    )
    table.add_column("outcome", ratio=1, min_width=16)
    table.add_column("probability", justify="right", no_wrap=True)
    table.add_column("95% interval", justify="right", no_wrap=True)
    table.add_column("in words", no_wrap=True)
    table.add_column("median first", no_wrap=True)
    for oid, o in summary["outcomes"].items():
        lo, hi = o["ci95"]
        label = o.get("label") or oid
        table.add_row(
            label,
            _pct(o["probability"]),
            f"{_pct(lo)} - {_pct(hi)}",
            o.get("words", ""),
            o["first_time_median"] or "-",
        )
    out.print(table)


def print_comparison(comparison: dict[str, Any]) -> None:
    """Print each outcome's probability by variant, with the paired difference against base."""
    out = console()
    variants = list(comparison["variants"])
    table = Table(
        title=f"{comparison.get('title') or comparison['scenario']}: variants vs base",
        caption=f"{comparison['runs']:,} runs each, common random numbers (seed "
        f"{comparison['seed']}); (+/-) difference vs base in points; intervals in comparison.json",
    )
    table.add_column("outcome", ratio=1, min_width=14)
    for v in variants:
        table.add_column(v.replace("_", " "), justify="right", ratio=1)
    for oid, o in comparison["outcomes"].items():
        cells = []
        for v in variants:
            entry = o["by_variant"][v]
            cell = _pct(entry["probability"])
            if v != "base":
                cell += f" ({100 * entry['difference']:+.1f})"
            cells.append(cell)
        table.add_row(o.get("label") or oid, *cells)
    out.print(table)
