"""Work units: one block of replications, simulated and reduced where it runs.

A run of ``N`` replications is cut into work units by :mod:`sim.runner`; each unit is a block
of consecutive run indices (one random-number chunk at most, :func:`sim.model.streams.blocks`)
and is simulated and reduced to a :class:`~sim.results.Partial` by a :class:`Worker`: in the
command's own process, in a worker of the built-in process pool (:mod:`sim.runner`) or on a
Dask worker (:mod:`sim.cluster`). Every random number is addressed by run index
(:mod:`sim.model.streams`), so a unit's partial does not depend on where it ran.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sim.collect import PER_RUN
from sim.engines import REFERENCE, get_engine
from sim.engines.base import RunawayRun
from sim.errors import SimulationError
from sim.model.scenario import Scenario
from sim.model.streams import RandomBlock
from sim.results import Partial

if TYPE_CHECKING:
    from sim.engines.watch import Watch

__all__ = ["Setup", "Unit", "Worker", "named_error"]


class Setup(NamedTuple):
    """What every work unit of one run needs, sent once to each worker.

    Attributes
    ----------
    scenario : Scenario
    engine : str
        Canonical engine name (:func:`sim.engines.canonical_name`).
    seed : int
    design : numpy.ndarray, shape (n_rows, n_slots), or None
        Quantile levels at which each design row fixes the uncertain values (NaN: random);
        see :func:`sim.runner.run_design`.
    watch : Watch or None
        The probes (evidence, indicators, candidate signposts), when there are any.
    """

    scenario: Scenario
    engine: str
    seed: int
    design: np.ndarray | None
    watch: Watch | None


class Unit(NamedTuple):
    """One block of runs (see :func:`sim.runner.run_design`).

    Attributes
    ----------
    row : int
        Design row whose values the block fixes, or -1 (none).
    start, stop : int
        Run indices ``[start, stop)``.
    keep : int
        Number of leading runs whose uncertain-value draws are sent back.
    position : int
        Position of the block's first run in the collected per-run arrays.
    """

    row: int
    start: int
    stop: int
    keep: int
    position: int


class Worker:
    """Simulates work units of one :class:`Setup` with its own engine (whose scratch memory
    is reused from block to block; one thread at a time).

    Parameters
    ----------
    setup : Setup
    shared : dict of numpy.ndarray, optional
        The collected per-run arrays (:class:`sim.collect.Collect`), in memory shared with
        the process that folds the partials: each block's rows are written there, and its
        partial goes back without them (the built-in pool's forked workers).
    """

    def __init__(self, setup: Setup, shared: dict | None = None) -> None:
        self.setup = setup
        self.engine = get_engine(setup.engine)
        self.shared = shared

    def run(self, unit: tuple[int, int, int, int, int]) -> tuple[int, Partial]:
        """Simulate one unit (a :class:`Unit` or a plain tuple of its fields).

        Returns
        -------
        tuple of (int, Partial)
            The number of runs and their partial.

        Raises
        ------
        SimulationError
            A run out of control, named by :func:`named_error`.
        """
        row, start, stop, keep, position = unit
        scenario, _, seed, design, watch = self.setup
        block = RandomBlock.build(scenario, seed, start, stop)
        if row >= 0:
            block.fix(design[row])
        try:
            if watch is None:
                part = self.engine.run_reduced(scenario, block, keep)
            else:
                part = self.engine.run_weighted(watch, block, keep)
        except SimulationError as exc:
            raise named_error(scenario, exc) from None
        if self.shared is not None:
            self.write_shared(part, position, block.n)
        return block.n, part

    def write_shared(self, part: Partial, position: int, n: int) -> None:
        """Move the per-run rows of ``part`` (``n`` runs from ``position``) into the shared
        arrays, leaving None in their place."""
        shared = self.shared
        for name in PER_RUN + (() if self.setup.watch is None else ("weights", "probes")):
            shared[name][position : position + n] = getattr(part, name)
            setattr(part, name, None)
        # the kept draws: the first rows of the first blocks only
        shared["slot_values"][position : position + len(part.slot_values)] = part.slot_values
        part.slot_values = None


def named_error(scenario: Scenario, error: SimulationError) -> SimulationError:
    """The error of a run out of control, after the scenario's file name (``FILE: error: ...``).

    A :class:`RunawayRun` (from an engine that keeps no record of the firings) is simulated
    again on its own by the reference engine, which names the events and the date (its
    numbers are addressed, so it is the same run; the engines agree on such runs, tested).

    Returns
    -------
    SimulationError
    """
    if isinstance(error, RunawayRun):
        block, run = error.block, error.run
        single = RandomBlock.build(scenario, block.seed, block.start + run, block.start + run + 1)
        single.fix(block.fixed)
        try:
            get_engine(REFERENCE).run_block(scenario, single)
        except SimulationError as exc:
            error = exc
    return SimulationError(f"{scenario.file}: error: {error}") if scenario.file else error
