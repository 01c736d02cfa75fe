"""The one results type every engine's runs end in.

Workers reduce each block of replications to a :class:`Partial` (per-run outcome flags, first
times, final states and uncertain-value draws, plus counts for curves); the runner merges the
partials, in block order, into :class:`Results`. This module holds the data and nothing more:
everything a report shows is computed in :mod:`sim.analysis` from these arrays
(:func:`sim.analysis.summary.summarize`, :mod:`sim.analysis.tables`).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.model.scenario import Scenario, checkpoints
from sim.trajectories import trajectory_hashes

__all__ = ["BlockResult", "Partial", "Results", "RunSettings", "top_sequences"]


@dataclass(frozen=True)
class RunSettings:
    """How a set of runs was made."""

    runs: int
    seed: int
    engine: str
    jobs: int
    elapsed_seconds: float = 0.0
    created: str = ""
    parameter_draws: int = 0
    scheduler: str | None = None  # the Dask scheduler that ran them (sim.cluster), if any

    def provenance(self) -> dict[str, Any]:
        """How the runs were made (``settings`` of the results files; results do not depend
        on it): ``jobs`` (worker processes, or a cluster's worker threads), ``scheduler``
        (address or None), sim's ``version``, ``elapsed_seconds`` (wall clock, of the
        simulation) and ``created`` (ISO 8601, UTC); a dict."""
        from sim import __version__

        return {
            "jobs": self.jobs,
            "scheduler": self.scheduler,
            "version": __version__,
            "elapsed_seconds": round(self.elapsed_seconds, 3),
            "created": self.created,
        }


@dataclass
class BlockResult:
    """Per-run results of one block of ``n`` replications.

    Attributes
    ----------
    final : numpy.ndarray, int16, shape (n, n_tracks)
        State index of each track at the horizon.
    first : numpy.ndarray, float64, shape (n, n_outcomes)
        First time (days) each outcome's condition held; ``inf`` when never.
    at_points : numpy.ndarray, int16, shape (n, n_points, n_tracks)
        States at the checkpoints of :func:`checkpoints` (after the firings due then).
    fires : numpy.ndarray, int32, shape (n, n_events)
        Number of firings of each event.
    trajectories : Counter
        Sequences of the indices of the events that fired, in order (at most
        MAX_TRAJECTORY; a longer one ends with -1) -> number of runs.
    slot_values : numpy.ndarray, float64, shape (n, n_slots)
        The uncertain values drawn for each run.
    traj_hash : numpy.ndarray, uint64, shape (n,)
        Each run's trajectory as :func:`trajectory_hashes` codes it.
    """

    final: np.ndarray
    first: np.ndarray
    at_points: np.ndarray
    fires: np.ndarray
    trajectories: Counter
    slot_values: np.ndarray
    traj_hash: np.ndarray


@dataclass
class Partial:
    """A block's replications, reduced.

    Attributes
    ----------
    flags : bool array (n, n_outcomes)
        Whether each outcome held (at the horizon, or ever when ``ever``).
    first : float array (n, n_outcomes)
        First time (days) each outcome's condition held; inf when never.
    final : int16 array (n, n_tracks)
    slot_values : float array (n, n_slots)
    occupancy : int array (n_points, n_tracks, max_states)
        Runs in each state at each checkpoint.
    by_point : int array (n_points, n_outcomes)
        Runs whose outcome held at each checkpoint (as if the horizon were that time).
    passage : int array (n_points, n_outcomes)
        Runs whose outcome condition had held by each checkpoint.
    fired, fire_count : int arrays (n_events,)
        Runs in which each event fired; total firings.
    traj_hash : uint64 array (n,)
        Each run's trajectory code (:func:`sim.trajectories.trajectory_hashes`).
    sequences : dict
        Code -> sequence of event indices, for the block's TOP_PER_BLOCK most frequent
        trajectories (ties by code).
    weights : float array (n,) or None
        With probes (evidence or indicators, :mod:`sim.engines.watch`): each run's weight
        (ones without evidence), and every count above is a float sum of weights.
    probes : bool array (n, n_probes) or None
        With probes: each run's value of each probe.
    log_scale : float
        The weights (and weighted counts) are those of format section 10 divided by
        exp(log_scale), so that none underflows.
    """

    flags: np.ndarray
    first: np.ndarray
    final: np.ndarray
    slot_values: np.ndarray
    occupancy: np.ndarray
    by_point: np.ndarray
    passage: np.ndarray
    fired: np.ndarray
    fire_count: np.ndarray
    traj_hash: np.ndarray
    sequences: dict = field(default_factory=dict)
    weights: np.ndarray | None = None
    probes: np.ndarray | None = None
    log_scale: float = 0.0

    @classmethod
    def reduce(cls, scenario: Scenario, block: BlockResult) -> Partial:
        """Reduce a block's per-run arrays (see :class:`BlockResult`)."""
        n, n_points, n_tracks = block.at_points.shape
        max_states = max(len(t.states) for t in scenario.tracks)
        occ = np.zeros((n_points, n_tracks, max_states), dtype=np.int64)
        cell = np.arange(n_points)[None, :] * max_states
        for t in range(n_tracks):
            codes = (cell + block.at_points[:, :, t]).ravel()
            occ[:, t] = np.bincount(codes, minlength=n_points * max_states).reshape(
                n_points, max_states
            )
        # outcome conditions, evaluated once per distinct joint state
        states = np.concatenate([block.at_points.reshape(-1, n_tracks), block.final])
        unique, inverse = _distinct_states(states, [len(t.states) for t in scenario.tracks])
        n_out = len(scenario.outcomes)
        truth = np.zeros((len(unique), n_out), dtype=bool)
        for o, outcome in enumerate(scenario.outcomes):
            truth[:, o] = outcome.condition.evaluate(unique.astype(np.int64))
        at_points_truth = truth[inverse[: n * n_points]].reshape(n, n_points, n_out)
        return cls.from_counts(
            scenario,
            first=block.first,
            final=block.final,
            final_truth=truth[inverse[n * n_points :]],
            slot_values=block.slot_values,
            occupancy=occ,
            at_truth=at_points_truth.sum(axis=0),
            fired=np.count_nonzero(block.fires, axis=0),
            fire_count=block.fires.sum(axis=0),
            traj_hash=block.traj_hash,
            sequences=top_sequences(block.trajectories),
        )

    @classmethod
    def from_counts(
        cls,
        scenario: Scenario,
        *,
        first: np.ndarray,
        final: np.ndarray,
        final_truth: np.ndarray,
        slot_values: np.ndarray,
        occupancy: np.ndarray,
        at_truth: np.ndarray,
        fired: np.ndarray,
        fire_count: np.ndarray,
        traj_hash: np.ndarray,
        sequences: dict,
        passage: np.ndarray | None = None,
        weights: np.ndarray | None = None,
        probes: np.ndarray | None = None,
        log_scale: float = 0.0,
    ) -> Partial:
        """A partial from counts an engine accumulated itself (the compiled engine).

        ``final_truth`` (n, n_outcomes) says whether each outcome's condition holds at the
        horizon; ``at_truth`` (n_points, n_outcomes) counts the runs in which it held at each
        checkpoint. ``passage`` is computed from ``first`` when not given. The other arguments
        are as the attributes of the same names (``weights`` and ``probes`` None without
        probes).
        """
        if passage is None:
            passage = _passage(first, checkpoints(scenario))
        ever = np.array([o.ever for o in scenario.outcomes], dtype=bool)
        return cls(
            flags=np.where(ever[None, :], first <= scenario.horizon_days, final_truth),
            first=first,
            final=final,
            slot_values=slot_values,
            occupancy=occupancy,
            by_point=np.where(ever[None, :], passage, at_truth),
            passage=passage,
            fired=fired,
            fire_count=fire_count,
            traj_hash=traj_hash,
            sequences=sequences,
            weights=weights,
            probes=probes,
            log_scale=log_scale,
        )


def _passage(first: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Runs whose first time is at or before each checkpoint: (n_points, n_outcomes) counts of
    ``first[:, o] <= points[p]``."""
    out = np.empty((len(points), first.shape[1]), dtype=np.int64)
    for o in range(first.shape[1]):
        index = np.searchsorted(points, first[:, o], side="left")  # first point >= the time
        out[:, o] = np.cumsum(np.bincount(index, minlength=len(points) + 1)[: len(points)])
    return out


TOP_PER_BLOCK = 100  # trajectories per block whose sequences are kept
TOP_TRAJECTORIES = 10  # trajectories in the summary
IMPORTANCE_RUNS = 20_000  # runs whose draws feed importance (noise of a rho about 0.007)


def top_indices(codes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Indices of the TOP_PER_BLOCK largest ``counts``, ties broken by the smaller code."""
    return np.lexsort((codes, -counts))[:TOP_PER_BLOCK]


def top_sequences(counter: Counter) -> dict:
    """Code -> sequence for the TOP_PER_BLOCK most frequent sequences of a block's counter."""
    if not counter:
        return {}
    seqs = list(counter)
    padded = np.full((len(seqs), max(len(q) for q in seqs) + 1), -2, dtype=np.int64)
    for i, q in enumerate(seqs):
        padded[i, : len(q)] = q
    codes = trajectory_hashes(padded, np.array([len(q) for q in seqs], dtype=np.int64))
    counts = np.array([counter[q] for q in seqs])
    return {int(codes[i]): seqs[i] for i in top_indices(codes, counts)}


def count_trajectories(codes: np.ndarray, counts: np.ndarray, sequences: dict) -> Counter:
    """Sequence -> runs for the distinct trajectory ``codes`` (with their run ``counts``)
    whose sequences are known.

    A trajectory's sequence is known when it was among the TOP_PER_BLOCK most frequent of at
    least one block of runs, or when the runner looked it up for the summary's top ten.
    """
    known = np.isin(codes, np.fromiter(sequences, dtype=np.uint64, count=len(sequences)))
    pairs = zip(codes[known].tolist(), counts[known].tolist(), strict=True)
    return Counter({sequences[c]: k for c, k in pairs})


def _joined(parts: list[Partial], name: str) -> np.ndarray | None:
    """The per-run array ``name`` of the partials, concatenated, or None when they lack it."""
    arrays = [getattr(p, name) for p in parts]
    return None if any(a is None for a in arrays) else np.concatenate(arrays)


def _distinct_states(states: np.ndarray, sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of ``(m, n_tracks)`` states and each row's index among them."""
    if float(np.prod(sizes, dtype=np.float64)) < 2.0**62:  # mixed-radix codes fit int64
        strides = np.cumprod([1, *sizes[:0:-1]])[::-1].astype(np.int64)
        codes, inverse = np.unique(states.astype(np.int64) @ strides, return_inverse=True)
        unique = (codes[:, None] // strides[None, :]) % np.asarray(sizes)[None, :]
        return unique, inverse.ravel()
    unique, inverse = np.unique(states, axis=0, return_inverse=True)
    return unique, inverse.ravel()


@dataclass
class Results:
    """All replications of one scenario variant.

    Attributes
    ----------
    scenario : Scenario
    settings : RunSettings
    points : float array (n_points,)
        Checkpoint times (days): the report grid and report dates.
    flags, first, final, slot_values
        Per-run arrays, concatenated in run order (shapes as in :class:`Partial`, n = runs;
        ``slot_values`` may hold only the first runs, see ``run_scenario(keep_values=...)``).
    occupancy, by_point, passage, fired, fire_count
        Sums over all runs.
    traj_hash, sequences
        Each run's trajectory code and the known sequences (see :class:`Partial`);
        :attr:`trajectories` counts them.
    rows : int array (n,) or None
        The design row of each run (:func:`sim.runner.run_design`).
    weights : float array (n,) or None
        With evidence in effect or indicators: each run's weight (format section 10; ones
        without evidence). None: every run weighs 1. The sums above are then sums of weights.
    probes : bool array (n, n_probes) or None
        Each run's value of each probe of ``probe_list``.
    probe_list : tuple of Probe
        The probes (:func:`sim.model.scenario.probes_of`, then any extra ones).
    log_scale : float
        The weights and weighted sums are those of format section 10 divided by
        exp(log_scale) (:func:`sim.model.evidence.scaled_weights`); shares do not depend on it.
    second_order : Results or None
        The runs of the separate spread design (:func:`sim.experiments.run_spread`: draws of
        the uncertain values, ``rows`` the draw of each run) whose spread across the
        assumptions the summary reports; None when none was made.
    """

    scenario: Scenario
    settings: RunSettings
    points: np.ndarray
    flags: np.ndarray
    first: np.ndarray
    final: np.ndarray
    slot_values: np.ndarray
    occupancy: np.ndarray
    by_point: np.ndarray
    passage: np.ndarray
    fired: np.ndarray
    fire_count: np.ndarray
    traj_hash: np.ndarray
    sequences: dict
    rows: np.ndarray | None = None
    weights: np.ndarray | None = None
    probes: np.ndarray | None = None
    probe_list: tuple = ()
    log_scale: float = 0.0
    second_order: Results | None = None
    _unique: tuple | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def trajectories(self) -> Counter:
        """Trajectory (tuple of event indices; -1 ends a cut one) -> number of runs, exact,
        for every trajectory whose sequence is known (see :func:`count_trajectories`).

        Counted afresh at each call, so sequences added to :attr:`sequences` later count.
        """
        codes, counts = self._distinct()
        return count_trajectories(codes, counts, self.sequences)

    def top_codes(self, k: int = TOP_TRAJECTORIES) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The ``k`` most frequent trajectory codes, ties broken by the earliest run (in run
        order) that followed them: (codes, counts, first run position), each (<= k,).

        The order depends on the runs alone, not on how they were cut into blocks.
        """
        codes, counts = self._distinct()
        if self.weighted:  # most frequent by weight
            counts = self._weighted_counts(codes)
        candidates = np.arange(len(codes))
        if len(codes) > k:  # only the counts at or above the k-th largest can make the list
            candidates = np.flatnonzero(counts >= np.partition(counts, -k)[-k])
        if len(candidates) <= 4 * k:  # few: find each one's first run directly
            first = np.array([np.argmax(self.traj_hash == c) for c in codes[candidates]], int)
        else:  # many ties: the first run of every code
            first = np.unique(self.traj_hash, return_index=True)[1][candidates]
        order = np.lexsort((first, -counts[candidates]))[:k]
        return codes[candidates[order]], counts[candidates[order]], first[order]

    def _distinct(self) -> tuple[np.ndarray, np.ndarray]:
        """Distinct trajectory codes and their run counts (cached)."""
        if self._unique is None:
            self._unique = np.unique(self.traj_hash, return_counts=True)
        return self._unique

    def _weighted_counts(self, codes: np.ndarray) -> np.ndarray:
        """Sum of the weights of the runs that followed each of the distinct ``codes``."""
        index = np.searchsorted(codes, self.traj_hash)
        return np.bincount(index, weights=self.weights, minlength=len(codes))

    def trajectory_runs(self, sequence: tuple) -> int:
        """Number of runs (unweighted) that followed ``sequence``."""
        padded = np.array([[*sequence, -2]], dtype=np.int64)
        code = trajectory_hashes(padded, np.array([len(sequence)], dtype=np.int64))[0]
        codes, counts = self._distinct()
        i = int(np.searchsorted(codes, code))
        return int(counts[i]) if i < len(codes) and codes[i] == code else 0

    def top_trajectories(self, k: int = TOP_TRAJECTORIES) -> list[tuple[tuple, int]]:
        """The ``k`` most frequent trajectories as (sequence, runs), exact counts, in the order
        of :meth:`top_codes` (with evidence, the sum of their runs' weights for runs); the
        runner makes sure their sequences are known."""
        codes, counts, _ = self.top_codes(k)
        return [
            (self.sequences[c], n)
            for c, n in zip(codes.tolist(), counts.tolist(), strict=True)
            if c in self.sequences
        ]

    @classmethod
    def merge(
        cls,
        scenario: Scenario,
        settings: RunSettings,
        parts: list[Partial],
        rows: np.ndarray | None = None,
    ) -> Results:
        """Merge partials given in run order; ``rows`` is each run's design row, if any."""
        sequences: dict = {}
        for p in parts:
            for code, seq in p.sequences.items():
                sequences.setdefault(code, seq)
        scale = max((p.log_scale for p in parts), default=0.0)
        f = [1.0 if math.isinf(scale) else math.exp(p.log_scale - scale) for p in parts]
        weights = _joined(parts, "weights")
        if weights is not None:
            weights = np.concatenate([k * p.weights for k, p in zip(f, parts, strict=True)])
        return cls(
            scenario=scenario,
            settings=settings,
            points=checkpoints(scenario),
            flags=np.concatenate([p.flags for p in parts]),
            first=np.concatenate([p.first for p in parts]),
            final=np.concatenate([p.final for p in parts]),
            slot_values=np.concatenate([p.slot_values for p in parts]),
            occupancy=sum(k * p.occupancy for k, p in zip(f, parts, strict=True)),
            by_point=sum(k * p.by_point for k, p in zip(f, parts, strict=True)),
            passage=sum(k * p.passage for k, p in zip(f, parts, strict=True)),
            fired=sum(k * p.fired for k, p in zip(f, parts, strict=True)),
            fire_count=sum(k * p.fire_count for k, p in zip(f, parts, strict=True)),
            traj_hash=np.concatenate([p.traj_hash for p in parts]),
            sequences=sequences,
            rows=rows,
            weights=weights,
            probes=_joined(parts, "probes"),
            log_scale=scale,
        )

    @property
    def runs(self) -> int:
        """Number of replications."""
        return self.flags.shape[0]

    @property
    def weighted(self) -> bool:
        """Whether evidence is in effect: some run's weight is not 1."""
        return self.weights is not None and bool(self.scenario.evidence)

    @property
    def total_weight(self) -> float:
        """Sum of the runs' weights (the number of runs without evidence): what every count
        of the results is a share of."""
        return float(self.weights.sum()) if self.weighted else float(self.runs)

    @property
    def evidence_probability(self) -> float:
        """The mean weight of format section 10, sum(w) / N: the probability the model gave
        to what was observed (1 without evidence)."""
        if not self.weighted:
            return 1.0
        total = self.total_weight
        if total <= 0 or math.isinf(self.log_scale):
            return 0.0
        return math.exp(math.log(total / self.runs) + self.log_scale)

    @property
    def effective_runs(self) -> float:
        """Kish's effective number of runs, (sum w)^2 / sum(w^2) (Kish 1965, *Survey
        Sampling*, section 11.7); the number of runs without evidence, 0 when every weight
        is 0."""
        if not self.weighted:
            return float(self.runs)
        squares = float(np.dot(self.weights, self.weights))
        return self.total_weight**2 / squares if squares > 0 else 0.0

    # -- views -----------------------------------------------------------------------------
    def probabilities(self) -> np.ndarray:
        """Share of runs (of the total weight, with evidence) in which each outcome held,
        shape (n_outcomes,); NaN when every weight is 0. With evidence, exactly 1 (0) when
        the outcome held in every (no) run of positive weight, whatever the rounding of the
        two sums."""
        if not self.weighted:
            return self.flags.mean(axis=0)
        total = self.total_weight
        if total <= 0:
            return np.full(self.flags.shape[1], np.nan)
        alive = self.flags[self.weights > 0]
        share = np.clip((self.weights @ self.flags) / total, 0.0, 1.0)
        return np.where(alive.all(axis=0), 1.0, np.where(alive.any(axis=0), share, 0.0))

    def prior_probabilities(self) -> np.ndarray:
        """Share of runs in which each outcome held, every run weighing 1, shape
        (n_outcomes,)."""
        return self.flags.mean(axis=0)

    def grid_index(self) -> list[int]:
        """Indices into ``points`` of the report grid (start, k x every, horizon)."""
        return [int(np.searchsorted(self.points, d)) for d in self.scenario.grid_days]
