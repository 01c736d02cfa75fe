"""``sim run FILE``: run a scenario (or a variant) and write its results folder."""

from __future__ import annotations

from pathlib import Path

import click

from sim.runner import DEFAULT_RUNS, DEFAULT_SEED, ENGINES


@click.command("run")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--variant", "-v", default="base", show_default=True, help="Variant to run.")
@click.option(
    "--runs",
    "-n",
    type=click.IntRange(min=1),
    default=DEFAULT_RUNS,
    show_default=True,
    help="Number of replications.",
)
@click.option(
    "--seed",
    "-s",
    type=click.IntRange(min=0),
    default=DEFAULT_SEED,
    show_default=True,
    help="Random seed (0 is a valid seed).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes [default: all cores]. Results do not depend on it.",
)
@click.option("--engine", type=click.Choice(ENGINES), default="auto", show_default=True)
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False),
    default=None,
    help="Results folder [default: reports/<scenario>/<variant>]. May exist: files "
    "of the same names are replaced, nothing else is touched.",
)
@click.option("--no-charts", is_flag=True, help="Skip charts and report.html.")
@click.option("--save-runs", is_flag=True, help="Also write runs.csv, one row per run.")
def command(
    file: str,
    variant: str,
    runs: int,
    seed: int,
    jobs: int | None,
    engine: str,
    out: str | None,
    no_charts: bool,
    save_runs: bool,
) -> None:
    """Run scenario FILE many times and write its report.

    Writes summary.json, outcomes.csv, occupancy.csv, first_passage.csv, charts and
    report.html into the results folder, all at once or not at all.
    """
    from sim.cli.output import print_outcomes, progress_bar
    from sim.report.files import publish, write_results
    from sim.runner import run_scenario
    from sim.scenario.load import load_scenario

    scenario = load_scenario(file, variant)
    for w in scenario.warnings:
        click.echo(w, err=True)
    folder = Path(out) if out else Path("reports") / scenario.id / scenario.variant
    with progress_bar(f"{scenario.id} [{scenario.variant}]", runs) as advance:
        results = run_scenario(
            scenario, runs=runs, seed=seed, jobs=jobs, engine=engine, progress=advance
        )

    def fill(tmp: Path) -> None:
        write_results(results, tmp, save_runs=save_runs)
        if not no_charts:
            from sim.report import render_report

            render_report(tmp)

    publish(folder, fill)
    print_outcomes(results.summary())
    target = folder / ("summary.json" if no_charts else "report.html")
    click.echo(f"Report: {target}")
