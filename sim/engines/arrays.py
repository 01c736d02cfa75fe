"""One array view of a scenario, built once per scenario and shared by the engines.

:func:`scenario_arrays` turns a :class:`~sim.model.scenario.Scenario` into the arrays the
NumPy and compiled engines read: each event's track, from-states, branches (cumulative
probabilities and target states), ``also`` settings, timing (how its work is drawn), guard and
modifiers as postfix programs (:data:`sim.kernels.OP_TEST` ...) or, when the joint state space
has at most :data:`MAX_TABLE` states, as truth tables over every joint state; the outcomes
likewise; the uncertain values as :func:`sim.kernels.draw_columns` takes them
(:class:`SlotTables`). Time is in days from the scenario's start.

One cache holds the arrays of the latest scenario; it keeps the scenario object itself and
compares identities, so a later scenario (even one at a reused ``id()``) never gets an
earlier one's arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim import kernels
from sim.kernels import OP_AND, OP_CONST, OP_NOT, OP_OR, OP_TEST, W_AT, W_DIST, W_HAZARD, W_VALUE
from sim.model.conditions import And, Const, Not, Or, Test
from sim.model.scenario import Scenario, checkpoints
from sim.model.streams import stream_key

__all__ = [
    "MAX_TABLE",
    "ScenarioArrays",
    "SlotTables",
    "joint_states",
    "scenario_arrays",
    "slot_tables",
]

MAX_TABLE = 1 << 16  # joint states up to which the truth of conditions is tabulated


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


class _Programs:
    """Conditions as postfix programs: ``code`` (n_instr, 3) rows (op, a, b), ``start`` offsets,
    and ``masks`` (n_masks, max_states) for ``OP_TEST`` (track a in mask b)."""

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


class ScenarioArrays:
    """A scenario as arrays (build with :func:`scenario_arrays`). Per event (n_events rows):

    Attributes
    ----------
    track : int64 (n_events,)
        The event's track.
    from_mask : bool (n_events, max_states)
        The states of its track it may fire from.
    is_at, day : bool, float (n_events,)
        ``at`` events and their day (inf for the others).
    cum, targets : float, int64 (n_events, n_branch)
        Cumulative branch probabilities (the last of each event inf: it takes the rest) and
        target states (the last repeated to the right); ``n_to`` (n_events,) branches.
    also : int64 (n_events, n_tracks)
        State each firing sets on other tracks, -1 for none; also as lists, event i setting
        ``also_track[p]`` to ``also_state[p]`` for p in ``also_ptr[i] .. also_ptr[i + 1] - 1``.
    readers_ptr, readers : int64
        The events whose enabling or speed reads track j: ``readers[readers_ptr[j] ..
        readers_ptr[j + 1] - 1]``, in file order; ``reader_lists[j]`` the same as a list.
    guard, mod, outcome : int64
        Program index of each guard (-1: none), modifier (n_events, width) and outcome in
        ``code`` (n_instr, 3), ``start`` (n_programs + 1,), ``masks`` (n_masks, max_states).
    n_mod : int64 (n_events,)
        Modifiers of each event; ``max_mod`` the most, ``width`` = max(1, max_mod).
    tabulated : bool
        Whether the truth tables below are filled (at most MAX_TABLE joint states).
    strides : int64 (n_tracks,)
        Joint state code = state @ strides (zeros when not tabulated).
    en_table, mod_truth, out_table : bool
        Truth per joint state of each event's from-states and guard (n_joint, n_events), of
        each modifier (n_joint, n_events, width), of each outcome (n_joint, n_outcomes).
    mod_tabulated, mod_bits
        Whether the modifiers are also kept as the bits of an int32 (width at most
        :data:`sim.kernels.MAX_MODIFIER_BITS`), and those bits (n_joint, n_events).
    points : float (n_points,)
        Checkpoints, days.

    The timing arrays are described in :meth:`_timings`; ``slots`` are the uncertain values'
    :class:`SlotTables`; ``kernel`` the arrays grouped as :func:`sim.kernels.simulate` takes
    them (Events, Conditions, Timing).
    """

    def __init__(self, sc: Scenario, max_table: int = MAX_TABLE):
        self.sc = sc
        self.n_tracks, self.n_events = len(sc.tracks), len(sc.events)
        self.max_states = max(len(t.states) for t in sc.tracks)
        self.points = checkpoints(sc)
        programs = _Programs(self.max_states)
        self._events(sc, programs)
        self.outcome = np.array([programs.add(o.condition) for o in sc.outcomes], dtype=np.int64)
        self.code, self.start, self.masks = programs.arrays()
        self._lists(sc)
        self._timings(sc)
        self._tables(sc, max_table)
        self.kernel = self._kernel_tuples()

    def _kernel_tuples(self) -> tuple[kernels.Events, kernels.Conditions, kernels.Timing]:
        """The arrays as :func:`sim.kernels.simulate` takes them."""
        # the tuples' fields are named as the attributes
        return tuple(
            kind(**{name: getattr(self, name) for name in kind._fields})
            for kind in (kernels.Events, kernels.Conditions, kernels.Timing)
        )

    def _events(self, sc: Scenario, programs: _Programs) -> None:
        n_events, n_tracks = self.n_events, self.n_tracks
        self.track = np.array([e.track for e in sc.events], dtype=np.int64)
        self.from_mask = np.zeros((n_events, self.max_states), dtype=np.bool_)
        self.guard = np.full(n_events, -1, dtype=np.int64)
        self.n_mod = np.array([len(e.modifiers) for e in sc.events], dtype=np.int64)
        self.max_mod = int(self.n_mod.max(initial=0))
        self.width = max(1, self.max_mod)
        self.mod = np.full((n_events, self.width), -1, dtype=np.int64)
        self.is_at = np.array([e.timing.kind == "at" for e in sc.events], dtype=np.bool_)
        self.day = np.array([e.timing.day if e.timing.kind == "at" else np.inf for e in sc.events])
        n_branch = max((len(e.to) for e in sc.events), default=1)
        self.n_to = np.array([len(e.to) for e in sc.events], dtype=np.int64)
        self.cum = np.full((n_events, n_branch), np.inf)
        self.targets = np.zeros((n_events, n_branch), dtype=np.int64)
        self.also = np.full((n_events, n_tracks), -1, dtype=np.int64)
        for i, e in enumerate(sc.events):
            self.from_mask[i, list(e.from_states)] = True
            if e.guard is not None:
                self.guard[i] = programs.add(e.guard)
            for m, mod in enumerate(e.modifiers):
                self.mod[i, m] = programs.add(mod.condition)
            acc = 0.0
            for j, (s, p) in enumerate(e.to):
                acc += p
                self.cum[i, j] = acc
                self.targets[i, j] = s
            self.cum[i, len(e.to) - 1] = np.inf  # the last destination takes the rest
            self.targets[i, len(e.to) :] = e.to[-1][0]
            for t, s in e.also:
                self.also[i, t] = s

    def _lists(self, sc: Scenario) -> None:
        """``also`` and the readers of each track as flat lists with offsets."""
        readers: list[list[int]] = [[] for _ in sc.tracks]
        for e in sc.events:
            for t in e.reads():
                readers[t].append(e.index)
        self.also_ptr = np.zeros(self.n_events + 1, dtype=np.int64)
        self.also_ptr[1:] = np.cumsum((self.also >= 0).sum(axis=1))
        rows, cols = np.nonzero(self.also >= 0)
        self.also_track = np.array(cols.tolist() or [0], dtype=np.int64)
        self.also_state = np.array(self.also[rows, cols].tolist() or [0], dtype=np.int64)
        self.reader_lists = readers
        self.readers_ptr = np.zeros(self.n_tracks + 1, dtype=np.int64)
        self.readers_ptr[1:] = np.cumsum([len(r) for r in readers])
        self.readers = np.array([x for r in readers for x in r] or [0], dtype=np.int64)

    def _timings(self, sc: Scenario) -> None:
        """How each event's work is drawn: ``wkind`` (W_AT, W_HAZARD, W_DIST, W_VALUE), the
        family of ``after`` draws (``wcode``, ``wpar`` (n_events, 4), ``wspl`` into
        ``splines`` (n, SPLINE_KNOTS - 1, 4)), the uncertain value of ``after: $p`` (``wslot``,
        -1 for the constant ``wconst``); hazard rates from a constant ``hz_const`` or an
        uncertain value ``hz_slot``, with ``hz_chance`` and ``hz_per`` (days); modifier
        factors from ``mod_const`` or ``mod_slot`` (n_events, width); stream keys of waits
        and branches."""
        n_events = self.n_events
        self.wkind = np.zeros(n_events, dtype=np.int64)
        self.wcode = np.zeros(n_events, dtype=np.int64)
        self.wpar = np.zeros((n_events, 4))
        self.wspl = np.zeros(n_events, dtype=np.int64)
        self.wslot = np.full(n_events, -1, dtype=np.int64)
        self.wconst = np.zeros(n_events)
        self.hz_slot = np.full(n_events, -1, dtype=np.int64)
        self.hz_const = np.zeros(n_events)
        self.hz_chance = np.zeros(n_events, dtype=np.bool_)
        self.hz_per = np.ones(n_events)
        dists = []
        for i, e in enumerate(sc.events):
            timing = e.timing
            if timing.kind == "at":
                self.wkind[i] = W_AT
            elif timing.kind == "hazard":
                self.wkind[i] = W_HAZARD
                value = timing.value
                self.hz_slot[i] = -1 if value.slot is None else value.slot
                self.hz_const[i] = value.const if value.slot is None else 0.0
                self.hz_chance[i] = timing.transform == "chance"
                self.hz_per[i] = timing.per_days
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
        self.slots = SlotTables.of(sc, tuple(d for _, d in dists))
        self.splines = self.slots.splines
        for (i, _), k in zip(dists, self.slots.extra_spl, strict=True):
            self.wspl[i] = k
        self.mod_slot = np.full((n_events, self.width), -1, dtype=np.int64)
        self.mod_const = np.ones((n_events, self.width))
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

    def _tables(self, sc: Scenario, max_table: int) -> None:
        """Truth of every condition at every joint state, when there are few enough."""
        sizes = [len(t.states) for t in sc.tracks]
        self.tabulated = joint_states(sc) <= max_table
        self.strides = np.zeros(self.n_tracks, dtype=np.int64)
        self.mod_tabulated = self.tabulated and self.width <= kernels.MAX_MODIFIER_BITS
        if not self.tabulated:
            self.en_table = np.zeros((1, self.n_events), dtype=np.bool_)
            self.mod_truth = np.zeros((1, self.n_events, self.width), dtype=np.bool_)
            self.mod_bits = np.zeros((1, self.n_events), dtype=np.int32)
            self.out_table = np.zeros((1, len(sc.outcomes)), dtype=np.bool_)
            return
        self.strides[-1] = 1
        for t in range(self.n_tracks - 2, -1, -1):
            self.strides[t] = self.strides[t + 1] * sizes[t + 1]
        grids = np.meshgrid(*[np.arange(k) for k in sizes], indexing="ij")
        joint = np.stack([g.ravel() for g in grids], axis=1).astype(np.int64)
        self.en_table, self.mod_truth, self.out_table = self.truth(joint)
        n_joint = joint.shape[0] if self.mod_tabulated else 1
        self.mod_bits = np.zeros((n_joint, self.n_events), dtype=np.int32)
        for m in range(self.width if self.mod_tabulated else 0):
            self.mod_bits |= self.mod_truth[:, :, m].astype(np.int32) << m

    def truth(self, states: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The truth of the conditions at ``states`` (n, n_tracks) ints, evaluated.

        Returns
        -------
        enabled : bool (n, n_events)
            From-state and guard hold (``at`` events already fired aside).
        modifiers : bool (n, n_events, width)
            Each modifier's condition (False past an event's own modifiers).
        outcomes : bool (n, n_outcomes)
        """
        n, sc = states.shape[0], self.sc
        enabled = np.zeros((n, self.n_events), dtype=bool)
        mods = np.zeros((n, self.n_events, self.width), dtype=bool)
        outs = np.zeros((n, len(sc.outcomes)), dtype=bool)
        for i, e in enumerate(sc.events):
            ok = self.from_mask[i, states[:, e.track]]
            if e.guard is not None:
                ok &= e.guard.evaluate(states)
            enabled[:, i] = ok
            for m, mod in enumerate(e.modifiers):
                mods[:, i, m] = mod.condition.evaluate(states)
        for o, outcome in enumerate(sc.outcomes):
            outs[:, o] = outcome.condition.evaluate(states)
        return enabled, mods, outs

    def lookup(self, states: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`truth` at ``states`` (n, n_tracks), from the tables when tabulated."""
        if self.tabulated:
            j = states @ self.strides
            return self.en_table[j], self.mod_truth[j], self.out_table[j]
        return self.truth(states)


_cache: tuple[Scenario, int, ScenarioArrays] | None = None


def joint_states(scenario: Scenario) -> int:
    """The number of joint states of the tracks (the product of their numbers of states), as
    an exact integer: 3**1000 for 1,000 tracks of three states, where a float product
    overflows.

    Returns
    -------
    int
    """
    return math.prod(len(t.states) for t in scenario.tracks)


def scenario_arrays(scenario: Scenario) -> ScenarioArrays:
    """The array view of ``scenario``, built once for the latest scenario (and again should
    :data:`MAX_TABLE` change).

    Returns
    -------
    ScenarioArrays
        Shared: engines read it and never write to it.
    """
    global _cache
    # the scenario object itself is kept: an id() could be reused by a later scenario
    if _cache is None or _cache[0] is not scenario or _cache[1] != MAX_TABLE:
        _cache = (scenario, MAX_TABLE, ScenarioArrays(scenario, MAX_TABLE))
    return _cache[2]


def slot_tables(scenario: Scenario) -> SlotTables:
    """The uncertain values of ``scenario`` as :func:`sim.kernels.draw_columns` takes them.

    Returns
    -------
    SlotTables
        ``scenario_arrays(scenario).slots``.
    """
    return scenario_arrays(scenario).slots
