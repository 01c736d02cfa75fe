"""The compiled engine: the reference semantics as a numba-compiled loop over replications.

The vectorized NumPy engine (:mod:`sim.engines.numpy_engine`) spends its time on whole-array
passes over every clock of every live run at each step; a profile on the bundled scenario (29
events) shows it an order of magnitude short of the 4 million events per second the product
needs for sensitivity analysis. This engine runs the same generalized semi-Markov process run
by run, as the SimPy reference does, but compiled to machine code by numba (``cache=True``:
compiled once per machine, then loaded from ``__pycache__``). The loop itself is
:func:`sim.kernels.simulate`; it reads the scenario's array view
(:func:`sim.engines.arrays.scenario_arrays`) and this module turns its counts into results.

It does the same float operations in the same order as the reference engine, on the same
addressed uniforms, so every run is identical. Waits and branches are drawn inside the loop,
when an event is enabled or fires, straight from their addresses (:func:`sim.kernels.uniform`)
and through the quantile functions every engine shares. Conditions are postfix programs
evaluated with a stack, or truth tables over the joint states when those are few. The block
is reduced inside the loop too (occupancy, outcome counts at each checkpoint, firings, a hash
of each run's trajectory), so :meth:`CompiledEngine.run_reduced` returns a
:class:`~sim.results.Partial` without per-run state arrays. Time is in days.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from sim.engines.arrays import scenario_arrays
from sim.engines.base import (
    MAX_INSTANT_FIRINGS,
    MAX_RUN_FIRINGS,
    Engine,
    RunawayRun,
)
from sim.engines.draws import draw_slots, initial_states
from sim.engines.watch import Watch, weighted_partial
from sim.kernels import Counts, Run, simulate
from sim.model.scenario import Scenario
from sim.model.streams import RandomBlock
from sim.results import BlockResult, Partial, top_indices
from sim.trajectories import MAX_TRAJECTORY

__all__ = ["CompiledEngine"]


class CompiledEngine(Engine):
    """Compiled engine (``--engine compiled``; ``fast`` and ``auto`` are aliases)."""

    name = "compiled"
    block_size = 8192

    def __init__(self) -> None:
        self._buffers: dict[str, np.ndarray] = {}

    def needs_compiling(self) -> bool:
        """Whether :func:`sim.kernels.simulate` is neither compiled in this process nor in
        numba's cache for this version of ``sim/kernels.py`` (once per machine: about a
        minute; loading the cache takes a second or two).

        numba has no public query for its cache: this reads the index of the function's
        cache (``FunctionCache``, numba's own object; the index is empty when the file
        changed since). Should that ever fail, it makes no claim (False).
        """
        if simulate.signatures:
            return False
        try:  # numba's own objects, read by name: not our private API
            index = getattr(getattr(simulate, "_cache"), "_cache_file")  # noqa: B009
            return not getattr(index, "_load_index")()  # noqa: B009
        except Exception:  # noqa: BLE001  a numba without this layout: no claim
            return False

    def run_block(self, scenario: Scenario, block: RandomBlock) -> BlockResult:
        """Run every replication of ``block``, keeping per-run arrays; see
        :class:`sim.engines.base.Engine`."""
        out = self._run(scenario, block, detail=True, keep=block.n)
        traj, length = out["traj"], out["traj_len"]
        trajectories = Counter(tuple(traj[r, : length[r]].tolist()) for r in range(block.n))
        return BlockResult(
            out["final"], out["first"], out["at_points"], out["fires"], trajectories,
            out["slot_values"], out["traj_hash"],
        )  # fmt: skip

    def run_reduced(self, scenario: Scenario, block: RandomBlock, keep: int | None = None):
        """Run every replication of ``block`` and reduce it in the same pass.

        ``keep``: the uncertain values of the first ``keep`` runs are returned with the
        partial (all by default).

        Returns
        -------
        sim.results.Partial
            Equal to ``Partial.reduce(scenario, self.run_block(scenario, block))`` (with
            ``slot_values`` cut to the first ``keep`` runs).

        Raises
        ------
        sim.errors.SimulationError
            An instantaneous loop.
        """
        out = self._run(scenario, block, detail=False, keep=block.n if keep is None else keep)
        return Partial.from_counts(
            scenario,
            first=out["first"],
            final=out["final"],
            final_truth=out["final_truth"],
            slot_values=out["slot_values"],
            occupancy=out["occupancy"],
            at_truth=out["at_truth"],
            passage=out["passage"],
            fired=out["fired"],
            fire_count=out["fire_count"],
            traj_hash=out["traj_hash"],
            sequences=out["sequences"],
        )

    def run_weighted(self, watch: Watch, block: RandomBlock, keep: int | None = None):
        """Run ``block`` with probes and reduce it with weights; see
        :meth:`sim.engines.base.Engine.run_weighted`. The loop keeps each run's checkpoint
        states and firings for the block, which the weighted reduction then reads."""
        keep = block.n if keep is None else keep
        out = self._run(watch.augmented, block, detail=True, keep=keep)
        return weighted_partial(
            watch,
            at_points=out["at_points"],
            first=out["first"],
            final=out["final"],
            fires=out["fires"],
            slot_values=out["slot_values"],
            traj_hash=out["traj_hash"],
            sequences=out["sequences"],
            final_truth=out["final_truth"],
        )

    def _scratch(self, name: str, shape: tuple, dtype) -> np.ndarray:
        """A C-contiguous array of ``shape`` in memory kept from block to block, for values
        no result refers to: fresh memory is slow to touch on some virtual machines."""
        size = int(np.prod(shape))
        have = self._buffers.get(name)
        if have is None or have.dtype != dtype or have.size < size:
            have = self._buffers[name] = np.empty(size, dtype=dtype)
        return have[:size].reshape(shape)  # C-contiguous for any shape: one compiled kernel

    def _run(self, scenario: Scenario, block: RandomBlock, detail: bool, keep: int) -> dict:
        """Simulate ``block``: the kernel's :class:`~sim.kernels.Counts` as a dict (with
        ``fired`` for ``fired_runs``), the uncertain values of the first ``keep`` runs
        (``slot_values``) and the block's most frequent sequences (``sequences``).

        Raises
        ------
        RunawayRun
            A run out of control.
        """
        m = scenario_arrays(scenario)
        n, n_tracks = block.n, len(scenario.tracks)
        n_events, n_out, n_points = len(scenario.events), len(scenario.outcomes), len(m.points)
        out = Counts(
            final=np.empty((n, n_tracks), dtype=np.int16),
            first=np.empty((n, n_out)),
            final_truth=np.empty((n, n_out), dtype=np.bool_),
            occupancy=np.zeros((n_points, n_tracks, m.max_states), dtype=np.int64),
            at_truth=np.zeros((n_points, n_out), dtype=np.int64),
            passage=np.zeros((n_points, n_out), dtype=np.int64),
            fired_runs=np.zeros(n_events, dtype=np.int64),
            fire_count=np.zeros(n_events, dtype=np.int64),
            at_points=np.empty((n if detail else 1, n_points, n_tracks), dtype=np.int16),
            fires=np.empty((n if detail else 1, n_events), dtype=np.int32),
            traj=self._scratch("traj", (n, MAX_TRAJECTORY + 1), np.int32),
            traj_len=self._scratch("traj_len", (n,), np.int64),
            traj_hash=np.empty(n, dtype=np.uint64),
        )
        # draws the partial does not keep go to memory reused from block to block
        buffer = self._scratch("values", (len(m.slots.keys), n), float) if keep == 0 else None
        values = draw_slots(scenario, block, tables=m.slots, out=buffer)
        slots = values if values.shape[1] else np.zeros((n, 1))
        run = Run(
            seed=np.uint64(block.seed),
            first_run=block.start,
            horizon=scenario.horizon_days,
            points=m.points,
            max_instant=MAX_INSTANT_FIRINGS,
            max_run=MAX_RUN_FIRINGS,
            max_traj=MAX_TRAJECTORY,
            detail=detail,
        )
        loop = simulate(run, initial_states(scenario, block), slots, *m.kernel, out)
        # the kernel counts changes at the first checkpoint they reach; states at each
        # checkpoint are the running sums
        for name in ("occupancy", "at_truth", "passage"):
            np.cumsum(getattr(out, name), axis=0, out=getattr(out, name))
        if loop >= 0:
            raise RunawayRun(block, int(loop))
        kept = values[:keep] if keep else np.empty((0, values.shape[1]))  # not the scratch
        result = out._asdict()
        result.update(fired=out.fired_runs, slot_values=kept)
        result["sequences"] = _top_sequences(out.traj, out.traj_len, out.traj_hash)
        return result


def _top_sequences(traj: np.ndarray, traj_len: np.ndarray, traj_hash: np.ndarray) -> dict:
    """Code -> sequence of event indices of the block's most frequent trajectories
    (:func:`sim.results.top_indices`), from ``traj`` (n, MAX_TRAJECTORY + 1), ``traj_len``
    (n,) and ``traj_hash`` (n,)."""
    # distinct codes, their counts and a run that followed each (any one: runs with one
    # code follow one sequence); a quicksort, where np.unique's index needs a stable sort
    order = np.argsort(traj_hash)
    ordered = traj_hash[order]
    edge = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    codes, runs = ordered[edge], order[edge]
    counts = np.diff(np.append(edge, traj_hash.shape[0]))
    return {
        int(codes[i]): tuple(traj[runs[i], : traj_len[runs[i]]].tolist())
        for i in top_indices(codes, counts)
    }
