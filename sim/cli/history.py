"""``sim history FILE``: the forecast as of the start and as of each observation date."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.evidence_options import EvidenceChoice, evidence_options
from sim.cli.run import machine_options, non_empty_out, runs_option


@click.command("history")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--variant", "-v", default="base", show_default=True)
@runs_option("Number of replications, run once and reweighted as of each date.")
@machine_options
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
    scheduler: str | None,
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
    from sim.cli.progress import phases
    from sim.experiments.history import run_history
    from sim.report.files import check_writable, publish
    from sim.report.history import write_history

    scenario = evidence.load(file, variant)
    for w in scenario.warnings:
        click.echo(w, err=True)
    folder = Path(out) if out else Path("reports") / scenario.id / scenario.variant / "history"
    check_writable(folder)  # before simulating, not after
    with phases([scenario.variant], file) as progress:
        progress.compiling(engine)
        history = run_history(
            scenario,
            runs=runs,
            seed=seed,
            jobs=jobs,
            engine=engine,
            progress=progress,
            scheduler=scheduler,
        )
        data = history.to_dict()
        progress.phase(f"writing {folder}")
        publish(
            folder,
            lambda tmp: write_history(data, tmp, charts=not no_charts, progress=progress.charts),
        )
    _print(data)
    for note in data["notes"]:
        click.echo(f"note: {note}")
    click.echo(f"History: {folder / ('history.json' if no_charts else 'history.png')}")


SHOWN = 6  # as-of dates in the printed table, at most


def _print(data: dict) -> None:
    from rich.table import Table

    from sim.cli.output import console, escape

    title = f"{data.get('title') or data['scenario']} [{data['variant']}]: forecast as of each date"
    table = Table(
        title=escape(title),
        caption=f"{data['runs']:,} runs, seed {data['seed']}, engine {data['engine']}; each "
        "outcome's probability at the horizon as of each date (95% intervals, with the "
        "effective runs, in history.csv)",
    )
    points = data["points"]
    if len(points) > SHOWN:  # the start and the latest dates; every date is in history.csv
        points = [points[0], *points[-(SHOWN - 1) :]]
        table.caption += f"; the start and the latest {SHOWN - 1} of {len(data['points'])} dates"
    table.add_column("as of", ratio=1, min_width=16)
    for point in points:
        table.add_column(
            f"{point['date']}\n{point['observations']} obs.", justify="right", no_wrap=True
        )
    table.add_row(
        "P(evidence)",
        *(f"{100 * p['evidence_probability']:.2f}%" for p in points),
        end_section=False,
    )
    table.add_row("effective runs", *(f"{p['effective_runs']:,.0f}" for p in points),
                  end_section=True)  # fmt: skip
    for oid, o in data["outcomes"].items():
        cells = []
        for point in points:
            value = point["outcomes"][oid]["probability"]
            cells.append("ruled out" if value is None else f"{100 * value:.1f}%")
        table.add_row(escape(o.get("label") or oid), *cells)
    console().print(table)
