"""The compiled engine: the reference semantics as a numba-compiled loop over replications.

The vectorized NumPy engine (:mod:`sim.engines.numpy_engine`) spends its time on whole-array passes
over every clock of every live run at each step; a profile on the bundled scenario (29 events)
shows it an order of magnitude short of the 4 million events per second the product needs for
sensitivity analysis. This engine runs the same generalized semi-Markov process run by run, as
the SimPy reference does, but compiled to machine code by numba (``cache=True``: compiled once
per machine, then loaded from ``__pycache__``). The loop itself is :func:`sim.kernels.simulate`;
this module turns a scenario into the arrays it takes and its counts into results.

It does the same float operations in the same order as the reference engine, on the same
addressed uniforms, so every run is identical. Waits and branches are drawn inside the loop,
when an event is enabled or fires, straight from their addresses
(:func:`sim.kernels.uniform`) and through the quantile functions every engine shares. Conditions are compiled into
small postfix programs evaluated with a stack, or into truth tables over the joint states when
those are few. The block is reduced inside the loop too (occupancy, outcome counts at each
checkpoint, firings, a hash of each run's trajectory), so :meth:`CompiledEngine.run_reduced`
returns a :class:`~sim.results.Partial` without per-run state arrays.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from sim.engines.arrays import SlotTables
from sim.engines.base import (
    MAX_INSTANT_FIRINGS,
    MAX_RUN_FIRINGS,
    Engine,
    RunawayRun,
)
from sim.engines.draws import draw_slots, initial_states
from sim.kernels import MAX_MODIFIER_BITS, simulate
from sim.model.conditions import And, Const, Not, Or, Test
from sim.model.scenario import Scenario, checkpoints
from sim.model.streams import RandomBlock, stream_key
from sim.results import BlockResult, Partial, top_indices
from sim.trajectories import MAX_TRAJECTORY

__all__ = ["CompiledEngine"]

OP_TEST, OP_NOT, OP_AND, OP_OR, OP_CONST = 0, 1, 2, 3, 4
W_AT, W_HAZARD, W_DIST, W_VALUE = 0, 1, 2, 3  # how an event's work is drawn
MAX_TABLE = 1 << 16  # joint states up to which condition truth is tabulated


class _Programs:
    """Conditions as postfix programs: ``code`` (n_instr, 3) rows (op, a, b), ``start`` offsets,
    and ``masks`` (n_masks, max_states) for ``TEST`` (track a in mask b)."""

    def __init__(self, max_states: int):
        self.code: list[tuple[int, int, int]] = []
        self.start: list[int] = [0]
        self.masks: list[np.ndarray] = []
        self.max_states = max_states

    def add(self, cond) -> int:
        self._emit(cond)
        self.start.append(len(self.code))
        return len(self.start) - 2

    def _emit(self, cond) -> None:
        if isinstance(cond, Test):
            mask = np.zeros(self.max_states, dtype=np.bool_)
            mask[list(cond.states)] = True
            self.masks.append(mask)
            self.code.append((OP_TEST, cond.track, len(self.masks) - 1))
        elif isinstance(cond, Not):
            self._emit(cond.arg)
            self.code.append((OP_NOT, 0, 0))
        elif isinstance(cond, And | Or):
            for arg in cond.args:
                self._emit(arg)
            self.code.append((OP_AND if isinstance(cond, And) else OP_OR, len(cond.args), 0))
        elif isinstance(cond, Const):
            self.code.append((OP_CONST, int(cond.value), 0))
        else:  # pragma: no cover
            raise TypeError(f"unknown condition node {cond!r}")

    def arrays(self):
        code = np.array(self.code or [(OP_CONST, 1, 0)], dtype=np.int64).reshape(-1, 3)
        masks = (
            np.array(self.masks, dtype=np.bool_)
            if self.masks
            else np.zeros((1, self.max_states), dtype=np.bool_)
        )
        return code, np.array(self.start, dtype=np.int64), masks


class _Model:
    """A scenario as the arrays the kernel takes."""

    def _timings(self, sc: Scenario) -> None:
        """How each event's work is drawn: ``wkind`` (W_*), the family of ``after`` draws
        (``wcode``, ``wpar`` (n_events, 4), ``wspl`` into ``splines`` (n, 4096, 4)), the
        uncertain value of ``after: $p`` (``wslot``, -1 for ``wconst``) and stream keys."""
        n_events = len(sc.events)
        self.wkind = np.zeros(n_events, dtype=np.int64)
        self.wcode = np.zeros(n_events, dtype=np.int64)
        self.wpar = np.zeros((n_events, 4))
        self.wspl = np.zeros(n_events, dtype=np.int64)
        self.wslot = np.full(n_events, -1, dtype=np.int64)
        self.wconst = np.zeros(n_events)
        dists = []
        for i, e in enumerate(sc.events):
            timing = e.timing
            if timing.kind == "at":
                self.wkind[i] = W_AT
            elif timing.kind == "hazard":
                self.wkind[i] = W_HAZARD
            elif timing.distribution is not None:
                self.wkind[i] = W_DIST
                self.wcode[i], self.wpar[i] = timing.distribution.compiled()[:2]
                dists.append((i, timing.distribution))
            else:
                self.wkind[i] = W_VALUE
                if timing.value.slot is None:
                    self.wconst[i] = timing.value.const
                else:
                    self.wslot[i] = timing.value.slot
        self.tables = SlotTables.of(sc, tuple(d for _, d in dists))
        self.splines = self.tables.splines
        for (i, _), k in zip(dists, self.tables.extra_spl, strict=True):
            self.wspl[i] = k
        # hazard rates: from a constant or an uncertain value, per run
        self.hz_slot = np.full(n_events, -1, dtype=np.int64)
        self.hz_const = np.zeros(n_events)
        self.hz_chance = np.zeros(n_events, dtype=np.bool_)
        self.hz_per = np.ones(n_events)
        for i, e in enumerate(sc.events):
            if e.timing.kind == "hazard":
                value = e.timing.value
                self.hz_slot[i] = -1 if value.slot is None else value.slot
                self.hz_const[i] = value.const if value.slot is None else 0.0
                self.hz_chance[i] = e.timing.transform == "chance"
                self.hz_per[i] = e.timing.per_days
        # modifier factors likewise
        width = self.mod.shape[1]
        self.mod_slot = np.full((n_events, width), -1, dtype=np.int64)
        self.mod_const = np.ones((n_events, width))
        for i, e in enumerate(sc.events):
            for m, mod in enumerate(e.modifiers):
                if mod.factor.slot is None:
                    self.mod_const[i, m] = mod.factor.const
                else:
                    self.mod_slot[i, m] = mod.factor.slot
        self.key_wait = np.array([stream_key(f"wait:{e.id}") for e in sc.events], dtype=np.uint64)
        self.key_branch = np.array(
            [stream_key(f"branch:{e.id}") for e in sc.events], dtype=np.uint64
        )

    def __init__(self, sc: Scenario):
        self.sc = sc
        n_tracks = len(sc.tracks)
        n_events = len(sc.events)
        max_states = max(len(t.states) for t in sc.tracks)
        progs = _Programs(max_states)
        self.track = np.array([e.track for e in sc.events], dtype=np.int64)
        self.from_mask = np.zeros((n_events, max_states), dtype=np.bool_)
        self.guard = np.full(n_events, -1, dtype=np.int64)
        self.n_mod = np.array([len(e.modifiers) for e in sc.events], dtype=np.int64)
        self.mod = np.full((n_events, max(1, int(self.n_mod.max(initial=0)))), -1, dtype=np.int64)
        self.is_at = np.array([e.timing.kind == "at" for e in sc.events], dtype=np.bool_)
        self.day = np.array([e.timing.day if e.timing.kind == "at" else np.inf for e in sc.events])
        n_branch = max(len(e.to) for e in sc.events)
        self.n_to = np.array([len(e.to) for e in sc.events], dtype=np.int64)
        self.cum = np.full((n_events, n_branch), np.inf)
        self.targets = np.zeros((n_events, n_branch), dtype=np.int64)
        self.also = np.full((n_events, n_tracks), -1, dtype=np.int64)
        for i, e in enumerate(sc.events):
            self.from_mask[i, list(e.from_states)] = True
            if e.guard is not None:
                self.guard[i] = progs.add(e.guard)
            for m, mod in enumerate(e.modifiers):
                self.mod[i, m] = progs.add(mod.condition)
            acc = 0.0
            for j, (s, p) in enumerate(e.to):
                acc += p
                self.cum[i, j] = acc
                self.targets[i, j] = s
            for t, s in e.also:
                self.also[i, t] = s
        self.outcome = np.array([progs.add(o.condition) for o in sc.outcomes], dtype=np.int64)
        self._timings(sc)
        readers: list[list[int]] = [[] for _ in sc.tracks]
        for e in sc.events:
            for t in e.reads():
                readers[t].append(e.index)
        # ``also`` as lists: event i sets also_track[p] to also_state[p], p in [ptr[i], ptr[i+1])
        self.also_ptr = np.zeros(n_events + 1, dtype=np.int64)
        self.also_ptr[1:] = np.cumsum((self.also >= 0).sum(axis=1))
        rows, cols = np.nonzero(self.also >= 0)
        self.also_track = np.array(cols.tolist() or [0], dtype=np.int64)
        self.also_state = np.array(self.also[rows, cols].tolist() or [0], dtype=np.int64)
        self.readers_ptr = np.zeros(n_tracks + 1, dtype=np.int64)
        self.readers_ptr[1:] = np.cumsum([len(r) for r in readers])
        self.readers = np.array([x for r in readers for x in r] or [0], dtype=np.int64)
        self.code, self.start, self.masks = progs.arrays()
        self.points = checkpoints(sc)
        sizes = [len(t.states) for t in sc.tracks]
        n_joint = float(np.prod(sizes, dtype=np.float64))
        self.tabulated = n_joint <= MAX_TABLE
        n_joint = int(n_joint) if self.tabulated else 1
        self.strides = np.zeros(n_tracks, dtype=np.int64)  # joint-state codes, when tabulated
        if self.tabulated:
            self.strides[-1] = 1
            for t in range(n_tracks - 2, -1, -1):
                self.strides[t] = self.strides[t + 1] * sizes[t + 1]
        if self.tabulated:  # truth of every condition at every joint state
            grids = np.meshgrid(*[np.arange(k) for k in sizes], indexing="ij")
            joint = np.stack([g.ravel() for g in grids], axis=1).astype(np.int64)
            self.en_table = np.zeros((n_joint, n_events), dtype=np.bool_)
            # which modifiers hold, as bits (kernels.MAX_MODIFIER_BITS at most)
            self.mod_tabulated = self.mod.shape[1] <= MAX_MODIFIER_BITS
            self.mod_bits = np.zeros((n_joint if self.mod_tabulated else 1, n_events), np.int32)
            self.out_table = np.zeros((n_joint, len(sc.outcomes)), dtype=np.bool_)
            for i, e in enumerate(sc.events):
                ok = self.from_mask[i, joint[:, e.track]]
                if e.guard is not None:
                    ok &= e.guard.evaluate(joint)
                self.en_table[:, i] = ok
                for m, mod in enumerate(e.modifiers if self.mod_tabulated else ()):
                    self.mod_bits[:, i] |= mod.condition.evaluate(joint).astype(np.int32) << m
            for o, outcome in enumerate(sc.outcomes):
                self.out_table[:, o] = outcome.condition.evaluate(joint)
        else:
            self.en_table = np.zeros((1, n_events), dtype=np.bool_)
            self.mod_tabulated = False
            self.mod_bits = np.zeros((1, n_events), dtype=np.int32)
            self.out_table = np.zeros((1, len(sc.outcomes)), dtype=np.bool_)


class CompiledEngine(Engine):
    """Compiled engine (``--engine compiled``; ``fast`` and ``auto`` are aliases)."""

    name = "compiled"
    block_size = 8192

    def __init__(self) -> None:
        self._models: tuple[Scenario, _Model] | None = None
        self._buffers: dict[str, np.ndarray] = {}

    def _model(self, scenario: Scenario) -> _Model:
        # the scenario object itself is kept: an id() could be reused by a later scenario
        if self._models is None or self._models[0] is not scenario:
            self._models = (scenario, _Model(scenario))
        return self._models[1]

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

    def _scratch(self, name: str, shape: tuple, dtype) -> np.ndarray:
        """A C-contiguous array of ``shape`` in memory kept from block to block, for values
        no result refers to: fresh memory is slow to touch on some virtual machines."""
        size = int(np.prod(shape))
        have = self._buffers.get(name)
        if have is None or have.dtype != dtype or have.size < size:
            have = self._buffers[name] = np.empty(size, dtype=dtype)
        return have[:size].reshape(shape)  # C-contiguous for any shape: one compiled kernel

    def _run(self, scenario: Scenario, block: RandomBlock, detail: bool, keep: int) -> dict:
        m = self._model(scenario)
        n, n_tracks = block.n, len(scenario.tracks)
        n_events, n_out, n_points = len(scenario.events), len(scenario.outcomes), len(m.points)
        max_states = m.from_mask.shape[1]
        out = {
            "final": np.empty((n, n_tracks), dtype=np.int16),
            "first": np.empty((n, n_out)),
            "final_truth": np.empty((n, n_out), dtype=np.bool_),
            "occupancy": np.zeros((n_points, n_tracks, max_states), dtype=np.int64),
            "at_truth": np.zeros((n_points, n_out), dtype=np.int64),
            "passage": np.zeros((n_points, n_out), dtype=np.int64),
            "fired": np.zeros(n_events, dtype=np.int64),
            "fire_count": np.zeros(n_events, dtype=np.int64),
            "at_points": np.empty((n if detail else 1, n_points, n_tracks), dtype=np.int16),
            "fires": np.empty((n if detail else 1, n_events), dtype=np.int32),
        }
        traj = self._scratch("traj", (n, MAX_TRAJECTORY + 1), np.int32)
        traj_len = self._scratch("traj_len", (n,), np.int64)
        traj_hash = np.empty(n, dtype=np.uint64)
        # draws the partial does not keep go to memory reused from block to block
        buffer = self._scratch("values", (len(m.tables.keys), n), float) if keep == 0 else None
        values = draw_slots(scenario, block, tables=m.tables, out=buffer)
        slots = values if values.shape[1] else np.zeros((n, 1))
        loop = simulate(
            np.uint64(block.seed), block.start, scenario.horizon_days,
            initial_states(scenario, block), slots, m.hz_slot, m.hz_const, m.hz_chance,
            m.hz_per, m.mod_slot, m.mod_const,
            m.wkind, m.wcode, m.wpar, m.wspl, m.splines, m.wslot, m.wconst, m.key_wait,
            m.key_branch, m.track, m.from_mask, m.guard, m.mod, m.n_mod, m.is_at, m.day, m.cum,
            m.targets, m.n_to, m.also_ptr, m.also_track, m.also_state, m.readers_ptr, m.readers, m.outcome, m.code, m.start,
            m.masks, m.tabulated, m.strides, m.en_table, m.mod_tabulated, m.mod_bits, m.out_table, m.points,
            MAX_INSTANT_FIRINGS, MAX_RUN_FIRINGS, MAX_TRAJECTORY, detail, out["final"], out["first"],
            out["final_truth"], out["occupancy"], out["at_truth"], out["passage"], out["fired"],
            out["fire_count"], out["at_points"], out["fires"], traj, traj_len, traj_hash,
        )  # fmt: skip
        # the kernel counts changes at the first checkpoint they reach; states at each
        # checkpoint are the running sums
        np.cumsum(out["occupancy"], axis=0, out=out["occupancy"])
        np.cumsum(out["at_truth"], axis=0, out=out["at_truth"])
        np.cumsum(out["passage"], axis=0, out=out["passage"])
        if loop >= 0:
            raise RunawayRun(block, int(loop))
        kept = values[:keep] if keep else np.empty((0, values.shape[1]))  # not the scratch
        out.update(traj=traj, traj_len=traj_len, traj_hash=traj_hash, slot_values=kept)
        # distinct codes, their counts and a run that followed each (any one: runs with one
        # code follow one sequence); a quicksort, where np.unique's index needs a stable sort
        order = np.argsort(traj_hash)
        ordered = traj_hash[order]
        edge = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
        codes, runs = ordered[edge], order[edge]
        counts = np.diff(np.append(edge, n))
        out["sequences"] = {
            int(codes[i]): tuple(traj[runs[i], : traj_len[runs[i]]].tolist())
            for i in top_indices(codes, counts)
        }
        return out
