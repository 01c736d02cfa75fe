"""Variants of a scenario run with common random numbers, and their paired comparison."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sim.analysis.compare import compare
from sim.analysis.evidence import ruled_out_message
from sim.errors import SimError, SimulationError
from sim.experiments.draws import run_parameter_draws, run_spread
from sim.limits import max_runs, runs_error
from sim.model.scenario import Scenario
from sim.results import Results
from sim.runner import KEEP_VALUES, run_scenario

__all__ = [
    "Advance",
    "Progress",
    "RuledOut",
    "VariantRuns",
    "ruled_out",
    "run_batch",
    "run_variant",
    "run_variants",
]

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
    min_effective_runs: float | None = None,
    spread: bool = True,
    scheduler: str | None = None,
) -> Results:
    """Run one variant: ``runs`` plain runs, or as ``parameter_draws`` draws of its values.

    Parameters
    ----------
    scenario : Scenario
    runs, seed, jobs, engine, keep_values, scheduler
        As in :func:`sim.runner.run_scenario`.
    parameter_draws : int, optional
        K: run :func:`sim.experiments.run_parameter_draws` instead (ceil(runs / K) runs per
        draw). Ignored when the scenario has no uncertain values.
    progress : callable(label, done, total), optional
        See :mod:`sim.experiments`.
    min_effective_runs : float, optional
        With evidence in effect, plain runs go on until Kish's effective number of runs
        reaches it or the runs reach MAX_GROWTH x ``runs`` (:func:`grow_runs`).
    spread : bool
        With plain runs, also run the separate spread design
        (:func:`sim.experiments.run_spread`, sized by ``runs``) into
        ``results.second_order``; False skips it (``--no-spread``).

    Returns
    -------
    Results

    Raises
    ------
    SimError
        Bad run settings.
    RuledOut
        The evidence leaves no run (its ``results`` holds the runs).
    """
    if parameter_draws and scenario.slots:
        results = run_parameter_draws(
            scenario,
            parameter_draws,
            runs=runs,
            seed=seed,
            jobs=jobs,
            engine=engine,
            keep_values=keep_values,
            progress=progress,
            scheduler=scheduler,
        ).results
    else:
        results = run_batch(
            scenario, runs, seed, jobs, engine, keep_values, progress, scheduler=scheduler
        )
        if min_effective_runs and scenario.evidence:
            results = grow_runs(
                results, min_effective_runs, jobs, engine, keep_values, progress, scheduler
            )
        if spread:
            results.second_order = run_spread(
                scenario,
                runs=runs,
                seed=seed,
                jobs=jobs,
                engine=engine,
                progress=progress,
                scheduler=scheduler,
            )
    if ruled_out(results):
        raise RuledOut(ruled_out_message(results), results)
    return results


MAX_GROWTH = 100  # --min-effective-runs runs at most this many times --runs


def grow_runs(
    results: Results, target: float, jobs, engine, keep_values, progress, scheduler=None
) -> Results:
    """More runs until Kish's effective number of runs reaches ``target``.

    The runs needed are estimated from the share of effective runs so far (25% more, at
    least twice as many, at most MAX_GROWTH times the runs first asked for), and runs
    [0, N') are made: the first N are the runs already made, since every random number is
    addressed by run index, so the result is that of ``N'`` runs asked for at once, the same
    for any number of workers. With no run left, ten times as many; still none after that, the
    variant is ruled out (:func:`ruled_out`) and growing stops: it has nothing to gain, as
    runs that all disagree with a certain observation already say. Repeats until the target
    or the cap is reached.
    """
    first = results.runs
    cap = MAX_GROWTH * first
    while results.effective_runs < target and results.runs < cap:
        if results.runs > first and ruled_out(results):
            break
        share = results.effective_runs / results.runs
        more = 10 * results.runs if share == 0 else math.ceil(1.25 * target / share)
        more = max(2 * results.runs, more)
        sc = results.scenario
        label = f"{sc.id} [{sc.variant}] to n_eff {target:,.0f}"
        results = run_batch(sc, min(more, cap), results.settings.seed, jobs, engine, keep_values,
                            progress, label, scheduler=scheduler)  # fmt: skip
    return results


def ruled_out(results: Results) -> bool:
    """Whether the evidence leaves no run: every run's weight is 0 (format section 10)."""
    return results.weighted and results.total_weight <= 0


def run_batch(
    scenario, runs, seed, jobs, engine, keep_values, progress, label=None, probes=(), *,
    scheduler=None,
) -> Results:  # fmt: skip
    """Plain runs of one variant (:func:`sim.runner.run_scenario`, with ``probes``) as one
    batch of ``progress`` called ``label`` (default: the scenario and variant), which also
    hears the effective runs as they come (:class:`Advance`)."""
    label = label or f"{scenario.id} [{scenario.variant}]"
    if runs > max_runs(scenario):  # refused before its progress line says it started
        raise runs_error(scenario)
    if progress is not None:
        progress(label, 0, runs)
    return run_scenario(
        scenario,
        runs=runs,
        seed=seed,
        jobs=jobs,
        engine=engine,
        progress=None if progress is None else Advance(progress, label),
        keep_values=keep_values,
        probes=probes,
        scheduler=scheduler,
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
    min_effective_runs: float | None = None,
    spread: bool = True,
    scheduler: str | None = None,
) -> VariantRuns:
    """Run the base and variants with common random numbers and compare them, run by run.

    Parameters
    ----------
    scenarios : mapping of str -> Scenario
        Variant id -> the scenario loaded as that variant; must hold ``base``.
    runs, seed, jobs, engine, parameter_draws, keep_values, progress, min_effective_runs, spread
    scheduler
        As in :func:`run_variant`, the same for every variant (every variant's spread design
        uses the same draws and run indices: common random numbers).

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
    results = {}
    for v in order:
        try:
            results[v] = run_variant(
                scenarios[v],
                runs=runs,
                seed=seed,
                jobs=jobs,
                engine=engine,
                parameter_draws=parameter_draws,
                keep_values=keep_values,
                progress=progress,
                min_effective_runs=min_effective_runs,
                spread=spread,
                scheduler=scheduler,
            )
        except RuledOut as exc:  # reported as ruled out, unless every variant is
            results[v] = exc.results
    if all(ruled_out(r) for r in results.values()):
        first = results["base"]
        raise RuledOut(
            f"{first.scenario.file or first.scenario.id}: error: every variant is ruled out "
            f"by the evidence; the base's observations follow\n{ruled_out_message(first)}"
        )
    # paired differences need the same runs in every variant: as many as the most of those
    # the evidence leaves runs in (no run is added to match a ruled-out variant's)
    most = max(r.runs for r in results.values() if not ruled_out(r))
    for v, r in results.items():
        if r.runs != most and not r.settings.parameter_draws:
            label = f"{r.scenario.id} [{v}] as many runs as the others"
            results[v] = run_batch(
                scenarios[v], most, seed, jobs, engine, keep_values, progress, label,
                scheduler=scheduler,
            )  # fmt: skip
            results[v].second_order = r.second_order
    return VariantRuns(results=results, comparison=compare(results))


class Advance:
    """A runner's ``progress(done, total)`` for a batch called ``label`` of an experiments
    ``progress(label, done, total)``, passing on the effective number of runs (evidence) to
    ``progress.effective(label, n_eff)`` when the experiments callback has that attribute."""

    def __init__(self, progress: Progress, label: str):
        self.progress, self.label = progress, label

    def __call__(self, done: int, total: int) -> None:
        self.progress(self.label, done, total)

    def effective(self, n_eff: float) -> None:
        """Pass on Kish's effective number of the runs done so far."""
        note = getattr(self.progress, "effective", None)
        if note is not None:
            note(self.label, n_eff)


class RuledOut(SimulationError):
    """The evidence leaves no run (every run disagrees with a certain observation); the
    message names each observation with the share of runs that agree with it alone.

    Attributes
    ----------
    results : Results or None
        The runs, for a caller that reports the variant as ruled out.
    """

    def __init__(self, message: str, results: Results | None = None):
        super().__init__(message)
        self.results = results
