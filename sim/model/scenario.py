"""The validated, immutable scenario that engines run.

Produced by :func:`sim.load_scenario`. Tracks, states, events and outcomes are referred to by
index (file order) inside the model; ids and labels are kept for reports. Time is in days from
``start``.

Values that can be uncertain (a chance's P, a rate's R, a multiplier, ``after: $param``) are
:class:`Value` objects: either a constant or a *slot*, one draw per run from
``Scenario.slots[slot].distribution``. Engines receive the per-run slot values as an
``(n_runs, n_slots)`` array.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.model.conditions import Condition
from sim.model.distributions import Distribution
from sim.model.evidence import Indicator, Observation, Probe

__all__ = [
    "Event",
    "Modifier",
    "Outcome",
    "Scenario",
    "Slot",
    "Timing",
    "Track",
    "Value",
    "VariantChange",
    "VariantInfo",
    "checkpoints",
    "probes_of",
]


@dataclass(frozen=True)
class Value:
    """A per-run value: ``const`` when fixed, else the index of a slot.

    Use ``value.of(slot_values)`` with a run's slot values (1-D array) to get the number.
    """

    const: float | None = None
    slot: int | None = None

    def of(self, slot_values) -> float:
        """The value in one run, given that run's ``(n_slots,)`` slot values."""
        return self.const if self.slot is None else float(slot_values[self.slot])


@dataclass(frozen=True)
class Slot:
    """An uncertain value drawn once per run.

    Attributes
    ----------
    name : str
        Its address: a parameter id, or ``EVENT_ID.KEY`` (``EVENT_ID.modifiers.N``).
    distribution : Distribution
        What we do not know about it (days for durations).
    label : str
        For charts.
    note : str or None
        The parameter's ``note`` as written (a named parameter's justification, shown in the
        report's assumptions table); None for an unnamed range, whose note is its event's.
    """

    name: str
    distribution: Distribution
    label: str
    note: str | None = None


@dataclass(frozen=True)
class Track:
    """A state machine dimension; ``initial`` holds one probability per state."""

    id: str
    label: str
    states: tuple[str, ...]
    state_labels: tuple[str, ...]
    initial: tuple[float, ...]

    def index(self, state: str) -> int:
        """The index of ``state``."""
        return self.states.index(state)


@dataclass(frozen=True)
class Timing:
    """An event's timing.

    ``kind`` is one of:

    * ``hazard``: exponential work with rate ``rate.of(v) * scale`` per day, where for
      ``chance: P within D`` the rate value is P and ``transform`` is ``"chance"``
      (rate = -ln(1 - P) / D) and for ``rate: R per D`` ``transform`` is ``"rate"`` (R / D);
    * ``after``: work drawn from ``distribution`` at each enabling, or, when ``per_run`` is a
      Value (``after: $param``), the same work at every enabling within a run;
    * ``at``: fires at ``day`` or when enabled if later, at most once per run.
    """

    kind: str
    text: str
    short: str
    value: Value | None = None
    per_days: float = 1.0
    transform: str = ""
    distribution: Distribution | None = None
    day: float = math.nan

    def hazard(self, slot_values) -> float:
        """Rate per day of a ``hazard`` timing in one run."""
        x = self.value.of(slot_values)
        if self.transform == "chance":
            return -math.log1p(-x) / self.per_days
        return x / self.per_days


@dataclass(frozen=True)
class Modifier:
    """Multiply the event's clock speed by ``factor`` while ``condition`` holds."""

    condition: Condition
    factor: Value
    text: str


@dataclass(frozen=True)
class Event:
    """A transition of one track (section 5).

    Attributes
    ----------
    index : int
        Position in the file, which also orders same-instant firings.
    from_states : frozenset of int
        States of ``track`` in which the event can be enabled.
    to : tuple of (state index, probability)
        Destinations; one entry with probability 1 when not a branch.
    guard : Condition or None
        ``when``.
    also : tuple of (track index, state index)
        Other tracks set when it fires.
    when : str or None
        The guard as written (for reports); None without a guard.
    """

    id: str
    index: int
    label: str
    note: str | None
    track: int
    from_states: frozenset[int]
    to: tuple[tuple[int, float], ...]
    timing: Timing
    guard: Condition | None
    modifiers: tuple[Modifier, ...]
    also: tuple[tuple[int, int], ...]
    when: str | None = None

    def reads(self) -> frozenset[int]:
        """Tracks whose change may alter this event's enabling or speed."""
        out = {self.track}
        if self.guard is not None:
            out |= self.guard.tracks()
        for m in self.modifiers:
            out |= m.condition.tracks()
        return frozenset(out)


@dataclass(frozen=True)
class Outcome:
    """What we want the probability of (section 6)."""

    id: str
    label: str
    condition: Condition
    ever: bool
    text: str


@dataclass(frozen=True)
class VariantChange:
    """One change a variant makes to the base: a ``set`` path (``events.E.at``,
    ``parameters.P``, ...) or a disabled event (``events.E``), with the value before (in the
    base) and after (in the variant) as written; None when the base leaves it out."""

    path: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class VariantInfo:
    """A variant's id, label, description and changes (applied at load time; the changes
    are described by :func:`sim.scenario.changes.variant_changes`)."""

    id: str
    label: str
    description: str | None
    changes: tuple[VariantChange, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """A validated scenario, ready to run.

    Attributes
    ----------
    horizon_days : float
        The run length in days from ``start``.
    grid_days : tuple of float
        Report grid: 0, k * every, ..., and the horizon (days).
    report_dates : tuple of (date, float)
        Checkpoint dates and their time in days.
    slots : tuple of Slot
        Uncertain values, one draw per run each.
    evidence : tuple of Observation
        The observations in effect (section 10): the file's, then each evidence file's, in
        order, cut by ``--as-of`` (none with ``--no-evidence``).
    indicators : tuple of Indicator
        Signposts (section 11), in file order.
    as_of : datetime.date or None
        The ``--as-of`` date when one was given: the observations in effect are those dated
        on or before it.
    """

    id: str
    title: str | None
    description: str | None
    sources: tuple[dict[str, Any], ...]
    start: dt.date
    horizon_days: float
    horizon_text: str
    tracks: tuple[Track, ...]
    events: tuple[Event, ...]
    outcomes: tuple[Outcome, ...]
    slots: tuple[Slot, ...]
    parameters: tuple[str, ...]
    variant: str
    variant_label: str
    variants: tuple[VariantInfo, ...]
    report_every_days: float
    report_every_text: str
    report_dates: tuple[tuple[dt.date, float], ...]
    grid_days: tuple[float, ...]
    evidence: tuple[Observation, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    as_of: dt.date | None = None
    file: str = ""
    sha256: str = ""
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def variant_changes(self) -> tuple[VariantChange, ...]:
        """What this variant changes in the base, in the order written (none for ``base``)."""
        return next((v.changes for v in self.variants if v.id == self.variant), ())

    @property
    def horizon_date(self) -> dt.date:
        """The calendar date of the horizon (start + floor(horizon_days))."""
        return self.date_of(self.horizon_days)

    def date_of(self, days: float) -> dt.date:
        """The date on which time ``days`` falls: ``start + floor(days)``."""
        return self.start + dt.timedelta(days=math.floor(days))

    def track_index(self, track_id: str) -> int:
        """Index of a track by id; raises KeyError."""
        for i, t in enumerate(self.tracks):
            if t.id == track_id:
                return i
        raise KeyError(track_id)


def checkpoints(scenario: Scenario) -> np.ndarray:
    """Times (days) at which states are recorded: the report grid and the report dates, sorted."""
    days = list(scenario.grid_days) + [d for _, d in scenario.report_dates]
    return np.unique(np.asarray(days, dtype=float))


def probes_of(scenario: Scenario) -> tuple[Probe, ...]:
    """The probes of ``scenario`` in the order results store them: one per observation in
    effect (file order), then one per indicator and date (indicators in file order, dates in
    order)."""
    return tuple(o.probe for o in scenario.evidence) + tuple(
        p for ind in scenario.indicators for p in ind.probes()
    )
