"""Models of the files of ``sim history`` (``history.json``) and ``sim signposts``
(``signposts.json``); layouts in docs/RESULTS_LAYOUT.md."""

from __future__ import annotations

from typing import Any

from pydantic import model_validator

from sim.contracts.evidence import EvidenceBlock, EvidenceItem, SignpostRow
from sim.contracts.fields import (
    REQUIRED,
    Interval,
    Model,
    OptionalNonNegative,
    OptionalProbability,
    Probability,
    Provenance,
    Runs,
)

__all__ = [
    "CandidateRow",
    "HistoryFile",
    "HistoryPoint",
    "SignpostsFile",
    "SuggestedIndicator",
]


class HistoryOutcome(Model):
    """An outcome's probability as of one date, null when ruled out."""

    probability: OptionalProbability = None
    ci95: Interval = None


class HistoryPoint(Model):
    """The forecast as of one date (the start, or an observation date)."""

    date: str
    observations: int
    evidence_probability: Probability = REQUIRED
    effective_runs: OptionalNonNegative = REQUIRED
    ruled_out: bool
    outcomes: dict[str, HistoryOutcome]

    @model_validator(mode="after")
    def _null_when_ruled_out(self) -> HistoryPoint:
        for oid, o in self.outcomes.items():
            if self.ruled_out != (o.probability is None) or self.ruled_out != (o.ci95 is None):
                raise ValueError(
                    f"outcome {oid!r}: probability and ci95 must be null exactly when ruled_out"
                )
        return self


class HistoryFile(Model):
    """``history.json`` of ``sim history``."""

    scenario: str
    variant: str
    runs: Runs = REQUIRED
    seed: int
    engine: str
    start: str
    horizon: str
    settings: Provenance | None = None
    outcomes: dict[str, dict[str, Any]]
    observations: list[EvidenceItem]
    points: list[HistoryPoint]
    notes: list[str]

    @model_validator(mode="after")
    def _points(self) -> HistoryFile:
        if not self.points or self.points[0].date != self.start:
            raise ValueError("points must start with the forecast as of the start")
        if self.points[0].observations != 0:
            raise ValueError("the first point must have no observation in effect")
        dates = [p.date for p in self.points]
        if dates != sorted(dates):
            raise ValueError("points must be in date order")
        return self


class CandidateRow(SignpostRow):
    """A candidate signpost ``track == state`` ever by a date, against one outcome."""

    label: str
    when: str
    ever: bool


class SignpostOutcome(Model):
    """An outcome's best candidates and the scenario's own indicators' rows."""

    label: str
    probability: Probability = REQUIRED
    candidates: list[CandidateRow]
    indicators: list[SignpostRow]


class SuggestedIndicator(Model):
    """An indicator ready for the scenario file's ``indicators`` (format section 11)."""

    label: str
    when: str
    ever: bool
    dates: list[str]


class SignpostsFile(Model):
    """``signposts.json`` of ``sim signposts``."""

    scenario: str
    variant: str
    runs: Runs = REQUIRED
    seed: int
    engine: str
    start: str
    horizon: str
    settings: Provenance | None = None
    dates: list[str]
    dates_from: str
    candidates: int
    top: Runs = REQUIRED
    evidence: EvidenceBlock | None = None
    outcomes: dict[str, SignpostOutcome]
    suggested_indicators: dict[str, SuggestedIndicator]
