"""The compiled engine: the reference semantics as a numba-compiled loop over replications.

The vectorized NumPy engine (:mod:`sim.engines.fast`) spends its time on whole-array passes
over every clock of every live run at each step; a profile on the bundled scenario (29 events)
shows it an order of magnitude short of the 4 million events per second the product needs for
sensitivity analysis. This engine runs the same generalized semi-Markov process run by run, as
the SimPy reference does, but compiled to machine code by numba (``cache=True``: compiled once
per machine, then loaded from ``__pycache__``).

It does the same float operations in the same order as the reference engine, on the same
addressed uniforms, so every run is identical. Waits and branches are drawn inside the loop,
when an event is enabled or fires, straight from their addresses (:func:`sim.model.numeric.
uniform`) and through the quantile functions every engine shares. Conditions are compiled into
small postfix programs evaluated with a stack, or into truth tables over the joint states when
those are few. The block is reduced inside the loop too (occupancy, outcome counts at each
checkpoint, firings, a hash of each run's trajectory), so :meth:`CompiledEngine.run_reduced`
returns a :class:`~sim.results.Partial` without per-run state arrays.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from sim.engines.base import (
    MAX_INSTANT_FIRINGS,
    MAX_TRAJECTORY,
    BlockResult,
    SlotTables,
    checkpoints,
    draw_slots,
    initial_states,
)
from sim.errors import SimulationError
from sim.model.conditions import And, Const, Not, Or, Test
from sim.model.numeric import hazard_rate, hazard_work, quantile, uniform
from sim.model.scenario import Scenario
from sim.model.streams import RandomBlock, stream_key
from sim.results import Partial, top_codes

__all__ = ["CompiledEngine", "available"]

try:  # numba is a dependency; without it `auto` falls back to the NumPy engine
    import numba
except ImportError:  # pragma: no cover
    numba = None

OP_TEST, OP_NOT, OP_AND, OP_OR, OP_CONST = 0, 1, 2, 3, 4
W_AT, W_HAZARD, W_DIST, W_VALUE = 0, 1, 2, 3  # how an event's work is drawn
MAX_TABLE = 1 << 16  # joint states up to which condition truth is tabulated


def available() -> bool:
    """Whether numba can be imported here."""
    return numba is not None


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
        # bit sets of events (up to 64, with tabulated conditions): enabled at each joint
        # state, moved by each track, with modifiers; they let the kernel skip clocks that
        # a change cannot affect
        self.use_bits = bool(self.tabulated and n_events <= 64)
        self.track_bits = np.zeros(n_tracks, dtype=np.uint64)
        self.has_mod_bits = np.uint64(0)
        for i, e in enumerate(sc.events):
            if self.use_bits:
                self.track_bits[e.track] |= np.uint64(1 << i)
                if e.modifiers:
                    self.has_mod_bits |= np.uint64(1 << i)
        if self.tabulated:  # truth of every condition at every joint state
            grids = np.meshgrid(*[np.arange(k) for k in sizes], indexing="ij")
            joint = np.stack([g.ravel() for g in grids], axis=1).astype(np.int64)
            self.en_table = np.zeros((n_joint, n_events), dtype=np.bool_)
            self.mod_table = np.zeros((n_joint, n_events, self.mod.shape[1]), dtype=np.bool_)
            self.out_table = np.zeros((n_joint, len(sc.outcomes)), dtype=np.bool_)
            for i, e in enumerate(sc.events):
                ok = self.from_mask[i, joint[:, e.track]]
                if e.guard is not None:
                    ok &= e.guard.evaluate(joint)
                self.en_table[:, i] = ok
                for m, mod in enumerate(e.modifiers):
                    self.mod_table[:, i, m] = mod.condition.evaluate(joint)
            for o, outcome in enumerate(sc.outcomes):
                self.out_table[:, o] = outcome.condition.evaluate(joint)
            self.en_bits = np.zeros(n_joint, dtype=np.uint64)
            if self.use_bits:
                for i in range(n_events):
                    self.en_bits |= self.en_table[:, i].astype(np.uint64) << np.uint64(i)
        else:
            self.en_table = np.zeros((1, n_events), dtype=np.bool_)
            self.mod_table = np.zeros((1, n_events, self.mod.shape[1]), dtype=np.bool_)
            self.out_table = np.zeros((1, len(sc.outcomes)), dtype=np.bool_)
            self.en_bits = np.zeros(1, dtype=np.uint64)


class CompiledEngine:
    """Compiled engine (``--engine fast`` when numba is available)."""

    name = "fast"
    block_size = 8192

    def __init__(self) -> None:
        if numba is None:  # pragma: no cover
            raise ImportError("numba is not installed")
        self._models: tuple[Scenario, _Model] | None = None

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

        ``keep``: the uncertain values of the first ``keep`` runs are returned (all by
        default); the others are drawn only where a run uses them.

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
            fired=out["fired"],
            fire_count=out["fire_count"],
            traj_hash=out["traj_hash"],
            sequences=out["sequences"],
        )

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
            "fired": np.zeros(n_events, dtype=np.int64),
            "fire_count": np.zeros(n_events, dtype=np.int64),
            "at_points": np.empty((n if detail else 1, n_points, n_tracks), dtype=np.int16),
            "fires": np.empty((n if detail else 1, n_events), dtype=np.int32),
        }
        traj = np.empty((n, MAX_TRAJECTORY + 1), dtype=np.int32)
        traj_len = np.empty(n, dtype=np.int64)
        traj_hash = np.empty(n, dtype=np.uint64)
        values = draw_slots(scenario, block, tables=m.tables)
        slots = values if values.shape[1] else np.zeros((n, 1))
        loop = _simulate(
            np.uint64(block.seed), block.start, scenario.horizon_days,
            initial_states(scenario, block), slots, m.hz_slot, m.hz_const, m.hz_chance,
            m.hz_per, m.mod_slot, m.mod_const,
            m.wkind, m.wcode, m.wpar, m.wspl, m.splines, m.wslot, m.wconst, m.key_wait,
            m.key_branch, m.track, m.from_mask, m.guard, m.mod, m.n_mod, m.is_at, m.day, m.cum,
            m.targets, m.n_to, m.also, m.readers_ptr, m.readers, m.outcome, m.code, m.start,
            m.masks, m.tabulated, m.strides, m.en_table, m.mod_table, m.out_table, m.use_bits,
            m.en_bits, m.track_bits, m.has_mod_bits, m.points,
            MAX_INSTANT_FIRINGS, MAX_TRAJECTORY, detail, out["final"], out["first"],
            out["final_truth"], out["occupancy"], out["at_truth"], out["fired"],
            out["fire_count"], out["at_points"], out["fires"], traj, traj_len, traj_hash,
        )  # fmt: skip
        # the kernel counts changes at the first checkpoint they reach; states at each
        # checkpoint are the running sums
        np.cumsum(out["occupancy"], axis=0, out=out["occupancy"])
        np.cumsum(out["at_truth"], axis=0, out=out["at_truth"])
        if loop >= 0:
            fired = sorted({int(x) for x in traj[loop, : min(traj_len[loop], MAX_TRAJECTORY)]})
            names = ", ".join(scenario.events[e].id for e in fired)
            raise SimulationError(
                f"instantaneous loop in run {block.start + loop}: more than "
                f"{MAX_INSTANT_FIRINGS:,} firings at one instant, among events {names}; "
                "check the guards and 'at' dates of these events"
            )
        out.update(traj=traj, traj_len=traj_len, traj_hash=traj_hash, slot_values=values[:keep])
        codes, first, counts = np.unique(traj_hash, return_index=True, return_counts=True)
        out["sequences"] = {
            int(codes[i]): tuple(traj[first[i], : traj_len[first[i]]].tolist())
            for i in top_codes(codes, counts)
        }
        return out


def _jit(f):
    return numba.njit(cache=True, nogil=True, error_model="numpy")(f) if numba is not None else f


@_jit
def _eval(c, state, code, start, masks, stack):
    sp = 0
    for i in range(start[c], start[c + 1]):
        op = code[i, 0]
        a = code[i, 1]
        if op == 0:  # TEST
            stack[sp] = masks[code[i, 2], state[a]]
            sp += 1
        elif op == 1:  # NOT
            stack[sp - 1] = not stack[sp - 1]
        elif op == 2:  # AND of a values
            v = True
            for j in range(sp - a, sp):
                v = v and stack[j]
            sp -= a
            stack[sp] = v
            sp += 1
        elif op == 3:  # OR of a values
            v = False
            for j in range(sp - a, sp):
                v = v or stack[j]
            sp -= a
            stack[sp] = v
            sp += 1
        else:  # CONST
            stack[sp] = a != 0
            sp += 1
    return stack[0]


_NONE = np.uint64(0)
_ONE = np.uint64(1)
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@_jit
def _mix(z):
    """The SplitMix64 finalizer (Steele, Lea and Flood 2014): a bijection of uint64."""
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@_jit
def _simulate(  # noqa: PLR0913, PLR0915 - the kernel takes the model as plain arrays
    seed,
    first_run,
    horizon,
    initial,
    slots,
    hz_slot,
    hz_const,
    hz_chance,
    hz_per,
    mod_slot,
    mod_const,
    wkind,
    wcode,
    wpar,
    wspl,
    splines,
    wslot,
    wconst,
    key_wait,
    key_branch,
    track,
    from_mask,
    guard,
    mod,
    n_mod,
    is_at,
    day,
    cum,
    targets,
    n_to,
    also,
    readers_ptr,
    readers,
    outcome,
    code,
    start,
    masks,
    tabulated,
    strides,
    en_table,
    mod_table,
    out_table,
    use_bits,
    en_bits,
    track_bits,
    has_mod_bits,
    points,
    max_instant,
    max_traj,
    detail,
    final,
    first,
    final_truth,
    occupancy,
    at_truth,
    fired_runs,
    fire_count,
    at_points,
    fires,
    traj,
    traj_len,
    traj_hash,
):
    """Simulate runs 0..n-1 of a block; returns -1, or the run with an instantaneous loop.

    ``occupancy`` and ``at_truth`` receive differences: +1/-1 at the first checkpoint at or
    after each change of state or outcome truth (the caller takes cumulative sums).
    """
    n = initial.shape[0]
    n_events = track.shape[0]
    n_tracks = initial.shape[1]
    n_out = outcome.shape[0]
    n_points = points.shape[0]
    inf = np.inf
    stack = np.zeros(code.shape[0] + 1, dtype=np.bool_)
    state = np.zeros(n_tracks, dtype=np.int64)
    enabled = np.zeros(n_events, dtype=np.bool_)
    left = np.zeros(n_events)
    since = np.zeros(n_events)
    speed = np.ones(n_events)
    due = np.full(n_events, inf)
    k_en = np.zeros(n_events, dtype=np.uint64)
    k_fire = np.zeros(n_events, dtype=np.uint64)
    n_fire = np.zeros(n_events, dtype=np.int64)
    at_done = np.zeros(n_events, dtype=np.bool_)
    changed = np.zeros(n_tracks, dtype=np.bool_)
    mark = np.zeros(n_events, dtype=np.int64)
    todo = np.zeros(n_events, dtype=np.int64)
    holds = np.zeros(n_out, dtype=np.bool_)
    for r in range(n):
        run = np.uint64(first_run + r)
        joint = 0
        for t in range(n_tracks):
            state[t] = initial[r, t]
            joint += state[t] * strides[t]
            changed[t] = False
        enabled[:] = False
        speed[:] = 1.0
        due[:] = inf
        k_en[:] = 0
        k_fire[:] = 0
        n_fire[:] = 0
        at_done[:] = False
        enabled_b = _NONE
        at_done_b = _NONE
        mark[:] = 0
        stamp = 0
        tlen = 0
        h = _GOLDEN
        now = 0.0
        for o in range(n_out):
            if tabulated:
                holds[o] = out_table[joint, o]
            else:
                holds[o] = _eval(outcome[o], state, code, start, masks, stack)
            first[r, o] = 0.0 if holds[o] else inf
            if holds[o] and n_points > 0:
                at_truth[0, o] += 1
        if n_points > 0:
            for j in range(n_tracks):
                occupancy[0, j, state[j]] += 1
        n_todo = n_events
        for x in range(n_events):
            todo[x] = x
        fired = -1
        point = 0
        last_t = -1.0
        count = 0
        while True:
            if use_bits:  # keep only the clocks this change can affect
                en_now = en_bits[joint] & ~at_done_b
                if fired < 0:
                    fresh_b = _ALL
                else:
                    fresh_b = _ONE << np.uint64(fired)
                    for j in range(n_tracks):
                        if changed[j]:
                            fresh_b |= track_bits[j]
                need = (enabled_b & ~en_now) | (en_now & (~enabled_b | fresh_b | has_mod_bits))
                kept = 0
                for i in range(n_todo):
                    x = todo[i]
                    if (need >> np.uint64(x)) & _ONE:
                        todo[kept] = x
                        kept += 1
                n_todo = kept
            # re-examine the clocks in todo (section 8.2-8.4)
            for i in range(n_todo):
                x = todo[i]
                fresh = x == fired or changed[track[x]] or fired < 0
                if at_done[x]:
                    en = False
                elif tabulated:
                    en = en_table[joint, x]
                else:
                    en = from_mask[x, state[track[x]]]
                    if en and guard[x] >= 0:
                        en = _eval(guard[x], state, code, start, masks, stack)
                if not en:
                    if enabled[x]:
                        enabled[x] = False
                        enabled_b &= ~(_ONE << np.uint64(x))
                        due[x] = inf
                    continue
                if not fresh and enabled[x] and n_mod[x] == 0:
                    continue
                s = 1.0
                for m in range(n_mod[x]):
                    if tabulated:
                        on = mod_table[joint, x, m]
                    else:
                        on = _eval(mod[x, m], state, code, start, masks, stack)
                    if on:
                        k = mod_slot[x, m]
                        if k < 0:
                            s *= mod_const[x, m]
                        else:
                            s *= slots[r, k]
                if fresh or not enabled[x]:
                    enabled[x] = True
                    enabled_b |= _ONE << np.uint64(x)
                    kind = wkind[x]
                    if kind == 0:  # at
                        due[x] = max(day[x], now)
                        continue
                    if kind == 1:  # hazard
                        k = hz_slot[x]
                        value = hz_const[x] if k < 0 else slots[r, k]
                        u = uniform(seed, key_wait[x], run, k_en[x])
                        left[x] = hazard_work(u, hazard_rate(value, hz_chance[x], hz_per[x]))
                    elif kind == 2:  # a distribution
                        u = uniform(seed, key_wait[x], run, k_en[x])
                        left[x] = quantile(wcode[x], wpar, x, splines, wspl[x], u)
                    elif wslot[x] >= 0:  # after: $parameter
                        left[x] = slots[r, wslot[x]]
                    else:
                        left[x] = wconst[x]
                    k_en[x] += np.uint64(1)
                    since[x] = now
                    speed[x] = s
                else:
                    if s == speed[x]:
                        continue
                    left[x] = max(left[x] - (now - since[x]) * speed[x], 0.0)
                    since[x] = now
                    speed[x] = s
                due[x] = now + left[x] / speed[x] if speed[x] > 0 else inf
            # the next firing: smallest due time, first in file order among equals
            t = inf
            e = -1
            for x in range(n_events):
                if due[x] < t:
                    t = due[x]
                    e = x
            if e < 0 or t > horizon:
                break
            while point < n_points and points[point] < t:
                if detail:
                    for j in range(n_tracks):
                        at_points[r, point, j] = state[j]
                point += 1
            if t == last_t:
                count += 1
            else:
                count = 1
                last_t = t
            now = t
            if count > max_instant:
                traj_len[r] = tlen
                return r
            # fire e
            target = targets[e, 0]
            if n_to[e] > 1:
                u = uniform(seed, key_branch[e], run, k_fire[e])
                target = targets[e, n_to[e] - 1]
                for j in range(n_to[e]):
                    if u < cum[e, j]:
                        target = targets[e, j]
                        break
            k_fire[e] += np.uint64(1)
            any_change = False
            for j in range(n_tracks):
                changed[j] = False
            tr = track[e]
            if state[tr] != target:
                if point < n_points:
                    occupancy[point, tr, state[tr]] -= 1
                    occupancy[point, tr, target] += 1
                joint += (target - state[tr]) * strides[tr]
                state[tr] = target
                changed[tr] = True
                any_change = True
            for j in range(n_tracks):
                if also[e, j] >= 0 and state[j] != also[e, j]:
                    if point < n_points:
                        occupancy[point, j, state[j]] -= 1
                        occupancy[point, j, also[e, j]] += 1
                    joint += (also[e, j] - state[j]) * strides[j]
                    state[j] = also[e, j]
                    changed[j] = True
                    any_change = True
            n_fire[e] += 1
            if tlen < max_traj:
                traj[r, tlen] = e
                tlen += 1
                h = _mix(h ^ np.uint64(e + 1))
            elif tlen == max_traj:
                traj[r, tlen] = -1
                tlen += 1
                h = _mix(h)  # the marker -1 codes as mix(h xor 0)
            if is_at[e]:
                at_done[e] = True
                at_done_b |= _ONE << np.uint64(e)
            enabled[e] = False
            enabled_b &= ~(_ONE << np.uint64(e))
            due[e] = inf
            if any_change:
                for o in range(n_out):
                    if tabulated:
                        now_holds = out_table[joint, o]
                    else:
                        now_holds = _eval(outcome[o], state, code, start, masks, stack)
                    if now_holds != holds[o]:
                        holds[o] = now_holds
                        if point < n_points:
                            at_truth[point, o] += 1 if now_holds else -1
                    if now_holds and first[r, o] == inf:
                        first[r, o] = now
            # clocks to re-examine: the fired event and the readers of changed tracks
            stamp += 1
            mark[e] = stamp
            todo[0] = e
            n_todo = 1
            for j in range(n_tracks):
                if changed[j]:
                    for p in range(readers_ptr[j], readers_ptr[j + 1]):
                        x = readers[p]
                        if mark[x] != stamp:
                            mark[x] = stamp
                            todo[n_todo] = x
                            n_todo += 1
            fired = e
        while detail and point < n_points:
            for j in range(n_tracks):
                at_points[r, point, j] = state[j]
            point += 1
        for j in range(n_tracks):
            final[r, j] = state[j]
        for o in range(n_out):
            final_truth[r, o] = holds[o]
        for x in range(n_events):
            if n_fire[x] > 0:
                fire_count[x] += n_fire[x]
                fired_runs[x] += 1
            if detail:
                fires[r, x] = n_fire[x]
        traj_len[r] = tlen
        traj_hash[r] = _mix(h ^ np.uint64(tlen))
    return -1
