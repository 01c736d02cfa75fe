"""Which track's state enables, blocks, speeds up or slows the events of which other track.

An event of track B is *influenced* by track A (A != B) when its guard (``when``) or one of
its modifiers (``modifiers: - when: ... multiply: ...``) tests A's state:

* a guard test ``A in S`` (or ``A == s``) *enables* the event: it can fire only while A is in
  one of S (for an ``or`` of several tests: while this or another test holds);
* a negated guard test (``A != s``, ``A not in S``, ``not (...)``) *blocks* it while A is in S;
* a modifier whose condition tests A *speeds up* the event while A is in the states named
  when its multiplier is above 1 and *slows* it when below 1 (exactly 1: no influence); an
  uncertain multiplier is judged by its median. A negated test in a modifier names the other
  states of A (``A != s`` speeds up the event while A is in any state but s).

Tests are read through ``not``, ``and`` and ``or`` by De Morgan's laws (each ``not`` flips
the polarity of the tests beneath it). Tests of the event's own track are not influences (the
diagram shows them). These are the relations section 5.2 and 5.4 of the format define; the
graph they form is what analysts call an influence diagram.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sim.model.conditions import And, Condition, Not, Or, Test
from sim.model.scenario import Scenario, Value

__all__ = ["KINDS", "Influence", "edges", "influence_rows", "influences"]

KINDS = ("enables", "blocks", "speeds up", "slows")  # in legend order


@dataclass(frozen=True)
class Influence:
    """One track's states acting on one event of another track.

    Attributes
    ----------
    source : str
        The id of the track whose state matters (A).
    states : tuple of str
        A's state ids named, in track order.
    target : str
        The id of the event's track (B).
    event : str
        The event's id.
    kind : str
        One of :data:`KINDS`.
    factor : float or None
        The multiplier (its median when uncertain) for ``speeds up`` and ``slows``; None for
        ``enables`` and ``blocks``.
    condition : str
        The guard or the modifier's condition as written.
    """

    source: str
    states: tuple[str, ...]
    target: str
    event: str
    kind: str
    factor: float | None
    condition: str


def influences(scenario: Scenario) -> tuple[Influence, ...]:
    """Every influence of one track on another track's events, in event order.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario (a variant's own guards and modifiers).

    Returns
    -------
    tuple of Influence
        Per event in file order: first its guard's influences, then each modifier's in
        order; within one condition, one entry per (track, kind), the states merged.
    """
    out: list[Influence] = []
    for ev in scenario.events:
        if ev.guard is not None:
            text = ev.when or ""
            for track, states, positive in _merged(ev.guard, ev.track):
                kind = "enables" if positive else "blocks"
                out.append(_entry(scenario, track, states, ev, kind, None, text))
        for m in ev.modifiers:
            factor = _median(scenario, m.factor)
            if factor == 1:  # x1 (or a median of 1): neither faster nor slower
                continue
            kind = "speeds up" if factor > 1 else "slows"
            text = m.text.rsplit(": x", 1)[0]
            for track, states, positive in _merged(m.condition, ev.track):
                if not positive:  # A not in S: the factor applies in A's other states
                    n = len(scenario.tracks[track].states)
                    states = frozenset(range(n)) - states
                out.append(_entry(scenario, track, states, ev, kind, factor, text))
    return tuple(out)


def influence_rows(scenario: Scenario) -> list[dict[str, Any]]:
    """:func:`influences` as ``summary.json`` writes them: a list of dicts with the keys
    ``source``, ``states`` (a list), ``target``, ``event``, ``kind``, ``factor`` and
    ``condition``."""
    return [asdict(i) | {"states": list(i.states)} for i in influences(scenario)]


def _entry(
    scenario: Scenario,
    track: int,
    states: frozenset[int],
    ev: Any,
    kind: str,
    factor: float | None,
    text: str,
) -> Influence:
    names = scenario.tracks[track].states
    return Influence(
        source=scenario.tracks[track].id,
        states=tuple(names[s] for s in sorted(states)),
        target=scenario.tracks[ev.track].id,
        event=ev.id,
        kind=kind,
        factor=factor,
        condition=text,
    )


def _merged(condition: Condition, own: int) -> list[tuple[int, frozenset[int], bool]]:
    """``(track, states, positive)`` per track and polarity the condition tests, the states
    of tests with the same track and polarity merged; the track ``own`` left out."""
    merged: dict[tuple[int, bool], frozenset[int]] = {}
    for test, positive in _tests(condition, True):
        if test.track != own:
            key = (test.track, positive)
            merged[key] = merged.get(key, frozenset()) | test.states
    return [(track, states, positive) for (track, positive), states in merged.items()]


def _tests(condition: Condition, positive: bool) -> Iterator[tuple[Test, bool]]:
    """Every :class:`Test` in ``condition`` with its polarity (False under an odd number of
    ``not``)."""
    if isinstance(condition, Test):
        yield condition, positive
    elif isinstance(condition, Not):
        yield from _tests(condition.arg, not positive)
    elif isinstance(condition, And | Or):
        for arg in condition.args:
            yield from _tests(arg, positive)


def _median(scenario: Scenario, value: Value) -> float:
    """A multiplier's value, or its median when it is uncertain."""
    if value.slot is None:
        return float(value.const)
    return scenario.slots[value.slot].distribution.median()


def edges(rows: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str, str], list[Mapping]]:
    """The rows of ``summary.json``'s ``influences`` grouped by (source, target, kind), in
    first-seen order: the arrows of the influence diagram."""
    out: dict[tuple[str, str, str], list[Mapping]] = {}
    for row in rows:
        key = (str(row["source"]), str(row["target"]), str(row["kind"]))
        out.setdefault(key, []).append(row)
    return out
