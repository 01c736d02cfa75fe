"""Loading a scenario file: read, check structure, apply a variant, compile, add evidence.

``load_scenario`` is the one entry point for library users; ``check_file`` is what
``sim validate`` runs (every variant included). Both read evidence files (``--evidence``)
beside the scenario: each is checked against the base and the variant(s), with its own name
and lines in messages.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import os
import stat
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from sim.errors import Problem, ScenarioError, did_you_mean, shorten
from sim.model.evidence import Observation
from sim.model.scenario import Scenario
from sim.scenario.compile import compile_scenario
from sim.scenario.evidence import compile_file_observations
from sim.scenario.schema import (
    EventSpec,
    ObservationSpec,
    validate_evidence_structure,
    validate_structure,
)
from sim.scenario.yamlio import MAX_BYTES, Document, Positions, read_yaml

__all__ = ["check_file", "load_scenario", "read_document"]

_TIMINGS = ("chance", "rate", "after", "at")
_EVENT_KEYS = tuple(f.alias or n for n, f in EventSpec.model_fields.items() if n != "id")
SET_PATHS = "start, horizon, tracks.T.initial, parameters.P, events.E.KEY"

#: An evidence file as read, with its structurally valid observations.
_EvidenceDoc = tuple[Document, list[ObservationSpec]]


def read_document(path: str | Path, kind: str = "scenario") -> Document:
    """Read a scenario file (or, with ``kind="evidence"``, an evidence file) into a
    :class:`Document`.

    Raises
    ------
    ScenarioError
        The file cannot be read, or is not safe, UTF-8, size-capped YAML.
    """
    name = str(path)
    try:
        p = Path(path)
        if p.is_dir():
            raise ScenarioError([Problem(name, None, None, "is a folder, not a scenario file")])
        _regular(name, os.stat(p).st_mode)  # before opening: opening a FIFO would block
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            _regular(name, os.fstat(fh.fileno()).st_mode)  # replaced in between
            raw = fh.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:  # the size of the file, not of what was read of it
            size = p.stat().st_size
            message = f"file is {size:,} bytes; {kind} files are capped at {MAX_BYTES:,} bytes"
            raise ScenarioError([Problem(name, None, None, message)])
    except OSError as exc:
        raise ScenarioError(
            [Problem(name, None, None, f"cannot read file: {exc.strerror or exc}")]
        ) from None
    doc = read_yaml(raw, name, kind)
    doc.sha256 = hashlib.sha256(raw).hexdigest()
    return doc


def _regular(name: str, mode: int) -> None:
    """Refuse anything but a regular file (a FIFO, a device such as /dev/zero, a socket)."""
    if not stat.S_ISREG(mode):
        kind = (
            "a named pipe (FIFO)"
            if stat.S_ISFIFO(mode)
            else "a device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "not a regular file"
        )
        message = f"is {kind}, not a regular file; give the path of a scenario file"
        raise ScenarioError(
            [Problem(name, None, None, message.replace("is not a regular file, ", "is "))]
        )


def _compile(doc: Document, variant: str, label: str) -> tuple[Scenario | None, list[Problem]]:
    spec, problems = validate_structure(doc)
    if spec is None:
        return None, problems
    scenario, problems = compile_scenario(doc, spec, variant=variant, variant_label=label)
    if scenario is not None:
        scenario = replace(scenario, sha256=doc.sha256)
    return scenario, problems


def check_file(path: str | Path, evidence: Sequence[str | Path] = ()) -> list[Problem]:
    """Every problem of a file and of each of its variants (errors and warnings).

    Parameters
    ----------
    path : str or Path
        The scenario file.
    evidence : sequence of str or Path
        Evidence files, each checked on its own and against the base and every variant.

    Never raises :class:`ScenarioError`; returns its problems instead.
    """
    evidence_docs, evidence_problems = _read_evidence(evidence)
    try:
        doc = read_document(path)
    except ScenarioError as exc:
        return exc.problems + evidence_problems
    base, problems = _compile(doc, "base", "Base case")
    problems += evidence_problems
    if base is None:
        return problems
    seen = _file_evidence(base, evidence_docs)[1]
    problems += seen
    for vid in doc.data.get("variants") or {}:
        if vid == "base":
            continue
        vdoc, vproblems = apply_variant(doc, vid)
        if vdoc is not None:
            scenario, more = _compile(vdoc, vid, vid)
            vproblems += _in_variant(doc, vid, [p for p in more if p.severity == "error"])
            if scenario is not None:
                vproblems += _evidence_in_variant(scenario, evidence_docs, seen)
        problems += vproblems
    return problems


def load_scenario(
    path: str | Path,
    variant: str = "base",
    *,
    evidence: Sequence[str | Path] = (),
    as_of: dt.date | None = None,
    use_evidence: bool = True,
) -> Scenario:
    """Load, validate and compile a scenario file, with the observations in effect.

    Parameters
    ----------
    path : str or Path
        The YAML file.
    variant : str
        ``base`` (the file as written) or a variant id.
    evidence : sequence of str or Path
        Evidence files (YAML, whose only top-level key is ``evidence``); their observations
        follow the scenario file's own, in the order given. Each is checked against the base
        and the variant.
    as_of : datetime.date, optional
        Keep only the observations dated on or before it; also kept as ``Scenario.as_of``.
    use_evidence : bool
        False keeps no observation (the evidence files are still checked).

    Returns
    -------
    Scenario
        Frozen; warnings are in ``scenario.warnings``; ``scenario.evidence`` holds the
        observations in effect (section 10 of the format).

    Raises
    ------
    ScenarioError
        The file, an evidence file or the variant is invalid, or the variant does not exist.
    """
    evidence_docs, evidence_problems = _read_evidence(evidence)
    doc = read_document(path)
    base, problems = _compile(doc, "base", "Base case")
    if base is None or evidence_problems:
        raise ScenarioError(problems + evidence_problems)
    observations, problems = _file_evidence(base, evidence_docs)
    if any(p.severity == "error" for p in problems):
        raise ScenarioError(problems)
    scenario = base if variant == "base" else _load_variant(doc, base, variant)
    if variant != "base":
        observations, problems = _file_evidence(scenario, evidence_docs)
        if problems:
            raise ScenarioError(_said_in_variant(variant, problems))
    return _in_effect(scenario, observations, as_of=as_of, use_evidence=use_evidence)


def _load_variant(doc: Document, base: Scenario, variant: str) -> Scenario:
    """Variant ``variant`` of a valid base, compiled; raises :class:`ScenarioError`."""
    known = [v.id for v in base.variants]
    if variant not in known:
        hint = did_you_mean(variant, known)
        listing = ", ".join(known) if known else "none"
        raise ScenarioError(
            [
                Problem(
                    doc.file,
                    None,
                    None,
                    f"no variant '{shorten(variant)}' (variants: {listing}){hint}",
                )
            ]
        )
    vdoc, vproblems = apply_variant(doc, variant)
    if vdoc is None:
        raise ScenarioError(vproblems)
    label = next(v.label for v in base.variants if v.id == variant)
    scenario, more = _compile(vdoc, variant, label)
    if scenario is None:
        raise ScenarioError(_in_variant(doc, variant, more))
    return replace(scenario, variants=base.variants)


def _read_evidence(paths: Sequence[str | Path]) -> tuple[list[_EvidenceDoc], list[Problem]]:
    """Read each evidence file and check its structure; the valid ones and every problem."""
    if isinstance(paths, str | Path):  # one path given alone, not a sequence of them
        paths = [paths]
    docs, problems = [], []
    for p in paths:
        try:
            doc = read_document(p, "evidence")
        except ScenarioError as exc:
            problems += exc.problems
            continue
        specs, more = validate_evidence_structure(doc)
        problems += more
        if specs is not None:
            docs.append((doc, specs))
    return docs, problems


def _file_evidence(
    scenario: Scenario, docs: list[_EvidenceDoc]
) -> tuple[list[Observation], list[Problem]]:
    """The evidence files' observations compiled against ``scenario``, in order, and problems."""
    observations, problems = [], []
    for doc, specs in docs:
        more, found = compile_file_observations(doc, specs, scenario)
        observations += more
        problems += found
    return observations, problems


def _evidence_in_variant(
    scenario: Scenario, docs: list[_EvidenceDoc], seen: list[Problem]
) -> list[Problem]:
    """The evidence files' problems in a variant at places where the base has none, said so."""
    known = {(p.file, p.line, p.column) for p in seen}
    found = _file_evidence(scenario, docs)[1]
    new = [p for p in found if (p.file, p.line, p.column) not in known]
    return _said_in_variant(scenario.variant, new)


def _said_in_variant(vid: str, problems: list[Problem]) -> list[Problem]:
    return [replace(p, message=f"in variant '{vid}': {p.message}") for p in problems]


def _in_effect(
    scenario: Scenario, extra: list[Observation], *, as_of: dt.date | None, use_evidence: bool
) -> Scenario:
    """``scenario`` with the observations in effect: its own, then ``extra``, cut by date."""
    observations = (*scenario.evidence, *extra) if use_evidence else ()
    if as_of is not None:
        observations = tuple(o for o in observations if o.date <= as_of)
    return replace(scenario, evidence=observations, as_of=as_of)


def _in_variant(doc: Document, vid: str, problems: list[Problem]) -> list[Problem]:
    """Problems of a variant's document, said to be in the variant and placed in it.

    The base file is valid, so the variant's changes caused every error. One that is found at
    a line of the base file (``modifiers`` of an event the variant gave an ``at``) is moved to
    the variant (its only change, else its id) and names the base line.
    """
    vpath = ("variants", vid)
    lines = [
        p.line
        for table in (doc.positions.values, doc.positions.keys)
        for path, p in table.items()
        if path[:2] == vpath
    ]
    first, last = min(lines, default=0), max(lines, default=0)
    spec = doc.data["variants"][vid] or {}
    changes = [("set", k) for k in spec.get("set") or {}] + [
        ("disable", k) for k in range(len(spec.get("disable") or []))
    ]
    anchor = doc.positions.of(vpath + changes[0], key=True) if len(changes) == 1 else None
    anchor = anchor or doc.positions.of(vpath, key=True)
    out = []
    for p in problems:
        message = f"in variant '{vid}': {p.message}"
        if p.line is not None and not first <= p.line <= last:
            message += f" (the base file's line {p.line})"
            p = replace(p, line=anchor.line, column=anchor.column)
        out.append(replace(p, message=message))
    return out


def apply_variant(doc: Document, vid: str) -> tuple[Document | None, list[Problem]]:
    """The document with variant ``vid``'s ``set`` and ``disable`` applied.

    Positions of set values are those written in the variant, so later errors point there.
    The returned document has no ``variants`` key.

    Returns
    -------
    (Document or None, list of Problem)
        None when a path or an event id is wrong.
    """
    spec = doc.data["variants"][vid] or {}
    data = copy.deepcopy(doc.data)
    data.pop("variants", None)
    pos = Positions(dict(doc.positions.values), dict(doc.positions.keys))
    problems: list[Problem] = []
    vpath = ("variants", vid)

    def err(path: tuple, message: str, key: bool = True):
        p = doc.positions.of(path, key=key)
        problems.append(Problem(doc.file, p.line, p.column, f"in variant '{vid}': {message}"))

    events = data.get("events") if isinstance(data.get("events"), list) else []
    ids = [e.get("id") if isinstance(e, dict) else None for e in events]
    sets = spec.get("set") or {}
    if not isinstance(sets, dict):
        sets = {}
    timed: dict[int, str] = {}  # event index -> the timing key a set path gave it
    for text, value in sets.items():
        src = vpath + ("set", text)
        target = _target(text, data, ids)
        if isinstance(target, str):
            err(src, target)
            continue
        if target[0] == "events" and target[-1] in _TIMINGS:
            if target[1] in timed:
                err(
                    src,
                    f"'{shorten(text)}' sets a second timing of event '{ids[target[1]]}' (it "
                    f"already sets '{timed[target[1]]}'); an event has exactly one timing: "
                    "keep one of them",
                )
                continue
            timed[target[1]] = text
        parent = _get(data, target[:-1])
        if target[0] == "events" and target[-1] in _TIMINGS:
            for k in _TIMINGS:
                parent.pop(k, None)
        parent[target[-1]] = copy.deepcopy(value)
        _move_positions(pos, doc.positions, src, target)
    disable = spec.get("disable") or []
    drop = set()
    for k, eid in enumerate(disable if isinstance(disable, list) else []):
        if eid not in ids:
            hint = did_you_mean(eid, [i for i in ids if i])
            err(vpath + ("disable", k), f"cannot disable unknown event '{eid}'{hint}", key=False)
            continue
        drop.add(ids.index(eid))
    if drop:
        keep = [i for i in range(len(events)) if i not in drop]
        data["events"] = [events[i] for i in keep]
        new_index = {old: new for new, old in enumerate(keep)}
        for table in (pos.values, pos.keys):
            moved = {}
            for path, p in list(table.items()):
                if len(path) >= 2 and path[0] == "events" and isinstance(path[1], int):
                    del table[path]
                    if path[1] in new_index:
                        moved[("events", new_index[path[1]]) + path[2:]] = p
            table.update(moved)
    if problems:
        return None, problems
    return Document(data, pos, doc.file, doc.text, doc.sha256), []


def _target(text: Any, data: dict, ids: list) -> tuple | str:
    """The data path that a ``set`` path names, or an error message."""
    parts = str(text).split(".")
    usage = f"settable paths are {SET_PATHS}"
    if parts in (["start"], ["horizon"]):
        return (parts[0],)
    if parts[0] == "tracks" and len(parts) == 3 and parts[2] == "initial":
        if parts[1] not in (data.get("tracks") or {}):
            hint = did_you_mean(parts[1], list(data.get("tracks") or {}))
            return f"cannot set '{shorten(text)}': no track '{parts[1]}'{hint}"
        return ("tracks", parts[1], "initial")
    if parts[0] == "parameters" and len(parts) in (2, 3) and parts[2:] in ([], ["value"]):
        if parts[1] not in (data.get("parameters") or {}):
            hint = did_you_mean(parts[1], list(data.get("parameters") or {}))
            return f"cannot set '{shorten(text)}': no parameter '{parts[1]}'{hint}"
        return ("parameters", parts[1], "value")
    if parts[0] == "events" and len(parts) == 3:
        if parts[1] not in ids:
            hint = did_you_mean(parts[1], [i for i in ids if i])
            return f"cannot set '{shorten(text)}': no event '{parts[1]}'{hint}"
        if parts[2] not in _EVENT_KEYS:
            return (
                f"cannot set '{shorten(text)}': events have no key '{parts[2]}' (keys: "
                f"{', '.join(_EVENT_KEYS)})"
            )
        return ("events", ids.index(parts[1]), parts[2])
    return f"cannot set '{shorten(text)}': {usage}"


def _get(data: Any, path: tuple) -> Any:
    for p in path:
        data = data[p]
    return data


def _move_positions(pos: Positions, old: Positions, src: tuple, target: tuple) -> None:
    for table, old_table in ((pos.values, old.values), (pos.keys, old.keys)):
        for path in [p for p in table if p[: len(target)] == target]:
            del table[path]
        for path, p in old_table.items():
            if path[: len(src)] == src:
                table[target + path[len(src) :]] = p
    if src in old.keys:
        pos.keys[target] = old.keys[src]
