"""Folding block results into :class:`~sim.results.Results`, in run order, as they come from
the workers (:mod:`sim.runner`)."""

from __future__ import annotations

import math
import mmap
from typing import TYPE_CHECKING

import numpy as np

from sim.model.scenario import Scenario, checkpoints
from sim.results import Partial, Results, RunSettings

if TYPE_CHECKING:
    from sim.engines.watch import Watch

__all__ = ["PER_RUN", "Collect", "RowSums", "shared_array", "touched_array"]

PER_RUN = ("flags", "first", "final", "traj_hash")  # a partial's arrays with a row per run


class Collect:
    """Block results folded in, in run order, as they come: per-run arrays copied into arrays
    allocated once for all runs (or written there by the workers, when ``shared``), sums
    added, the known trajectory sequences gathered."""

    def __init__(
        self,
        scenario: Scenario,
        total: int,
        keep: int,
        shared: bool = False,
        watch: Watch | None = None,
    ):
        n_out, n_tracks = len(scenario.outcomes), len(scenario.tracks)
        n_points, n_events = len(checkpoints(scenario)), len(scenario.events)
        max_states = max(len(t.states) for t in scenario.tracks)
        self.scenario = scenario
        runs = shared_array if shared else touched_array
        self.flags = runs((total, n_out), bool)
        self.first = runs((total, n_out), float)
        self.final = runs((total, n_tracks), np.int16)
        self.traj_hash = runs(total, np.uint64)
        self.slot_values = runs((keep, len(scenario.slots)), float)
        self.watch = watch
        self.weights = self.probes = None
        if watch is not None:  # sums of weights
            self.weights = runs(total, float)
            self.probes = runs((total, len(watch.probes)), bool)
        count = np.int64 if watch is None else float
        self.occupancy = np.zeros((n_points, n_tracks, max_states), dtype=count)
        self.by_point = np.zeros((n_points, n_out), dtype=count)
        self.passage = np.zeros((n_points, n_out), dtype=count)
        self.fired = np.zeros(n_events, dtype=count)
        self.fire_count = np.zeros(n_events, dtype=count)
        self.sequences: dict = {}
        self.done = 0
        self.weighted = watch is not None and bool(scenario.evidence)
        self.sum_w = self.sum_w2 = 0.0
        self.log_scale = -math.inf  # weights are those of format section 10 / exp(log_scale)

    def per_run(self) -> tuple[str, ...]:
        """Names of the arrays with a row per run (slot values aside)."""
        return PER_RUN + (() if self.watch is None else ("weights", "probes"))

    def add(self, n: int, part: Partial) -> int:
        """Fold in the next block of ``n`` runs; returns the number of runs folded in so far."""
        a, b = self.done, self.done + n
        for name in self.per_run():
            rows = getattr(part, name)
            if rows is not None:  # None: written in place by a worker
                getattr(self, name)[a:b] = rows
        if part.slot_values is not None:  # None: written in place by a worker
            kept = part.slot_values[: max(len(self.slot_values) - a, 0)]
            self.slot_values[a : a + len(kept)] = kept
        scale = self.rescale(a, b, part.log_scale) if self.weighted else None
        for name in ("occupancy", "by_point", "passage", "fired", "fire_count"):
            sums = getattr(part, name)
            getattr(self, name)[...] += sums if scale is None else scale * sums
        for code, seq in part.sequences.items():
            self.sequences.setdefault(code, seq)
        if self.weighted:
            w = self.weights[a:b]
            self.sum_w += float(w.sum())
            self.sum_w2 += float(w @ w)
        self.done = b
        return b

    def rescale(self, a: int, b: int, log_scale: float) -> float:
        """Put runs [a, b), whose weights are scaled by exp(-log_scale), on the common scale
        exp(-self.log_scale) (the largest block scale so far), rescaling what is already
        folded in when the new block's is larger; returns the factor for the block's sums."""
        if log_scale > self.log_scale:
            if not math.isinf(self.log_scale):
                f = math.exp(self.log_scale - log_scale)
                self.weights[:a] *= f
                for name in ("occupancy", "by_point", "passage", "fired", "fire_count"):
                    getattr(self, name)[...] *= f
                self.sum_w, self.sum_w2 = self.sum_w * f, self.sum_w2 * f * f
            self.log_scale = log_scale
        if math.isinf(log_scale):
            return 0.0  # the block's weights are all 0
        f = math.exp(log_scale - self.log_scale)
        if f != 1.0:
            self.weights[a:b] *= f
        return f

    @property
    def effective_runs(self) -> float:
        """Kish's effective number of the runs folded in so far (0 when no weight)."""
        return self.sum_w**2 / self.sum_w2 if self.sum_w2 > 0 else 0.0

    def results(self, settings: RunSettings, rows: np.ndarray | None) -> Results:
        """All the runs as :class:`Results`."""
        return Results(
            scenario=self.scenario,
            settings=settings,
            points=checkpoints(self.scenario),
            flags=self.flags,
            first=self.first,
            final=self.final,
            slot_values=self.slot_values,
            occupancy=self.occupancy,
            by_point=self.by_point,
            passage=self.passage,
            fired=self.fired,
            fire_count=self.fire_count,
            traj_hash=self.traj_hash,
            sequences=self.sequences,
            rows=rows,
            weights=self.weights,
            probes=self.probes,
            probe_list=() if self.watch is None else self.watch.probes,
            log_scale=0.0 if math.isinf(self.log_scale) else self.log_scale,
        )


def shared_array(shape, dtype) -> np.ndarray:
    """A zeroed array in anonymous shared memory (``mmap``): processes forked after its
    creation write into it, and this one reads their rows without a copy."""
    count = int(np.prod(shape, dtype=np.int64))
    buffer = mmap.mmap(-1, max(count * np.dtype(dtype).itemsize, 1))
    return np.frombuffer(buffer, dtype=dtype, count=count).reshape(shape)


def touched_array(shape, dtype) -> np.ndarray:
    """An array whose memory has been written once, so that its pages are mapped now rather
    than block by block as results arrive (a page fault is slow on some virtual machines)."""
    out = np.empty(shape, dtype=dtype)
    out.fill(0)
    return out


class RowSums:
    """Block results folded into per-design-row sums only, as they come: what tornado and
    Sobol need (each row's outcome probabilities, given the evidence when some is in effect),
    in memory that does not grow with the number of runs (:func:`sim.runner.run_design_sums`).

    Runs come in row order, ``runs_per_row`` to a row, and a block never crosses a row.

    Attributes
    ----------
    runs_per_row : int
    sum_w : numpy.ndarray, shape (n_rows,)
        Sum of the runs' weights per row (the number of runs without evidence), on the common
        scale exp(-log_scale).
    sum_wf : numpy.ndarray, shape (n_rows, n_outcomes)
        Sum of w * flag per row and outcome (runs in which the outcome held, without evidence).
    sum_w2 : numpy.ndarray, shape (n_rows,)
        Sum of w^2 per row (on the scale exp(-2 log_scale)), for Kish's effective runs.
    alive : numpy.ndarray of int64, shape (n_rows,)
        Runs of positive weight per row.
    alive_flag : numpy.ndarray of int64, shape (n_rows, n_outcomes)
        Runs of positive weight in which the outcome held.
    log_scale : float
        As :attr:`Collect.log_scale` (-inf until a positive weight arrives).
    weighted : bool
        Whether evidence is in effect.
    """

    def __init__(self, scenario: Scenario, n_rows: int, runs_per_row: int, watch=None):
        n_out = len(scenario.outcomes)
        self.scenario = scenario
        self.runs_per_row = runs_per_row
        self.weighted = watch is not None and bool(scenario.evidence)
        self.sum_w = np.zeros(n_rows)
        self.sum_wf = np.zeros((n_rows, n_out))
        self.sum_w2 = np.zeros(n_rows)
        self.alive = np.zeros(n_rows, dtype=np.int64)
        self.alive_flag = np.zeros((n_rows, n_out), dtype=np.int64)
        self.log_scale = -math.inf if self.weighted else 0.0
        self.done = 0

    def per_run(self) -> tuple[str, ...]:
        """No array with a row per run is kept (so none is shared with the workers)."""
        return ()

    def add(self, n: int, part: Partial) -> int:
        """Fold in the next block of ``n`` runs (all of one row); returns the runs so far."""
        row = self.done // self.runs_per_row
        flags = np.asarray(part.flags, dtype=bool)
        if not self.weighted:
            counts = flags.sum(axis=0)
            self.sum_w[row] += n
            self.sum_w2[row] += n
            self.sum_wf[row] += counts
            self.alive[row] += n
            self.alive_flag[row] += counts
        else:
            w = np.asarray(part.weights, dtype=float)
            scale = self._rescale(part.log_scale)
            positive = w > 0
            self.sum_w[row] += scale * float(w.sum())
            self.sum_w2[row] += scale * scale * float(w @ w)
            self.sum_wf[row] += scale * (w @ flags)
            self.alive[row] += int(positive.sum())
            self.alive_flag[row] += flags[positive].sum(axis=0)
        self.done += n
        return self.done

    def _rescale(self, log_scale: float) -> float:
        """Put a block scaled by exp(-log_scale) on the common scale (as
        :meth:`Collect.rescale`); returns the factor for the block's sums."""
        if log_scale > self.log_scale:
            if not math.isinf(self.log_scale):
                f = math.exp(self.log_scale - log_scale)
                self.sum_w *= f
                self.sum_wf *= f
                self.sum_w2 *= f * f
            self.log_scale = log_scale
        if math.isinf(log_scale):
            return 0.0
        return math.exp(log_scale - self.log_scale)

    @property
    def effective_runs(self) -> float:
        """Kish's effective number of the runs folded in so far, over all rows."""
        total, squares = float(self.sum_w.sum()), float(self.sum_w2.sum())
        return total**2 / squares if squares > 0 else 0.0

    def means(self) -> np.ndarray:
        """Each row's share of runs (of weight) in which each outcome held, as
        :func:`sim.analysis.sensitivity.row_means`: shape (n_rows, n_outcomes), NaN for a row
        whose runs all weigh 0."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(
                self.sum_w[:, None] > 0,
                self.sum_wf / np.where(self.sum_w > 0, self.sum_w, 1)[:, None],
                np.nan,
            )

    def probabilities(self, row: int) -> np.ndarray:
        """Row ``row``'s outcome probabilities as :meth:`sim.results.Results.probabilities`
        (exactly 1 or 0 when the outcome held in every or no run of positive weight), shape
        (n_outcomes,); NaN when every weight is 0."""
        if not self.weighted:
            return self.sum_wf[row] / self.sum_w[row]
        if self.sum_w[row] <= 0:
            return np.full(self.sum_wf.shape[1], np.nan)
        share = np.clip(self.sum_wf[row] / self.sum_w[row], 0.0, 1.0)
        held = self.alive_flag[row]
        return np.where(held == self.alive[row], 1.0, np.where(held > 0, share, 0.0))

    def effective_runs_of(self, row: int) -> float:
        """Kish's effective number of runs of row ``row`` (its runs without evidence)."""
        return self.sum_w[row] ** 2 / self.sum_w2[row] if self.sum_w2[row] > 0 else 0.0

    def evidence_probability(self, row: int) -> float:
        """Row ``row``'s mean weight, sum(w) / runs (format section 10; 1 without evidence)."""
        if not self.weighted:
            return 1.0
        if self.sum_w[row] <= 0 or math.isinf(self.log_scale):
            return 0.0
        return math.exp(math.log(self.sum_w[row] / self.runs_per_row) + self.log_scale)
