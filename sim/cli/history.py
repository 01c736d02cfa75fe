"""``sim history FILE``: the forecast as of the start and as of each observation date."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.evidence_options import EvidenceChoice, evidence_options
from sim.cli.run import non_empty_out
from sim.model.streams import MAX_SEED
from sim.runner import DEFAULT_RUNS, DEFAULT_SEED, ENGINES, MAX_RUNS


@click.command("history")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--variant", "-v", default="base", show_default=True)
@click.option(
    "--runs",
    "-n",
    type=click.IntRange(min=1, max=MAX_RUNS),
    default=DEFAULT_RUNS,
    show_default=True,
    help="Number of replications, run once and reweighted as of each date.",
)
@click.option(
    "--seed",
    "-s",
    type=click.IntRange(min=0, max=MAX_SEED),
    default=DEFAULT_SEED,
    show_default=True,
)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None)
@click.option("--engine", type=click.Choice(ENGINES), default="auto", show_default=True)
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False),
    default=None,
    callback=non_empty_out,
    help="Folder [default: reports/<scenario>/<variant>/history]. May exist: files of the "
    "same names are replaced, nothing else is touched.",
)
@click.option("--no-charts", is_flag=True, help="Write history.json and history.csv only.")
@evidence_options
def command(
    file: str,
    variant: str,
    runs: int,
    seed: int,
    jobs: int | None,
    engine: str,
    out: str | None,
    no_charts: bool,
    evidence: EvidenceChoice,
) -> None:
    """How the forecast of FILE moved with the evidence.

    Runs the scenario once with every observation in effect, then gives each outcome's
    probability as of the start (no observation) and as of each observation date D (the
    observations dated on or before D), reweighting the same runs: the curve moves only with
    the evidence. Writes history.json, history.csv and history.png, all at once or not at all.
    """
    from sim.cli.output import progress_bars
    from sim.experiments.history import run_history
    from sim.report.files import check_writable, publish
    from sim.report.history import write_history

    scenario = evidence.load(file, variant)
    for w in scenario.warnings:
        click.echo(w, err=True)
    folder = Path(out) if out else Path("reports") / scenario.id / scenario.variant / "history"
    check_writable(folder)  # before simulating, not after
    with progress_bars() as advance:
        history = run_history(
            scenario, runs=runs, seed=seed, jobs=jobs, engine=engine, progress=advance
        )
    data = history.to_dict()
    publish(folder, lambda tmp: write_history(data, tmp, charts=not no_charts))
    _print(data)
    for note in data["notes"]:
        click.echo(f"note: {note}")
    click.echo(f"History: {folder / ('history.json' if no_charts else 'history.png')}")


def _print(data: dict) -> None:
    from rich.markup import escape
    from rich.table import Table

    from sim.cli.output import console

    title = f"{data.get('title') or data['scenario']} [{data['variant']}]: forecast as of each date"
    table = Table(
        title=escape(title),
        caption=f"{data['runs']:,} runs, seed {data['seed']}, engine {data['engine']}; "
        "probability at the horizon (95% interval with the effective runs)",
    )
    table.add_column("as of", no_wrap=True)
    table.add_column("observations", justify="right")
    table.add_column("P(evidence)", justify="right")
    table.add_column("effective runs", justify="right")
    for oid, o in data["outcomes"].items():
        table.add_column(escape(o.get("label") or oid), justify="right", ratio=1)
    for point in data["points"]:
        cells = []
        for o in point["outcomes"].values():
            if o["probability"] is None:
                cells.append("ruled out")
            else:
                lo, hi = o["ci95"]
                cells.append(f"{100 * o['probability']:.1f}% ({100 * lo:.1f}-{100 * hi:.1f})")
        table.add_row(
            point["date"],
            str(point["observations"]),
            f"{100 * point['evidence_probability']:.2f}%",
            f"{point['effective_runs']:,.0f}",
            *cells,
        )
    console().print(table)
