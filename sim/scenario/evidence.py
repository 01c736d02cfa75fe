"""Compiling evidence (format section 10) and indicators (section 11).

Observations come from the scenario file's ``evidence`` and from evidence files (``--evidence
FILE``, structure checked by :func:`sim.scenario.schema.validate_evidence_structure`); each is
compiled against the scenario (or variant) being loaded, with the positions of the file that
holds it. Indicators come from the scenario file only. Conditions go through the same compiler
as outcomes, so an unknown track or state gets its "did you mean".
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from sim.errors import Problem, shorten
from sim.model.evidence import Indicator, Observation
from sim.model.scenario import Scenario
from sim.scenario.context import CompileContext
from sim.scenario.quantities import QuantityError, parse_fixed_probability
from sim.scenario.schema import ObservationSpec, ScenarioFile
from sim.scenario.yamlio import Document

__all__ = [
    "compile_file_observations",
    "compile_indicators",
    "compile_observations",
    "default_indicator_dates",
]


def compile_observations(
    ctx: CompileContext,
    specs: Sequence[ObservationSpec],
    start: dt.date,
    horizon_days: float,
) -> list[Observation]:
    """Compile observations written at ``("evidence", k)`` of ``ctx.doc``.

    Parameters
    ----------
    ctx : CompileContext
        The document that holds them (for positions) and the compiled tracks
        (``ctx.track_states``).
    specs : sequence of ObservationSpec
        In file order.
    start : datetime.date
        The scenario's (or variant's) start.
    horizon_days : float
        Its horizon, in days from ``start``.

    Returns
    -------
    list of Observation
        In file order; one whose date, condition or confidence is wrong is left out after
        recording an error in ``ctx.problems``. ``day`` is in days from ``start``.
    """
    out = []
    for k, spec in enumerate(specs):
        path = ("evidence", k)
        day = _day(ctx, spec.date, path + ("date",), start, horizon_days)
        condition = ctx.condition(spec.when, path + ("when",))
        confidence = _confidence(ctx, spec.confidence, path + ("confidence",))
        if day is None or condition is None or confidence is None:
            continue
        pos = ctx.doc.positions.of(path)
        out.append(
            Observation(
                date=start + dt.timedelta(days=day),
                day=float(day),
                condition=condition,
                text=str(spec.when),
                ever=spec.ever,
                observed=spec.observed,
                confidence=confidence,
                label=spec.label,
                note=spec.note,
                source=spec.source,
                origin=f"{ctx.doc.file}:{pos.line}",
            )
        )
    return out


def _range(start: dt.date, horizon_days: float) -> str:
    return f"({start} to {start + dt.timedelta(days=math.floor(horizon_days))})"


def _day(
    ctx: CompileContext, value, path: tuple, start: dt.date, horizon_days: float
) -> int | None:
    """An observation's date in days from start; None after an error (not a date, outside)."""
    d = ctx.date(value, path, "date")
    if d is None:
        return None
    day = (d - start).days
    if not 0 <= day <= horizon_days:
        ctx.error(
            path,
            f"observation 'date' {d} is outside [start, horizon] "
            f"{_range(start, horizon_days)}: an observation is made between the start and the "
            "horizon; correct the date, or leave the observation out",
        )
        return None
    return day


def _confidence(ctx: CompileContext, value, path: tuple) -> float | None:
    """``confidence`` as a fraction in (0.5, 1] (1 when not written); None after an error."""
    if value is None:
        return 1.0
    hint = "write a probability above 50% and at most 100%, such as 80% or 0.8"
    try:
        p = parse_fixed_probability(value)
    except QuantityError as exc:
        fix = "" if "write" in str(exc) else f"; {hint}"
        ctx.error(path, f"'confidence' {shorten(repr(value))}: {exc}{fix}")
        return None
    if not 0.5 < p <= 1:
        why = (
            "an observation at most 50% likely to be right says nothing, or the opposite"
            if p <= 0.5
            else "a probability is at most 100%"
        )
        ctx.error(path, f"'confidence' {shorten(repr(value))} is not in (50%, 100%]: {why}; {hint}")
        return None
    return p


def default_indicator_dates(
    start: dt.date, horizon_days: float, report_dates: Sequence[dt.date]
) -> list[dt.date]:
    """Where an indicator without ``dates`` is evaluated (section 11).

    The report dates strictly between start and horizon, or, when there is none, the first day
    of each calendar quarter (1 January, 1 April, 1 July, 1 October) strictly between them.
    """
    inside = sorted({d for d in report_dates if 0 < (d - start).days < horizon_days})
    if inside:
        return inside
    out = []
    d = dt.date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
    while True:
        month = d.month + 3
        d = dt.date(d.year + (month > 12), (month - 1) % 12 + 1, 1)
        if (d - start).days >= horizon_days:
            return out
        out.append(d)


def compile_indicators(
    ctx: CompileContext,
    start: dt.date,
    horizon_days: float,
    report_dates: Sequence[dt.date],
) -> list[Indicator]:
    """Compile the scenario's ``indicators`` (in file order).

    Parameters
    ----------
    ctx : CompileContext
        With the tracks compiled (``ctx.track_states``).
    start : datetime.date
    horizon_days : float
        The horizon in days from ``start``.
    report_dates : sequence of datetime.date
        The report's checkpoint dates (for indicators without ``dates``).

    Returns
    -------
    list of Indicator
        Each with its dates in date order and their days from ``start``.
    """
    out = []
    for iid, spec in (ctx.spec.indicators or {}).items():
        path = ("indicators", iid)
        ok = ctx.check_id(iid, path, "indicator")
        condition = ctx.condition(spec.when, path + ("when",))
        if spec.dates is None:
            dates = default_indicator_dates(start, horizon_days, report_dates)
            if not dates:
                ctx.error(
                    path,
                    f"indicator '{iid}' has no date to be watched at: no report date and no "
                    f"first day of a quarter lies strictly between start and horizon "
                    f"{_range(start, horizon_days)}; give it 'dates'",
                    key=True,
                )
        else:
            dates = _indicator_dates(ctx, iid, spec.dates, path + ("dates",), start, horizon_days)
        if not ok or condition is None or not dates:
            continue
        out.append(
            Indicator(
                id=iid,
                label=spec.label or iid,
                condition=condition,
                text=str(spec.when),
                ever=spec.ever,
                dates=tuple((d, float((d - start).days)) for d in dates),
                note=spec.note,
            )
        )
    return out


def _indicator_dates(
    ctx: CompileContext, iid: str, values: list, path: tuple, start: dt.date, horizon_days: float
) -> list[dt.date]:
    """An indicator's own ``dates``, sorted; empty after an error."""
    if not values:
        ctx.error(
            path,
            f"indicator '{iid}' has an empty 'dates' list; give at least one date strictly "
            "between start and horizon, or leave 'dates' out for the default dates",
        )
        return []
    dates: list[dt.date] = []
    ok = True
    for k, raw in enumerate(values):
        d = ctx.date(raw, path + (k,), "dates")
        if d is None:
            ok = False
        elif not 0 < (d - start).days < horizon_days:
            ctx.error(
                path + (k,),
                f"indicator '{iid}' 'dates': {d} is not strictly between start and horizon "
                f"{_range(start, horizon_days)}: an indicator is watched before the horizon "
                "and after the start; move the date inside",
            )
            ok = False
        elif d in dates:
            ctx.error(path + (k,), f"indicator '{iid}' 'dates': {d} is listed twice; remove one")
            ok = False
        else:
            dates.append(d)
    return sorted(dates) if ok else []


def compile_file_observations(
    doc: Document, specs: Sequence[ObservationSpec], scenario: Scenario
) -> tuple[list[Observation], list[Problem]]:
    """Compile an evidence file's observations against a compiled scenario (or variant).

    Parameters
    ----------
    doc : Document
        The evidence file as read (messages give its name and lines).
    specs : sequence of ObservationSpec
        Its structurally valid observations, in file order.
    scenario : Scenario
        What they are observations of: its tracks, start and horizon.

    Returns
    -------
    (list of Observation, list of Problem)
        The observations, in file order, and the problems found (none when all are valid).
    """
    ctx = CompileContext(doc, ScenarioFile.model_construct())  # no model of its own
    ctx.track_states = {t.id: t.states for t in scenario.tracks}
    ctx.track_ids = [t.id for t in scenario.tracks]
    observations = compile_observations(ctx, specs, scenario.start, scenario.horizon_days)
    return observations, ctx.problems
