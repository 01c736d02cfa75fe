"""Per-run values and named parameters: constants, unnamed uncertain values, ``$name`` uses.

A quantity written in the file becomes a :class:`~sim.model.scenario.Value`: a constant, or a
per-run slot that the engines fill with a draw from its distribution. Named parameters take
the first slots, in file order; each unnamed uncertain value takes the next one. A parameter's
kind (probability, number, duration) is that of its uses, which must agree.
"""

from __future__ import annotations

from typing import Any

from sim.errors import did_you_mean
from sim.model.distributions import Distribution
from sim.model.scenario import Slot, Value
from sim.scenario.context import CompileContext
from sim.scenario.quantities import (
    ParamRef,
    QuantityError,
    flow_text,
    guess_kind,
    parse_quantity,
)
from sim.scenario.schema import ScenarioFile

__all__ = ["compile_value", "param_use", "parameter_slots"]


def compile_value(ctx: CompileContext, raw: Any, kind: str, path: tuple, name: str) -> Value | None:
    """A per-run value: a constant, a new slot, or a parameter's slot.

    Parameters
    ----------
    ctx : CompileContext
        Receives the problems and, for an unnamed uncertain value, its new slot.
    raw : str, float or mapping
        The quantity as written.
    kind : str
        ``"probability"``, ``"number"`` or ``"duration"`` (durations in days).
    path : tuple
        Data path of the quantity, for problems.
    name : str
        The slot's name, e.g. ``exit.chance`` or ``rise.modifiers.0``; a name ending in
        ``.chance`` is a chance's P, which must stay below 1.

    Returns
    -------
    Value or None
        None after recording an error.
    """
    try:
        q = parse_quantity(raw, kind)
    except QuantityError as exc:
        ctx.error(path, f"{_place(path, ctx.spec)}: {exc}")
        return None
    if isinstance(q, ParamRef):
        return param_use(ctx, q.name, kind, path)
    if name.endswith(".chance") and _reaches_one(q):
        ctx.error(
            path,
            f"chance of '{q.text}' reaches 100%: P must be below 1 (an "
            "event that surely happens within D is better written with 'after')",
        )
        return None
    if q.is_fixed:
        return Value(const=q.params[0])
    ctx.slots.append(Slot(name, q, f"{name} ({q.text})"))
    return Value(slot=len(ctx.params) + len(ctx.slots) - 1)


def param_use(ctx: CompileContext, name: str, kind: str, path: tuple) -> Value | None:
    """The slot of parameter ``name`` used as a ``kind`` at ``path``; None after an error.

    An unknown name, or a use of another kind than an earlier use, is an error.
    """
    if name not in ctx.params:
        ctx.error(path, f"unknown parameter '${name}'{did_you_mean(name, ctx.params)}")
        return None
    uses = ctx.param_uses.setdefault(name, [])
    for other_kind, other_path in uses:
        if other_kind != kind:
            other = ctx.doc.positions.of(other_path)
            defined = ctx.doc.positions.of(("parameters", name), key=True)
            ctx.error(
                path,
                f"parameter '${name}' (line {defined.line}) is used here as a {kind} but "
                f"as a {other_kind} at line {other.line}; use two parameters",
            )
            return None
    uses.append((kind, path))
    return Value(slot=ctx.slot_of[name])


def parameter_slots(ctx: CompileContext) -> list[Slot]:
    """One slot per named parameter, in file order, of the kind its uses give it.

    Call after every use is compiled. Warns about unused parameters; reports a value that
    does not parse as its kind (blaming the use when the value is fine as written).

    Returns
    -------
    list of Slot
        A parameter whose value is in error gets a fixed 0 placeholder.
    """
    out = []
    for pid, spec in ctx.params.items():
        uses = ctx.param_uses.get(pid)
        kind = uses[0][0] if uses else guess_kind(spec.value)
        path = ("parameters", pid, "value")
        if not uses:
            ctx.warn(
                ("parameters", pid),
                f"parameter '{pid}' is never used (write ${pid} where it applies, or remove it)",
                key=True,
            )
        try:
            q = parse_quantity(spec.value, kind, allow_param=False)
        except QuantityError as exc:
            q = Distribution("fixed", (0.0,), kind, str(spec.value))
            written = guess_kind(spec.value)
            if uses and written != kind and _parses(spec.value, written):
                # The value is fine as what it was written as: the use is the mistake.
                line = ctx.doc.positions.of(path).line
                ctx.error(
                    uses[0][1],
                    f"parameter '${pid}' is a {written} ({flow_text(spec.value)}, line {line}) but "
                    f"is used here as a {kind}; use a {kind} parameter here, or change "
                    f"its value",
                )
            else:
                where = f" (it is used as a {kind})" if uses else ""
                ctx.error(path, f"value of parameter '{pid}'{where}: {exc}")
        if uses and any(u[1][-1] == "chance" for u in uses) and _reaches_one(q):
            ctx.error(path, f"parameter '{pid}' is used as a chance's P, which must be below 100%")
        out.append(Slot(pid, q, spec.label or pid, spec.note))
    return out


def _reaches_one(q: Distribution) -> bool:
    """True when a chance's P could be 1: fixed 1, or a uniform/triangular/PERT ending at 1."""
    if q.is_fixed:
        return q.params[0] >= 1
    bounded = q.family in ("uniform", "triangular") or (
        q.family == "beta" and q.params[2:] != (0.0, 1.0)
    )
    return bounded and q.support()[1] >= 1


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
