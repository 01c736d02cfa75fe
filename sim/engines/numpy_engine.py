"""The vectorized NumPy engine: many replications advance together, one firing per step.

Same semantics and same addressed random numbers as the SimPy reference engine
(:mod:`sim.engines.simpy_engine`), so both give the same run for the same run index. Each step,
every live run moves to its next instant (the smallest due time of its clocks), fires the
first-in-file event due then, and all of that run's clocks are re-examined: enabled or not
(a lookup in a table over joint states when the joint state space is small, else the
vectorized conditions), fresh work where a clock starts, rescaled remaining work where a speed
changes. Runs past the horizon leave the working set.

Float operations are done in the same order as in the reference engine (``due = now + left /
speed``; ``left -= (now - since) * old_speed``; speeds multiplied modifier by modifier), so
times agree bit for bit.

Arrays are ``(n_runs, n_events)`` unless stated; time is in days.
"""

from __future__ import annotations

import numpy as np

from sim.engines.arrays import ScenarioArrays, scenario_arrays
from sim.engines.base import (
    MAX_INSTANT_FIRINGS,
    MAX_RUN_FIRINGS,
    Engine,
    RunawayRun,
)
from sim.engines.draws import prepare
from sim.model.scenario import Scenario, checkpoints
from sim.model.streams import RandomBlock
from sim.results import BlockResult
from sim.trajectories import MAX_TRAJECTORY, trajectory_counts, trajectory_hashes

__all__ = ["NumPyEngine"]


class NumPyEngine(Engine):
    """Vectorized NumPy engine (``--engine numpy``)."""

    name = "numpy"
    block_size = 8192

    def run_block(self, scenario: Scenario, block: RandomBlock) -> BlockResult:
        """Run every replication of ``block``; see :class:`sim.engines.base.Engine`."""
        return _Block(scenario_arrays(scenario), block).run()


class _Block:
    def __init__(self, c: ScenarioArrays, block: RandomBlock):
        self.c = c
        self.block = block
        self.prepared = prepare(c.sc, block)
        self.tables: dict[str, np.ndarray] = {}

    def table(self, kind: str, depth: int) -> np.ndarray:
        """Work or branch uniforms of the first ``depth`` (or more) layers: (n_events, D, n)."""
        table = self.tables.get(kind)
        if table is None or table.shape[1] < depth:
            size = max(depth, 2 * (0 if table is None else table.shape[1]), 2)
            make = self.prepared.work_table if kind == "work" else self.prepared.branch_table
            table = self.tables[kind] = make(size)
        return table

    def run(self) -> BlockResult:
        c, sc, prep = self.c, self.c.sc, self.prepared
        n, n_ev = self.block.n, c.n_events
        horizon = sc.horizon_days
        points = checkpoints(sc)
        state = prep.initial.copy()
        enabled = np.zeros((n, n_ev), dtype=bool)
        left = np.zeros((n, n_ev))
        since = np.zeros((n, n_ev))
        speed = np.ones((n, n_ev))
        due = np.full((n, n_ev), np.inf)
        k_enable = np.zeros((n, n_ev), dtype=np.int64)
        k_fire = np.zeros((n, n_ev), dtype=np.int64)
        at_done = np.zeros((n, n_ev), dtype=bool)
        fires = np.zeros((n, n_ev), dtype=np.int32)
        first = np.full((n, len(sc.outcomes)), np.inf)
        at_points = np.empty((n, len(points), c.n_tracks), dtype=np.int16)
        next_point = np.zeros(n, dtype=np.int64)
        traj = np.full((n, MAX_TRAJECTORY + 1), -2, dtype=np.int64)
        traj_len = np.zeros(n, dtype=np.int64)
        last_t = np.full(n, -1.0)
        count_t = np.zeros(n, dtype=np.int64)
        n_fired = np.zeros(n, dtype=np.int64)
        factors = np.moveaxis(prep.factors, 2, 0)  # (n, n_events, n_mod)

        self.arrays = (enabled, left, since, speed, due, k_enable, at_done)
        rows = np.arange(n)
        en, mods, outs = c.lookup(state)
        first[outs] = 0.0
        self.reexamine(rows, np.zeros(n), state, en, mods, factors, np.ones((n, n_ev), dtype=bool))

        live = rows
        while live.size:
            t = due[live].min(axis=1, initial=np.inf)  # inf: no event (all disabled)
            done = t > horizon
            if done.any():
                self.finish(live[done], state, points, next_point, at_points)
                live, t = live[~done], t[~done]
                if not live.size:
                    break
            # checkpoints strictly before the next instant hold the current state
            self.record(live, t, state, points, next_point, at_points)
            # instantaneous-loop guard
            same = t == last_t[live]
            count_t[live] = np.where(same, count_t[live] + 1, 1)
            last_t[live] = t
            n_fired[live] += 1
            bad = (count_t[live] > MAX_INSTANT_FIRINGS) | (n_fired[live] > MAX_RUN_FIRINGS)
            if bad.any():
                raise RunawayRun(self.block, int(live[bad][0]))
            e = np.argmax(due[live] == t[:, None], axis=1)
            new, changed = self.fire(live, e, state, k_fire)
            fires[live, e] += 1
            pos = traj_len[live]
            traj[live, np.minimum(pos, MAX_TRAJECTORY)] = np.where(pos < MAX_TRAJECTORY, e, -1)
            traj_len[live] = np.minimum(pos + 1, MAX_TRAJECTORY + 1)
            at_done[live, e] |= c.is_at[e]
            enabled[live, e] = False
            due[live, e] = np.inf
            en, mods, outs = c.lookup(new)
            any_change = changed.any(axis=1)
            newly = outs & np.isinf(first[live]) & any_change[:, None]
            if newly.any():
                r, o = np.nonzero(newly)
                first[live[r], o] = t[r]
            fresh = changed[:, c.track]  # own track changed
            fresh[np.arange(live.size), e] = True
            self.reexamine(live, t, state, en, mods, factors, fresh)
        final = state.astype(np.int16)
        return BlockResult(
            final, first, at_points, fires, trajectory_counts(traj, traj_len), prep.slot_values,
            trajectory_hashes(traj, traj_len),
        )  # fmt: skip

    def fire(self, live, e, state, k_fire) -> tuple[np.ndarray, np.ndarray]:
        """Fire event ``e[i]`` in run ``live[i]``: draw the branch, set the event's track and
        its ``also`` tracks. Returns the runs' new states and which tracks changed, both
        (m, n_tracks)."""
        c = self.c
        k = k_fire[live, e]
        k_fire[live, e] = k + 1
        u = self.table("branch", int(k.max(initial=0)) + 1)[e, k, live]
        idx = (u[:, None] >= c.cum[e]).sum(axis=1)
        target = c.targets[e, np.minimum(idx, c.targets.shape[1] - 1)]
        old = state[live]
        new = old.copy()
        new[np.arange(live.size), c.track[e]] = target
        also = c.also[e]
        new = np.where(also >= 0, also, new)
        state[live] = new
        return new, new != old

    def reexamine(self, live, now, state, en, mods, factors, fresh) -> None:
        """Section 8.2-8.4 for the clocks of runs ``live`` at times ``now`` (one per run)."""
        c = self.c
        enabled, left, since, speed, due, k_enable, at_done = self.arrays
        en = en & ~at_done[live]
        was = enabled[live]
        # speeds, modifier by modifier in file order (as the reference engine multiplies)
        new_speed = np.ones(en.shape)
        if c.max_mod:
            f = factors[live]
            for m in range(c.max_mod):
                new_speed = new_speed * np.where(mods[:, :, m], f[:, :, m], 1.0)
        # disabled: the clock is lost
        off = was & ~en
        # fresh work for clocks that start now
        start = en & (fresh | ~was)
        # rescaled remaining work for clocks that keep running at a new speed
        rescale = en & was & ~fresh & (new_speed != speed[live])
        sub_due = due[live]
        sub_left = left[live]
        sub_since = since[live]
        sub_speed = speed[live]
        sub_due[off] = np.inf
        if start.any():
            r, e = np.nonzero(start)
            runs = live[r]
            at = c.is_at[e]
            if at.any():
                sub_due[r[at], e[at]] = np.maximum(c.day[e[at]], now[r[at]])
            hz = ~at
            r, e, runs = r[hz], e[hz], runs[hz]
            k = k_enable[runs, e]
            k_enable[runs, e] = k + 1
            work = self.table("work", int(k.max(initial=0)) + 1)[e, k, runs]
            sub_left[r, e] = work
            sub_since[r, e] = now[r]
            sub_speed[r, e] = new_speed[r, e]
            s = new_speed[r, e]
            with np.errstate(divide="ignore", invalid="ignore"):
                sub_due[r, e] = np.where(s > 0, now[r] + work / s, np.inf)
        if rescale.any():
            r, e = np.nonzero(rescale)
            rem = np.maximum(sub_left[r, e] - (now[r] - sub_since[r, e]) * sub_speed[r, e], 0.0)
            sub_left[r, e] = rem
            sub_since[r, e] = now[r]
            s = new_speed[r, e]
            sub_speed[r, e] = s
            with np.errstate(divide="ignore", invalid="ignore"):
                sub_due[r, e] = np.where(s > 0, now[r] + rem / s, np.inf)
        enabled[live] = en
        due[live] = sub_due
        left[live] = sub_left
        since[live] = sub_since
        speed[live] = sub_speed

    @staticmethod
    def record(live, t, state, points, next_point, at_points) -> None:
        """Store the current state at every checkpoint strictly before each run's next instant."""
        n_points = len(points)
        while True:
            p = next_point[live]
            ok = p < n_points
            ok[ok] = points[p[ok]] < t[ok]
            if not ok.any():
                return
            runs = live[ok]
            at_points[runs, next_point[runs]] = state[runs]
            next_point[runs] += 1

    @staticmethod
    def finish(runs, state, points, next_point, at_points) -> None:
        """Runs past the horizon: every remaining checkpoint holds the final state."""
        n_points = len(points)
        todo = np.arange(n_points)[None, :] >= next_point[runs][:, None]
        at_points[runs] = np.where(todo[:, :, None], state[runs][:, None, :], at_points[runs])
        next_point[runs] = n_points
