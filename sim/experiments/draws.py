"""Second-order uncertainty: K Latin-hypercube draws of every uncertain value, m runs each.

Two uses. ``sim run --parameter-draws K`` makes *all* its runs as K draws
(:func:`run_parameter_draws`). Without it, every run with uncertain values and at least
:data:`SPREAD_MIN_RUNS` runs also makes a separate, smaller design, the *spread design*
(:func:`run_spread`): :data:`SPREAD_DRAWS` draws of ``min(runs, SPREAD_RUNS) / SPREAD_DRAWS``
runs each, on run indices from :data:`SPREAD_FIRST_RUN` on, so the main estimate (one draw of
the uncertain values per run, format section 8) is unchanged bit for bit and the spread uses
random numbers no main run uses; the same seed gives the same spread.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.analysis.sensitivity import latin_hypercube
from sim.errors import SimError
from sim.model.scenario import Scenario
from sim.results import Results
from sim.runner import KEEP_VALUES, run_design

__all__ = [
    "SPREAD_DRAWS",
    "SPREAD_FIRST_RUN",
    "SPREAD_MIN_RUNS",
    "SPREAD_RUNS",
    "ParameterDraws",
    "planned_runs",
    "run_parameter_draws",
    "run_spread",
    "spread_size",
]

SPREAD_DRAWS = 20  # draws of the spread design
SPREAD_RUNS = 20_000  # its runs at most (fewer when the main run has fewer)
SPREAD_MIN_RUNS = 2_000  # no spread below: under 100 runs a draw, it would be mostly noise
SPREAD_FIRST_RUN = 2**40  # its first run index: past any main run (50 M x 100 at most)


@dataclass(frozen=True)
class ParameterDraws:
    """Runs split into parameter draws.

    Attributes
    ----------
    results : Results
        All ``draws * runs_per_draw`` runs, draw by draw; ``results.rows`` is each run's draw
        (0..K-1) and ``results.settings.parameter_draws`` is K, so the summary reports each
        outcome's spread across draws.
    design : numpy.ndarray, shape (K, n_slots)
        The quantile level of each uncertain value (``scenario.slots`` order) in each draw.
    runs_per_draw : int
        ceil(runs / K): independent runs (distinct run indices) per draw.
    """

    results: Results
    design: np.ndarray
    runs_per_draw: int


def run_parameter_draws(
    scenario: Scenario,
    draws: int,
    *,
    runs: int,
    seed: int,
    jobs: int | None = None,
    engine: str = "auto",
    keep_values: int | None = KEEP_VALUES,
    progress: Callable[[str, int, int], None] | None = None,
    scheduler: str | None = None,
) -> ParameterDraws:
    """Run ``draws`` Latin-hypercube draws of the uncertain values, ceil(runs / draws) runs each.

    Parameters
    ----------
    scenario : Scenario
        Must have uncertain values (``scenario.slots``).
    draws : int
        K >= 2 draws; the design is :func:`sim.analysis.sensitivity.latin_hypercube`
        ``(K, n_slots, seed)``.
    runs : int
        Total runs wanted, at least two per draw.
    seed, jobs, engine, keep_values, scheduler
        As in :func:`sim.runner.run_scenario`.
    progress : callable(label, done, total), optional
        See :mod:`sim.experiments`.

    Returns
    -------
    ParameterDraws

    Raises
    ------
    SimError
        No uncertain values, fewer than 2 draws or fewer than two runs per draw; bad run
        settings (see :func:`sim.runner.run_design`).
    """
    if not scenario.slots:
        raise SimError(
            f"{scenario.file}: error: parameter draws need uncertain values (ranges or named "
            "parameters); the scenario has none"
        )
    if draws < 2 or runs < 2 * draws:
        raise SimError(
            f"--parameter-draws {draws} needs at least two draws and {2 * draws} runs "
            "(two per draw); raise --runs"
        )
    per_draw = math.ceil(runs / draws)
    label = f"{scenario.id} [{scenario.variant}]"
    results, design = _draw_runs(
        scenario, draws, per_draw, label, progress,
        seed=seed, jobs=jobs, engine=engine, keep_values=keep_values, scheduler=scheduler,
    )  # fmt: skip
    return ParameterDraws(results=results, design=design, runs_per_draw=per_draw)


def _draw_runs(scenario, draws, per_draw, label, progress, *, seed, **run) -> tuple:
    """``per_draw`` runs at each of ``draws`` Latin-hypercube draws (seeded by ``seed``), told
    to ``progress`` as the batch ``label``; ``run``: the rest of :func:`run_design`'s options.
    Returns the results (``settings.parameter_draws`` set) and the design."""
    design = latin_hypercube(draws, len(scenario.slots), seed)
    if progress is not None:
        progress(label, 0, per_draw * draws)
    tell = None if progress is None else lambda d, t: progress(label, d, t)
    results = run_design(scenario, design, per_draw, seed=seed, progress=tell, **run)
    results.settings = dataclasses.replace(results.settings, parameter_draws=draws)
    return results, design


def spread_size(scenario: Scenario, runs: int) -> tuple[int, int] | None:
    """The spread design for a run of ``runs`` runs: (draws K, runs per draw m), or None.

    K = :data:`SPREAD_DRAWS` and m = ceil(min(runs, SPREAD_RUNS) / K): about min(runs,
    20,000) runs more. None (no spread) when the scenario has no uncertain value (every
    named parameter fixed, no range) or ``runs`` is below :data:`SPREAD_MIN_RUNS`.

    Returns
    -------
    tuple of int, or None
    """
    uncertain = any(not slot.distribution.is_fixed for slot in scenario.slots)
    if not uncertain or runs < SPREAD_MIN_RUNS:
        return None
    return SPREAD_DRAWS, math.ceil(min(runs, SPREAD_RUNS) / SPREAD_DRAWS)


def planned_runs(
    scenario: Scenario, runs: int, *, parameter_draws: int | None = None, spread: bool = True
) -> int:
    """The runs :func:`sim.experiments.run_variant` plans for a variant, for an ETA.

    The main runs (``K ceil(runs / K)`` with ``parameter_draws`` K, when the scenario has
    uncertain values) plus, without parameter draws and when ``spread``, the spread design's
    K m (:func:`spread_size`). Runs added once the main runs are known (to reach
    ``--min-effective-runs``, or as many as the other variants) are not counted.

    Returns
    -------
    int
    """
    if parameter_draws and scenario.slots:
        return parameter_draws * math.ceil(runs / parameter_draws)
    size = spread_size(scenario, runs) if spread else None
    return runs + (size[0] * size[1] if size else 0)


def run_spread(
    scenario: Scenario,
    *,
    runs: int,
    seed: int,
    jobs: int | None = None,
    engine: str = "auto",
    progress: Callable[[str, int, int], None] | None = None,
    scheduler: str | None = None,
) -> Results | None:
    """The spread design beside a main run of ``runs`` runs (see the module docstring).

    Its design is the Latin hypercube of :func:`run_parameter_draws` with the same seed and
    K = :data:`SPREAD_DRAWS`; draw k runs indices ``SPREAD_FIRST_RUN + k m`` to
    ``SPREAD_FIRST_RUN + (k + 1) m - 1``, so every variant of a comparison sees the same
    numbers (common random numbers). With evidence the runs carry their weights and the
    summary weighs the draws by them (:func:`sim.analysis.sensitivity.spread`).

    Parameters
    ----------
    scenario : Scenario
    runs : int
        The main run's runs (sizes the design, :func:`spread_size`).
    seed, jobs, engine, scheduler
        As in :func:`sim.runner.run_scenario`.
    progress : callable(label, done, total), optional
        See :mod:`sim.experiments`; the batch is called "SCENARIO [VARIANT] spread, K draws".

    Returns
    -------
    Results or None
        K m runs, ``rows`` each run's draw and ``settings.parameter_draws`` K; None when
        :func:`spread_size` makes none.

    Raises
    ------
    SimError
        Bad run settings (see :func:`sim.runner.run_design`).
    """
    size = spread_size(scenario, runs)
    if size is None:
        return None
    draws, per_draw = size
    label = f"{scenario.id} [{scenario.variant}] spread, {draws} draws"
    results, _ = _draw_runs(
        scenario, draws, per_draw, label, progress, seed=seed, jobs=jobs, engine=engine,
        keep_values=0, first_run=SPREAD_FIRST_RUN, scheduler=scheduler,
    )  # fmt: skip
    return results
