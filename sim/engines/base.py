"""The interface every engine implements, and the numbers all engines share.

An engine runs one :class:`~sim.model.streams.RandomBlock` of replications of a scenario and
returns a :class:`~sim.results.BlockResult` of per-run arrays (:meth:`Engine.run_block`), or
the block already reduced to a :class:`~sim.results.Partial` (:meth:`Engine.run_reduced`).
Engines consume the same addressed uniforms through :func:`prepare`, so two engines can be
compared run by run. Time is in days from the scenario's start.

An engine that finds a run out of control (an instantaneous loop, or too many firings) raises
:class:`RunawayRun` with the run's index; it keeps no record of the firings, so the runner
replays that one run with the reference engine, which names the events and the date.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from sim import kernels
from sim.errors import SimulationError
from sim.model.scenario import Scenario
from sim.model.streams import RandomBlock, stream_key
from sim.results import BlockResult, Partial

__all__ = [
    "BLOCK",
    "MAX_INSTANT_FIRINGS",
    "MAX_RUN_FIRINGS",
    "Engine",
    "Prepared",
    "RunawayRun",
    "SlotTables",
    "draw_slots",
    "initial_states",
    "prepare",
]

MAX_INSTANT_FIRINGS = 1000
MAX_RUN_FIRINGS = 100_000  # a daily renewal over the longest horizon (100 years) fits 2.7 times
BLOCK = 1024  # replications per block of an engine that does not choose its own


class RunawayRun(SimulationError):
    """A run went out of control: more than MAX_INSTANT_FIRINGS firings at one instant (an
    instantaneous loop), or more than MAX_RUN_FIRINGS firings in the run.

    Raised by engines that keep no record of the firings; the runner replays the run with the
    reference engine for a message naming the events and the date.

    Parameters
    ----------
    block : RandomBlock
        The block being run.
    run : int
        Index of the run inside the block (0 .. block.n - 1).

    Attributes
    ----------
    block, run
        As given; ``block.start + run`` is the run's index in the whole simulation.
    """

    def __init__(self, block: RandomBlock, run: int):
        self.block = block
        self.run = run
        super().__init__(
            f"run {block.start + run} went out of control: an instantaneous loop (more than "
            f"{MAX_INSTANT_FIRINGS:,} firings at one instant) or more than "
            f"{MAX_RUN_FIRINGS:,} firings in the run"
        )

    def __reduce__(self):
        return type(self), (self.block, self.run)


class Engine(ABC):
    """What the runner needs from an engine.

    Attributes
    ----------
    name : str
        The engine's canonical name in the registry (:mod:`sim.engines`), recorded in the
        results' settings.
    block_size : int
        Replications per block the engine runs best with (the runner may cut blocks smaller
        to bound memory, and never lets one cross a random-number chunk).
    """

    name: ClassVar[str]
    block_size: ClassVar[int] = BLOCK

    @abstractmethod
    def run_block(self, scenario: Scenario, block: RandomBlock) -> BlockResult:
        """Run the replications of ``block``.

        Parameters
        ----------
        scenario : Scenario
        block : RandomBlock
            ``block.n`` replications, runs ``block.start`` .. ``block.start + block.n - 1``.

        Returns
        -------
        BlockResult
            Per-run arrays: ``final`` int16 (n, n_tracks), ``first`` float (n, n_outcomes)
            in days (inf: never), ``at_points`` int16 (n, n_points, n_tracks), ``fires``
            int32 (n, n_events), ``slot_values`` float (n, n_slots), ``traj_hash`` uint64
            (n,), and the trajectories.

        Raises
        ------
        sim.errors.SimulationError
            A run out of control (:class:`RunawayRun`, or a named error from the reference
            engine): an instantaneous loop (more than MAX_INSTANT_FIRINGS firings at one
            instant), or a run with more than MAX_RUN_FIRINGS firings (waits so short that
            time barely moves).
        """

    def run_reduced(self, scenario: Scenario, block: RandomBlock, keep: int | None = None):
        """Run the replications of ``block`` and reduce them.

        Parameters
        ----------
        scenario : Scenario
        block : RandomBlock
        keep : int, optional
            Return the uncertain values of the first ``keep`` runs only (all by default).

        Returns
        -------
        sim.results.Partial
            ``Partial.reduce(scenario, self.run_block(scenario, block))`` with
            ``slot_values`` cut to the first ``keep`` runs, shape (keep, n_slots). Engines
            may reduce as they simulate, with the same result.

        Raises
        ------
        sim.errors.SimulationError
            As :meth:`run_block`.
        """
        part = Partial.reduce(scenario, self.run_block(scenario, block))
        if keep is not None:
            part.slot_values = part.slot_values[:keep].copy()  # not pickled back when unused
        return part


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


@dataclass
class SlotTables:
    """The uncertain values of a scenario as :func:`sim.kernels.draw_columns` takes
    them: stream keys (m,), family codes (m,), params (m, 4), spline index (m,) into
    ``splines`` (n_splines, SPLINE_KNOTS - 1, 4), where index 0 is a placeholder.

    ``extra_spl`` gives the spline index of each of the ``extra`` distributions passed to
    :meth:`of` (the compiled engine's waiting times share the array).
    """

    keys: np.ndarray
    code: np.ndarray
    par: np.ndarray
    spl: np.ndarray
    splines: np.ndarray
    extra_spl: np.ndarray

    @classmethod
    def of(cls, scenario: Scenario, extra: tuple = ()) -> SlotTables:
        """Tables of ``scenario.slots``, with splines for the ``extra`` distributions."""
        m = len(scenario.slots)
        keys = np.array([stream_key(f"slot:{x.name}") for x in scenario.slots], dtype=np.uint64)
        code = np.zeros(m, dtype=np.int64)
        par = np.zeros((max(m, 1), 4))
        coefs = [np.zeros((kernels.SPLINE_KNOTS - 1, 4))]

        def spline_of(distribution) -> int:
            coef = distribution.compiled()[2]
            if coef.shape[0] == 1:
                return 0
            coefs.append(coef)
            return len(coefs) - 1

        spl = np.zeros(m, dtype=np.int64)
        for j, x in enumerate(scenario.slots):
            code[j], par[j] = x.distribution.compiled()[:2]
            spl[j] = spline_of(x.distribution)
        extra_spl = np.array([spline_of(d) for d in extra], dtype=np.int64)
        return cls(keys, code, par, spl, np.stack(coefs), extra_spl)


_tables: tuple[Scenario, SlotTables] | None = None


def _slot_tables(scenario: Scenario) -> SlotTables:
    global _tables
    # the scenario object itself is kept: an id() could be reused by a later scenario
    if _tables is None or _tables[0] is not scenario:
        _tables = (scenario, SlotTables.of(scenario))
    return _tables[1]


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
    t = tables or _slot_tables(scenario)
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
