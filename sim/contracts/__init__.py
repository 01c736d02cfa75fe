"""Typed models of the results files: ``summary.json``, ``comparison.json``, ``sensitivity.json``.

The writers (:mod:`sim.report.files`) validate what they write with these models
(:func:`dump`); the report's readers validate what they read (:func:`read_summary`,
:func:`read_comparison`, :func:`read_sensitivity`), so a file that does not fit stops with one
message naming the file, the key and what to do. Keys beyond those modelled are allowed (a
newer version may add some) and keys the report can do without are optional, so an older or
a hand-made minimal file still reads. The layouts are documented in docs/RESULTS_LAYOUT.md.

A reader returns the file's content as parsed (a dict), once validated: the report reads
values with ``dict`` access, and the numbers are exactly those written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from sim.contracts.evidence import EvidenceBlock, IndicatorMeta, SignpostRow
from sim.contracts.fields import (
    REQUIRED,
    Correlation,
    Difference,
    DifferenceInterval,
    Interval,
    Model,
    Number,
    OptionalNonNegative,
    OptionalNumber,
    OptionalProbability,
    ParameterName,
    Probability,
    Provenance,
    Runs,
)
from sim.errors import SimError

__all__ = [
    "ComparisonFile",
    "Provenance",
    "SobolFile",
    "SummaryFile",
    "TornadoFile",
    "dump",
    "read_comparison",
    "read_json",
    "read_sensitivity",
    "read_summary",
]

SUMMARY_HINT = "run `sim run FILE --out DIR` to make a results folder"
COMPARISON_HINT = "run `sim run FILE --all-variants` or `sim compare FILE VARIANT...` to make one"
SENSITIVITY_HINT = "run `sim sensitivity FILE --method tornado|sobol --out DIR` to make one"


# --------------------------------------------------------------------------------------------
# summary.json


class Spread(Model):
    """An outcome's spread across the assumptions: its probability in each of K draws of the
    uncertain values (the separate spread design of every run, or ``--parameter-draws``);
    ``median``/``p10``/``p90`` with each draw's Monte Carlo noise removed, ``raw_*`` as
    measured."""

    median: Probability = REQUIRED
    p10: Probability = REQUIRED
    p90: Probability = REQUIRED
    raw_median: OptionalProbability = None
    raw_p10: OptionalProbability = None
    raw_p90: OptionalProbability = None
    parameter_sd: OptionalNonNegative = None
    noise_sd: OptionalNonNegative = None
    noise_dominated: bool | None = None
    draws: int | None = None
    runs_per_draw: int | None = None
    runs: int | None = None
    source: Literal["spread_design", "parameter_draws"] | None = None


class VariantChangeRow(Model):
    """One change of a variant: a ``set`` path or a disabled event (``events.ID``), with the
    value before (in the base) and after, as written; null when the base leaves it out."""

    path: str
    before: str | None = None
    after: str | None = None


class Outcome(Model):
    """One outcome: its probability at the horizon (or ever), interval, words, first time."""

    label: str | None = None
    when: str | None = None
    ever: bool | None = None
    probability: OptionalProbability = REQUIRED  # null only when ruled out by the evidence
    prior_probability: OptionalProbability = None
    ci95: Interval = None
    words: str | None = None
    first_time_median: str | None = None
    by_date: dict[str, Probability] | None = None
    by_date_ci95: dict[str, Interval] | None = None
    spread: Spread | None = None


class Parameter(Model):
    """One uncertain value: its label and value as written, and its ``note`` (a named
    parameter's own note; an unnamed range's is its event's, with ``event`` and ``key``)."""

    label: str | None = None
    value: str | None = None
    note: str | None = None
    event: str | None = None
    key: str | None = None


class ImportanceRow(Model):
    """Rank correlation of one uncertain value with an outcome."""

    parameter: str
    rho: Correlation = REQUIRED


class Event(Model):
    """How often an event fired; its track, states and timing as written."""

    fired_probability: OptionalProbability = None
    mean_fires: OptionalNonNegative = None
    label: str | None = None
    track: str | None = None
    timing: str | None = None
    note: str | None = None
    when: str | None = None


class InfluenceRow(Model):
    """One track's states enabling, blocking, speeding up or slowing another track's event."""

    source: str = REQUIRED
    states: list[str] = []
    target: str = REQUIRED
    event: str = REQUIRED
    kind: Literal["enables", "blocks", "speeds up", "slows"] = REQUIRED
    factor: OptionalNonNegative = None
    condition: str | None = None


class Track(Model):
    """A track's label and its states' labels."""

    label: str | None = None
    states: dict[str, str | None] | None = None


class Trajectory(Model):
    """One of the most frequent sequences of events, with its runs."""

    events: list[str] = []
    count: int | None = None
    share: OptionalProbability = None


class SummaryFile(Model):
    """``summary.json``: the results of one variant (docs/RESULTS_LAYOUT.md)."""

    scenario: str | None = None
    variant: str | None = None
    variant_label: str | None = None
    variant_changes: list[VariantChangeRow] | None = None
    title: str | None = None
    description: str | None = None
    sources: list[Any] | None = None
    runs: Runs = None
    seed: int | None = None
    engine: str | None = None
    start: str | None = None
    horizon: str | None = None
    horizon_days: OptionalNonNegative = None
    settings: dict[str, Any] | None = None
    outcomes: dict[str, Outcome] = REQUIRED
    tracks: dict[str, Track] | None = None
    states_at_horizon: dict[str, dict[str, OptionalProbability]] | None = None
    events: dict[str, Event] | None = None
    influences: list[InfluenceRow] | None = None
    trajectories: list[Trajectory] | None = None
    parameters: dict[str, Parameter | None] | None = None
    importance: dict[str, list[ImportanceRow]] | None = None
    importance_runs: int | None = None
    parameter_draws: int | None = None
    evidence: EvidenceBlock | None = None
    ruled_out_by_evidence: bool | None = None
    signposts: dict[str, list[SignpostRow]] | None = None
    indicators: dict[str, IndicatorMeta] | None = None

    @model_validator(mode="after")
    def _posterior(self) -> SummaryFile:
        """Every outcome has a probability unless the evidence rules the variant out."""
        if not self.ruled_out_by_evidence:
            for oid, o in self.outcomes.items():
                if o.probability is None:
                    raise ValueError(f"outcomes.{oid}.probability is null, but the variant "
                                     "is not ruled out by the evidence")  # fmt: skip
        return self


# --------------------------------------------------------------------------------------------
# comparison.json


class VariantEntry(Model):
    """One outcome in one variant, with its paired difference from base."""

    ruled_out_by_evidence: bool | None = None
    probability: OptionalProbability = REQUIRED

    @field_validator("probability")
    @classmethod
    def _posterior(cls, value: Any, info: ValidationInfo) -> Any:
        """Null only for a variant the evidence rules out."""
        if value is None and not info.data.get("ruled_out_by_evidence"):
            raise PydanticCustomError("sim_value", "must be a number in [0, 1], got None")
        return value

    ci95: Interval = None
    words: str | None = None
    difference: Difference = None
    difference_ci95: DifferenceInterval = None
    changed_runs: int | None = None


class ComparedOutcome(Model):
    """One outcome across variants."""

    label: str | None = None
    ever: bool | None = None
    by_variant: dict[str, VariantEntry] = REQUIRED


def _with_base(value: Any) -> Any:
    if not isinstance(value, dict) or "base" not in value:
        raise PydanticCustomError("sim_value", "must be an object of variants that includes 'base'")
    return value


class ComparisonFile(Model):
    """``comparison.json``: variants against base, on common random numbers."""

    scenario: str | None = None
    title: str | None = None
    runs: Runs = None
    seed: int | None = None
    engine: str | None = None
    start: str | None = None
    horizon: str | None = None
    variants: Annotated[dict[str, dict[str, Any] | None], BeforeValidator(_with_base)] = REQUIRED
    outcomes: dict[str, ComparedOutcome] = REQUIRED

    @model_validator(mode="before")
    @classmethod
    def _listed(cls, data: Any) -> Any:
        """Every variant an outcome reports on is listed under ``variants``."""
        variants = data.get("variants") if isinstance(data, dict) else None
        outcomes = data.get("outcomes") if isinstance(data, dict) else None
        if not isinstance(variants, dict) or "base" not in variants:
            return data  # the field's own check says so
        if not isinstance(outcomes, dict):
            return data
        for oid, outcome in outcomes.items():
            by_variant = outcome.get("by_variant") if isinstance(outcome, dict) else None
            for vid in by_variant if isinstance(by_variant, dict) else ():
                if vid not in variants:
                    raise PydanticCustomError(
                        "sim_value",
                        f"outcomes.{oid}.by_variant.{vid}: variant {vid!r} is not listed under "
                        "'variants'",
                    )
        return data


# --------------------------------------------------------------------------------------------
# sensitivity.json


class TornadoRow(Model):
    """One uncertain value's swing for one outcome."""

    parameter: ParameterName = REQUIRED
    score: OptionalProbability = None
    low: Probability = REQUIRED
    high: Probability = REQUIRED
    base: Probability = REQUIRED


class SobolRow(Model):
    """One uncertain value's Sobol indices for one outcome."""

    parameter: ParameterName = REQUIRED
    score: OptionalNumber = None
    ST: Number = REQUIRED
    S1: Number = REQUIRED
    ST_conf: OptionalNumber = None
    S1_conf: OptionalNumber = None


class SensitivityFile(Model):
    """What both methods' ``sensitivity.json`` hold besides the ranked rows."""

    method: str
    scenario: str | None = None
    variant: str | None = None
    title: str | None = None
    seed: int | None = None
    engine: str | None = None
    settings: dict[str, Any] | None = None
    parameters: dict[str, dict[str, Any] | None] | None = None
    outcome_labels: dict[str, Any] | None = None


class TornadoFile(SensitivityFile):
    """``sensitivity.json`` of ``sim sensitivity --method tornado``."""

    method: Literal["tornado"] = "tornado"
    outcomes: dict[str, list[TornadoRow]] = REQUIRED


class SobolFile(SensitivityFile):
    """``sensitivity.json`` of ``sim sensitivity --method sobol``."""

    method: Literal["sobol"] = "sobol"
    outcomes: dict[str, list[SobolRow]] = REQUIRED


SENSITIVITY_MODELS: dict[str, type[SensitivityFile]] = {"tornado": TornadoFile, "sobol": SobolFile}


# --------------------------------------------------------------------------------------------
# Reading and writing


def dump(model: type[Model], data: dict[str, Any]) -> str:
    """The JSON text of ``data`` (2-space indent, UTF-8 characters kept, final newline), once
    validated by ``model``.

    Raises
    ------
    pydantic.ValidationError
        ``data`` does not fit ``model``: a defect of the writer, not of the user's input.
    """
    model.model_validate(data)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def read_json(path: Path, hint: str) -> Any:
    """Parse the JSON file ``path``.

    Raises
    ------
    SimError
        Missing (the message ends with ``hint``), unreadable, or not JSON (with line and
        column).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SimError(f"{path}: error: no such file; {hint}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SimError(f"{path}: error: cannot read it ({exc})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SimError(f"{path}:{exc.lineno}:{exc.colno}: error: not JSON: {exc.msg}") from None


def read_summary(path: Path) -> dict[str, Any]:
    """Read and validate ``summary.json`` (:class:`SummaryFile`).

    Raises
    ------
    SimError
        Missing, not JSON, or not a results summary: the message names the key.
    """
    return _read(path, SummaryFile, "a results summary", SUMMARY_HINT)


def read_comparison(path: Path) -> dict[str, Any]:
    """Read and validate ``comparison.json`` (:class:`ComparisonFile`).

    Raises
    ------
    SimError
        Missing, not JSON, or not a variant comparison: the message names the key.
    """
    return _read(path, ComparisonFile, "a variant comparison", COMPARISON_HINT)


def read_sensitivity(path: Path) -> dict[str, Any]:
    """Read and validate ``sensitivity.json`` (:class:`TornadoFile` or :class:`SobolFile`,
    by its ``method``).

    Raises
    ------
    SimError
        Missing, not JSON, or not a sensitivity analysis: the message names the key.
    """
    data = read_json(path, SENSITIVITY_HINT)
    method = data.get("method") if isinstance(data, dict) else None
    if isinstance(data, dict) and method not in SENSITIVITY_MODELS:
        raise SimError(
            f"{path}: error: key 'method' must be 'tornado' or 'sobol', got {method!r}; "
            f"{SENSITIVITY_HINT}"
        )
    model = SENSITIVITY_MODELS.get(method, TornadoFile)
    return _validate(path, data, model, "a sensitivity analysis", SENSITIVITY_HINT)


def _read(path: Path, model: type[Model], what: str, hint: str) -> dict[str, Any]:
    return _validate(path, read_json(path, hint), model, what, hint)


def _validate(path: Path, data: Any, model: type[Model], what: str, hint: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise SimError(f"{path}: error: expected a JSON object ({what}); {hint}")
    try:
        model.model_validate(data)
    except ValidationError as exc:
        raise SimError(f"{path}: error: {_message(exc.errors()[0])}; {hint}") from None
    return data


_KINDS = {
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "list_type": "must be a list",
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "missing": "is missing",
}


def _message(error: dict[str, Any]) -> str:
    """``KEY must be ..., got VALUE`` for one pydantic error."""
    loc = error["loc"]
    text = error["msg"] if error["type"] == "sim_value" else _KINDS.get(error["type"])
    text = text or error["msg"]
    if not loc:
        return text
    where = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in loc).lstrip(".")
    where = f"key {where!r}" if len(loc) == 1 else where
    value = error.get("input")
    shown = value is None or isinstance(value, str | int | float | list)
    if error["type"] != "missing" and shown and len(repr(value)) <= 80:
        text += f", got {value!r}"
    return f"{where} {text}"
