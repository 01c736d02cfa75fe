"""``sim run FILE``: run a scenario (a variant, or all of them) and write its results folders."""

from __future__ import annotations

from pathlib import Path

import click

from sim.model.streams import MAX_SEED
from sim.runner import DEFAULT_RUNS, DEFAULT_SEED, ENGINES, MAX_RUNS


def run_options(f):
    """The options shared by ``run`` and ``compare``."""
    options = [
        click.option(
            "--runs",
            "-n",
            type=click.IntRange(min=1, max=MAX_RUNS),
            default=DEFAULT_RUNS,
            show_default=True,
            help=f"Number of replications (at most {MAX_RUNS:,}: about 160 bytes each are kept).",
        ),
        click.option(
            "--seed",
            "-s",
            type=click.IntRange(min=0, max=MAX_SEED),
            default=DEFAULT_SEED,
            show_default=True,
            help="Random seed (0 is a valid seed).",
        ),
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(min=1),
            default=None,
            help="Worker processes [default: all cores]. Results do not depend on it.",
        ),
        click.option("--engine", type=click.Choice(ENGINES), default="auto", show_default=True),
        click.option("--no-charts", is_flag=True, help="Skip charts and report.html."),
        click.option("--save-runs", is_flag=True, help="Also write runs.csv, one row per run."),
        click.option(
            "--parameter-draws",
            "-k",
            type=click.IntRange(min=2),
            default=None,
            help="Second-order uncertainty: K Latin-hypercube draws of all uncertain "
            "values, runs/K runs each; reports each outcome's spread.",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@click.command("run")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--variant", "-v", default="base", show_default=True, help="Variant to run.")
@click.option(
    "--all-variants",
    is_flag=True,
    help="Run the base and every variant with common random numbers, and compare.",
)
@run_options
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False),
    default=None,
    help="Results folder [default: reports/<scenario>/<variant>; with --all-variants "
    "reports/<scenario>, holding one folder per variant and comparison/]. May "
    "exist: files of the same names are replaced, nothing else is touched.",
)
def command(
    file: str,
    variant: str,
    all_variants: bool,
    runs: int,
    seed: int,
    jobs: int | None,
    engine: str,
    out: str | None,
    no_charts: bool,
    save_runs: bool,
    parameter_draws: int | None,
) -> None:
    """Run scenario FILE many times and write its report.

    Writes summary.json, outcomes.csv, occupancy.csv, first_passage.csv, charts and
    report.html into the results folder, all at once or not at all.
    """
    from sim.scenario.load import load_scenario

    if all_variants:
        if variant != "base":
            raise click.UsageError("give either --variant or --all-variants")
        base = load_scenario(file)
        run_and_compare(
            file,
            ["base"] + [v.id for v in base.variants],
            runs=runs,
            seed=seed,
            jobs=jobs,
            engine=engine,
            out=out,
            no_charts=no_charts,
            save_runs=save_runs,
            parameter_draws=parameter_draws,
        )
        return
    from sim.cli.output import print_outcomes

    scenario = load_scenario(file, variant)
    for w in scenario.warnings:
        click.echo(w, err=True)
    folder = Path(out) if out else Path("reports") / scenario.id / scenario.variant
    results = _run(scenario, runs, seed, jobs, engine, parameter_draws, save_runs)
    _publish(results, folder, no_charts=no_charts, save_runs=save_runs)
    print_outcomes(results.summary())
    click.echo(f"Report: {folder / ('summary.json' if no_charts else 'report.html')}")


def _run(scenario, runs, seed, jobs, engine, parameter_draws=None, save_runs=False):
    """Run with a progress bar; with ``parameter_draws`` K, as K Latin-hypercube draws of
    the uncertain values with ceil(runs / K) independent runs each."""
    import dataclasses
    import math

    from sim.cli.output import progress_bar
    from sim.runner import KEEP_VALUES, run_design, run_scenario

    label = f"{scenario.id} [{scenario.variant}]"
    if parameter_draws and not scenario.slots:
        click.echo(
            f"{scenario.file}: note: --parameter-draws ignored: the scenario has no "
            "uncertain values (ranges or named parameters)",
            err=True,
        )
    if not parameter_draws or not scenario.slots:
        with progress_bar(label, runs) as advance:
            return run_scenario(
                scenario,
                runs=runs,
                seed=seed,
                jobs=jobs,
                engine=engine,
                progress=advance,
                keep_values=None if save_runs else KEEP_VALUES,
            )
    from sim.analysis.sensitivity import latin_hypercube

    if runs < 2 * parameter_draws:
        raise click.UsageError(
            f"--parameter-draws {parameter_draws} needs at least {2 * parameter_draws} runs "
            "(two per draw); raise --runs"
        )
    per_draw = math.ceil(runs / parameter_draws)
    design = latin_hypercube(parameter_draws, len(scenario.slots), seed)
    with progress_bar(label, per_draw * parameter_draws) as advance:
        results = run_design(
            scenario,
            design,
            per_draw,
            seed=seed,
            jobs=jobs,
            engine=engine,
            progress=advance,
            keep_values=None if save_runs else KEEP_VALUES,
        )
    results.settings = dataclasses.replace(results.settings, parameter_draws=parameter_draws)
    return results


def _publish(results, folder: Path, *, no_charts: bool, save_runs: bool) -> None:
    from sim.report.files import publish

    publish(folder, lambda tmp: _fill((results, tmp), no_charts, save_runs))


def _fill(item, no_charts: bool, save_runs: bool) -> None:
    """Write one results folder's files (and charts) into ``item[1]``."""
    from sim.report.files import write_results

    results, tmp = item
    write_results(results, tmp, save_runs=save_runs)
    if not no_charts:
        from sim.report import render_report

        render_report(tmp)


def _fill_all(items, *, no_charts: bool, save_runs: bool, jobs: int | None) -> None:
    """Fill several results folders, rendering charts in parallel processes."""
    import functools
    import multiprocessing as mp
    import os
    from concurrent.futures import ProcessPoolExecutor

    workers = min(jobs or os.cpu_count() or 1, len(items))
    if no_charts or workers < 2 or "fork" not in mp.get_all_start_methods():
        for item in items:
            _fill(item, no_charts, save_runs)
        return
    import signal

    job = functools.partial(_fill, no_charts=no_charts, save_runs=save_runs)
    with ProcessPoolExecutor(
        workers,
        mp_context=mp.get_context("fork"),
        initializer=signal.signal,  # Ctrl-C is the parent's to handle
        initargs=(signal.SIGINT, signal.SIG_IGN),
    ) as pool:
        list(pool.map(job, items))


def run_and_compare(
    file: str,
    variants: list[str],
    *,
    runs: int,
    seed: int,
    jobs: int | None,
    engine: str,
    out: str | None,
    no_charts: bool,
    save_runs: bool,
    parameter_draws: int | None = None,
) -> None:
    """Run ``variants`` (base first) with common random numbers; write each and a comparison.

    Every run finishes before anything is written; then ``OUT/<variant>/`` and
    ``OUT/comparison/`` are published.
    """
    import json

    from sim.analysis.compare import compare
    from sim.cli.output import print_comparison
    from sim.report.files import staged
    from sim.scenario.load import load_scenario

    scenarios = {v: load_scenario(file, v) for v in dict.fromkeys(variants)}
    for w in scenarios["base"].warnings:
        click.echo(w, err=True)
    results = {
        v: _run(sc, runs, seed, jobs, engine, parameter_draws, save_runs)
        for v, sc in scenarios.items()
    }
    root = Path(out) if out else Path("reports") / scenarios["base"].id
    comparison = compare(results)
    names = list(results)
    with staged([root / v for v in names] + [root / "comparison"]) as temps:
        _fill_all(
            [(results[v], tmp) for v, tmp in zip(names, temps, strict=False)],
            no_charts=no_charts,
            save_runs=save_runs,
            jobs=jobs,
        )
        tmp = temps[-1]
        (tmp / "comparison.json").write_text(
            json.dumps(comparison, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        if not no_charts:
            from sim.report.comparison import render_comparison

            render_comparison(tmp)
    print_comparison(comparison)
    target = "comparison.json" if no_charts else "report.html"
    click.echo(f"Reports: {root}/<variant>/  Comparison: {root / 'comparison' / target}")
