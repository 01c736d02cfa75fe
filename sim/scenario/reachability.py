"""Warnings about what can never happen: events never enabled, states never reached.

A sound over-approximation: starting from the initial states, an event is deemed enabled when
its track can be in one of its ``from`` states, its guard holds for some combination of
states the tracks can reach, and its chance or rate is not a constant 0; its targets (and
``also`` states) are then reachable. What is never enabled or reached gets a warning.
"""

from __future__ import annotations

import itertools
import math

from sim.model.conditions import Condition
from sim.model.scenario import Event, Track
from sim.scenario.context import CompileContext

__all__ = ["warn_unreachable"]

#: Most state combinations tried per guard before it is deemed satisfiable.
MAX_COMBINATIONS = 100_000


def warn_unreachable(
    ctx: CompileContext, tracks: list[Track], events: list[Event], horizon_days: float = math.inf
) -> None:
    """Warn about events that can never fire and states that can never be reached.

    Parameters
    ----------
    ctx : CompileContext
        Receives the warnings.
    tracks : list of Track
        The compiled tracks, with their initial probabilities.
    events : list of Event
        The compiled events (all valid).
    horizon_days : float
        The run length in days: an ``at`` event dated after it never fires.
    """
    reach = [{i for i, p in enumerate(t.initial) if p > 0} for t in tracks]
    enabled = _enabled(events, reach, horizon_days)
    for k, ev in enumerate(events):
        if not enabled[k]:
            ctx.warn(
                ("events", ev.index, "id"),
                f"event '{ev.id}' can never fire: its " + _why_never(ev, horizon_days),
            )
    for n, t in enumerate(tracks):
        as_map = isinstance(ctx.spec.tracks[t.id].states, dict)
        for s, st in enumerate(t.states):
            if s not in reach[n]:
                ctx.warn(
                    ("tracks", t.id, "states", st if as_map else s),
                    f"state '{st}' of track '{t.id}' can never be reached (no event "
                    "that can be enabled leads to it, and it is not initial)",
                    key=as_map,
                )


def _why_never(ev: Event, horizon_days: float) -> str:
    if ev.timing.kind == "at" and ev.timing.day > horizon_days:
        return f"date ({ev.timing.text}) is after the horizon"
    if _never_timed(ev):
        return "chance or rate is 0"
    return "from states are never reached, or its guard never holds"


def _enabled(events: list[Event], reach: list[set[int]], horizon_days: float) -> list[bool]:
    """Which events can be enabled; grows ``reach`` (per track, its reachable states)."""
    enabled = [False] * len(events)
    changed = True
    while changed:
        changed = False
        for k, ev in enumerate(events):
            if enabled[k] or not (ev.from_states & reach[ev.track]):
                continue
            if ev.guard is not None and not _satisfiable(ev.guard, reach, ev):
                continue
            if _never_timed(ev) or (ev.timing.kind == "at" and ev.timing.day > horizon_days):
                continue
            enabled[k] = True
            changed = True
            for s, p in ev.to:
                if p > 0:
                    reach[ev.track].add(s)
            for n, s in ev.also:
                reach[n].add(s)
    return enabled


def _never_timed(ev: Event) -> bool:
    """True for a hazard whose chance or rate is a constant 0."""
    return (
        ev.timing.kind == "hazard" and ev.timing.value.slot is None and ev.timing.value.const == 0
    )


def _satisfiable(cond: Condition, reach: list[set[int]], ev: Event) -> bool:
    used = sorted(cond.tracks())
    choices = [
        sorted(reach[t] & ev.from_states) if t == ev.track else sorted(reach[t]) for t in used
    ]
    n = math.prod(len(c) for c in choices)
    if n > MAX_COMBINATIONS:
        return True
    state = [0] * len(reach)
    for combo in itertools.product(*choices):
        for t, s in zip(used, combo, strict=True):
            state[t] = s
        if cond(state):
            return True
    return False
