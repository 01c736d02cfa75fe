"""The compiled engine: the reference semantics as a numba-compiled loop over replications.

The vectorized NumPy engine (:mod:`sim.engines.fast`) spends its time on whole-array passes
over every clock of every live run at each step; a profile on the bundled scenario (29 events)
shows it an order of magnitude short of the 4 million events per second the product needs for
sensitivity analysis. This engine runs the same generalized semi-Markov process run by run, as
the SimPy reference does, but compiled to machine code by numba (``cache=True``: compiled once
per machine, then loaded from ``__pycache__``).

It consumes the same addressed random numbers (:func:`sim.engines.base.prepare`) and does the
same float operations in the same order as the reference engine, so every run is identical.
Conditions are compiled into small postfix programs evaluated with a stack. Work and branch
uniforms are passed as tables of the first K enablings; a run that needs more stops with a
status code and is simulated again with deeper tables.
"""

from __future__ import annotations

import numpy as np

from sim.engines.base import (
    MAX_INSTANT_FIRINGS,
    MAX_TRAJECTORY,
    BlockResult,
    checkpoints,
    prepare,
    trajectory_counts,
)
from sim.errors import SimulationError
from sim.model.conditions import And, Const, Not, Or, Test
from sim.model.scenario import Scenario
from sim.model.streams import RandomBlock

__all__ = ["CompiledEngine", "available"]

try:  # numba is a dependency; without it `auto` falls back to the NumPy engine
    import numba
except ImportError:  # pragma: no cover
    numba = None

OP_TEST, OP_NOT, OP_AND, OP_OR, OP_CONST = 0, 1, 2, 3, 4
OK, NEED_WORK, NEED_BRANCH, LOOP = 0, 1, 2, 3
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
        else:
            self.en_table = np.zeros((1, n_events), dtype=np.bool_)
            self.mod_table = np.zeros((1, n_events, self.mod.shape[1]), dtype=np.bool_)
            self.out_table = np.zeros((1, len(sc.outcomes)), dtype=np.bool_)


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
        """Run every replication of ``block``; see :class:`sim.engines.base.Engine`."""
        m = self._model(scenario)
        prep = prepare(scenario, block)
        n, n_tracks = block.n, len(scenario.tracks)
        n_events, n_out, n_points = len(scenario.events), len(scenario.outcomes), len(m.points)
        final = np.empty((n, n_tracks), dtype=np.int16)
        first = np.empty((n, n_out))
        at_points = np.empty((n, n_points, n_tracks), dtype=np.int16)
        fires = np.empty((n, n_events), dtype=np.int32)
        traj = np.full((n, MAX_TRAJECTORY + 1), -2, dtype=np.int64)
        traj_len = np.empty(n, dtype=np.int64)
        status = np.empty(n, dtype=np.int8)
        factors = np.ascontiguousarray(prep.factors)
        need = np.empty(n, dtype=np.int64)
        runs = np.arange(n, dtype=np.int64)
        # layers of work and branch uniforms per event; deepened for the events that need it
        depth_work = np.where(m.is_at, 0, 2).astype(np.int64)
        depth_branch = np.where(m.n_to > 1, 2, 0).astype(np.int64)
        while runs.size:
            work, work_at = _table(prep.work, depth_work, n)
            branch, branch_at = _table(prep.block.branch, depth_branch, n)
            _simulate(
                runs, scenario.horizon_days, prep.initial, work, work_at, depth_work, branch,
                branch_at, depth_branch, factors, m.track, m.from_mask, m.guard, m.mod, m.n_mod, m.is_at,
                m.day, m.cum, m.targets, m.n_to, m.also, m.readers_ptr, m.readers, m.outcome,
                m.code, m.start, m.masks, m.tabulated, m.strides, m.en_table, m.mod_table,
                m.out_table, m.points, MAX_INSTANT_FIRINGS, MAX_TRAJECTORY, final, first,
                at_points, fires, traj, traj_len, status, need,
            )  # fmt: skip
            st = status[runs]
            if (st == LOOP).any():
                r = int(runs[np.argmax(st == LOOP)])
                fired = sorted({int(x) for x in traj[r, : traj_len[r]] if x >= 0})
                names = ", ".join(scenario.events[e].id for e in fired)
                raise SimulationError(
                    f"instantaneous loop in run {block.start + r}: more than "
                    f"{MAX_INSTANT_FIRINGS:,} firings at one instant, among events {names}; "
                    "check the guards and 'at' dates of these events"
                )
            for e in np.unique(need[runs[st == NEED_WORK]]):
                depth_work[e] *= 4
            for e in np.unique(need[runs[st == NEED_BRANCH]]):
                depth_branch[e] *= 4
            runs = runs[st != OK]
        return BlockResult(
            final, first, at_points, fires, trajectory_counts(traj, traj_len), prep.slot_values
        )


def _table(layer, depth: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Stack ``layer(e, k)`` for k < depth[e] into rows: (sum(depth), n) and row offsets."""
    offset = np.zeros(len(depth), dtype=np.int64)
    offset[1:] = np.cumsum(depth)[:-1]
    table = np.empty((max(int(depth.sum()), 1), n))
    for e, d in enumerate(depth):
        for k in range(d):
            table[offset[e] + k] = layer(e, k)
    return table, offset


def _jit(f):
    return numba.njit(cache=True, nogil=True)(f) if numba is not None else f


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


@_jit
def _simulate(  # noqa: PLR0913 - the kernel takes the model as plain arrays
    runs,
    horizon,
    initial,
    work,
    work_at,
    depth_work,
    branch,
    branch_at,
    depth_branch,
    factors,
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
    points,
    max_instant,
    max_traj,
    final,
    first,
    at_points,
    fires,
    traj,
    traj_len,
    status,
    need,
):
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
    k_en = np.zeros(n_events, dtype=np.int64)
    k_fire = np.zeros(n_events, dtype=np.int64)
    at_done = np.zeros(n_events, dtype=np.bool_)
    changed = np.zeros(n_tracks, dtype=np.bool_)
    mark = np.zeros(n_events, dtype=np.int64)
    todo = np.zeros(n_events, dtype=np.int64)
    for r in runs:
        st = 0
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
        at_done[:] = False
        mark[:] = 0
        stamp = 0
        fires[r, :] = 0
        traj[r, :] = -2
        tlen = 0
        now = 0.0
        for o in range(n_out):
            if tabulated:
                holds = out_table[joint, o]
            else:
                holds = _eval(outcome[o], state, code, start, masks, stack)
            first[r, o] = 0.0 if holds else inf
        n_todo = n_events
        for x in range(n_events):
            todo[x] = x
        fired = -1
        point = 0
        last_t = -1.0
        count = 0
        while True:
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
                        due[x] = inf
                    continue
                if not fresh and enabled[x] and n_mod[x] == 0:
                    continue
                s = 1.0
                for m in range(n_mod[x]):
                    if tabulated:
                        holds = mod_table[joint, x, m]
                    else:
                        holds = _eval(mod[x, m], state, code, start, masks, stack)
                    if holds:
                        s *= factors[x, m, r]
                if fresh or not enabled[x]:
                    enabled[x] = True
                    if is_at[x]:
                        due[x] = max(day[x], now)
                        continue
                    k = k_en[x]
                    if k >= depth_work[x]:
                        st = 1
                        need[r] = x
                        break
                    k_en[x] = k + 1
                    left[x] = work[work_at[x] + k, r]
                    since[x] = now
                    speed[x] = s
                else:
                    if s == speed[x]:
                        continue
                    left[x] = max(left[x] - (now - since[x]) * speed[x], 0.0)
                    since[x] = now
                    speed[x] = s
                due[x] = now + left[x] / speed[x] if speed[x] > 0 else inf
            if st != 0:
                break
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
                st = 3
                break
            # fire e
            kf = k_fire[e]
            k_fire[e] = kf + 1
            target = targets[e, 0]
            if n_to[e] > 1:
                if kf >= depth_branch[e]:
                    st = 2
                    need[r] = e
                    break
                u = branch[branch_at[e] + kf, r]
                target = targets[e, n_to[e] - 1]
                for j in range(n_to[e]):
                    if u < cum[e, j]:
                        target = targets[e, j]
                        break
            any_change = False
            for j in range(n_tracks):
                changed[j] = False
            tr = track[e]
            if state[tr] != target:
                joint += (target - state[tr]) * strides[tr]
                state[tr] = target
                changed[tr] = True
                any_change = True
            for j in range(n_tracks):
                if also[e, j] >= 0 and state[j] != also[e, j]:
                    joint += (also[e, j] - state[j]) * strides[j]
                    state[j] = also[e, j]
                    changed[j] = True
                    any_change = True
            fires[r, e] += 1
            if tlen < max_traj:
                traj[r, tlen] = e
                tlen += 1
            elif tlen == max_traj:
                traj[r, tlen] = -1
                tlen += 1
            if is_at[e]:
                at_done[e] = True
            enabled[e] = False
            due[e] = inf
            if any_change:
                for o in range(n_out):
                    if first[r, o] == inf:
                        if tabulated:
                            holds = out_table[joint, o]
                        else:
                            holds = _eval(outcome[o], state, code, start, masks, stack)
                        if holds:
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
        status[r] = st
        traj_len[r] = tlen
        if st != 0:
            continue
        while point < n_points:
            for j in range(n_tracks):
                at_points[r, point, j] = state[j]
            point += 1
        for j in range(n_tracks):
            final[r, j] = state[j]
