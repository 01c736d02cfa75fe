"""From a structurally valid file to a :class:`~sim.model.scenario.Scenario`.

Checks everything the schema cannot: ids, references between tracks, states, events and
parameters (with "did you mean"), quantities and their kinds, conditions, branch sums, timing
rules, dates; and warns about events that can never be enabled and states never reached.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from typing import Any

from sim.errors import Problem, did_you_mean
from sim.model.conditions import Condition
from sim.model.distributions import Distribution
from sim.model.scenario import (
    Event,
    Modifier,
    Outcome,
    Scenario,
    Slot,
    Timing,
    Track,
    Value,
    VariantInfo,
)
from sim.scenario.conditions import KEYWORDS, ConditionError, parse_condition
from sim.scenario.quantities import (
    ParamRef,
    QuantityError,
    flow_text,
    guess_kind,
    parse_chance,
    parse_duration,
    parse_fixed_probability,
    parse_quantity,
    parse_rate,
)
from sim.scenario.schema import ScenarioFile
from sim.scenario.yamlio import Document

__all__ = ["compile_scenario"]

ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
TIMINGS = ("chance", "rate", "after", "at")
SUM_TOL = 1e-9
MAX_ID = 64
MAX_HORIZON_YEARS = 100
MAX_HORIZON_DAYS = MAX_HORIZON_YEARS * 365.25
MAX_GRID = 5000  # points of the report grid


class _Compiler:
    def __init__(self, doc: Document, spec: ScenarioFile, variant: str, variant_label: str):
        self.doc = doc
        self.spec = spec
        self.variant = variant
        self.variant_label = variant_label
        self.problems: list[Problem] = []
        self.param_uses: dict[str, list[tuple[str, tuple]]] = {}

    # -- reporting -------------------------------------------------------------------------
    def error(
        self,
        path: tuple,
        message: str,
        *,
        key: bool = False,
        offset: int = 0,
        severity: str = "error",
    ) -> None:
        pos = self.doc.positions.of(path, key=key)
        col = pos.column + offset + (1 if offset and pos.style in ("'", '"') else 0)
        self.problems.append(Problem(self.doc.file, pos.line, col, message, severity))

    def warn(self, path: tuple, message: str, *, key: bool = False) -> None:
        self.error(path, message, key=key, severity="warning")

    def check_id(self, ident: str, path: tuple, what: str, *, key: bool = True) -> bool:
        if isinstance(ident, str) and len(ident) > MAX_ID:
            self.error(
                path,
                f"{what} id '{ident[:20]}...' is {len(ident)} characters long; "
                f"ids have at most {MAX_ID} (they name folders and columns): shorten it",
                key=key,
            )
            return False
        if not isinstance(ident, str) or not ID_RE.match(ident):
            self.error(
                path,
                f"{what} id '{ident}' is not valid: ids are lower snake_case "
                f"(^[a-z][a-z0-9_]*$), e.g. '{_snake(ident)}'",
                key=key,
            )
            return False
        if ident in KEYWORDS:
            self.error(
                path,
                f"{what} id '{ident}' is a word of the condition language "
                f"({', '.join(sorted(KEYWORDS))}); choose another id",
                key=key,
            )
            return False
        return True

    def date(self, value: Any, path: tuple, what: str) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.error(path, f"'{what}' must be a date such as 2026-09-30, not '{value}'")
            return None

    # -- the whole file ----------------------------------------------------------------------
    def run(self) -> Scenario | None:
        s = self.spec
        self.check_id(s.scenario, ("scenario",), "scenario", key=False)
        start = self.date(s.start, ("start",), "start")
        horizon_days, horizon_text = self.horizon(s.horizon, start)
        tracks = self.tracks()
        self.track_states = {t.id: t.states for t in tracks}
        self.track_ids = [t.id for t in tracks]
        self.params = dict(s.parameters or {})
        for pid in self.params:
            self.check_id(pid, ("parameters", pid), "parameter")
        self.slots: list[Slot] = []
        self.slot_of: dict[str, int] = {}
        for pid in self.params:  # parameters first, in file order; kinds resolved below
            self.slot_of[pid] = len(self.slot_of)
        events = self.events(tracks)
        outcomes = self.outcomes()
        slots = self.parameter_slots() + self.slots
        every_days, every_text, dates = self.report(start, horizon_days)
        variants = tuple(
            VariantInfo(v, spec.label or v, spec.description)
            for v, spec in (s.variants or {}).items()
        )
        for v in s.variants or {}:
            if v == "base":
                self.error(
                    ("variants", "base"),
                    "'base' is the base scenario itself and is not a valid variant id; rename it",
                    key=True,
                )
            else:
                self.check_id(v, ("variants", v), "variant")
        if any(p.severity == "error" for p in self.problems):
            return None
        self.reachability(tracks, events)
        grid = _grid(horizon_days, every_days)
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
            parameters=tuple(self.params),
            variant=self.variant,
            variant_label=self.variant_label,
            variants=variants,
            report_every_days=every_days,
            report_every_text=every_text,
            report_dates=tuple(dates),
            grid_days=grid,
            file=self.doc.file,
            warnings=tuple(str(p) for p in self.problems if p.severity == "warning"),
        )

    def horizon(self, value: Any, start: dt.date | None) -> tuple[float, str]:
        """Horizon in days from start; sets ``horizon_ok`` (False after an error)."""
        self.horizon_ok = False
        if isinstance(value, dt.date) or re.match(r"^\s*\d{4}-\d{2}-\d{2}\s*$", str(value)):
            d = self.date(value, ("horizon",), "horizon")
            if d is None or start is None:
                return 1.0, str(value)
            days = (d - start).days
            if days <= 0:
                self.error(
                    ("horizon",),
                    f"horizon {d} must be after start {start}; write a later date or a "
                    "duration such as '2 years'",
                )
                return 1.0, str(d)
            if days > MAX_HORIZON_DAYS:
                self.error(
                    ("horizon",),
                    f"horizon {d} is more than {MAX_HORIZON_YEARS} years "
                    f"after start {start}; scenarios look at most a century ahead",
                )
                return 1.0, str(d)
            self.horizon_ok = True
            return float(days), d.isoformat()
        try:
            days = parse_duration(value)
        except QuantityError as exc:
            self.error(("horizon",), f"'horizon' must be a date after start or a duration: {exc}")
            return 1.0, str(value)
        if days > MAX_HORIZON_DAYS:
            self.error(
                ("horizon",),
                f"horizon '{value}' is longer than {MAX_HORIZON_YEARS} "
                "years; scenarios look at most a century ahead",
            )
            return 1.0, str(value)
        if start is not None and (dt.date.max - start).days < days:
            self.error(
                ("horizon",),
                f"horizon '{value}' after start {start} ends past the year 9999; "
                "write an earlier start",
            )
            return 1.0, str(value)
        self.horizon_ok = start is not None
        return days, str(value)

    def tracks(self) -> list[Track]:
        out = []
        if not self.spec.tracks:
            self.error(("tracks",), "'tracks' is empty; a scenario needs at least one track")
        for tid, spec in self.spec.tracks.items():
            path = ("tracks", tid)
            self.check_id(tid, path, "track")
            if isinstance(spec.states, dict):
                states = list(spec.states)
                labels = [(v.label if v and v.label else k) for k, v in spec.states.items()]
            else:
                states = [str(x) for x in spec.states]
                labels = list(states)
            if not states:
                self.error(path + ("states",), f"track '{tid}' has no states")
                continue
            for i, st in enumerate(states):
                sp = path + ("states", st if isinstance(spec.states, dict) else i)
                self.check_id(st, sp, "state", key=isinstance(spec.states, dict))
                if states.index(st) != i:
                    self.error(sp, f"state '{st}' is listed twice in track '{tid}'")
            initial = self.initial(tid, spec.initial, states, path + ("initial",))
            out.append(Track(tid, spec.label or tid, tuple(states), tuple(labels), initial))
        return out

    def initial(self, tid: str, value: Any, states: list[str], path: tuple) -> tuple[float, ...]:
        probs = [0.0] * len(states)
        if isinstance(value, str):
            if value not in states:
                self.error(
                    path,
                    f"initial state '{value}' is not a state of track '{tid}'"
                    f"{did_you_mean(value, states)}",
                )
            else:
                probs[states.index(value)] = 1.0
            return tuple(probs)
        for st, p in value.items():
            if st not in states:
                self.error(
                    path + (st,),
                    f"initial state '{st}' is not a state of track '{tid}'{did_you_mean(st, states)}",
                    key=True,
                )
                continue
            try:
                probs[states.index(st)] = parse_fixed_probability(p)
            except QuantityError as exc:
                self.error(path + (st,), f"initial probability of '{st}': {exc}")
        total = sum(probs)
        if abs(total - 1) > SUM_TOL and not any(
            p.severity == "error" and p.line == self.doc.positions.of(path).line
            for p in self.problems
        ):
            self.error(
                path,
                f"initial probabilities of track '{tid}' sum to {total:.10g}, not 1; adjust them",
            )
        return tuple(probs)

    # -- quantities and parameters -------------------------------------------------------------
    def value(self, raw: Any, kind: str, path: tuple, name: str, label: str) -> Value | None:
        """A per-run value: constant, a new slot, or a parameter's slot."""
        try:
            q = parse_quantity(raw, kind)
        except QuantityError as exc:
            self.error(path, f"{_place(path, self.spec)}: {exc}")
            return None
        if isinstance(q, ParamRef):
            return self.param_use(q.name, kind, path)
        if name.endswith(".chance") and _reaches_one(q):
            self.error(
                path,
                f"chance of '{q.text}' reaches 100%: P must be below 1 (an "
                "event that surely happens within D is better written with 'after')",
            )
            return None
        if q.is_fixed:
            return Value(const=q.params[0])
        self.slots.append(Slot(name, q, f"{name} ({q.text})"))
        return Value(slot=len(self.params) + len(self.slots) - 1)

    def param_use(self, name: str, kind: str, path: tuple) -> Value | None:
        if name not in self.params:
            self.error(path, f"unknown parameter '${name}'{did_you_mean(name, self.params)}")
            return None
        uses = self.param_uses.setdefault(name, [])
        for other_kind, other_path in uses:
            if other_kind != kind:
                other = self.doc.positions.of(other_path)
                defined = self.doc.positions.of(("parameters", name), key=True)
                self.error(
                    path,
                    f"parameter '${name}' (line {defined.line}) is used here as a {kind} but "
                    f"as a {other_kind} at line {other.line}; use two parameters",
                )
                return None
        uses.append((kind, path))
        return Value(slot=self.slot_of[name])

    def parameter_slots(self) -> list[Slot]:
        out = []
        for pid, spec in self.params.items():
            uses = self.param_uses.get(pid)
            kind = uses[0][0] if uses else guess_kind(spec.value)
            path = ("parameters", pid, "value")
            if not uses:
                self.warn(
                    ("parameters", pid),
                    f"parameter '{pid}' is never used (write "
                    f"${pid} where it applies, or remove it)",
                    key=True,
                )
            try:
                q = parse_quantity(spec.value, kind, allow_param=False)
            except QuantityError as exc:
                q = Distribution("fixed", (0.0,), kind, str(spec.value))
                written = guess_kind(spec.value)
                if uses and written != kind and _parses(spec.value, written):
                    # The value is fine as what it was written as: the use is the mistake.
                    line = self.doc.positions.of(path).line
                    self.error(
                        uses[0][1],
                        f"parameter '${pid}' is a {written} ({flow_text(spec.value)}, line {line}) but "
                        f"is used here as a {kind}; use a {kind} parameter here, or change "
                        f"its value",
                    )
                else:
                    where = f" (it is used as a {kind})" if uses else ""
                    self.error(path, f"value of parameter '{pid}'{where}: {exc}")
            if uses and any(u[1][-1] == "chance" for u in uses) and _reaches_one(q):
                self.error(
                    path, f"parameter '{pid}' is used as a chance's P, which must be below 100%"
                )
            out.append(Slot(pid, q, spec.label or pid))
        return out

    # -- events --------------------------------------------------------------------------------
    def events(self, tracks: list[Track]) -> list[Event]:
        out = []
        seen: dict[str, int] = {}
        by_id = {t.id: t for t in tracks}
        for i, spec in enumerate(self.spec.events):
            path = ("events", i)
            if self.check_id(spec.id, path + ("id",), "event", key=False):
                if spec.id in seen:
                    line = self.doc.positions.of(("events", seen[spec.id], "id")).line
                    self.error(
                        path + ("id",),
                        f"event id '{spec.id}' is already used at line "
                        f"{line}; event ids must be unique",
                    )
                seen[spec.id] = i
            track = by_id.get(spec.track)
            if track is None:
                self.error(
                    path + ("track",),
                    f"event '{spec.id}': unknown track '{spec.track}'{did_you_mean(spec.track, by_id)}",
                )
                continue
            ev = self.event(i, spec, track, tracks, path)
            if ev is not None:
                out.append(ev)
        if not self.spec.events:
            self.error(("events",), "'events' is empty; a scenario needs at least one event")
        return out

    def state_ref(
        self, track: Track, state: Any, path: tuple, what: str, *, key=False
    ) -> int | None:
        if state not in track.states:
            self.error(
                path,
                f"{what}: '{state}' is not a state of track '{track.id}' "
                f"(states: {', '.join(track.states)}){did_you_mean(str(state), track.states)}",
                key=key,
            )
            return None
        return track.states.index(state)

    def event(self, i: int, spec, track: Track, tracks: list[Track], path: tuple) -> Event | None:
        eid = spec.id
        ok = True
        # from
        if spec.from_ == "any":
            from_states = frozenset(range(len(track.states)))
        else:
            raw = [spec.from_] if isinstance(spec.from_, str) else spec.from_
            idx = [
                self.state_ref(
                    track,
                    s,
                    path
                    + ("from",)
                    + ((k,) if len(raw) > 1 or isinstance(spec.from_, list) else ()),
                    f"event '{eid}' from",
                )
                for k, s in enumerate(raw)
            ]
            ok &= None not in idx
            from_states = frozenset(x for x in idx if x is not None)
            if not raw:
                self.error(path + ("from",), f"event '{eid}': 'from' is an empty list")
                ok = False
        # to
        if isinstance(spec.to, str):
            s = self.state_ref(track, spec.to, path + ("to",), f"event '{eid}' to")
            to = ((s, 1.0),) if s is not None else ()
            ok &= s is not None
        else:
            to_list = []
            for st, p in spec.to.items():
                s = self.state_ref(track, st, path + ("to", st), f"event '{eid}' branch", key=True)
                try:
                    prob = parse_fixed_probability(p)
                except QuantityError as exc:
                    self.error(path + ("to", st), f"event '{eid}' branch to '{st}': {exc}")
                    ok = False
                    continue
                if s is None:
                    ok = False
                    continue
                to_list.append((s, prob))
            total = sum(p for _, p in to_list)
            if ok and abs(total - 1) > SUM_TOL:
                self.error(
                    path + ("to",),
                    f"event '{eid}': branch probabilities sum to {total:.10g}, not 1; adjust them",
                )
                ok = False
            to = tuple(to_list)
        # timing
        given = [k for k in TIMINGS if getattr(spec, k) is not None]
        timing = None
        if len(given) != 1:
            what = "none" if not given else " and ".join(given)
            self.error(
                path + (("id",) if not given else (given[1],)),
                f"event '{eid}' has {what} of chance/rate/after/at; give exactly one timing",
                key=bool(given),
            )
            ok = False
        else:
            timing = self.timing(eid, given[0], getattr(spec, given[0]), path + (given[0],))
            ok &= timing is not None
        guard = self.condition(spec.when, path + ("when",)) if spec.when is not None else None
        ok &= spec.when is None or guard is not None
        modifiers = []
        if spec.modifiers:
            if given == ["at"]:
                self.error(
                    path + ("modifiers",),
                    f"event '{eid}' is scheduled with 'at'; "
                    "modifiers are not allowed on 'at' events (remove them, or use "
                    "'after' or 'chance')",
                    key=True,
                )
                ok = False
            for k, m in enumerate(spec.modifiers):
                mp = path + ("modifiers", k)
                cond = self.condition(m.when, mp + ("when",))
                factor = self.value(
                    m.multiply, "number", mp + ("multiply",), f"{eid}.modifiers.{k}", eid
                )
                if cond is None or factor is None:
                    ok = False
                    continue
                modifiers.append(Modifier(cond, factor, f"{m.when}: x{flow_text(m.multiply)}"))
        also = []
        by_id = {t.id: (n, t) for n, t in enumerate(tracks)}
        for other, st in (spec.also or {}).items():
            ap = path + ("also", other)
            if other not in by_id:
                self.error(
                    ap,
                    f"event '{eid}' also: unknown track '{other}'{did_you_mean(other, by_id)}",
                    key=True,
                )
                ok = False
                continue
            n, t = by_id[other]
            if t.id == track.id:
                self.error(
                    ap,
                    f"event '{eid}' also: '{other}' is the event's own track; set it with 'to'",
                    key=True,
                )
                ok = False
                continue
            s = self.state_ref(t, st, ap, f"event '{eid}' also")
            if s is None:
                ok = False
                continue
            also.append((n, s))
        if not ok:
            return None
        return Event(
            eid,
            i,
            spec.label or eid,
            spec.note,
            self.track_ids.index(track.id),
            from_states,
            to,
            timing,
            guard,
            tuple(modifiers),
            tuple(also),
        )

    def timing(self, eid: str, kind: str, raw: Any, path: tuple) -> Timing | None:
        try:
            if kind == "at":
                d = self.date(raw, path, "at")
                if d is None:
                    return None
                day = float((d - self.start_date()).days) if self.start_date() else 0.0
                return Timing("at", f"at {d}", f"on {d}", day=day)
            if kind == "chance":
                p, days, text = parse_chance(raw)
                v = self.value(p, "probability", path, f"{eid}.chance", eid)
                if v is None:
                    return None
                return Timing(
                    "hazard",
                    text,
                    f"{self.short(p)} / {_dur(days)}",
                    value=v,
                    per_days=days,
                    transform="chance",
                )
            if kind == "rate":
                r, days, text = parse_rate(raw)
                v = self.value(r, "number", path, f"{eid}.rate", eid)
                if v is None:
                    return None
                return Timing(
                    "hazard",
                    text,
                    f"{self.short(r)} per {_dur(days)}",
                    value=v,
                    per_days=days,
                    transform="rate",
                )
            q = parse_quantity(raw, "duration")
        except QuantityError as exc:
            self.error(path, f"event '{eid}' {kind}: {exc}")
            return None
        if isinstance(q, ParamRef):
            v = self.param_use(q.name, "duration", path)
            return (
                None
                if v is None
                else Timing(
                    "after", f"after ${q.name}", _short_text(self.short(f"${q.name}")), value=v
                )
            )
        return Timing("after", f"after {q.text}", _short_dur(q), distribution=q)

    def short(self, raw: Any) -> str:
        """Short text of a quantity for diagrams; a parameter shows its value."""
        if isinstance(raw, dict):  # a distribution written in place shows its family's name
            return next(iter(raw), "?")
        text = str(raw).strip()
        if text.startswith("$") and text[1:] in self.params:
            value = self.params[text[1:]].value
            # a distribution shows its family's name; text or a number (value: 2) itself
            text = next(iter(value), text) if isinstance(value, dict) else str(value)
        return _short(text)

    def start_date(self) -> dt.date | None:
        s = self.spec.start
        if isinstance(s, dt.date):
            return s
        try:
            return dt.date.fromisoformat(str(s).strip())
        except ValueError:
            return None

    def condition(self, text: Any, path: tuple) -> Condition | None:
        try:
            return parse_condition(text, self.track_states)
        except ConditionError as exc:
            shown = str(text) if len(str(text)) <= 80 else str(text)[:77] + "..."
            self.error(path, f"condition '{shown}': {exc}", offset=exc.offset)
            return None

    # -- outcomes and report -------------------------------------------------------------------
    def outcomes(self) -> list[Outcome]:
        out = []
        if not self.spec.outcomes:
            self.error(("outcomes",), "'outcomes' is empty; a scenario needs at least one outcome")
        for oid, spec in self.spec.outcomes.items():
            path = ("outcomes", oid)
            self.check_id(oid, path, "outcome")
            cond = self.condition(spec.when, path + ("when",))
            if cond is not None:
                out.append(Outcome(oid, spec.label or oid, cond, spec.ever, str(spec.when)))
        return out

    def report(self, start, horizon_days):
        spec = self.spec.report
        every_text = spec.every if spec and spec.every else "1 month"
        try:
            every = parse_duration(every_text)
        except QuantityError as exc:
            self.error(("report", "every"), f"report every: {exc}")
            every = 365.25 / 12
        if self.horizon_ok and horizon_days / every > MAX_GRID:
            self.error(
                ("report", "every"),
                f"report every '{every_text}' gives "
                f"{horizon_days / every:,.0f} points to the horizon; at most {MAX_GRID:,} "
                "are allowed: choose a longer step such as '1 week' or '1 month'",
            )
            every = max(every, horizon_days / MAX_GRID)
        dates = []
        for k, raw in enumerate(spec.dates or [] if spec else []):
            d = self.date(raw, ("report", "dates", k), "report dates")
            if d is None or start is None or not self.horizon_ok:
                continue  # no range check against a start or horizon already in error
            days = float((d - start).days)
            if not 0 <= days <= horizon_days:
                self.error(
                    ("report", "dates", k),
                    f"report date {d} is outside [start, horizon] "
                    f"({start} to {start + dt.timedelta(days=math.floor(horizon_days))})",
                )
                continue
            dates.append((d, days))
        return every, every_text, dates

    # -- warnings ------------------------------------------------------------------------------
    def reachability(self, tracks: list[Track], events: list[Event]) -> None:
        """Warn about states never reached and events never enabled (a sound over-approximation:
        a guard is deemed satisfiable when some combination of reachable states satisfies it)."""
        reach = [{i for i, p in enumerate(t.initial) if p > 0} for t in tracks]
        enabled = [False] * len(events)
        changed = True
        while changed:
            changed = False
            for k, ev in enumerate(events):
                if enabled[k] or not (ev.from_states & reach[ev.track]):
                    continue
                if ev.guard is not None and not _satisfiable(ev.guard, reach, ev):
                    continue
                if (
                    ev.timing.kind == "hazard"
                    and ev.timing.value.slot is None
                    and ev.timing.value.const == 0
                ):
                    continue
                enabled[k] = True
                changed = True
                for s, p in ev.to:
                    if p > 0:
                        reach[ev.track].add(s)
                for n, s in ev.also:
                    reach[n].add(s)
        for k, ev in enumerate(events):
            if not enabled[k]:
                zero = (
                    ev.timing.kind == "hazard"
                    and ev.timing.value.slot is None
                    and ev.timing.value.const == 0
                )
                self.warn(
                    ("events", ev.index, "id"),
                    f"event '{ev.id}' can never fire: its "
                    + (
                        "chance or rate is 0"
                        if zero
                        else "from states are never reached, or its guard never holds"
                    ),
                )
        for n, t in enumerate(tracks):
            as_map = isinstance(self.spec.tracks[t.id].states, dict)
            for s, st in enumerate(t.states):
                if s not in reach[n]:
                    self.warn(
                        ("tracks", t.id, "states", st if as_map else s),
                        f"state '{st}' of track '{t.id}' can never be reached (no event "
                        "that can be enabled leads to it, and it is not initial)",
                        key=as_map,
                    )


def _satisfiable(cond: Condition, reach: list[set[int]], ev: Event) -> bool:
    used = sorted(cond.tracks())
    choices = [
        sorted(reach[t] & ev.from_states) if t == ev.track else sorted(reach[t]) for t in used
    ]
    n = math.prod(len(c) for c in choices)
    if n > 100_000:
        return True
    state = [0] * len(reach)
    for combo in itertools.product(*choices):
        for t, s in zip(used, combo, strict=True):
            state[t] = s
        if cond(state):
            return True
    return False


def _place(path: tuple, spec: ScenarioFile) -> str:
    """``event 'e' chance``, ``event 'e' modifiers[0].multiply``, ``parameter 'p'``..."""
    if path[0] == "events":
        rest = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path[2:])
        return f"event '{spec.events[path[1]].id}' {rest.lstrip('.')}"
    return ".".join(str(p) for p in path)


def _parses(value: Any, kind: str) -> bool:
    try:
        parse_quantity(value, kind, allow_param=False)
    except QuantityError:
        return False
    return True


def _reaches_one(q: Distribution) -> bool:
    """True when a chance's P could be 1: fixed 1, or a uniform/triangular/PERT ending at 1."""
    if q.is_fixed:
        return q.params[0] >= 1
    bounded = q.family in ("uniform", "triangular") or (
        q.family == "beta" and q.params[2:] != (0.0, 1.0)
    )
    return bounded and q.support()[1] >= 1


def _grid(horizon: float, every: float) -> tuple[float, ...]:
    n = int(math.floor(horizon / every + 1e-9))
    grid = [k * every for k in range(n + 1) if k * every < horizon]
    grid.append(horizon)
    return tuple(grid)


def _snake(text: Any) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")
    return s if s and s[0].isalpha() else f"x_{s}"


def _short(raw: Any) -> str:
    return str(raw).replace(" to ", "-")


def _dur(days: float) -> str:
    months = days / (365.25 / 12)
    if abs(months - round(months)) < 1e-9 and 1 <= months <= 24:
        return f"{round(months)} mo"
    for unit, size in (("yr", 365.25), ("wk", 7.0)):
        n = days / size
        if abs(n - round(n)) < 1e-9 and n >= 1:
            return f"{round(n)} {unit}"
    return f"{days:g} d"


def _short_dur(q: Distribution) -> str:
    return _short_text(q.text)


def _short_text(text: str) -> str:
    for long, short in (
        (" months", " mo"),
        (" month", " mo"),
        (" years", " yr"),
        (" year", " yr"),
        (" weeks", " wk"),
        (" days", " d"),
    ):
        text = text.replace(long, short)
    return text.replace(" to ", "-")


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

    Returns
    -------
    (Scenario or None, list of Problem)
        The scenario (None when any problem is an error) and every problem, warnings included.
    """
    c = _Compiler(doc, spec, variant, variant_label)
    scenario = c.run()
    return scenario, c.problems
