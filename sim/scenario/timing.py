"""When an event fires once enabled: ``chance``, ``rate``, ``after`` and ``at`` timings.

``chance: P within D`` and ``rate: R per D`` become a hazard (per ``D`` days), ``after: D`` a
waiting time, ``at: DATE`` a day counted from the start. Each timing also carries the short
text the diagram shows on its arrow (``5% / 1 yr``, ``3-12 mo``).
"""

from __future__ import annotations

from typing import Any

from sim.model.distributions import Distribution
from sim.model.scenario import Timing
from sim.scenario.context import CompileContext
from sim.scenario.quantities import (
    ParamRef,
    QuantityError,
    parse_chance,
    parse_quantity,
    parse_rate,
)
from sim.scenario.values import compile_value, param_use

__all__ = ["TIMINGS", "compile_timing"]

#: The timing keys of an event; exactly one is given.
TIMINGS = ("chance", "rate", "after", "at")


def compile_timing(
    ctx: CompileContext, eid: str, kind: str, raw: Any, path: tuple
) -> Timing | None:
    """The timing of event ``eid`` given under key ``kind``.

    Parameters
    ----------
    ctx : CompileContext
        Receives the problems and any new per-run slot.
    eid : str
        The event's id, for messages and slot names (``eid.chance``, ``eid.rate``).
    kind : str
        One of :data:`TIMINGS`.
    raw : Any
        The value as written.
    path : tuple
        Data path of the value.

    Returns
    -------
    Timing or None
        Hazards per ``per_days`` days, waiting times and ``at`` days in days from the start;
        None after recording an error.
    """
    try:
        if kind == "at":
            d = ctx.date(raw, path, "at")
            if d is None:
                return None
            day = float((d - ctx.start_date()).days) if ctx.start_date() else 0.0
            return Timing("at", f"at {d}", f"on {d}", day=day)
        if kind == "chance":
            p, days, text = parse_chance(raw)
            v = compile_value(ctx, p, "probability", path, f"{eid}.chance")
            if v is None:
                return None
            short = f"{_short_value(ctx, p)} / {_dur(days)}"
            return Timing("hazard", text, short, value=v, per_days=days, transform="chance")
        if kind == "rate":
            r, days, text = parse_rate(raw)
            v = compile_value(ctx, r, "number", path, f"{eid}.rate")
            if v is None:
                return None
            short = f"{_short_value(ctx, r)} per {_dur(days)}"
            return Timing("hazard", text, short, value=v, per_days=days, transform="rate")
        q = parse_quantity(raw, "duration")
    except QuantityError as exc:
        ctx.error(path, f"event '{eid}' {kind}: {exc}")
        return None
    if isinstance(q, ParamRef):
        v = param_use(ctx, q.name, "duration", path)
        if v is None:
            return None
        return Timing(
            "after", f"after ${q.name}", _short_text(_short_value(ctx, f"${q.name}")), value=v
        )
    return Timing("after", f"after {q.text}", _short_dur(q), distribution=q)


def _short_value(ctx: CompileContext, raw: Any) -> str:
    """Short text of a quantity for diagrams; a parameter shows its value."""
    if isinstance(raw, dict):  # a distribution written in place shows its family's name
        return next(iter(raw), "?")
    text = str(raw).strip()
    if text.startswith("$") and text[1:] in ctx.params:
        value = ctx.params[text[1:]].value
        # a distribution shows its family's name; text or a number (value: 2) itself
        text = next(iter(value), text) if isinstance(value, dict) else str(value)
    return _short(text)


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
