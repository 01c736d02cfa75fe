"""The SimPy reference engine: one replication is a generalized semi-Markov process.

This is the readable statement of SCENARIO_FORMAT.md section 8 that other engines are checked
against. Each enabled event owns a clock: its *work* W (drawn at enabling from the addressed
uniforms), the work left, and its *speed* (the product of the multipliers of its modifiers that
hold). A clock is a SimPy timeout at ``now + left / speed``; rescheduling bumps the event's
generation number, so a stale timeout is recognised and ignored when it triggers. Only events
that read a changed track are re-examined after a firing.

Time is in days from the scenario's start. This is the only module that imports simpy.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter

import numpy as np
import simpy

from sim.engines.arrays import scenario_arrays
from sim.engines.base import (
    MAX_INSTANT_FIRINGS,
    MAX_RUN_FIRINGS,
    Engine,
)
from sim.engines.draws import Prepared, prepare
from sim.errors import SimulationError
from sim.model.scenario import Scenario, checkpoints
from sim.model.streams import RandomBlock
from sim.results import BlockResult
from sim.trajectories import MAX_TRAJECTORY, trajectory_hashes

__all__ = ["SimPyEngine"]

INF = math.inf


class SimPyEngine(Engine):
    """Reference engine (``--engine simpy``)."""

    name = "simpy"

    def run_block(self, scenario: Scenario, block: RandomBlock) -> BlockResult:
        """Run every replication of ``block``; see :class:`sim.engines.base.Engine`."""
        prepared = prepare(scenario, block)
        points = checkpoints(scenario)
        n = block.n
        n_tracks = len(scenario.tracks)
        final = np.empty((n, n_tracks), dtype=np.int16)
        first = np.full((n, len(scenario.outcomes)), INF)
        at_points = np.empty((n, len(points), n_tracks), dtype=np.int16)
        fires = np.zeros((n, len(scenario.events)), dtype=np.int32)
        trajectories = []
        readers = scenario_arrays(scenario).reader_lists
        for r in range(n):
            rep = _Replication(scenario, prepared, block, r, readers)
            rep.run()
            final[r] = rep.state
            first[r] = rep.first
            times = [t for t, _ in rep.history]
            for p, day in enumerate(points):
                at_points[r, p] = rep.history[bisect_right(times, day) - 1][1]
            fires[r] = rep.fires
            trajectories.append(tuple(rep.trajectory))
        lengths = np.array([len(t) for t in trajectories], dtype=np.int64)
        padded = np.full((n, MAX_TRAJECTORY + 1), -2, dtype=np.int64)
        for r, t in enumerate(trajectories):
            padded[r, : len(t)] = t
        return BlockResult(
            final, first, at_points, fires, Counter(trajectories), prepared.slot_values,
            trajectory_hashes(padded, lengths),
        )  # fmt: skip


class _Replication:
    """One run of the process."""

    def __init__(
        self,
        scenario: Scenario,
        prepared: Prepared,
        block: RandomBlock,
        r: int,
        readers: list[list[int]],
    ):
        self.sc = scenario
        self.events = scenario.events
        self.prepared = prepared
        self.block = block
        self.r = r
        self.readers = readers
        n_ev = len(self.events)
        self.state = [int(s) for s in prepared.initial[r]]
        self.enabled = [False] * n_ev
        self.left = [0.0] * n_ev  # work left at time `since`
        self.since = [0.0] * n_ev
        self.speed = [1.0] * n_ev
        self.due = [INF] * n_ev
        self.gen = [0] * n_ev
        self.k_enable = [0] * n_ev
        self.k_fire = [0] * n_ev
        self.at_done = [False] * n_ev
        self.fires = [0] * n_ev
        self.factors = [
            [float(prepared.factors[e, m, r]) for m in range(len(ev.modifiers))]
            for e, ev in enumerate(self.events)
        ]
        self.trajectory: list[int] = []
        self.n_fired = 0
        self.first = [INF] * len(scenario.outcomes)
        self.history: list[tuple[float, tuple[int, ...]]] = [(0.0, tuple(self.state))]
        self.now = 0.0
        self.env = simpy.Environment()

    # -- the run -------------------------------------------------------------------------------
    def run(self) -> None:
        horizon = self.env.timeout(self.sc.horizon_days)
        horizon.callbacks.append(lambda _: self.settle(self.sc.horizon_days))
        self.observe()
        for e in range(len(self.events)):
            self.update(e, fresh=True)
        self.env.run(until=horizon)

    def observe(self) -> None:
        """Record first times of outcomes that hold now."""
        for o, outcome in enumerate(self.sc.outcomes):
            if self.first[o] == INF and outcome.condition(self.state):
                self.first[o] = self.now

    # -- clocks --------------------------------------------------------------------------------
    def is_enabled(self, e: int) -> bool:
        ev = self.events[e]
        if self.at_done[e] or self.state[ev.track] not in ev.from_states:
            return False
        return ev.guard is None or ev.guard(self.state)

    def current_speed(self, e: int) -> float:
        speed = 1.0
        for m, mod in enumerate(self.events[e].modifiers):
            if mod.condition(self.state):
                speed *= self.factors[e][m]
        return speed

    def update(self, e: int, fresh: bool) -> None:
        """Re-examine event ``e`` after a change: enable, disable, rescale or leave it."""
        now = self.now
        if not self.is_enabled(e):
            if self.enabled[e]:
                self.enabled[e] = False
                self.gen[e] += 1
                self.due[e] = INF
            return
        ev = self.events[e]
        if fresh or not self.enabled[e]:
            self.enabled[e] = True
            if ev.timing.kind == "at":
                self.schedule(e, max(ev.timing.day, now))
                return
            k = self.k_enable[e]
            self.k_enable[e] += 1
            self.left[e] = float(self.prepared.work(e, k)[self.r])
            self.since[e] = now
            self.speed[e] = self.current_speed(e)
        elif ev.modifiers:
            speed = self.current_speed(e)
            if speed == self.speed[e]:
                return
            # work left, floored at 0: a clock due at this very instant may compute a hair
            # below 0 in floating point, and must then fire now, not in the past
            self.left[e] = max(self.left[e] - (now - self.since[e]) * self.speed[e], 0.0)
            self.since[e] = now
            self.speed[e] = speed
        else:
            return
        speed = self.speed[e]
        self.schedule(e, now + self.left[e] / speed if speed > 0 else INF)

    def schedule(self, e: int, due: float) -> None:
        self.gen[e] += 1
        self.due[e] = due
        if due <= self.sc.horizon_days:
            timer = self.env.timeout(due - self.now)
            gen = self.gen[e]
            timer.callbacks.append(lambda _, e=e, gen=gen: self.on_timer(e, gen))

    def on_timer(self, e: int, gen: int) -> None:
        if gen == self.gen[e] and self.enabled[e]:
            self.settle(self.due[e])

    # -- firing ---------------------------------------------------------------------------------
    def settle(self, limit: float) -> None:
        """Fire, in order of due time and, at equal times, in file order, every event due by
        ``limit``; each firing re-examines the clocks, so one firing may make another due.

        Event times are the clocks' own due times (SimPy's clock only wakes us up), so the
        order of firings never depends on SimPy's rounding of ``now + delay``.
        """
        count: Counter[int] = Counter()
        while True:
            t, e = INF, -1
            for x in range(len(self.events)):
                if self.enabled[x] and self.due[x] < t:
                    t, e = self.due[x], x
            if e < 0 or t > limit:
                return
            if t != self.now:
                count.clear()
            self.now = t
            count[e] += 1
            self.n_fired += 1
            if self.n_fired > MAX_RUN_FIRINGS:
                names = ", ".join(
                    f"{self.events[x].id} ({c})"
                    for x, c in sorted(enumerate(self.fires), key=lambda xc: -xc[1])[:6]
                )
                per_day = MAX_RUN_FIRINGS / t if t > 0 else math.inf
                pace = f"about {per_day:,.3g}" if per_day < 1e300 else "more than 1e300"
                raise SimulationError(
                    f"run {self.block.start + self.r} reached {MAX_RUN_FIRINGS:,} firings, the "
                    f"most a run may have, by {self.sc.date_of(t)} ({pace} a day), "
                    f"most by {names}; if the scenario is meant to be this busy, lower those "
                    "events' rates or shorten the horizon; otherwise look for waits so short "
                    "that time barely moves (such as 'after: 1e-300 days')"
                )
            if count.total() > MAX_INSTANT_FIRINGS:
                names = ", ".join(f"{self.events[x].id} ({c})" for x, c in count.most_common(6))
                raise SimulationError(
                    f"instantaneous loop on {self.sc.date_of(t)} in run {self.block.start + self.r}:"
                    f" more than {MAX_INSTANT_FIRINGS:,} firings at one instant, by {names}; "
                    "check the guards and 'at' dates of these events"
                )
            self.fire(e)

    def fire(self, e: int) -> None:
        ev = self.events[e]
        k = self.k_fire[e]
        self.k_fire[e] += 1
        if len(ev.to) == 1:
            target = ev.to[0][0]
        else:
            u = float(self.block.branch(e, k)[self.r])
            acc = 0.0
            target = ev.to[-1][0]
            for s, p in ev.to:
                acc += p
                if u < acc:
                    target = s
                    break
        changed = []
        if self.state[ev.track] != target:
            self.state[ev.track] = target
            changed.append(ev.track)
        for t, s in ev.also:
            if self.state[t] != s:
                self.state[t] = s
                changed.append(t)
        self.fires[e] += 1
        if len(self.trajectory) < MAX_TRAJECTORY:
            self.trajectory.append(e)
        elif self.trajectory[-1] != -1:
            self.trajectory.append(-1)
        if ev.timing.kind == "at":
            self.at_done[e] = True
        self.enabled[e] = False  # its clock is spent; a fresh one is drawn if still enabled
        self.gen[e] += 1
        self.due[e] = INF
        if changed:
            self.history.append((self.now, tuple(self.state)))
            self.observe()
        affected = {e}
        for t in changed:
            affected.update(self.readers[t])
        for x in sorted(affected):
            self.update(x, fresh=x == e or self.events[x].track in changed)
