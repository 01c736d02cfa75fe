"""Probes and weights: what every engine adds to its runs when there is evidence or there are
indicators (format sections 10 and 11).

A probe (:class:`sim.model.evidence.Probe`) is a condition evaluated in each run at one day:
the state then, or with ``ever`` whether the condition held at any instant since the start.
Engines need no new machinery for it. :func:`watch` makes an *augmented* scenario, the same
model with each distinct probe condition added as a hidden outcome and each probe day added
as a checkpoint, so an engine's first times and checkpoint states already hold every probe's
value: an ``ever`` probe is ``first <= day``, a point probe the condition on the state at the
checkpoint ``day``. The augmented scenario draws the same random numbers as the scenario
(outcomes and checkpoints draw none), so each run is the run without probes.

:func:`weighted_partial` turns one block's per-run arrays into a :class:`~sim.results.Partial`
of the scenario as written: the probe values, each run's weight (the product over the
observations of ``confidence`` when the run agrees with it, ``1 - confidence`` otherwise), and
every count weighted. Time is in days.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sim.model.evidence import Probe, scaled_weights
from sim.model.scenario import Outcome, Scenario, checkpoints, probes_of
from sim.results import Partial

__all__ = ["Watch", "watch", "weighted_partial"]


@dataclass(frozen=True)
class Watch:
    """A scenario with probes, ready for the engines.

    Attributes
    ----------
    scenario : Scenario
        The scenario as loaded; results are in its terms.
    augmented : Scenario
        What engines run: the scenario with a hidden outcome per distinct probe condition
        (after its own outcomes) and a checkpoint per probe day.
    probes : tuple of Probe
        :func:`probes_of` the scenario, then any extra probes.
    column : int array (n_probes,)
        Each probe's outcome index in ``augmented``.
    point : int array (n_probes,)
        Each probe day's checkpoint index in ``augmented``.
    keep : int array (n_points,)
        The indices in ``augmented``'s checkpoints of the scenario's own checkpoints.
    observed, confidence : arrays (n_observations,)
        Of the observations in effect (the first probes).
    """

    scenario: Scenario
    augmented: Scenario
    probes: tuple[Probe, ...]
    column: np.ndarray
    point: np.ndarray
    keep: np.ndarray
    observed: np.ndarray
    confidence: np.ndarray


def watch(scenario: Scenario, extra: tuple[Probe, ...] = ()) -> Watch | None:
    """The :class:`Watch` of ``scenario`` and its observations and indicators, plus ``extra``
    probes (candidate signposts); None when there is no probe at all."""
    probes = probes_of(scenario) + tuple(extra)
    if not probes:
        return None
    conditions: dict = {}
    hidden = []
    for p in probes:
        if p.condition not in conditions:
            conditions[p.condition] = len(scenario.outcomes) + len(hidden)
            hidden.append(Outcome(f"probe_{len(hidden)}", p.text, p.condition, False, p.text))
    days = sorted({p.day for p in probes})
    extra_dates = tuple((scenario.date_of(d), d) for d in days)
    augmented = replace(
        scenario,
        outcomes=scenario.outcomes + tuple(hidden),
        report_dates=scenario.report_dates + extra_dates,
    )
    points = checkpoints(augmented)
    return Watch(
        scenario=scenario,
        augmented=augmented,
        probes=probes,
        column=np.array([conditions[p.condition] for p in probes], dtype=np.int64),
        point=np.searchsorted(points, [p.day for p in probes]).astype(np.int64),
        keep=np.searchsorted(points, checkpoints(scenario)).astype(np.int64),
        observed=np.array([o.observed for o in scenario.evidence], dtype=bool),
        confidence=np.array([o.confidence for o in scenario.evidence], dtype=float),
    )


def weighted_partial(
    w: Watch,
    *,
    at_points: np.ndarray,
    first: np.ndarray,
    final: np.ndarray,
    fires: np.ndarray,
    slot_values: np.ndarray,
    traj_hash: np.ndarray,
    sequences: dict,
    final_truth: np.ndarray | None = None,
) -> Partial:
    """One block of runs of ``w.augmented``, reduced for ``w.scenario`` with weights.

    Parameters
    ----------
    w : Watch
    at_points : int16 array (n, n_points_augmented, n_tracks)
    first : float array (n, n_outcomes_augmented)
        First times (days; inf: never).
    final : int16 array (n, n_tracks)
    fires : int array (n, n_events)
    slot_values, traj_hash, sequences
        As :class:`~sim.results.Partial` takes them.
    final_truth : bool array (n, >= n_outcomes), optional
        Whether each outcome holds at the horizon; computed from ``final`` when not given.

    Returns
    -------
    Partial
        With ``weights`` (n,) and ``probes`` bool (n, n_probes); every count a float sum of
        weights. The weights are scaled so that the block's largest is 1
        (:func:`sim.model.evidence.scaled_weights`); ``log_scale`` is the logarithm of the
        factor that undoes it.
    """
    from sim.engines.arrays import scenario_arrays  # numba: loaded by engines, not runners
    from sim.kernels import weigh_points

    sc = w.scenario
    n_out, n = len(sc.outcomes), final.shape[0]
    values = _probe_values(w, at_points, first)
    weights, log_scale = scaled_weights(values[:, : len(w.observed)], w.observed, w.confidence)
    cond = scenario_arrays(w.augmented).kernel[1]
    max_states = max(len(t.states) for t in sc.tracks)
    occupancy = np.zeros((len(w.keep), len(sc.tracks), max_states))
    at_truth = np.zeros((len(w.keep), n_out))
    weigh_points(np.ascontiguousarray(at_points), w.keep, weights, cond, n_out, occupancy, at_truth)
    own_first = np.ascontiguousarray(first[:, :n_out])
    if final_truth is None:
        final_truth = np.column_stack(
            [o.condition.evaluate(final.astype(np.int64)) for o in sc.outcomes]
        ).reshape(n, n_out)
    return Partial.from_counts(
        sc,
        first=own_first,
        final=final,
        final_truth=np.ascontiguousarray(final_truth[:, :n_out]),
        slot_values=slot_values,
        occupancy=occupancy,
        at_truth=at_truth,
        passage=_weighted_passage(own_first, checkpoints(sc), weights),
        fired=(fires > 0).T.astype(float) @ weights,
        fire_count=fires.T.astype(float) @ weights,
        traj_hash=traj_hash,
        sequences=sequences,
        weights=weights,
        probes=values,
        log_scale=log_scale,
    )


def _probe_values(w: Watch, at_points: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Each run's value of each probe: bool (n, n_probes)."""
    from sim.engines.arrays import scenario_arrays
    from sim.kernels import point_truth

    n = first.shape[0]
    values = np.empty((n, len(w.probes)), dtype=np.bool_)
    cond = scenario_arrays(w.augmented).kernel[1]
    point_truth(np.ascontiguousarray(at_points), cond, w.point, w.column, values)
    for k, p in enumerate(w.probes):
        if p.ever:
            values[:, k] = first[:, w.column[k]] <= p.day
    return values


def _weighted_passage(first: np.ndarray, points: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Sum of the weights of the runs whose first time is at or before each checkpoint:
    float (n_points, n_outcomes)."""
    out = np.empty((len(points), first.shape[1]))
    for o in range(first.shape[1]):
        index = np.searchsorted(points, first[:, o], side="left")
        counts = np.bincount(index, weights=weights, minlength=len(points) + 1)
        out[:, o] = np.cumsum(counts[: len(points)])
    return out
