"""Second-order uncertainty: K Latin-hypercube draws of every uncertain value, m runs each."""

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

__all__ = ["ParameterDraws", "run_parameter_draws"]


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
    design = latin_hypercube(draws, len(scenario.slots), seed)
    label = f"{scenario.id} [{scenario.variant}]"
    if progress is not None:
        progress(label, 0, per_draw * draws)
    results = run_design(
        scenario,
        design,
        per_draw,
        seed=seed,
        jobs=jobs,
        engine=engine,
        progress=None if progress is None else lambda d, t: progress(label, d, t),
        keep_values=keep_values,
        scheduler=scheduler,
    )
    results.settings = dataclasses.replace(results.settings, parameter_draws=draws)
    return ParameterDraws(results=results, design=design, runs_per_draw=per_draw)
