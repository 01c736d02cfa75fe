"""The structure of a scenario file as pydantic models (keys, required keys, basic types).

This layer rejects typos (``extra="forbid"``) and wrong shapes; the meaning of values
(quantities, conditions, references between ids) is checked by :mod:`sim.scenario.compile`.
The same models give ``sim schema`` its JSON Schema.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.errors import Problem, closest, did_you_mean, shorten
from sim.scenario.yamlio import Document

__all__ = [
    "EvidenceFile",
    "IndicatorSpec",
    "ObservationSpec",
    "ScenarioFile",
    "json_schema",
    "validate_evidence_structure",
    "validate_structure",
]

Quantity = str | int | float | dict[str, Any]
DateLike = dt.date | str


class _Raw(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


class Source(_Raw):
    """Where a claim of the model comes from."""

    title: str
    url: str | None = None
    date: DateLike | None = None
    note: str | None = None


class StateSpec(_Raw):
    """A state written as a mapping entry (to give it a label or note)."""

    label: str | None = None
    note: str | None = None


class TrackSpec(_Raw):
    """A track: one dimension of the situation, always in one of its states."""

    label: str | None = None
    note: str | None = None
    states: list[str] | dict[str, StateSpec | None] = Field(
        description="list of state ids, or mapping id -> {label, note}"
    )
    initial: str | dict[str, float | str] = Field(
        description="a state, or mapping state -> probability summing to 1"
    )


class ParameterSpec(_Raw):
    """A named uncertain quantity, one value per run."""

    label: str | None = None
    note: str | None = None
    value: Quantity


class ModifierSpec(_Raw):
    """Multiply an event's clock speed while a condition holds."""

    when: str | bool
    multiply: Quantity
    label: str | None = None
    note: str | None = None


class EventSpec(_Raw):
    """A timed, possibly conditional, transition of one track."""

    id: str
    label: str | None = None
    note: str | None = None
    track: str
    from_: str | list[str] = Field(alias="from", description="a state, a list of states, or any")
    to: str | dict[str, float | str] = Field(
        description="a state, or a branch: mapping state -> probability summing to 1"
    )
    chance: str | dict[str, Any] | None = Field(None, description="'P within D'")
    rate: str | dict[str, Any] | None = Field(None, description="'R per D'")
    after: Quantity | None = Field(None, description="waiting time once enabled")
    at: DateLike | None = Field(None, description="a scheduled date")
    when: str | bool | None = None
    modifiers: list[ModifierSpec] | None = None
    also: dict[str, str] | None = None


class OutcomeSpec(_Raw):
    """What we want the probability of."""

    label: str | None = None
    note: str | None = None
    when: str | bool
    ever: bool = False


class VariantSpec(_Raw):
    """A what-if: the base scenario with some values set and some events disabled."""

    label: str | None = None
    description: str | None = None
    note: str | None = None
    set: dict[str, Any] | None = None
    disable: list[str] | None = None


class ReportSpec(_Raw):
    """The grid for curves over time and checkpoint dates."""

    every: str | None = None
    dates: list[DateLike] | None = None
    note: str | None = None


class ObservationSpec(_Raw):
    """Something observed since the start (format section 10): a condition seen at a date."""

    date: DateLike = Field(description="when it was observed; start <= date <= horizon")
    when: str | bool
    observed: bool = Field(description="true: it held; false: it did not")
    ever: bool = False
    confidence: str | int | float | None = Field(
        None, description="probability that the observation is right, in (50%, 100%]"
    )
    label: str | None = None
    note: str | None = None
    source: str | None = None


class IndicatorSpec(_Raw):
    """A signpost worth watching before the horizon (format section 11)."""

    label: str | None = None
    note: str | None = None
    when: str | bool
    ever: bool = False
    dates: list[DateLike] | None = Field(
        None, description="dates strictly between start and horizon at which to watch it"
    )


class ScenarioFile(_Raw):
    """A whole scenario file, version 1.1."""

    scenario: str
    title: str | None = None
    label: str | None = None
    description: str | None = None
    note: str | None = None
    sources: list[Source] | None = None
    start: DateLike
    horizon: DateLike
    tracks: dict[str, TrackSpec]
    parameters: dict[str, ParameterSpec] | None = None
    events: list[EventSpec]
    outcomes: dict[str, OutcomeSpec]
    variants: dict[str, VariantSpec] | None = None
    report: ReportSpec | None = None
    evidence: list[ObservationSpec] | None = None
    indicators: dict[str, IndicatorSpec] | None = None


class EvidenceFile(_Raw):
    """A file of observations kept apart from the model (``--evidence FILE``)."""

    evidence: list[ObservationSpec]


_HINTS = {
    "states": "a list of state ids, or a mapping id -> {label, note}",
    "initial": "a state id, or a mapping state -> probability",
    "from": "a state, a list of states, or any",
    "to": "a state, or a branch mapping state -> probability",
    "when": "a condition such as 'track == state' (quote it inside {...} if it has [ ] or ,)",
    "ever": "true or false (YAML 1.2 reads yes and no as text)",
    "at": "a date such as 2026-09-30",
    "start": "a date such as 2025-08-01",
    "horizon": "a date such as 2027-12-31, or a duration such as '30 months'",
    "also": "a mapping other_track -> state",
    "modifiers": "a list of {when: CONDITION, multiply: NUMBER}",
    "disable": "a list of event ids",
    "set": "a mapping PATH -> value",
    "events": "a list of events (each starting with '- id: ...')",
    "dates": "a list of dates",
    "sources": "a list of {title, url, date, note}",
    "tracks": "a mapping track id -> {states: [...], initial: STATE}",
    "parameters": "a mapping parameter id -> {value: QUANTITY}",
    "outcomes": "a mapping outcome id -> {when: CONDITION}",
    "variants": "a mapping variant id -> {set: {PATH: VALUE}, disable: [EVENT, ...]}",
    "report": "a mapping {every: DURATION, dates: [DATE, ...]}",
    "scenario": "an id such as us_withdrawal (lower snake_case)",
    "id": "an id such as us_exit (lower snake_case)",
    "track": "a track id",
    "value": "a quantity such as 25%, '3 to 12 months' or {uniform: [A, B]}",
    "chance": "'P within D', e.g. '25% within 12 months'",
    "rate": "'R per D', e.g. '0.5 per year'",
    "after": "a duration such as '6 months', or a distribution",
    "multiply": "a number such as 2, or a distribution",
    "every": "a duration such as '1 month'",
    "observed": "true or false (YAML 1.2 reads yes and no as text)",
    "confidence": "a probability above 50% such as 80% or 0.8",
    "evidence": "a list of observations (each starting with '- date: ...')",
    "indicators": "a mapping indicator id -> {when: CONDITION, dates: [DATE, ...]}",
    "date": "a date such as 2026-09-30",
    "source": "text",
}


def json_schema() -> dict:
    """The JSON Schema (draft 2020-12) of the scenario format, for editors."""
    schema = ScenarioFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Scenario file (sim, format version 1.1)"
    return schema


def _data_path(loc: tuple, data: Any) -> tuple[tuple, list[str]]:
    """Split a pydantic ``loc`` into the path that exists in ``data`` and the type tags."""
    path: list = []
    tags: list[str] = []
    node = data
    for part in loc:
        if (
            isinstance(node, dict)
            and part in node
            or isinstance(node, list)
            and isinstance(part, int)
            and 0 <= part < len(node)
        ):
            path.append(part)
            node = node[part]
        else:
            tags.append(str(part))
    return tuple(path), tags


def _field_model(path: tuple, data: Any) -> type[BaseModel] | None:
    """Which model a mapping at ``path`` is validated by (for 'did you mean' suggestions)."""
    names = [p for p in path if isinstance(p, str)]
    if not path:
        return ScenarioFile
    top = path[0]
    depth = len(path)
    table = {
        ("tracks", 2): TrackSpec,
        ("parameters", 2): ParameterSpec,
        ("events", 2): EventSpec,
        ("outcomes", 2): OutcomeSpec,
        ("variants", 2): VariantSpec,
        ("report", 1): ReportSpec,
        ("sources", 2): Source,
        ("evidence", 2): ObservationSpec,
        ("indicators", 2): IndicatorSpec,
    }
    if top == "events" and depth == 4 and path[2] == "modifiers":
        return ModifierSpec
    if top == "tracks" and depth == 4 and names[-2:-1] == ["states"]:
        return StateSpec
    return table.get((top, depth))


def validate_structure(doc: Document) -> tuple[ScenarioFile | None, list[Problem]]:
    """Check keys and shapes of a document.

    Returns
    -------
    (ScenarioFile or None, list of Problem)
        The model when valid, else None and one problem per wrong value (with position).
    """
    if not isinstance(doc.data, dict):
        kind = "a list" if isinstance(doc.data, list) else f"'{shorten(doc.data)}'"
        pos = doc.positions.of(())
        return None, [
            Problem(
                doc.file,
                pos.line,
                pos.column,
                f"a scenario file is a mapping of keys (scenario:, start:, tracks:, "
                f"...), but this file holds {kind}",
            )
        ]
    try:
        return ScenarioFile.model_validate(doc.data), []
    except ValidationError as exc:
        return None, _problems(exc, doc)


def validate_evidence_structure(
    doc: Document,
) -> tuple[list[ObservationSpec] | None, list[Problem]]:
    """Check keys and shapes of an evidence file (its only top-level key is ``evidence``).

    Returns
    -------
    (list of ObservationSpec or None, list of Problem)
        The observations when valid, else None and the problems (with positions).
    """
    usage = "an evidence file holds only 'evidence', a list of observations"
    data = doc.data
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"'{shorten(data)}'"
        pos = doc.positions.of(())
        message = f"{usage} ('evidence:' at the left margin), but this file holds {kind}"
        return None, [Problem(doc.file, pos.line, pos.column, message)]
    out = []
    for key in data:
        if key != "evidence":
            hint = did_you_mean(key, ["evidence"]) or (
                "; keep the model (tracks, events, outcomes, ...) in the scenario file"
            )
            pos = doc.positions.of((key,), key=True)
            message = f"unknown key '{key}' in an evidence file ({usage}){hint}"
            out.append(Problem(doc.file, pos.line, pos.column, message))
    if "evidence" not in data and not any("did you mean" in p.message for p in out):
        pos = doc.positions.of(())
        message = f"missing required key 'evidence' ({_HINTS['evidence']})"
        out.append(Problem(doc.file, pos.line, pos.column, message))
    if out:
        return None, out
    try:
        return list(EvidenceFile.model_validate(data).evidence), []
    except ValidationError as exc:
        return None, _problems(exc, doc)


def _problems(exc: ValidationError, doc: Document) -> list[Problem]:
    seen: set[tuple] = set()
    out: list[Problem] = []
    errors = exc.errors()
    # A typo of a required key ('intial') is reported once, as the typo with its suggestion,
    # not also as the missing key it was meant to be.
    for err in errors:
        if err["type"] == "extra_forbidden":
            path, _ = _data_path(tuple(err["loc"]), doc.data)
            model = _field_model(path[:-1], doc.data)
            fields = [f.alias or n for n, f in model.model_fields.items()] if model else []
            close = closest(err["loc"][-1], fields, cutoff=0.6)
            if close is not None:
                seen.add(("missing", path[:-1], close))
    # When a value is wrong inside (a bad item of a list), pydantic also says the value matches
    # none of its union's other forms; only the inner problem is reported.
    paths = [_data_path(tuple(err["loc"]), doc.data)[0] for err in errors]
    for err, path in zip(errors, paths, strict=True):
        kind = err["type"]
        if kind not in ("extra_forbidden", "missing") and any(
            len(q) > len(path) and q[: len(path)] == path for q in paths
        ):
            continue
        loc = tuple(err["loc"])
        if kind == "extra_forbidden":
            key = str(loc[-1])
            model = _field_model(path[:-1], doc.data)
            fields = [f.alias or n for n, f in model.model_fields.items()] if model else []
            hint = did_you_mean(key, fields, cutoff=0.6)
            if not hint and fields:
                hint = f"; allowed keys: {', '.join(fields)}"
            where = _where(path[:-1], doc.data)
            msg = f"unknown key '{key}'{where}{hint}"
            pos = doc.positions.of(path, key=True)
            ident = ("extra", path)
        elif kind == "missing":
            key = str(loc[-1])
            key = "from" if key == "from_" else key
            hint = f" ({_HINTS[key]})" if key in _HINTS else ""
            msg = f"missing required key '{key}'{_where(path, doc.data)}{hint}"
            pos = doc.positions.of(path, key=True)
            ident = ("missing", path, key)
        else:
            key = next((str(p) for p in reversed(path) if isinstance(p, str)), "")
            value = _get(doc.data, path)
            name, expect = _describe(path, err["msg"], doc.data)
            msg = f"{name} should be {expect}, not {_show(value)}"
            if key == "when" and isinstance(value, list):
                msg += "; an unquoted [...] inside {...} is read as a list: quote the condition"
            if key == "when" and isinstance(value, dict):
                msg += "; a condition inside {...} that has [, ] or , must be quoted"
            pos = doc.positions.of(path)
            ident = ("type", path)
        if ident in seen:
            continue
        seen.add(ident)
        out.append(Problem(doc.file, pos.line, pos.column, msg))
    return out


_ID_OF = {
    "tracks": "track",
    "outcomes": "outcome",
    "variants": "variant",
    "parameters": "parameter",
    "indicators": "indicator",
}
_ID_HINTS = {
    "tracks": "a track {states: [...], initial: STATE}",
    "outcomes": "an outcome {when: CONDITION, ever: true or false}",
    "variants": "a variant {set: {PATH: VALUE}, disable: [EVENT, ...]}",
    "parameters": "a parameter {value: QUANTITY}",
    "indicators": "an indicator {when: CONDITION, ever: true or false, dates: [DATE, ...]}",
    "to": "a probability such as 40%",
    "initial": "a probability such as 40%",
    "also": "a state id",
    "states": "{label: ..., note: ...} or nothing",
}
_ITEM_HINTS = {
    "events": "an event: a mapping with id, track, from, to and one timing",
    "states": "a state id",
    "from": "a state id",
    "modifiers": "a modifier {when: CONDITION, multiply: NUMBER}",
    "disable": "an event id",
    "dates": "a date such as 2026-09-30",
    "sources": "a source {title, url, date, note}",
    "evidence": "an observation {date: DATE, when: CONDITION, observed: true or false}",
}
_PYDANTIC_WORDS = [
    (r"a valid dictionary or instance of \w+", "a mapping"),
    (r"a valid dictionary", "a mapping"),
    (r"a valid string", "text"),
    (r"a valid list", "a list"),
    (r"a valid number", "a number"),
    (r"a valid integer", "a whole number"),
    (r"a valid boolean", "true or false"),
    (r"a valid date", "a date such as 2026-09-30"),
]


def _describe(path: tuple, pydantic_msg: str, data: Any) -> tuple[str, str]:
    """How to name the value at ``path`` in a message, and what it should be."""
    kpos = max((i for i, p in enumerate(path) if isinstance(p, str)), default=-1)
    if kpos < 0:
        return "the value", _plain(pydantic_msg)
    key, parent = path[kpos], path[:kpos]
    items = "".join(f"[{i}]" for i in path[kpos + 1 :])
    model = _field_model(parent, data)
    is_field = model is not None and key in {f.alias or n for n, f in model.model_fields.items()}
    if is_field:
        name = f"'{key}{items}'{_where(parent, data)}"
        if items and key in _ITEM_HINTS:
            return name, _ITEM_HINTS[key]
        return name, _HINTS.get(key) or _plain(pydantic_msg)
    container = str(parent[-1]) if parent else ""
    if len(parent) == 1 and container in _ID_OF:
        name = f"{_ID_OF[container]} '{key}'{items}"
    else:
        name = f"'{key}{items}'{_where(parent, data)}"
    return name, _ID_HINTS.get(container) or _plain(pydantic_msg)


def _plain(pydantic_msg: str) -> str:
    text = pydantic_msg.removeprefix("Input should be ").rstrip(".")
    for pattern, words in _PYDANTIC_WORDS:
        text = re.sub(pattern, words, text)
    return text


def _get(data: Any, path: tuple) -> Any:
    for p in path:
        data = data[p]
    return data


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "an empty value"
    text = repr(value) if not isinstance(value, dt.date) else str(value)
    return text if len(text) < 60 else text[:57] + "..."


def _where(path: tuple, data: Any) -> str:
    """Name a place for messages: ``event 'x'``, ``tracks.t``, ``outcomes.o``..."""
    if not path:
        return ""
    if path[0] == "events" and len(path) >= 2 and isinstance(path[1], int):
        event = data["events"][path[1]]
        name = event.get("id") if isinstance(event, dict) else None
        rest = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path[2:])
        head = f"event '{name}'" if isinstance(name, str) else f"events[{path[1]}]"
        return f" in {head}{rest}"
    parts = []
    for p in path:
        parts.append(f"[{p}]" if isinstance(p, int) else ("." if parts else "") + p)
    return f" in {''.join(parts)}"
