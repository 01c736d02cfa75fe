"""Which uncertain values drive each outcome: the tornado and Sobol experiments.

Both vary only uncertain values (``Scenario.slots``: named parameters and unnamed ``A to B``
values) over their quantile levels, on common random numbers; waiting times under ``after``
are chance, not ignorance, and stay random. The statistics are those of
:mod:`sim.analysis.sensitivity`; this module runs the designs and gathers the
``sensitivity.json`` content.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.analysis import sensitivity as sa
from sim.analysis.evidence import ruled_out_message
from sim.collect import RowSums
from sim.errors import SimError
from sim.experiments.variants import Progress
from sim.model.scenario import Scenario
from sim.results import RunSettings
from sim.runner import MAX_RUNS, run_design_sums, run_scenario

__all__ = ["Sobol", "Tornado", "run_sobol", "run_tornado"]

TORNADO_RUNS = 4000  # default runs per setting
RULED_OUT_RUNS = 200_000  # runs of the plain run that explains a ruled-out base setting
SOBOL_RUNS = 400  # default runs per sample row
SOBOL_SAMPLES = 64  # default Saltelli base sample size
MAX_SAMPLES = 2**16  # Saltelli base sample size at most (SALib's bootstrap holds 100 x N rows)


@dataclass(frozen=True)
class Tornado:
    """One uncertain value at a time at its 10th and 90th percentile, the others random.

    Attributes
    ----------
    scenario : Scenario
    seed : int
    engine : str
        The engine that ran (its registered name).
    runs_per_setting : int
        Runs of the base setting and of each fixed value, all on run indices [0, runs).
    base : numpy.ndarray, shape (n_outcomes,)
        Probability of each outcome with every value random.
    low, high : numpy.ndarray, shape (n_slots, n_outcomes)
        Probability with value j at its 10th / 90th percentile.
    effective_runs, evidence_probability : float or None
        Of the base setting, with evidence in effect.
    ran : RunSettings or None
        How the runs were made (jobs, scheduler, elapsed time), recorded in ``settings``.
    """

    scenario: Scenario
    seed: int
    engine: str
    runs_per_setting: int
    base: np.ndarray
    low: np.ndarray
    high: np.ndarray
    effective_runs: float | None = None
    evidence_probability: float | None = None
    ran: RunSettings | None = None

    def rankings(self) -> list[list[dict[str, Any]]]:
        """Per outcome, the values by decreasing swing (:func:`sim.analysis.sensitivity.tornado`)."""
        return sa.tornado(self.base, self.low, self.high)

    def to_dict(self) -> dict[str, Any]:
        """The ``sensitivity.json`` content (model :class:`sim.contracts.TornadoFile`)."""
        slots = self.scenario.slots
        outcomes = {
            o.id: [
                {"parameter": slots[r["slot"]].name, **{k: v for k, v in r.items() if k != "slot"}}
                for r in rows
            ]
            for o, rows in zip(self.scenario.outcomes, self.rankings(), strict=True)
        }
        settings = {
            "runs_per_setting": self.runs_per_setting,
            "settings": 2 * len(slots) + 1,
            "low_quantile": sa.TORNADO_LOW,
            "high_quantile": sa.TORNADO_HIGH,
            "others": "left random (their own per-run draws), common random numbers",
        } | (self.ran.provenance() if self.ran else {})
        out = _content("tornado", self.scenario, self.seed, self.engine, settings, outcomes)
        if "evidence" in out:  # of the base setting (every value random)
            out["evidence"] |= {
                "probability": self.evidence_probability,
                "effective_runs": self.effective_runs,
            }
        return out


@dataclass(frozen=True)
class Sobol:
    """First-order and total Sobol indices over the quantile levels of the uncertain values.

    Attributes
    ----------
    scenario : Scenario
    seed : int
    engine : str
    runs_per_sample : int
        Runs of each sample row, all on run indices [0, runs).
    samples : int
        Saltelli base sample size N (a power of 2).
    design : numpy.ndarray, shape (N * (n_slots + 2), n_slots)
        Quantile level of each value in each row (:func:`sim.analysis.sensitivity.sobol_design`).
    y : numpy.ndarray, shape (N * (n_slots + 2), n_outcomes)
        Probability of each outcome in each row.
    indices : list of dict, one per outcome
        ``S1``, ``S1_conf``, ``ST``, ``ST_conf``: arrays (n_slots,)
        (:func:`sim.analysis.sensitivity.sobol_indices`).
    ran : RunSettings or None
        How the runs were made (jobs, scheduler, elapsed time), recorded in ``settings``.
    """

    scenario: Scenario
    seed: int
    engine: str
    runs_per_sample: int
    samples: int
    design: np.ndarray
    y: np.ndarray
    indices: list[dict[str, np.ndarray]]
    ran: RunSettings | None = None

    def to_dict(self) -> dict[str, Any]:
        """The ``sensitivity.json`` content (model :class:`sim.contracts.SobolFile`)."""
        outcomes = {}
        for o, idx in zip(self.scenario.outcomes, self.indices, strict=True):
            rows = [
                {
                    "parameter": slot.name,
                    "score": float(idx["ST"][j]),
                    "ST": float(idx["ST"][j]),
                    "ST_conf": float(idx["ST_conf"][j]),
                    "S1": float(idx["S1"][j]),
                    "S1_conf": float(idx["S1_conf"][j]),
                }
                for j, slot in enumerate(self.scenario.slots)
            ]
            rows.sort(key=lambda r: -r["score"])
            outcomes[o.id] = rows
        settings = {
            "runs_per_sample": self.runs_per_sample,
            "samples": self.samples,
            "rows": len(self.design),
            "sampler": "SALib sobol (Saltelli) over quantile levels, first and total "
            "order; common random numbers across rows",
        } | (self.ran.provenance() if self.ran else {})
        return _content("sobol", self.scenario, self.seed, self.engine, settings, outcomes)


def run_tornado(
    scenario: Scenario,
    *,
    runs: int = TORNADO_RUNS,
    seed: int,
    jobs: int | None = None,
    engine: str = "auto",
    progress: Progress | None = None,
    scheduler: str | None = None,
) -> Tornado:
    """Run the base setting, then each uncertain value at its 10th and 90th percentile.

    Parameters
    ----------
    scenario : Scenario
        Must have uncertain values.
    runs : int
        Runs per setting (2 n_slots + 1 settings), on common random numbers.
    seed, jobs, engine, scheduler
        As in :func:`sim.runner.run_scenario`.
    progress : callable(label, done, total), optional
        One batch of (2 n_slots + 1) * runs runs.

    Returns
    -------
    Tornado

    Raises
    ------
    SimError
        No uncertain values; bad run settings.
    """
    _check_slots(scenario)
    _check_runs(runs)
    # row 0 fixes nothing: the base setting, on the same run indices as the others
    design = np.vstack(
        [np.full(len(scenario.slots), np.nan), sa.tornado_design(len(scenario.slots))]
    )
    label = f"{scenario.id} [{scenario.variant}] tornado"
    common = {"seed": seed, "jobs": jobs, "engine": engine, "scheduler": scheduler}
    sums, ran = _run(scenario, design, runs, label, progress, **common)
    if sums.weighted and sums.sum_w[0] <= 0:
        raise SimError(_ruled_out(scenario, runs, **common))
    per_row = _posterior_rows(sums)
    return Tornado(
        scenario=scenario,
        seed=seed,
        engine=ran.engine,
        runs_per_setting=runs,
        base=sums.probabilities(0),
        low=per_row[1::2],
        high=per_row[2::2],
        effective_runs=sums.effective_runs_of(0) if sums.weighted else None,
        evidence_probability=sums.evidence_probability(0) if sums.weighted else None,
        ran=ran,
    )


def run_sobol(
    scenario: Scenario,
    *,
    samples: int = SOBOL_SAMPLES,
    runs: int = SOBOL_RUNS,
    seed: int,
    jobs: int | None = None,
    engine: str = "auto",
    progress: Progress | None = None,
    scheduler: str | None = None,
) -> Sobol:
    """Run Saltelli's sample of the uncertain values' quantile levels and compute Sobol indices.

    Parameters
    ----------
    scenario : Scenario
        Must have uncertain values.
    samples : int
        Saltelli base sample size N, a power of 2; N * (n_slots + 2) rows.
    runs : int
        Runs per row, on common random numbers.
    seed, jobs, engine, scheduler
        As in :func:`sim.runner.run_scenario`; the seed also scrambles the sample and seeds
        the bootstrap of the confidence intervals (0 included).
    progress : callable(label, done, total), optional

    Returns
    -------
    Sobol

    Raises
    ------
    SimError
        No uncertain values, ``samples`` not a power of 2; bad run settings.
    """
    if samples < 2 or samples & (samples - 1):
        raise SimError(f"--samples {samples} is not a power of 2 (Saltelli's sequence needs one)")
    if samples > MAX_SAMPLES:
        raise SimError(
            f"--samples must be at most {MAX_SAMPLES:,} (the bootstrap of the confidence "
            "intervals holds 100 resamples of every row)"
        )
    _check_slots(scenario)
    _check_runs(runs)
    n_slots = len(scenario.slots)
    design = sa.sobol_design(n_slots, samples, seed)
    label = f"{scenario.id} [{scenario.variant}] sobol"
    sums, ran = _run(
        scenario, design, runs, label, progress,
        seed=seed, jobs=jobs, engine=engine, scheduler=scheduler,
    )  # fmt: skip
    y = _posterior_rows(sums)
    return Sobol(
        scenario=scenario,
        seed=seed,
        engine=ran.engine,
        runs_per_sample=runs,
        samples=samples,
        design=design,
        y=y,
        indices=sa.sobol_indices(y, n_slots, seed),
        ran=ran,
    )


def _run(scenario, design, runs, label, progress, **common) -> tuple[RowSums, RunSettings]:
    """The design's per-row sums and run settings, ``runs`` per row on common random
    numbers, as one batch of progress ``label``."""
    total = len(design) * runs
    if progress is not None:
        progress(label, 0, total)
    return run_design_sums(
        scenario,
        design,
        runs,
        common=True,
        progress=None if progress is None else lambda d, t: progress(label, d, t),
        **common,
    )


def _ruled_out(scenario: Scenario, runs: int, **common) -> str:
    """Why no run of the base setting agrees with the evidence, from a plain run of its first
    runs (at most RULED_OUT_RUNS: the same runs, so the same verdict, as the first of them);
    ``common``: seed, jobs, engine and scheduler."""
    base = run_scenario(scenario, runs=min(runs, RULED_OUT_RUNS), **common)
    return ruled_out_message(base)


def _check_runs(runs: int) -> None:
    """Runs per setting (per row) at most :data:`sim.runner.MAX_RUNS`, as ``sim run``: the
    memory no longer grows with them (per-row sums), the time does."""
    if runs < 1:
        raise SimError("--runs must be at least 1")
    if runs > MAX_RUNS:
        raise SimError(f"--runs must be at most {MAX_RUNS:,}")


def _posterior_rows(sums: RowSums) -> np.ndarray:
    """Each design row's outcome probabilities (K, n_outcomes), given the evidence when some
    is in effect.

    Raises
    ------
    SimError
        A row in which no run agrees with the evidence.
    """
    per_row = sums.means()
    if np.isnan(per_row).any():
        raise SimError(
            f"{sums.scenario.file}: error: at some settings of the uncertain values no run "
            "agrees with the evidence, so the sensitivity given the evidence cannot be "
            "computed; raise --runs, give uncertain observations a confidence below 100%, or "
            "run without --evidence (or with --no-evidence)"
        )
    return per_row


def _check_slots(scenario: Scenario) -> None:
    if not scenario.slots:
        raise SimError(
            f"{scenario.file}: error: the scenario has no uncertain values (ranges or "
            "named parameters) to vary"
        )


def _content(
    method: str,
    scenario: Scenario,
    seed: int,
    engine: str,
    settings: dict[str, Any],
    outcomes: dict[str, list[dict[str, Any]]],
) -> dict[str, Any]:
    """The ``sensitivity.json`` content common to both methods, around ``settings`` and
    ``outcomes``; with evidence in effect, ``evidence`` lists the observations every
    probability is conditioned on."""
    out = {
        "method": method,
        "scenario": scenario.id,
        "variant": scenario.variant,
        "title": scenario.title,
        "seed": seed,
        "engine": engine,
        "settings": settings,
        "parameters": {
            s.name: {
                "label": s.label,
                "value": s.distribution.text,
                "kind": s.distribution.kind,
                "p10": float(s.distribution.ppf(0.1)),
                "p90": float(s.distribution.ppf(0.9)),
            }
            | _event_of(scenario, s.name)
            for s in scenario.slots
        },
        "outcome_labels": {o.id: o.label for o in scenario.outcomes},
        "outcomes": outcomes,
    }
    if scenario.evidence:
        out["evidence"] = {
            "as_of": (scenario.as_of or max(o.date for o in scenario.evidence)).isoformat(),
            "observations": len(scenario.evidence),
            "items": [
                {"date": o.date.isoformat(), "when": o.text, "ever": o.ever,
                 "observed": o.observed, "confidence": o.confidence}
                for o in scenario.evidence
            ],
        }  # fmt: skip
    return out


def _event_of(scenario: Scenario, name: str) -> dict[str, str]:
    """For an unnamed range (address ``EVENT.KEY``): its ``event``, ``event_label`` and
    ``key``, so charts can label it from the event; empty for a named parameter."""
    event_id, _, key = name.partition(".")
    event = next((e for e in scenario.events if e.id == event_id), None) if key else None
    return {} if event is None else {"event": event.id, "event_label": event.label, "key": key}
