"""Variants of a scenario run with common random numbers, and their paired comparison."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sim.analysis.compare import compare
from sim.errors import SimError
from sim.experiments.draws import run_parameter_draws
from sim.model.scenario import Scenario
from sim.results import Results
from sim.runner import KEEP_VALUES, run_scenario

__all__ = ["Progress", "VariantRuns", "run_variant", "run_variants"]

#: ``progress(label, done, total)``: runs done of the batch called ``label``.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class VariantRuns:
    """The base and some variants of one scenario, run on the same random numbers.

    Attributes
    ----------
    results : dict of str -> Results
        Variant id -> its runs, ``base`` first; run i of every variant used the same
        addressed random numbers.
    comparison : dict
        The ``comparison.json`` content (:func:`sim.analysis.compare.compare`): each
        outcome's probability by variant and its paired difference from base.
    """

    results: dict[str, Results]
    comparison: dict[str, Any]


def run_variant(
    scenario: Scenario,
    *,
    runs: int,
    seed: int,
    jobs: int | None = None,
    engine: str = "auto",
    parameter_draws: int | None = None,
    keep_values: int | None = KEEP_VALUES,
    progress: Progress | None = None,
) -> Results:
    """Run one variant: ``runs`` plain runs, or as ``parameter_draws`` draws of its values.

    Parameters
    ----------
    scenario : Scenario
    runs, seed, jobs, engine, keep_values
        As in :func:`sim.runner.run_scenario`.
    parameter_draws : int, optional
        K: run :func:`sim.experiments.run_parameter_draws` instead (ceil(runs / K) runs per
        draw). Ignored when the scenario has no uncertain values.
    progress : callable(label, done, total), optional
        See :mod:`sim.experiments`.

    Returns
    -------
    Results

    Raises
    ------
    SimError
        Bad run settings.
    """
    if parameter_draws and scenario.slots:
        return run_parameter_draws(
            scenario,
            parameter_draws,
            runs=runs,
            seed=seed,
            jobs=jobs,
            engine=engine,
            keep_values=keep_values,
            progress=progress,
        ).results
    label = f"{scenario.id} [{scenario.variant}]"
    if progress is not None:
        progress(label, 0, runs)
    return run_scenario(
        scenario,
        runs=runs,
        seed=seed,
        jobs=jobs,
        engine=engine,
        progress=None if progress is None else lambda d, t: progress(label, d, t),
        keep_values=keep_values,
    )


def run_variants(
    scenarios: Mapping[str, Scenario],
    *,
    runs: int,
    seed: int,
    jobs: int | None = None,
    engine: str = "auto",
    parameter_draws: int | None = None,
    keep_values: int | None = KEEP_VALUES,
    progress: Progress | None = None,
) -> VariantRuns:
    """Run the base and variants with common random numbers and compare them, run by run.

    Parameters
    ----------
    scenarios : mapping of str -> Scenario
        Variant id -> the scenario loaded as that variant; must hold ``base``.
    runs, seed, jobs, engine, parameter_draws, keep_values, progress
        As in :func:`run_variant`, the same for every variant.

    Returns
    -------
    VariantRuns
        Differences are variant minus base, with Newcombe's paired 95% interval.

    Raises
    ------
    SimError
        No ``base``, or bad run settings.
    """
    if "base" not in scenarios:
        raise SimError("a comparison of variants needs the base variant")
    order = ["base"] + [v for v in scenarios if v != "base"]
    results = {
        v: run_variant(
            scenarios[v],
            runs=runs,
            seed=seed,
            jobs=jobs,
            engine=engine,
            parameter_draws=parameter_draws,
            keep_values=keep_values,
            progress=progress,
        )
        for v in order
    }
    return VariantRuns(results=results, comparison=compare(results))
