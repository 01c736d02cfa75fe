"""``sim signposts FILE``: which ``TRACK == STATE``, seen by a date, says most about each
outcome; the best ones written as indicators ready to paste into the scenario."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.evidence_options import EvidenceChoice, evidence_options
from sim.cli.run import machine_options, non_empty_out, runs_option


@click.command("signposts")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--variant", "-v", default="base", show_default=True)
@click.option(
    "--top",
    "-k",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Candidates kept per outcome.",
)
@runs_option("Number of replications.")
@machine_options
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False),
    default=None,
    callback=non_empty_out,
    help="Folder [default: reports/<scenario>/<variant>/signposts]. May exist: files of the "
    "same names are replaced, nothing else is touched.",
)
@evidence_options
def command(
    file: str,
    variant: str,
    top: int,
    runs: int,
    seed: int,
    jobs: int | None,
    engine: str,
    scheduler: str | None,
    out: str | None,
    evidence: EvidenceChoice,
) -> None:
    """Find the early signs that say most about each outcome of FILE.

    Candidates: every TRACK == STATE, as "has held at some time by the date", at each date
    the scenario's indicators use (without indicators: the report dates inside the horizon,
    else the first day of each quarter). One set of runs; for each outcome the candidates
    ranked by mutual information (bits), the top ones kept (certain ones left out). Writes
    signposts.json and signposts.yaml (an indicators: mapping to paste into the scenario).
    """
    from sim.cli.progress import phases
    from sim.experiments.signposts import run_signposts
    from sim.report.files import check_writable, publish
    from sim.report.signposts import write_signposts

    scenario = evidence.load(file, variant)
    for w in scenario.warnings:
        click.echo(w, err=True)
    folder = Path(out) if out else Path("reports") / scenario.id / scenario.variant / "signposts"
    check_writable(folder)  # before simulating, not after
    with phases([scenario.variant], file) as progress:
        progress.compiling(engine)
        found = run_signposts(
            scenario,
            runs=runs,
            seed=seed,
            top=top,
            jobs=jobs,
            engine=engine,
            progress=progress,
            scheduler=scheduler,
        )
        data = found.to_dict()
        progress.phase(f"writing {folder}")
        publish(folder, lambda tmp: write_signposts(data, tmp))
    _print(data)
    click.echo(f"Signposts: {folder / 'signposts.json'}  Indicators: {folder / 'signposts.yaml'}")


def _pct(p: float | None) -> str:
    return "-" if p is None else f"{100 * p:.0f}%"


def _worded(p: float | None) -> str:
    from sim.analysis.words import estimative_words

    return "-" if p is None else f"{_pct(p)} ({estimative_words(p)})"


def describe(row: dict, outcome: str, p_outcome: float) -> str:
    """One candidate in words: how likely it is, and what seeing it (or not) does to the
    outcome, with the ICD 203 words of each probability."""
    text = (
        f"{_worded(row['p_indicator'])} to be seen. If seen, '{outcome}' goes from "
        f"{_worded(p_outcome)} to {_worded(row['p_outcome_if_true'])}; if not, to "
        f"{_worded(row['p_outcome_if_false'])}."
    )
    if row["likelihood_ratio"] is not None:
        text += f" Likelihood ratio {row['likelihood_ratio']:.3g}."
    return text


def _print(data: dict) -> None:
    from rich.table import Table

    from sim.cli.output import console, escape

    out = console()
    where = f"{data.get('title') or data['scenario']} [{data['variant']}]"
    for oid, o in data["outcomes"].items():
        label = o.get("label") or oid
        table = Table(
            title=escape(f"{where}: what to watch for '{label}' ({_pct(o['probability'])})"),
            caption=f"{data['runs']:,} runs; the best {len(o['candidates'])} of "
            f"{data['candidates']} candidates at {len(data['dates'])} date(s) "
            f"({data['dates_from']}); information in bits (mutual information with the outcome)",
        )
        table.add_column("signpost", ratio=2)
        table.add_column("bits", justify="right", no_wrap=True)
        table.add_column("in words", ratio=3)
        for row in o["candidates"]:
            table.add_row(
                escape(row["label"]),
                f"{row['information_bits']:.3f}",
                escape(describe(row, label, o["probability"])),
            )
        if not o["candidates"]:
            table.add_row("(none: every candidate is certain)", "", "")
        out.print(table)
        own = [
            f"{r['indicator']} {r['date']}: {r['information_bits']:.3f} bits"
            for r in o["indicators"]
        ]
        if own:
            out.print(escape(f"The scenario's own indicators, for comparison: {'; '.join(own)}"))
