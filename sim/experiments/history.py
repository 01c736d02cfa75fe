"""How the forecast moved with the evidence: one set of runs, reweighted as of each date.

The scenario is run once with every observation in effect evaluated in every run
(:mod:`sim.engines.watch`). The forecast *as of* a date D is then the forecast given the
observations dated on or before D: each run's weight is recomputed from its stored probe
values (:func:`sim.model.evidence.scaled_weights`, format section 10), and every
probability is a weighted share of the same runs. So the curve moves only where the evidence
does, never with Monte Carlo noise between dates.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.analysis.evidence import agreement
from sim.analysis.words import effective_wilson
from sim.experiments.variants import Progress, run_batch
from sim.model.evidence import scaled_weights
from sim.model.scenario import Scenario
from sim.results import Results, RunSettings
from sim.runner import KEEP_VALUES

__all__ = ["History", "HistoryPoint", "as_of_dates", "run_history"]


@dataclass(frozen=True)
class HistoryPoint:
    """The forecast as of one date.

    Attributes
    ----------
    date : datetime.date
        The as-of date: the start (no observation), or an observation's date.
    observations : int
        Observations in effect: those dated on or before ``date`` (none for the start point).
    evidence_probability : float
        The mean weight, sum(w) / N: the probability the model gave to what was observed by
        then (1 with no observation).
    effective_runs : float
        Kish's n_eff = (sum w)^2 / sum(w^2); 0 when every weight is 0.
    probability : tuple of (float or None)
        Each outcome's probability at the horizon, (n_outcomes,); None when ruled out.
    ci_low, ci_high : tuple of (float or None)
        Its 95% Wilson interval with n = n_eff (:func:`sim.analysis.words.effective_wilson`).
    """

    date: dt.date
    observations: int
    evidence_probability: float
    effective_runs: float
    probability: tuple[float | None, ...]
    ci_low: tuple[float | None, ...]
    ci_high: tuple[float | None, ...]

    @property
    def ruled_out(self) -> bool:
        """Whether no run agrees with the observations in effect (every weight 0)."""
        return self.effective_runs <= 0


@dataclass(frozen=True)
class History:
    """The forecast as of the start and as of each distinct observation date.

    Attributes
    ----------
    scenario : Scenario
        With every observation that ``points`` use in ``scenario.evidence``.
    runs, seed : int
    engine : str
        The engine that ran.
    agree : tuple of float
        Share of runs (unweighted) agreeing with each observation alone, (n_observations,).
    points : tuple of HistoryPoint
        Start first, then the observation dates in increasing order.
    ran : RunSettings or None
        How the runs were made (jobs, scheduler, elapsed time), recorded in ``settings``.
    """

    scenario: Scenario
    runs: int
    seed: int
    engine: str
    agree: tuple[float, ...]
    points: tuple[HistoryPoint, ...]
    ran: RunSettings | None = None

    def notes(self) -> list[str]:
        """Plain sentences about what the history cannot show."""
        out = []
        if not self.scenario.evidence:
            out.append(
                "no observation is in effect, so the history has one point: the forecast as of "
                "the start"
            )
        gone = next((p for p in self.points if p.ruled_out), None)
        if gone is not None:
            out.append(
                f"from {gone.date.isoformat()} no run agrees with the observations in effect "
                "(every run disagrees with a certain observation): the probabilities are null "
                "from that date on"
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        """The ``history.json`` content (model :class:`sim.contracts.history.HistoryFile`)."""
        sc = self.scenario
        observations = []
        for o, share in zip(sc.evidence, self.agree, strict=True):
            item = {
                "date": o.date.isoformat(),
                "when": o.text,
                "ever": o.ever,
                "observed": o.observed,
                "confidence": o.confidence,
                "agree": share,
            }
            item |= {k: getattr(o, k) for k in ("label", "source", "note") if getattr(o, k)}
            observations.append(item)
        return {
            "scenario": sc.id,
            "title": sc.title,
            "variant": sc.variant,
            "runs": self.runs,
            "seed": self.seed,
            "engine": self.engine,
            "start": sc.start.isoformat(),
            "horizon": sc.horizon_date.isoformat(),
            "settings": self.ran.provenance() if self.ran else None,
            "outcomes": {
                o.id: {"label": o.label, "when": o.text, "ever": o.ever} for o in sc.outcomes
            },
            "observations": observations,
            "points": [_point_dict(p, sc) for p in self.points],
            "notes": self.notes(),
        }


def _point_dict(point: HistoryPoint, scenario: Scenario) -> dict[str, Any]:
    outcomes = {}
    for k, o in enumerate(scenario.outcomes):
        p = point.probability[k]
        ci = None if p is None else [point.ci_low[k], point.ci_high[k]]
        outcomes[o.id] = {"probability": p, "ci95": ci}
    return {
        "date": point.date.isoformat(),
        "observations": point.observations,
        "evidence_probability": point.evidence_probability,
        "effective_runs": point.effective_runs,
        "ruled_out": point.ruled_out,
        "outcomes": outcomes,
    }


def as_of_dates(scenario: Scenario) -> list[dt.date]:
    """The as-of dates of a history: the start, then each distinct observation date in
    increasing order (an observation dated at the start gives a second point on that date,
    with that observation in effect)."""
    return [scenario.start, *sorted({o.date for o in scenario.evidence})]


def history_points(results: Results) -> tuple[HistoryPoint, ...]:
    """The forecast as of each date of :func:`as_of_dates`, from one set of runs.

    Parameters
    ----------
    results : Results
        Runs of ``results.scenario`` whose first ``len(scenario.evidence)`` probe columns
        hold each run's value of each observation (:func:`sim.model.scenario.probes_of`).

    Returns
    -------
    tuple of HistoryPoint
        The start point (every run weighs 1), then one per distinct observation date D with
        the weights of the observations dated <= D (format section 10).
    """
    sc = results.scenario
    obs = sc.evidence
    observed = np.array([o.observed for o in obs], dtype=bool)
    confidence = np.array([o.confidence for o in obs], dtype=float)
    dates = np.array([o.date.toordinal() for o in obs], dtype=np.int64)
    points = [_point(sc.start, 0, np.ones(results.runs), results.flags)]
    for date in as_of_dates(sc)[1:]:
        used = np.flatnonzero(dates <= date.toordinal())
        values = results.probes[:, used]
        weights, log_scale = scaled_weights(values, observed[used], confidence[used])
        points.append(_point(date, len(used), weights, results.flags, log_scale))
    return tuple(points)


def _point(
    date: dt.date, k: int, weights: np.ndarray, flags: np.ndarray, log_scale: float = 0.0
) -> HistoryPoint:
    """One point from weights (n,) (those of format section 10 divided by exp(log_scale))
    and outcome flags (n, n_outcomes)."""
    total = float(weights.sum())
    squares = float(np.dot(weights, weights))
    n_eff = total * total / squares if squares > 0 else 0.0
    n_out = flags.shape[1]
    if total <= 0:
        nothing = (None,) * n_out
        return HistoryPoint(date, k, 0.0, 0.0, nothing, nothing, nothing)
    p = np.clip((weights @ flags) / total, 0.0, 1.0)
    low, high = effective_wilson(p, n_eff)
    return HistoryPoint(
        date=date,
        observations=k,
        evidence_probability=math.exp(math.log(total / len(weights)) + log_scale),
        effective_runs=n_eff,
        probability=tuple(float(x) for x in p),
        ci_low=tuple(float(x) for x in low),
        ci_high=tuple(float(x) for x in high),
    )


def run_history(
    scenario: Scenario,
    *,
    runs: int,
    seed: int,
    jobs: int | None = None,
    engine: str = "auto",
    progress: Progress | None = None,
    scheduler: str | None = None,
) -> History:
    """Run ``scenario`` once with all its observations, and give the forecast as of the start
    and as of each observation date.

    Parameters
    ----------
    scenario : Scenario
        Its ``evidence`` holds the observations (none: a one-point history).
    runs, seed, jobs, engine, scheduler
        As in :func:`sim.runner.run_scenario`.
    progress : callable(label, done, total), optional
        See :mod:`sim.experiments`.

    Returns
    -------
    History
        Points in date order; a point at which no run agrees with the evidence, and every
        later one, has null probabilities (:attr:`HistoryPoint.ruled_out`).

    Raises
    ------
    SimError
        Bad run settings; :class:`sim.errors.SimulationError` from the engine.
    """
    results = run_batch(
        scenario, runs, seed, jobs, engine, KEEP_VALUES, progress, scheduler=scheduler
    )
    return History(
        scenario=scenario,
        runs=results.runs,
        seed=seed,
        engine=results.settings.engine,
        agree=tuple(float(a) for a in agreement(results)),
        points=history_points(results),
        ran=results.settings,
    )
