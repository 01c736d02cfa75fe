"""Events: which track they move, from which states to which (or a branch), and with what.

Each event of the file becomes an :class:`~sim.model.scenario.Event`: its track, the states it
can fire from, its target state or branch probabilities, its timing (see
:mod:`sim.scenario.timing`), its guard, its modifiers and the other tracks it also sets.
Every reference is checked, with a "did you mean" for a misspelt track or state.
"""

from __future__ import annotations

from typing import Any

from sim.errors import did_you_mean
from sim.model.scenario import Event, Modifier, Timing, Track
from sim.scenario.context import CompileContext
from sim.scenario.quantities import QuantityError, flow_text, parse_fixed_probability
from sim.scenario.schema import EventSpec
from sim.scenario.timing import TIMINGS, compile_timing
from sim.scenario.values import compile_value

__all__ = ["SUM_TOL", "compile_events"]

#: How far from 1 branch (and initial) probabilities may sum.
SUM_TOL = 1e-9


def compile_events(ctx: CompileContext, tracks: list[Track]) -> list[Event]:
    """Every valid event of the file, in file order.

    Parameters
    ----------
    ctx : CompileContext
        With the tracks already compiled (``ctx.track_ids``, ``ctx.track_states``).
    tracks : list of Track
        The compiled tracks.

    Returns
    -------
    list of Event
        Events in error are left out (their problems are in ``ctx.problems``).
    """
    out = []
    seen: dict[str, int] = {}
    by_id = {t.id: t for t in tracks}
    for i, spec in enumerate(ctx.spec.events):
        path = ("events", i)
        if ctx.check_id(spec.id, path + ("id",), "event", key=False):
            if spec.id in seen:
                line = ctx.doc.positions.of(("events", seen[spec.id], "id")).line
                ctx.error(
                    path + ("id",),
                    f"event id '{spec.id}' is already used at line "
                    f"{line}; event ids must be unique",
                )
            seen[spec.id] = i
        track = by_id.get(spec.track)
        if track is None:
            ctx.error(
                path + ("track",),
                f"event '{spec.id}': unknown track '{spec.track}'{did_you_mean(spec.track, by_id)}",
            )
            continue
        ev = _event(ctx, i, spec, track, tracks, path)
        if ev is not None:
            out.append(ev)
    if not ctx.spec.events and ctx.variant == "base":  # a variant may disable every event
        ctx.error(("events",), "'events' is empty; a scenario needs at least one event")
    return out


def _event(
    ctx: CompileContext, i: int, spec: EventSpec, track: Track, tracks: list[Track], path: tuple
) -> Event | None:
    eid = spec.id
    from_states, ok = _from_states(ctx, spec, track, path)
    to, ok = _to_states(ctx, spec, track, path, ok)
    timing, given, timed = _timing(ctx, spec, path)
    ok &= timed
    guard = ctx.condition(spec.when, path + ("when",)) if spec.when is not None else None
    ok &= spec.when is None or guard is not None
    modifiers, modified = _modifiers(ctx, spec, given, path)
    ok &= modified
    also, set_also = _also(ctx, spec, track, tracks, path)
    ok &= set_also
    if not ok:
        return None
    return Event(
        eid,
        i,
        spec.label or eid,
        spec.note,
        ctx.track_ids.index(track.id),
        from_states,
        to,
        timing,
        guard,
        modifiers,
        also,
        _condition_text(spec.when),
    )


def _condition_text(when: Any) -> str | None:
    """A ``when`` as written (``true``/``false`` for a YAML boolean), None when absent."""
    if when is None:
        return None
    if isinstance(when, bool):
        return "true" if when else "false"
    return str(when)


def _state_ref(
    ctx: CompileContext, track: Track, state: Any, path: tuple, what: str, *, key=False
) -> int | None:
    """Index of ``state`` in ``track``; None after recording an error."""
    if state not in track.states:
        ctx.error(
            path,
            f"{what}: '{state}' is not a state of track '{track.id}' "
            f"(states: {', '.join(track.states)}){did_you_mean(str(state), track.states)}",
            key=key,
        )
        return None
    return track.states.index(state)


def _from_states(
    ctx: CompileContext, spec: EventSpec, track: Track, path: tuple
) -> tuple[frozenset[int], bool]:
    """The states the event can fire from (``any``: all), and whether they are all valid."""
    eid = spec.id
    if spec.from_ == "any":
        return frozenset(range(len(track.states))), True
    raw = [spec.from_] if isinstance(spec.from_, str) else spec.from_
    idx = [
        _state_ref(
            ctx,
            track,
            s,
            path + ("from",) + ((k,) if len(raw) > 1 or isinstance(spec.from_, list) else ()),
            f"event '{eid}' from",
        )
        for k, s in enumerate(raw)
    ]
    ok = None not in idx
    from_states = frozenset(x for x in idx if x is not None)
    if not raw:
        ctx.error(path + ("from",), f"event '{eid}': 'from' is an empty list")
        ok = False
    return from_states, ok


def _to_states(
    ctx: CompileContext, spec: EventSpec, track: Track, path: tuple, ok: bool
) -> tuple[tuple[tuple[int, float], ...], bool]:
    """The target state, or the branch (state, probability) pairs; ``ok`` updated.

    The branch sum is checked only when everything before it (``ok``) is valid.
    """
    eid = spec.id
    if isinstance(spec.to, str):
        s = _state_ref(ctx, track, spec.to, path + ("to",), f"event '{eid}' to")
        return (((s, 1.0),) if s is not None else ()), ok and s is not None
    to_list = []
    for st, p in spec.to.items():
        s = _state_ref(ctx, track, st, path + ("to", st), f"event '{eid}' branch", key=True)
        try:
            prob = parse_fixed_probability(p)
        except QuantityError as exc:
            ctx.error(path + ("to", st), f"event '{eid}' branch to '{st}': {exc}")
            ok = False
            continue
        if s is None:
            ok = False
            continue
        to_list.append((s, prob))
    total = sum(p for _, p in to_list)
    if ok and abs(total - 1) > SUM_TOL:
        ctx.error(
            path + ("to",),
            f"event '{eid}': branch probabilities sum to {total:.10g}, not 1; adjust them",
        )
        ok = False
    return tuple(to_list), ok


def _timing(
    ctx: CompileContext, spec: EventSpec, path: tuple
) -> tuple[Timing | None, list[str], bool]:
    """The event's one timing, the timing keys given, and whether the timing is valid."""
    given = [k for k in TIMINGS if getattr(spec, k) is not None]
    if len(given) != 1:
        what = "none" if not given else " and ".join(given)
        ctx.error(
            path + (("id",) if not given else (given[1],)),
            f"event '{spec.id}' has {what} of chance/rate/after/at; give exactly one timing",
            key=bool(given),
        )
        return None, given, False
    timing = compile_timing(ctx, spec.id, given[0], getattr(spec, given[0]), path + (given[0],))
    return timing, given, timing is not None


def _modifiers(
    ctx: CompileContext, spec: EventSpec, given: list[str], path: tuple
) -> tuple[tuple[Modifier, ...], bool]:
    """The event's modifiers (not allowed on ``at`` events), and whether all are valid."""
    eid = spec.id
    ok = True
    modifiers = []
    if not spec.modifiers:
        return (), ok
    if given == ["at"]:
        ctx.error(
            path + ("modifiers",),
            f"event '{eid}' is scheduled with 'at'; "
            "modifiers are not allowed on 'at' events (remove them, or use "
            "'after' or 'chance')",
            key=True,
        )
        ok = False
    for k, m in enumerate(spec.modifiers):
        mp = path + ("modifiers", k)
        cond = ctx.condition(m.when, mp + ("when",))
        factor = compile_value(
            ctx, m.multiply, "number", mp + ("multiply",), f"{eid}.modifiers.{k}"
        )
        if cond is None or factor is None:
            ok = False
            continue
        modifiers.append(Modifier(cond, factor, f"{m.when}: x{flow_text(m.multiply)}"))
    return tuple(modifiers), ok


def _also(
    ctx: CompileContext, spec: EventSpec, track: Track, tracks: list[Track], path: tuple
) -> tuple[tuple[tuple[int, int], ...], bool]:
    """The (track index, state index) pairs the event also sets, and whether all are valid."""
    eid = spec.id
    ok = True
    also = []
    by_id = {t.id: (n, t) for n, t in enumerate(tracks)}
    for other, st in (spec.also or {}).items():
        ap = path + ("also", other)
        if other not in by_id:
            ctx.error(
                ap,
                f"event '{eid}' also: unknown track '{other}'{did_you_mean(other, by_id)}",
                key=True,
            )
            ok = False
            continue
        n, t = by_id[other]
        if t.id == track.id:
            ctx.error(
                ap,
                f"event '{eid}' also: '{other}' is the event's own track; set it with 'to'",
                key=True,
            )
            ok = False
            continue
        s = _state_ref(ctx, t, st, ap, f"event '{eid}' also")
        if s is None:
            ok = False
            continue
        also.append((n, s))
    return tuple(also), ok
