"""``sim compare FILE V1 V2 ...``: run variants against base with common random numbers."""

from __future__ import annotations

import click

from sim.cli.evidence_options import EvidenceChoice, evidence_options
from sim.cli.run import non_empty_out, run_options


@click.command("compare")
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("variants", nargs=-1, required=True)
@run_options
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False),
    default=None,
    callback=non_empty_out,
    help="Folder for OUT/<variant>/ and OUT/comparison/ [default: reports/<scenario>].",
)
@evidence_options
def command(
    file: str,
    variants: tuple[str, ...],
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
    """Run the base and VARIANTS of FILE with common random numbers and compare them.

    The same run index uses the same random numbers in every variant, so differences in
    outcome probabilities are due to the variants, not to noise.
    """
    from sim.cli.run import run_and_compare

    run_and_compare(
        file,
        ["base", *variants],
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
