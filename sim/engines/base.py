"""The interface every engine implements, and the numbers all engines share.

An engine runs one :class:`~sim.model.streams.RandomBlock` of replications of a scenario and
returns a :class:`~sim.results.BlockResult` of per-run arrays (:meth:`Engine.run_block`), or
the block already reduced to a :class:`~sim.results.Partial` (:meth:`Engine.run_reduced`).
Engines consume the same addressed uniforms (:mod:`sim.engines.draws`) and the same array view
of a scenario (:mod:`sim.engines.arrays`), so two engines can be compared run by run. Time is in days from the scenario's start.

An engine that finds a run out of control (an instantaneous loop, or too many firings) raises
:class:`RunawayRun` with the run's index; it keeps no record of the firings, so the runner
replays that one run with the reference engine, which names the events and the date.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from sim.engines.watch import Watch, weighted_partial
from sim.errors import SimulationError
from sim.model.scenario import Scenario
from sim.model.streams import RandomBlock
from sim.results import BlockResult, Partial, top_sequences

__all__ = [
    "BLOCK",
    "MAX_INSTANT_FIRINGS",
    "MAX_RUN_FIRINGS",
    "Engine",
    "RunawayRun",
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

    def needs_compiling(self) -> bool:
        """Whether the first block will wait for code to be compiled (for about a minute),
        so a caller can say so before it starts; False unless an engine knows it will."""
        return False

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

    def run_weighted(self, watch: Watch, block: RandomBlock, keep: int | None = None):
        """Run the replications of ``block`` with probes, and reduce them with weights.

        Parameters
        ----------
        watch : sim.engines.watch.Watch
            The scenario, its probes and the augmented scenario the runs are made of.
        block : RandomBlock
            Built for ``watch.scenario`` (the augmented scenario draws the same numbers).
        keep : int, optional
            As in :meth:`run_reduced`.

        Returns
        -------
        sim.results.Partial
            For ``watch.scenario``, with per-run ``weights`` and ``probes`` and weighted
            counts (:func:`sim.engines.watch.weighted_partial`).

        Raises
        ------
        sim.errors.SimulationError
            As :meth:`run_block`.
        """
        b = self.run_block(watch.augmented, block)
        return weighted_partial(
            watch,
            at_points=b.at_points,
            first=b.first,
            final=b.final,
            fires=b.fires,
            slot_values=b.slot_values[: block.n if keep is None else keep].copy(),
            traj_hash=b.traj_hash,
            sequences=top_sequences(b.trajectories),
        )
