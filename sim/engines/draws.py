"""The numbers of a block of runs that every engine shares: initial states, uncertain values,
hazard rates, modifier factors and waits, from the block's addressed uniforms
(:mod:`sim.model.streams`). Time is in days from the scenario's start.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim import kernels
from sim.engines.arrays import SlotTables, slot_tables
from sim.model.scenario import Scenario
from sim.model.streams import RandomBlock

__all__ = ["Prepared", "draw_slots", "initial_states", "prepare"]


@dataclass
class Prepared:
    """Numbers derived from a block's uniforms, shared by all engines.

    Attributes
    ----------
    initial : numpy.ndarray, int, shape (n, n_tracks)
        Initial state of each track in each run (inverse CDF of the ``init`` uniforms).
    slot_values : numpy.ndarray, shape (n, n_slots)
        Each uncertain value (days for durations), by inverse CDF of the ``slots`` uniforms.
    hazard : numpy.ndarray, shape (n_events, n)
        Hazard rate per day of ``chance``/``rate`` events (NaN for the others).
    factors : numpy.ndarray, shape (n_events, max_modifiers, n)
        Each modifier's multiplier per run (1 where an event has fewer modifiers).

    The work of the k-th enabling of an event comes from :meth:`work`.
    """

    scenario: Scenario
    block: RandomBlock
    initial: np.ndarray
    slot_values: np.ndarray
    hazard: np.ndarray
    factors: np.ndarray
    _work: dict = field(default_factory=dict, repr=False)

    def work(self, event: int, k: int) -> np.ndarray:
        """Work (days at speed 1) of the k-th enabling of ``event`` in each run, shape (n,).

        ``-ln(u) / hazard`` for ``chance``/``rate`` events (``inf`` at hazard 0), the
        distribution's quantile of ``u`` for ``after`` with a distribution, the parameter for
        ``after: $p`` (the same at every enabling); NaN for ``at`` events.
        """
        key = (event, k)
        out = self._work.get(key)
        if out is not None:
            return out
        timing = self.scenario.events[event].timing
        n = self.block.n
        if timing.kind == "hazard":
            out = kernels.hazard_works(self.block.wait(event, k), self.hazard[event])
        elif timing.kind == "after" and timing.distribution is not None:
            out = timing.distribution.sample(self.block.wait(event, k))
        elif timing.kind == "after":
            out = _per_run(timing.value, self.slot_values, n)
        else:
            out = np.full(n, np.nan)
        self._work[key] = out
        return out

    def work_table(self, depth: int) -> np.ndarray:
        """The work of the first ``depth`` enablings of every event: (n_events, depth, n)."""
        n_events = len(self.scenario.events)
        table = np.empty((n_events, depth, self.block.n))
        for e in range(n_events):
            for k in range(depth):
                table[e, k] = self.work(e, k)
        return table

    def branch_table(self, depth: int) -> np.ndarray:
        """Branch uniforms of the first ``depth`` firings of every event: (n_events, depth, n).

        Events without a branch get 0.5 (never read).
        """
        n_events = len(self.scenario.events)
        table = np.full((n_events, depth, self.block.n), 0.5)
        for e, ev in enumerate(self.scenario.events):
            if len(ev.to) > 1:
                for k in range(depth):
                    table[e, k] = self.block.branch(e, k)
        return table


def prepare(scenario: Scenario, block: RandomBlock) -> Prepared:
    """Turn a block's uniforms into initial states, uncertain values, hazards and factors.

    Returns
    -------
    Prepared
    """
    n = block.n
    initial = initial_states(scenario, block)
    slot_values = draw_slots(scenario, block)
    n_mod = max((len(e.modifiers) for e in scenario.events), default=0)
    factors = np.ones((len(scenario.events), max(n_mod, 1), n))
    hazard = np.full((len(scenario.events), n), np.nan)
    for e, ev in enumerate(scenario.events):
        for m, mod in enumerate(ev.modifiers):
            factors[e, m] = _per_run(mod.factor, slot_values, n)
        timing = ev.timing
        if timing.kind == "hazard":
            raw = _per_run(timing.value, slot_values, n)
            hazard[e] = kernels.hazard_rates(raw, timing.transform == "chance", timing.per_days)
    return Prepared(scenario, block, initial, slot_values, hazard, factors)


def initial_states(scenario: Scenario, block: RandomBlock) -> np.ndarray:
    """Initial state of each track in each run, by inverse CDF of the ``init`` uniforms:
    (n, n_tracks) int64."""
    initial = np.empty((block.n, len(scenario.tracks)), dtype=np.int64)
    for t, track in enumerate(scenario.tracks):
        possible = np.flatnonzero(np.asarray(track.initial) > 0.0)
        if possible.size == 1:  # what the inverse CDF gives for every uniform in (0, 1)
            initial[:, t] = possible[0]
            continue
        cdf = np.cumsum(track.initial)
        cdf[-1] = 1.0
        initial[:, t] = np.minimum(
            np.searchsorted(cdf, block.init[:, t], side="right"), len(cdf) - 1
        )
    return initial


def draw_slots(
    scenario: Scenario,
    block: RandomBlock,
    runs: int | None = None,
    tables: SlotTables | None = None,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """The uncertain values of the first ``runs`` runs of a block (all by default), by inverse
    transform of the ``slot`` uniforms (or of the block's fixed levels): (runs, n_slots), days
    for durations. ``tables`` defaults to the scenario's own; ``out``, a C-contiguous
    (n_slots, runs) array to fill, to a new one."""
    runs = block.n if runs is None else runs
    t = tables or slot_tables(scenario)
    if out is None:
        out = np.empty((len(t.keys), runs))
    columns = kernels.draw_columns(
        np.uint64(block.seed), t.keys, block.start, runs, np.uint64(0), t.code, t.par, t.spl,
        t.splines, np.ascontiguousarray(block.fixed, dtype=float), out,
    )  # fmt: skip
    return columns.T  # (runs, n_slots), a view: each value's draws lie together in memory


def _per_run(value, slot_values: np.ndarray, n: int) -> np.ndarray:
    if value.slot is None:
        return np.full(n, value.const, dtype=float)
    return slot_values[:, value.slot].astype(float)
