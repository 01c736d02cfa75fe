"""Candidate signposts found automatically: which ``TRACK == STATE``, seen by a date, says
most about each outcome.

Every ``TRACK == STATE`` condition is a candidate, as ``ever: true`` (it has held at some
instant by the date) at each indicator date: the dates the scenario's indicators use or, when
it has none, the default indicator dates of format section 11. The scenario is run once with
the candidates as extra probes; for each outcome each candidate gets the row of a signpost
(:func:`sim.analysis.evidence.signpost_numbers`, weighted when there is evidence) and the
candidates are ranked by the mutual information between candidate and outcome, in bits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.analysis.evidence import (
    evidence_block,
    group_effective_runs,
    ruled_out_message,
    signpost_intervals,
    signpost_numbers,
    signpost_sums,
    signposts,
)
from sim.errors import SimError
from sim.experiments.variants import Progress, RuledOut, ruled_out, run_batch
from sim.model.conditions import Test
from sim.model.evidence import Probe
from sim.model.scenario import Scenario
from sim.results import RunSettings
from sim.runner import KEEP_VALUES
from sim.scenario.evidence import default_indicator_dates as indicator_dates

__all__ = [
    "TOP",
    "Candidate",
    "CandidateRow",
    "Signposts",
    "candidate_dates",
    "candidates",
    "default_indicator_dates",
    "run_signposts",
]

TOP = 10  # candidates kept per outcome by default


@dataclass(frozen=True)
class Candidate:
    """``track == state`` held at some instant in [start, date].

    Attributes
    ----------
    track, state : int
        Indices of the track and of its state.
    date : datetime.date
    day : float
        ``date`` in days from the start.
    """

    track: int
    state: int
    date: dt.date
    day: float

    def probe(self, scenario: Scenario) -> Probe:
        """What the engines evaluate in each run."""
        return Probe(Test(self.track, frozenset({self.state})), True, self.day, self.when(scenario))

    def when(self, scenario: Scenario) -> str:
        """The condition as a scenario file writes it, ``track == state``."""
        track = scenario.tracks[self.track]
        return f"{track.id} == {track.states[self.state]}"

    def id(self, scenario: Scenario) -> str:
        """``ever_<track>_<state>``."""
        track = scenario.tracks[self.track]
        return f"ever_{track.id}_{track.states[self.state]}"

    def label(self, scenario: Scenario) -> str:
        """In words: ``Track has been State (at some time) by DATE``."""
        track = scenario.tracks[self.track]
        state = track.state_labels[self.state]
        return f"{track.label} has been {state} (at some time) by {self.date.isoformat()}"


@dataclass(frozen=True)
class CandidateRow:
    """One candidate against one outcome: the numbers of a signpost row (format section 11).

    Attributes
    ----------
    candidate : Candidate
    p_indicator : float
        P(candidate).
    p_outcome_if_true, p_outcome_if_false : float or None
        P(outcome | candidate), P(outcome | not candidate).
    likelihood_ratio : float or None
        P(candidate | outcome) / P(candidate | not outcome).
    information_bits : float
        Mutual information of candidate and outcome, bits.
    intervals : dict
        The conditional probabilities' intervals and effective runs
        (:func:`sim.analysis.evidence.signpost_intervals`).
    """

    candidate: Candidate
    p_indicator: float
    p_outcome_if_true: float | None
    p_outcome_if_false: float | None
    likelihood_ratio: float | None
    information_bits: float
    intervals: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Signposts:
    """The best candidate signposts of each outcome, and the scenario's own indicators.

    Attributes
    ----------
    scenario : Scenario
    runs, seed : int
    engine : str
    dates : tuple of datetime.date
        The candidate dates; ``dates_from`` says where they came from: ``indicators``,
        ``report.dates`` or ``quarters``.
    dates_from : str
    candidates : int
        Candidates evaluated (tracks' states x dates).
    top : int
        Candidates kept per outcome at most.
    probability : tuple of float
        Each outcome's probability (weighted with evidence), (n_outcomes,).
    rows : tuple of tuple of CandidateRow
        Per outcome, its best candidates by information, largest first; those certain
        (p_indicator 0 or 1) are left out.
    indicators : dict
        ``signposts`` of ``summary.json`` for the scenario's own indicators
        (:func:`sim.analysis.evidence.signposts`); empty without indicators.
    evidence : dict or None
        The ``evidence`` block (:func:`sim.analysis.evidence.evidence_block`) with evidence.
    ran : RunSettings or None
        How the runs were made (jobs, scheduler, elapsed time), recorded in ``settings``.
    """

    scenario: Scenario
    runs: int
    seed: int
    engine: str
    dates: tuple[dt.date, ...]
    dates_from: str
    candidates: int
    top: int
    probability: tuple[float, ...]
    rows: tuple[tuple[CandidateRow, ...], ...]
    indicators: dict
    evidence: dict | None
    ran: RunSettings | None = None

    def ids(self) -> dict[tuple[int, int], str]:
        """(track, state) -> the id of its suggested indicator, for each ``track == state``
        among the kept candidates of any outcome: ``ever_<track>_<state>``, or with a suffix
        ``_2``, ``_3``, ... when the scenario's own indicators (or another candidate) take
        that id."""
        pairs = sorted({(r.candidate.track, r.candidate.state) for rows in self.rows for r in rows})
        taken = {ind.id for ind in self.scenario.indicators}
        out = {}
        for track, state in pairs:
            ident = _free(
                Candidate(track, state, self.scenario.start, 0.0).id(self.scenario), taken
            )
            taken.add(ident)
            out[(track, state)] = ident
        return out

    def suggested(self) -> dict[str, dict[str, Any]]:
        """The ``indicators:`` mapping to paste into the scenario file: one indicator per
        ``track == state`` among the kept candidates of any outcome (ids of :meth:`ids`),
        ``ever: true``, with every date at which it was kept (dates as ``datetime.date``)."""
        sc = self.scenario
        dates: dict[tuple[int, int], set[dt.date]] = {}
        for rows in self.rows:
            for row in rows:
                c = row.candidate
                dates.setdefault((c.track, c.state), set()).add(c.date)
        out: dict[str, dict[str, Any]] = {}
        for (track, state), ident in self.ids().items():
            t = sc.tracks[track]
            out[ident] = {
                "label": f"{t.label} has been {t.state_labels[state]} (at some time)",
                "when": f"{t.id} == {t.states[state]}",
                "ever": True,
                "dates": sorted(dates[(track, state)]),
            }
        return out

    def to_dict(self) -> dict[str, Any]:
        """The ``signposts.json`` content (model :class:`sim.contracts.history.SignpostsFile`)."""
        sc = self.scenario
        ids = self.ids()
        outcomes = {}
        for k, o in enumerate(sc.outcomes):
            outcomes[o.id] = {
                "label": o.label,
                "probability": self.probability[k],
                "candidates": [_row_dict(r, sc, ids) for r in self.rows[k]],
                "indicators": self.indicators.get(o.id, []),
            }
        return {
            "scenario": sc.id,
            "title": sc.title,
            "variant": sc.variant,
            "runs": self.runs,
            "seed": self.seed,
            "engine": self.engine,
            "start": sc.start.isoformat(),
            "horizon": sc.horizon_date.isoformat(),
            "settings": self.ran.provenance() if self.ran else None,
            "dates": [d.isoformat() for d in self.dates],
            "dates_from": self.dates_from,
            "candidates": self.candidates,
            "top": self.top,
            "evidence": self.evidence,
            "outcomes": outcomes,
            "suggested_indicators": {
                k: {**v, "dates": [d.isoformat() for d in v["dates"]]}
                for k, v in self.suggested().items()
            },
        }


def _free(ident: str, taken: set[str]) -> str:
    """``ident``, or ``ident_2``, ``ident_3``, ... the first not in ``taken``."""
    if ident not in taken:
        return ident
    n = 2
    while f"{ident}_{n}" in taken:
        n += 1
    return f"{ident}_{n}"


def _row_dict(row: CandidateRow, scenario: Scenario, ids: dict) -> dict[str, Any]:
    c = row.candidate
    return {
        "indicator": ids[(c.track, c.state)],
        "label": c.label(scenario),
        "when": c.when(scenario),
        "ever": True,
        "date": c.date.isoformat(),
        "p_indicator": row.p_indicator,
        "p_outcome_if_true": row.p_outcome_if_true,
        "p_outcome_if_false": row.p_outcome_if_false,
        "likelihood_ratio": row.likelihood_ratio,
        "information_bits": row.information_bits,
    } | row.intervals


def default_indicator_dates(scenario: Scenario) -> tuple[list[dt.date], str]:
    """Where an indicator without ``dates`` is evaluated (format section 11,
    :func:`sim.scenario.evidence.default_indicator_dates`): the report dates strictly between
    start and horizon (``"report.dates"``), else the first day of each calendar quarter
    strictly between them (``"quarters"``)."""
    report = [d for d, _ in scenario.report_dates]
    dates = indicator_dates(scenario.start, scenario.horizon_days, report)
    inside = any(0 < day < scenario.horizon_days for _, day in scenario.report_dates)
    return dates, "report.dates" if inside else "quarters"


def candidate_dates(scenario: Scenario) -> tuple[list[dt.date], str]:
    """The candidates' dates: every date the scenario's indicators use, in order
    (``"indicators"``), else :func:`default_indicator_dates`."""
    used = sorted({d for ind in scenario.indicators for d, _ in ind.dates})
    if used:
        return used, "indicators"
    return default_indicator_dates(scenario)


def candidates(scenario: Scenario) -> list[Candidate]:
    """Every ``track == state``, ever by each candidate date: tracks and states in file
    order, then dates in order."""
    dates, _ = candidate_dates(scenario)
    return [
        Candidate(t, s, d, float((d - scenario.start).days))
        for t, track in enumerate(scenario.tracks)
        for s in range(len(track.states))
        for d in dates
    ]


def rank(
    values: np.ndarray,
    outcome: np.ndarray,
    weights: np.ndarray | None,
    found: list[Candidate],
    top: int,
) -> tuple[CandidateRow, ...]:
    """The ``top`` most informative candidates about one outcome.

    Parameters
    ----------
    values : bool array (n, n_candidates)
        Each run's value of each candidate.
    outcome : bool array (n,)
    weights : float array (n,) or None
        Evidence weights (None: equal).
    found : list of Candidate
        (n_candidates,), in the order of ``values``' columns.
    top : int

    Returns
    -------
    tuple of CandidateRow
        By information_bits, largest first (ties keep candidate order); candidates whose
        value is the same in every run that carries weight are left out.
    """
    live = np.ones(len(outcome), bool) if weights is None else weights > 0
    sums = signpost_sums(values, outcome[:, None], weights)
    n_eff = group_effective_runs(values, weights)
    rows = []
    for j, cand in enumerate(found):
        seen = values[live, j]
        if seen.all() or not seen.any():  # certain: p_indicator 0 or 1
            continue
        numbers = signpost_numbers(*(float(x) for x in sums[:, j, 0]))
        intervals = signpost_intervals(numbers, *n_eff[:, j])
        rows.append(CandidateRow(cand, **numbers, intervals=intervals))
    rows.sort(key=lambda r: -r.information_bits)
    return tuple(rows[:top])


def run_signposts(
    scenario: Scenario,
    *,
    runs: int,
    seed: int,
    top: int = TOP,
    jobs: int | None = None,
    engine: str = "auto",
    progress: Progress | None = None,
    scheduler: str | None = None,
) -> Signposts:
    """Run ``scenario`` once with every candidate signpost, and rank them for each outcome.

    Parameters
    ----------
    scenario : Scenario
        With the observations in effect in ``scenario.evidence``.
    runs, seed, jobs, engine, scheduler
        As in :func:`sim.runner.run_scenario`.
    top : int
        Candidates kept per outcome (>= 1).
    progress : callable(label, done, total), optional
        See :mod:`sim.experiments`.

    Returns
    -------
    Signposts

    Raises
    ------
    RuledOut
        The evidence leaves no run.
    SimError
        Bad run settings, or no candidate date (start and horizon in one quarter and no
        report date between them); :class:`sim.errors.SimulationError` from the engine.
    """
    dates, source = candidate_dates(scenario)
    if not dates:
        raise SimError(
            f"{scenario.file or scenario.id}: error: no date to look for signposts at: no "
            "indicator, no report date and no first day of a quarter lies strictly between "
            "start and horizon; add report.dates inside the horizon"
        )
    found = candidates(scenario)
    label = f"{scenario.id} [{scenario.variant}] signposts"
    probes = tuple(c.probe(scenario) for c in found)
    results = run_batch(
        scenario, runs, seed, jobs, engine, KEEP_VALUES, progress, label, probes,
        scheduler=scheduler,
    )  # fmt: skip
    if ruled_out(results):
        raise RuledOut(ruled_out_message(results), results)
    first = len(results.probe_list) - len(found)
    values = results.probes[:, first:]
    weights = results.weights if results.weighted else None
    return Signposts(
        scenario=scenario,
        runs=results.runs,
        seed=seed,
        engine=results.settings.engine,
        dates=tuple(dates),
        dates_from=source,
        candidates=len(found),
        top=top,
        probability=tuple(float(p) for p in results.probabilities()),
        rows=tuple(
            rank(values, results.flags[:, o], weights, found, top)
            for o in range(len(scenario.outcomes))
        ),
        indicators=signposts(results),
        evidence=evidence_block(results) if results.weighted else None,
        ran=results.settings,
    )
