"""``sim run FILE``: run a scenario (a variant, or all of them) and write its results folders."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import click

from sim.cli.evidence_options import EvidenceChoice, evidence_options
from sim.experiments.draws import SPREAD_DRAWS, SPREAD_MIN_RUNS, SPREAD_RUNS
from sim.model.streams import MAX_SEED
from sim.runner import DEFAULT_RUNS, DEFAULT_SEED, ENGINES, KEEP_VALUES, MAX_RUNS


def non_empty_out(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback: refuse ``--out ""`` (a mistaken command line, exit 2)."""
    if value is not None and not value.strip():
        raise click.BadParameter("is empty; name a folder, or leave --out out for the default")
    return value


def runs_option(help_text: str):
    """``--runs/-n``, from 1 to MAX_RUNS, with ``help_text``."""
    return click.option(
        "--runs",
        "-n",
        type=click.IntRange(min=1, max=MAX_RUNS),
        default=DEFAULT_RUNS,
        show_default=True,
        help=help_text,
    )


def scheduler_session(ctx: click.Context, param: click.Parameter, value: str | None):
    """Click callback of ``--scheduler``: a malformed address is a mistaken command line
    (exit 2); Dask not installed is not (exit 1, :class:`sim.errors.SimError`). The cluster,
    once started or connected to, serves every run of the command and is closed with it."""
    if not value:
        return None
    from sim import cluster
    from sim.errors import SimError
    from sim.scheduler import check_address

    try:
        check_address(value)
    except SimError as exc:
        hint = "'--scheduler'"
        if ctx.get_parameter_source(param.name) is click.core.ParameterSource.ENVIRONMENT:
            hint += f" (from {param.envvar})"
        raise click.BadParameter(str(exc), param_hint=hint) from None
    ctx.with_resource(cluster.session(value, say=lambda line: click.echo(line, err=True)))
    return value


def machine_options(f):
    """``--seed``, ``--jobs``, ``--engine`` and ``--scheduler``, shared by every command that
    simulates."""
    options = [
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
        click.option(
            "--scheduler",
            envvar="SIM_SCHEDULER",
            default=None,
            metavar="ADDRESS",
            callback=scheduler_session,
            help="Run on a Dask cluster instead of worker processes here: a scheduler's "
            "address (tcp://host:8786) or local:N (a LocalCluster of N processes, with Dask's "
            "dashboard); needs pip install 'sim[dask]'. --jobs is then ignored. Results do not "
            "depend on it. [env: SIM_SCHEDULER]",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def run_options(f):
    """The options shared by ``run`` and ``compare``."""
    options = [
        runs_option(
            f"Number of replications (at most {MAX_RUNS:,}: about 160 bytes each are kept)."
        ),
        machine_options,
        click.option("--no-charts", is_flag=True, help="Skip charts and report.html."),
        click.option("--save-runs", is_flag=True, help="Also write runs.csv, one row per run."),
        click.option(
            "--parameter-draws",
            "-k",
            type=click.IntRange(min=2),
            default=None,
            help="Second-order uncertainty: make all the runs as K Latin-hypercube draws of "
            "all uncertain values, runs/K runs each, and report each outcome's spread from "
            "them (instead of the separate spread design).",
        ),
        click.option(
            "--no-spread",
            is_flag=True,
            help=f"Skip the spread across the assumptions: a separate design of {SPREAD_DRAWS} "
            f"draws of the uncertain values, min(runs, {SPREAD_RUNS:,}) runs more, made by "
            f"default when there are uncertain values and at least {SPREAD_MIN_RUNS:,} runs "
            "(the main estimate does not change).",
        ),
        click.option(
            "--min-effective-runs",
            type=click.IntRange(min=1),
            default=None,
            metavar="M",
            help="With evidence: keep running (the same numbered runs, so the same results "
            "for any --jobs) until the effective number of runs reaches M, or 100 x --runs; "
            "a variant none of whose runs agree, still none at 10 x --runs, is ruled out.",
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
    callback=non_empty_out,
    help="Results folder [default: reports/<scenario>/<variant>; with --all-variants "
    "reports/<scenario>, holding one folder per variant and comparison/]. May "
    "exist: files of the same names are replaced, nothing else is touched.",
)
@evidence_options
def command(
    file: str,
    variant: str,
    all_variants: bool,
    runs: int,
    seed: int,
    jobs: int | None,
    engine: str,
    scheduler: str | None,
    out: str | None,
    no_charts: bool,
    save_runs: bool,
    parameter_draws: int | None,
    min_effective_runs: int | None,
    no_spread: bool,
    evidence: EvidenceChoice,
) -> None:
    """Run scenario FILE many times and write its report.

    Writes summary.json, outcomes.csv, occupancy.csv, first_passage.csv, charts and
    report.html into the results folder, all at once or not at all.
    """
    if all_variants:
        if variant != "base":
            raise click.UsageError("give either --variant or --all-variants")
        base = evidence.load(file)
        variants = ["base"] + [v.id for v in base.variants]
        run_and_compare(
            file,
            variants,
            runs=runs,
            seed=seed,
            jobs=jobs,
            engine=engine,
            out=out,
            no_charts=no_charts,
            save_runs=save_runs,
            parameter_draws=parameter_draws,
            min_effective_runs=min_effective_runs,
            evidence=evidence,
            spread=not no_spread,
            scheduler=scheduler,
        )
        return
    from sim.analysis.summary import summarize
    from sim.cli.output import print_outcomes
    from sim.cli.progress import phases
    from sim.report.files import check_writable, fill_results, publish

    scenario = evidence.load(file, variant)
    for w in scenario.warnings:
        click.echo(w, err=True)
    folder = Path(out) if out else Path("reports") / scenario.id / scenario.variant
    check_writable(folder)  # before simulating, not after
    with phases([scenario.variant], file) as progress:
        results = run_one(
            scenario,
            runs=runs,
            seed=seed,
            jobs=jobs,
            engine=engine,
            parameter_draws=parameter_draws,
            save_runs=save_runs,
            min_effective_runs=min_effective_runs,
            progress=progress,
            spread=not no_spread,
            scheduler=scheduler,
        )
        summary = summarize(results)
        progress.phase(f"writing {folder}")
        publish(
            folder,
            lambda tmp: fill_results(results, tmp, charts=not no_charts, save_runs=save_runs,
                                     summary=summary, progress=progress.charts),
        )  # fmt: skip
    print_outcomes(summary)
    click.echo(f"Report: {folder / ('summary.json' if no_charts else 'report.html')}")


def run_one(
    scenario,
    *,
    runs,
    seed,
    jobs,
    engine,
    parameter_draws,
    save_runs,
    min_effective_runs=None,
    spread=True,
    progress=None,
    scheduler=None,
):
    """Run one variant (:func:`sim.experiments.run_variant`), its progress told to
    ``progress`` (a :class:`sim.cli.progress.Phases`; by default one of its own)."""
    from sim.cli.progress import phases
    from sim.experiments import run_variant
    from sim.experiments.draws import planned_runs

    _check_draws(scenario, runs, parameter_draws, min_effective_runs)
    own = phases([scenario.variant], scenario.file or scenario.id)
    with own if progress is None else nullcontext(progress) as advance:
        advance.plan({scenario.variant: planned_runs(scenario, runs, parameter_draws=parameter_draws,
                                                     spread=spread)})  # fmt: skip
        advance.compiling(engine)
        results = run_variant(
            scenario,
            runs=runs,
            seed=seed,
            jobs=jobs,
            engine=engine,
            parameter_draws=parameter_draws,
            keep_values=None if save_runs else KEEP_VALUES,
            progress=advance,
            min_effective_runs=min_effective_runs,
            spread=spread,
            scheduler=scheduler,
        )
    effective_note(results, min_effective_runs)
    return results


def effective_note(results, target: int | None) -> None:
    """Say when ``--min-effective-runs`` had no effect (no evidence) or was not reached."""
    if not target:
        return
    sc = results.scenario
    if not sc.evidence:
        click.echo(f"{sc.file}: note: --min-effective-runs has no effect: no observation is "
                   "in effect", err=True)  # fmt: skip
    elif 0 < results.effective_runs < target:
        click.echo(
            f"{sc.file}: warning: stopped at {results.runs:,} runs (100 x --runs) with "
            f"{results.effective_runs:,.0f} effective runs, short of --min-effective-runs "
            f"{target:,}; raise --runs",
            err=True,
        )


def ruled_out_note(results) -> None:
    """Say, on one line, that the evidence rules out a variant compared with others."""
    from sim.experiments import ruled_out

    if ruled_out(results):
        sc = results.scenario
        which = "the base" if sc.variant == "base" else f"variant '{sc.variant}'"
        click.echo(
            f"{sc.file}: warning: the evidence rules out {which}: none of its {results.runs:,} "
            "runs agrees with every certain observation, so it has no forecast; its report "
            "lists each observation with the share of runs that agree with it",
            err=True,
        )


def _check_draws(
    scenario, runs: int, parameter_draws: int | None, min_effective_runs: int | None = None
) -> None:
    """Say when ``--parameter-draws`` is ignored; stop when it leaves under two runs a draw,
    or is given with ``--min-effective-runs`` (which grows plain runs only)."""
    if parameter_draws and min_effective_runs:
        raise click.UsageError(
            "--min-effective-runs grows plain runs and does not combine with "
            "--parameter-draws; raise --runs instead, or drop --parameter-draws"
        )
    if parameter_draws and not scenario.slots:
        click.echo(
            f"{scenario.file}: note: --parameter-draws ignored: the scenario has no "
            "uncertain values (ranges or named parameters)",
            err=True,
        )
    elif parameter_draws and runs < 2 * parameter_draws:
        raise click.UsageError(
            f"--parameter-draws {parameter_draws} needs at least {2 * parameter_draws} runs "
            "(two per draw); raise --runs"
        )


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
    min_effective_runs: int | None = None,
    evidence: EvidenceChoice | None = None,
    spread: bool = True,
    scheduler: str | None = None,
) -> None:
    """Run ``variants`` (base first) with common random numbers; write each and a comparison.

    Every run finishes before anything is written; then ``OUT/<variant>/`` and
    ``OUT/comparison/`` are published. ``evidence`` says which observations are in effect
    (none but the scenario's own when None).
    """
    from sim.cli.output import print_comparison
    from sim.cli.progress import phases
    from sim.experiments import run_variants
    from sim.experiments.draws import planned_runs
    from sim.report.files import check_writable, fill_results_many, staged, write_comparison

    evidence = evidence or EvidenceChoice()
    scenarios = {v: evidence.load(file, v) for v in dict.fromkeys(variants)}
    for w in scenarios["base"].warnings:
        click.echo(w, err=True)
    for scenario in scenarios.values():
        _check_draws(scenario, runs, parameter_draws, min_effective_runs)
    root = Path(out) if out else Path("reports") / scenarios["base"].id
    check_writable(root)  # before simulating, not after
    for name in [*scenarios, "comparison"]:
        check_writable(root / name)
    with phases(list(scenarios), file) as progress:
        progress.plan({
            v: planned_runs(sc, runs, parameter_draws=parameter_draws, spread=spread)
            for v, sc in scenarios.items()
        })  # fmt: skip
        progress.compiling(engine)
        done = run_variants(
            scenarios,
            runs=runs,
            seed=seed,
            jobs=jobs,
            engine=engine,
            parameter_draws=parameter_draws,
            keep_values=None if save_runs else KEEP_VALUES,
            progress=progress,
            min_effective_runs=min_effective_runs,
            spread=spread,
            scheduler=scheduler,
        )
        for results in done.results.values():
            effective_note(results, min_effective_runs)
            ruled_out_note(results)
        names = list(done.results)
        progress.phase(f"writing {root}")
        with staged([root / v for v in names] + [root / "comparison"]) as temps:
            items = [(done.results[v], tmp) for v, tmp in zip(names, temps, strict=False)]
            fill_results_many(items, charts=not no_charts, save_runs=save_runs, jobs=jobs,
                              progress=progress.folders)  # fmt: skip
            progress.phase("drawing the comparison charts" if not no_charts else "comparing")
            write_comparison(done.comparison, temps[-1], charts=not no_charts)
    print_comparison(done.comparison)
    target = "comparison.json" if no_charts else "report.html"
    click.echo(f"Reports: {root}/<variant>/  Comparison: {root / 'comparison' / target}")
