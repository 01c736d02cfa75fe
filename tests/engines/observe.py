"""Observations and indicators built in code, for tests of format 1.1 (sections 10 and 11),
and the standard errors their answers are held to.

A test writes its model as YAML text without ``evidence`` or ``indicators``, loads it, and adds
what was observed with :func:`with_evidence`; conditions are parsed by the scenario's own
grammar (:func:`sim.scenario.conditions.parse_condition`), so they read as in a file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np

from sim.model.evidence import Indicator, Observation
from sim.model.scenario import Scenario
from sim.scenario.conditions import parse_condition

__all__ = [
    "YEAR",
    "indicator",
    "information_se",
    "observation",
    "signpost_joint",
    "weighted_se",
    "with_evidence",
]

YEAR = 365.25  # days


def _tracks(scenario: Scenario) -> dict[str, tuple[str, ...]]:
    return {t.id: t.states for t in scenario.tracks}


def observation(
    scenario: Scenario,
    date: dt.date,
    when: str,
    *,
    observed: bool,
    ever: bool = False,
    confidence: float = 1.0,
) -> Observation:
    """An observation of ``scenario`` dated ``date`` (format section 10)."""
    return Observation(
        date=date,
        day=float((date - scenario.start).days),
        condition=parse_condition(when, _tracks(scenario)),
        text=when,
        ever=ever,
        observed=observed,
        confidence=confidence,
    )


def indicator(
    scenario: Scenario, id: str, when: str, dates: list[dt.date], *, ever: bool = False
) -> Indicator:
    """An indicator of ``scenario`` evaluated at ``dates`` (format section 11)."""
    return Indicator(
        id=id,
        label=id,
        condition=parse_condition(when, _tracks(scenario)),
        text=when,
        ever=ever,
        dates=tuple((d, float((d - scenario.start).days)) for d in dates),
    )


def with_evidence(scenario: Scenario, *observations: Observation, indicators=()) -> Scenario:
    """``scenario`` with ``observations`` in effect and ``indicators``."""
    return dataclasses.replace(scenario, evidence=tuple(observations), indicators=tuple(indicators))


def weighted_se(p: float, effective_runs: float) -> float:
    """Monte Carlo standard error of a weighted share p with Kish's n_eff runs:
    sqrt(p (1 - p) / n_eff) (format section 10)."""
    return math.sqrt(p * (1.0 - p) / effective_runs)


def signpost_joint(p_i: float, if_true: float, if_false: float) -> np.ndarray:
    """The 2x2 joint [[I and O, I and not O], [not I and O, neither]] of an indicator I and
    an outcome O from P(I), P(O | I) and P(O | not I)."""
    return np.array(
        [[p_i * if_true, p_i * (1 - if_true)], [(1 - p_i) * if_false, (1 - p_i) * (1 - if_false)]]
    )


def information_se(joint: np.ndarray, runs: float) -> float:
    """Standard error of the plug-in mutual information (bits) of a 2x2 ``joint`` over
    ``runs`` runs: the variance of log2 p(i, o) / (p(i) p(o)) over one run, divided by runs
    (delta method; Paninski 2003, *Neural Computation* 15, eq. 8), plus the bias
    1 / (2 runs ln 2) of a 2x2 table (Miller 1955). Cells must be positive."""
    ratio = np.log2(joint / np.outer(joint.sum(axis=1), joint.sum(axis=0)))
    mean = float((joint * ratio).sum())
    var = float((joint * (ratio - mean) ** 2).sum())
    return math.sqrt(var / runs) + 1 / (2 * runs * math.log(2))
