"""What a variant changes, in words an analyst reads: each ``set`` path and ``disable``, with
the value before (the base file) and after (the variant), as written.

The loader applies a variant's changes to the document (:func:`sim.scenario.load.apply_variant`);
this module only describes them, for the reports (``summary.json["variant_changes"]``, the
variant's report and the comparison), so a variant explains itself even without a
``description``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sim.model.scenario import VariantChange

__all__ = ["variant_changes", "written"]

TIMINGS = ("chance", "rate", "after", "at")


def variant_changes(data: Mapping[str, Any], vid: str) -> tuple[VariantChange, ...]:
    """The changes of variant ``vid`` of the base document ``data``, in the order written.

    Parameters
    ----------
    data : mapping
        The base file as read (:class:`sim.scenario.yamlio.Document` ``data``), with its
        ``variants``.
    vid : str
        A variant id of ``data``.

    Returns
    -------
    tuple of VariantChange
        One per ``set`` path that changes something (``before`` None when the base leaves
        the key out; a value set to what the base has is left out; for a timing,
        ``before`` and ``after`` are written ``KEY: VALUE``, since setting one timing replaces
        the event's other one), then one per disabled event (``events.ID``, "enabled" to
        "disabled"). Paths that do not name anything in the base are left out (the loader
        reports them).
    """
    spec = (data.get("variants") or {}).get(vid) or {}
    if not isinstance(spec, Mapping):
        return ()
    sets = spec.get("set") if isinstance(spec.get("set"), Mapping) else {}
    out = []
    for path, value in sets.items():
        found = _before(data, str(path))
        if found is not None:
            before, timing = found
            after = f"{str(path).split('.')[-1]}: {written(value)}" if timing else written(value)
            if after != before:  # a set that repeats the base's value changes nothing
                out.append(VariantChange(str(path), before, after))
    disable = spec.get("disable") if isinstance(spec.get("disable"), list) else []
    out += [VariantChange(f"events.{eid}", "enabled", "disabled") for eid in disable]
    return tuple(out)


def _before(data: Mapping[str, Any], path: str) -> tuple[str | None, bool] | None:
    """(the base value at ``path`` as written or None, whether it is an event timing), or None
    when the path names nothing in the base."""
    parts = path.split(".")
    if parts in (["start"], ["horizon"]):
        return _text(data.get(parts[0])), False
    if len(parts) == 3 and parts[0] == "tracks" and parts[2] == "initial":
        track = (data.get("tracks") or {}).get(parts[1])
        return (_text(track.get("initial")), False) if isinstance(track, Mapping) else None
    if parts[0] == "parameters" and len(parts) in (2, 3):
        param = (data.get("parameters") or {}).get(parts[1])
        if isinstance(param, Mapping):
            return _text(param.get("value")), False
        return (_text(param), False) if param is not None else None
    if parts[0] == "events" and len(parts) == 3:
        events = data.get("events") if isinstance(data.get("events"), list) else []
        event = next(
            (e for e in events if isinstance(e, Mapping) and e.get("id") == parts[1]), None
        )
        if event is None:
            return None
        if parts[2] in TIMINGS:
            timing = next((k for k in TIMINGS if k in event), None)
            return (None if timing is None else f"{timing}: {written(event[timing])}"), True
        return _text(event.get(parts[2])), False
    return None


def _text(value: Any) -> str | None:
    return None if value is None else written(value)


def written(value: Any) -> str:
    """A YAML value as an analyst would write it on one line: dates ISO, booleans
    ``true``/``false``, mappings and lists in flow style (``{uniform: [10%, 50%]}``).

    Returns
    -------
    str
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {written(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(written(v) for v in value) + "]"
    return str(value)
