"""From a structurally valid file to a :class:`~sim.model.scenario.Scenario`.

Checks everything the schema cannot: ids, references between tracks, states, events and
parameters (with "did you mean"), quantities and their kinds, conditions, branch sums, timing
rules, dates; and warns about events that can never be enabled and states never reached.

This module compiles the whole file: start, horizon, tracks and their initial states,
outcomes and the report grid. The rest is done by :mod:`sim.scenario.events` (with
:mod:`sim.scenario.timing`), :mod:`sim.scenario.values` (parameters and per-run values),
:mod:`sim.scenario.evidence` (observations and indicators) and
:mod:`sim.scenario.reachability`, all sharing one :class:`~sim.scenario.context.CompileContext`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from sim.errors import Problem, did_you_mean
from sim.model.scenario import Event, Outcome, Scenario, Track, VariantInfo
from sim.scenario.changes import variant_changes
from sim.scenario.context import CompileContext
from sim.scenario.events import SUM_TOL, compile_events
from sim.scenario.evidence import compile_indicators, compile_observations
from sim.scenario.quantities import QuantityError, parse_duration, parse_fixed_probability
from sim.scenario.reachability import warn_unreachable
from sim.scenario.schema import ScenarioFile
from sim.scenario.textchecks import bidi_texts
from sim.scenario.values import parameter_slots
from sim.scenario.yamlio import Document

__all__ = ["MAX_GRID", "MAX_HORIZON_YEARS", "compile_scenario"]

#: Longest horizon, in years after the start.
MAX_HORIZON_YEARS = 100
MAX_HORIZON_DAYS = MAX_HORIZON_YEARS * 365.25
#: Most points of the report grid.
MAX_GRID = 5000


def compile_scenario(
    doc: Document, spec: ScenarioFile, *, variant: str = "base", variant_label: str = "Base case"
) -> tuple[Scenario | None, list[Problem]]:
    """Check and compile a structurally valid scenario.

    Parameters
    ----------
    doc : Document
        The file as read (for positions).
    spec : ScenarioFile
        The structurally validated file (after any variant's changes).
    variant : str
        The variant this is (``base`` for the file as written).
    variant_label : str
        The variant's label.

    Returns
    -------
    (Scenario or None, list of Problem)
        The scenario (None when any problem is an error) and every problem, warnings included.
        Times in the scenario are in days from its start.
    """
    ctx = CompileContext(doc, spec, variant)
    scenario = _compile(ctx, variant, variant_label)
    return scenario, ctx.problems


def _compile(ctx: CompileContext, variant: str, variant_label: str) -> Scenario | None:
    s = ctx.spec
    ctx.check_id(s.scenario, ("scenario",), "scenario", key=False)
    start = ctx.date(s.start, ("start",), "start")
    horizon_days, horizon_text, horizon_ok = _horizon(ctx, s.horizon, start)
    tracks = _tracks(ctx)
    ctx.track_states = {t.id: t.states for t in tracks}
    ctx.track_ids = [t.id for t in tracks]
    for pid in ctx.params:
        ctx.check_id(pid, ("parameters", pid), "parameter")
    events = compile_events(ctx, tracks)
    outcomes = _outcomes(ctx)
    slots = parameter_slots(ctx) + ctx.slots
    every_days, every_text, dates = _report(ctx, start, horizon_days, horizon_ok)
    variants = _variants(ctx)
    evidence, indicators = [], []
    if start is not None and horizon_ok:  # else dates cannot be placed (reported already)
        evidence = compile_observations(ctx, s.evidence or [], start, horizon_days)
        indicators = compile_indicators(ctx, start, horizon_days, [d for d, _ in dates])
    if ctx.has_errors():
        return None
    warn_unreachable(ctx, tracks, events, horizon_days)
    _warn_bidi(ctx)
    return Scenario(
        id=s.scenario,
        title=s.title or s.label,
        description=s.description,
        sources=tuple(src.model_dump(mode="json") for src in (s.sources or [])),
        start=start,
        horizon_days=horizon_days,
        horizon_text=horizon_text,
        tracks=tuple(tracks),
        events=tuple(events),
        outcomes=tuple(outcomes),
        slots=tuple(slots),
        parameters=tuple(ctx.params),
        variant=variant,
        variant_label=variant_label,
        variants=variants,
        report_every_days=every_days,
        report_every_text=every_text,
        report_dates=tuple(dates),
        grid_days=_grid(horizon_days, every_days)
        if s.report and s.report.every
        else calendar_grid(start, horizon_days, events),
        evidence=tuple(evidence),
        indicators=tuple(indicators),
        file=ctx.doc.file,
        warnings=tuple(str(p) for p in ctx.problems if p.severity == "warning"),
    )


def _warn_bidi(ctx: CompileContext) -> None:
    """Warn about each text of the file holding bidirectional controls (:func:`bidi_texts`)."""
    for path, names in bidi_texts(ctx.doc.data):
        key = ".".join(str(p) for p in path)
        ctx.warn(
            path,
            f"'{key}' holds the bidirectional control{'s' if ',' in names else ''} {names}, "
            "which can reorder the text around it on screen (reports show it written out, "
            "charts drop it); delete it, or use plain text",
        )


def _variants(ctx: CompileContext) -> tuple[VariantInfo, ...]:
    """The variants' ids, labels and changes (which the loader applies)."""
    variants = tuple(
        VariantInfo(v, spec.label or v, spec.description, variant_changes(ctx.doc.data, v))
        for v, spec in (ctx.spec.variants or {}).items()
    )
    for v in ctx.spec.variants or {}:
        if v == "base":
            ctx.error(
                ("variants", "base"),
                "'base' is the base scenario itself and is not a valid variant id; rename it",
                key=True,
            )
        else:
            ctx.check_id(v, ("variants", v), "variant")
    return variants


def _horizon(ctx: CompileContext, value: Any, start: dt.date | None) -> tuple[float, str, bool]:
    """Horizon in days from start, as written, and whether it is valid and has a start."""
    if isinstance(value, dt.date) or re.match(r"^\s*\d{4}-\d{2}-\d{2}\s*$", str(value)):
        return _horizon_date(ctx, value, start)
    try:
        days = parse_duration(value)
    except QuantityError as exc:
        ctx.error(("horizon",), f"'horizon' must be a date after start or a duration: {exc}")
        return 1.0, str(value), False
    if days > MAX_HORIZON_DAYS:
        ctx.error(
            ("horizon",),
            f"horizon '{value}' is longer than {MAX_HORIZON_YEARS} "
            "years; scenarios look at most a century ahead",
        )
        return 1.0, str(value), False
    if start is not None and (dt.date.max - start).days < days:
        ctx.error(
            ("horizon",),
            f"horizon '{value}' after start {start} ends past the year 9999; "
            "write an earlier start",
        )
        return 1.0, str(value), False
    return days, str(value), start is not None


def _horizon_date(
    ctx: CompileContext, value: Any, start: dt.date | None
) -> tuple[float, str, bool]:
    """A horizon written as a date: days from start, the date, and whether it is valid."""
    d = ctx.date(value, ("horizon",), "horizon")
    if d is None or start is None:
        return 1.0, str(value), False
    days = (d - start).days
    if days <= 0:
        ctx.error(
            ("horizon",),
            f"horizon {d} must be after start {start}; write a later date or a "
            "duration such as '2 years'",
        )
        return 1.0, str(d), False
    if days > MAX_HORIZON_DAYS:
        ctx.error(
            ("horizon",),
            f"horizon {d} is more than {MAX_HORIZON_YEARS} years "
            f"after start {start}; scenarios look at most a century ahead",
        )
        return 1.0, str(d), False
    return float(days), d.isoformat(), True


def _tracks(ctx: CompileContext) -> list[Track]:
    out = []
    if not ctx.spec.tracks:
        ctx.error(("tracks",), "'tracks' is empty; a scenario needs at least one track")
    for tid, spec in ctx.spec.tracks.items():
        path = ("tracks", tid)
        ctx.check_id(tid, path, "track")
        if isinstance(spec.states, dict):
            states = list(spec.states)
            labels = [(v.label if v and v.label else k) for k, v in spec.states.items()]
        else:
            states = [str(x) for x in spec.states]
            labels = list(states)
        if not states:
            ctx.error(path + ("states",), f"track '{tid}' has no states")
            continue
        for i, st in enumerate(states):
            sp = path + ("states", st if isinstance(spec.states, dict) else i)
            ctx.check_id(st, sp, "state", key=isinstance(spec.states, dict))
            if states.index(st) != i:
                ctx.error(sp, f"state '{st}' is listed twice in track '{tid}'")
        initial = _initial(ctx, tid, spec.initial, states, path + ("initial",))
        out.append(Track(tid, spec.label or tid, tuple(states), tuple(labels), initial))
    return out


def _initial(
    ctx: CompileContext, tid: str, value: Any, states: list[str], path: tuple
) -> tuple[float, ...]:
    """Initial probability of each state of track ``tid`` (a state, or a mapping summing to 1)."""
    probs = [0.0] * len(states)
    if isinstance(value, str):
        if value not in states:
            ctx.error(
                path,
                f"initial state '{value}' is not a state of track '{tid}'"
                f"{did_you_mean(value, states)}",
            )
        else:
            probs[states.index(value)] = 1.0
        return tuple(probs)
    for st, p in value.items():
        if st not in states:
            ctx.error(
                path + (st,),
                f"initial state '{st}' is not a state of track '{tid}'{did_you_mean(st, states)}",
                key=True,
            )
            continue
        try:
            probs[states.index(st)] = parse_fixed_probability(p)
        except QuantityError as exc:
            ctx.error(path + (st,), f"initial probability of '{st}': {exc}")
    total = sum(probs)
    if abs(total - 1) > SUM_TOL and not any(
        p.severity == "error" and p.line == ctx.doc.positions.of(path).line for p in ctx.problems
    ):
        ctx.error(
            path,
            f"initial probabilities of track '{tid}' sum to {total:.10g}, not 1; adjust them",
        )
    return tuple(probs)


def _outcomes(ctx: CompileContext) -> list[Outcome]:
    out = []
    if not ctx.spec.outcomes:
        ctx.error(("outcomes",), "'outcomes' is empty; a scenario needs at least one outcome")
    for oid, spec in ctx.spec.outcomes.items():
        path = ("outcomes", oid)
        ctx.check_id(oid, path, "outcome")
        cond = ctx.condition(spec.when, path + ("when",))
        if cond is not None:
            out.append(Outcome(oid, spec.label or oid, cond, spec.ever, str(spec.when)))
    return out


def _report(
    ctx: CompileContext, start: dt.date | None, horizon_days: float, horizon_ok: bool
) -> tuple[float, str, list[tuple[dt.date, float]]]:
    """The report step in days, as written, and the report dates with their day numbers."""
    spec = ctx.spec.report
    every_text = spec.every if spec and spec.every else CALENDAR
    try:
        every = parse_duration(every_text if every_text != CALENDAR else "1 month")
    except QuantityError as exc:
        ctx.error(("report", "every"), f"report every: {exc}")
        every = 365.25 / 12
    if horizon_ok and horizon_days / every > MAX_GRID:
        ctx.error(
            ("report", "every"),
            f"report every '{every_text}' gives "
            f"{horizon_days / every:,.0f} points to the horizon; at most {MAX_GRID:,} "
            "are allowed: choose a longer step such as '1 week' or '1 month'",
        )
        every = max(every, horizon_days / MAX_GRID)
    dates = []
    for k, raw in enumerate(spec.dates or [] if spec else []):
        d = ctx.date(raw, ("report", "dates", k), "report dates")
        if d is None or start is None or not horizon_ok:
            continue  # no range check against a start or horizon already in error
        days = float((d - start).days)
        if not 0 <= days <= horizon_days:
            ctx.error(
                ("report", "dates", k),
                f"report date {d} is outside [start, horizon] "
                f"({start} to {start + dt.timedelta(days=math.floor(horizon_days))})",
            )
            continue
        dates.append((d, days))
    return every, every_text, dates


#: ``report_every_text`` when ``report.every`` is absent: :func:`calendar_grid`.
CALENDAR = "calendar month"


def calendar_grid(start: dt.date, horizon: float, events: list[Event]) -> tuple[float, ...]:
    """The grid of curves over time when ``report.every`` is absent (days after ``start``).

    ``start``, the first of each calendar month after it, the day of each scheduled event
    (``at``, inside the run) and the day before it (so that a curve shows the change as a
    step on its day, not as a slope from the previous point) and the horizon, sorted; none but the horizon on the horizon's
    date (``start + floor(horizon)``). An explicit ``every`` (even ``1 month``)
    keeps the format's grid, ``start + k every`` with a month of 365.25/12 days (format
    section 9), which drifts off the first of the month (2026-01-30, 2026-03-02, ...).

    Returns
    -------
    tuple of float
        Days after ``start``, strictly increasing, from 0 to ``horizon``.
    """
    days = {0.0, float(horizon)}
    last = math.floor(horizon)  # the horizon's date: no other point on it
    year, month = start.year, start.month
    while len(days) <= MAX_GRID:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        if year > dt.MAXYEAR:
            break
        day = float((dt.date(year, month, 1) - start).days)
        if day >= last:
            break
        days.add(day)
    scheduled = {e.timing.day for e in events if e.timing.kind == "at" and 0 < e.timing.day < last}
    # each scheduled date and its eve: the curve steps within a day, not over a month
    days |= scheduled | {max(d - 1.0, 0.0) for d in scheduled}
    return tuple(sorted(days))


def _grid(horizon: float, every: float) -> tuple[float, ...]:
    n = int(math.floor(horizon / every + 1e-9))
    grid = [k * every for k in range(n + 1) if k * every < horizon]
    grid.append(horizon)
    return tuple(grid)
