"""``sim sensitivity FILE --method tornado|sobol``: which assumptions drive each outcome."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.evidence_options import EvidenceChoice, evidence_options
from sim.cli.output import escape
from sim.cli.run import machine_options, non_empty_out
from sim.experiments.sensitivity import MAX_SAMPLES
from sim.runner import MAX_RUNS


@click.command("sensitivity")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--method",
    "-m",
    type=click.Choice(["tornado", "sobol"]),
    default="tornado",
    show_default=True,
    help="One value at a time (tornado) or global (Sobol indices).",
)
@click.option("--variant", "-v", default="base", show_default=True)
@click.option(
    "--runs",
    "-n",
    type=click.IntRange(min=10, max=MAX_RUNS),
    default=None,
    help="Runs per setting (tornado: each value at its 10th and 90th percentile; "
    "sobol: each sample row) [default: 4000 tornado, 400 sobol; at most 50,000,000; the "
    "memory does not grow with them].",
)
@click.option(
    "--samples",
    type=click.IntRange(min=2, max=MAX_SAMPLES),
    default=64,
    show_default=True,
    help="Sobol: Saltelli base sample size (a power of 2, at most "
    f"{MAX_SAMPLES:,}); rows = samples x (values + 2).",
)
@machine_options
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False),
    default=None,
    callback=non_empty_out,
    help="Folder [default: reports/<scenario>/<variant>/<method>].",
)
@click.option("--no-charts", is_flag=True, help="Write sensitivity.json only.")
@evidence_options
def command(
    file: str,
    method: str,
    variant: str,
    runs: int | None,
    samples: int,
    seed: int,
    jobs: int | None,
    engine: str,
    scheduler: str | None,
    out: str | None,
    no_charts: bool,
    evidence: EvidenceChoice,
) -> None:
    """Rank the uncertain values of FILE by their effect on each outcome.

    Tornado: each uncertain value (named parameter or unnamed range) in turn at its 10th and
    90th percentile, the others left random, all with common random numbers; the score is the
    swing |p(high) - p(low)|. Sobol: Saltelli sampling over the quantile space, a batch of
    runs per sample; the score is the total-order index. Waiting times under `after` are
    chance, not ignorance, and are never varied.
    """
    from sim.cli.progress import phases
    from sim.experiments import run_sobol, run_tornado
    from sim.experiments.sensitivity import SOBOL_RUNS, TORNADO_RUNS
    from sim.report.files import check_writable, publish, write_sensitivity

    if samples & (samples - 1):
        raise click.UsageError(
            f"--samples {samples} is not a power of 2 (Saltelli's "
            "sequence needs one): use 8, 16, 32, 64, ..."
        )
    scenario = evidence.load(file, variant)
    folder = Path(out) if out else Path("reports") / scenario.id / scenario.variant / method
    check_writable(folder)  # before simulating, not after
    common = {"seed": seed, "jobs": jobs, "engine": engine, "scheduler": scheduler}
    with phases([scenario.variant], file) as progress:
        progress.compiling(engine)
        if method == "tornado":
            result = run_tornado(scenario, runs=runs or TORNADO_RUNS, progress=progress, **common)
        else:
            result = run_sobol(
                scenario, samples=samples, runs=runs or SOBOL_RUNS, progress=progress, **common
            )
        data = result.to_dict()
        progress.phase(f"writing {folder}")
        publish(
            folder,
            lambda tmp: write_sensitivity(
                data, tmp, charts=not no_charts, progress=progress.charts
            ),
        )
    _print(data)
    click.echo(f"Report: {folder / ('sensitivity.json' if no_charts else 'report.html')}")


def _print(data: dict) -> None:
    from rich.table import Table

    from sim.cli.output import console

    table = Table(
        title=escape(f"{data['title'] or data['scenario']}: {data['method']}, top drivers")
        + (
            f", given {data['evidence']['observations']} observation"
            + ("" if data["evidence"]["observations"] == 1 else "s")
            if data.get("evidence")
            else ""
        ),
        caption="score: swing |p(90th) - p(10th)| (tornado) or total Sobol index",
    )
    table.add_column("outcome", ratio=1)
    table.add_column("1st", ratio=1)
    table.add_column("2nd", ratio=1)
    table.add_column("3rd", ratio=1)
    for oid, rows in data["outcomes"].items():
        cells = [f"{r['parameter']} ({r['score']:.3f})" for r in rows[:3]]
        table.add_row(escape(data["outcome_labels"][oid]), *cells, *[""] * (3 - len(cells)))
    console().print(table)
