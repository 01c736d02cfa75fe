"""Models of the format 1.1 parts of ``summary.json``: the ``evidence`` block and the
``signposts`` rows (SCENARIO_FORMAT.md sections 10 and 11)."""

from __future__ import annotations

from sim.contracts.fields import (
    REQUIRED,
    Interval,
    Model,
    OptionalNonNegative,
    OptionalProbability,
    Probability,
)

__all__ = ["EvidenceBlock", "EvidenceItem", "IndicatorMeta", "SignpostRow"]


class EvidenceItem(Model):
    """One observation in effect and the share of runs that agree with it."""

    date: str
    when: str
    ever: bool = False
    observed: bool
    confidence: Probability = REQUIRED
    agree: Probability = REQUIRED
    label: str | None = None
    source: str | None = None
    note: str | None = None


class EvidenceBlock(Model):
    """What was observed and how surprising it was (format section 10)."""

    as_of: str
    observations: int
    probability: Probability = REQUIRED
    effective_runs: OptionalNonNegative = REQUIRED
    items: list[EvidenceItem]


class SignpostRow(Model):
    """One indicator at one date against one outcome (format section 11)."""

    indicator: str
    date: str
    p_indicator: Probability = REQUIRED
    p_outcome_if_true: OptionalProbability = None
    p_outcome_if_false: OptionalProbability = None
    likelihood_ratio: OptionalNonNegative = None
    information_bits: OptionalNonNegative = REQUIRED
    # beyond the format: the conditional probabilities' 95% Wilson intervals with Kish's
    # effective runs of each side (absent in files of older versions)
    p_outcome_if_true_ci95: Interval = None
    p_outcome_if_false_ci95: Interval = None
    effective_runs_if_true: OptionalNonNegative = None
    effective_runs_if_false: OptionalNonNegative = None


class IndicatorMeta(Model):
    """An indicator as written (format section 11), for the report's sentences."""

    label: str | None = None
    when: str | None = None
    ever: bool = False
    dates: list[str] = []
    note: str | None = None
