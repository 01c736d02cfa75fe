"""What has been observed (format section 10) and what is worth watching (section 11).

An :class:`Observation` is an outcome already seen: a condition on the joint state, evaluated
at ``day`` (the state at the start of that day, after the firings due at that instant) or, with
``ever``, whether it held at any instant in ``[0, day]``. Each run gets the weight
``confidence`` when its value equals ``observed`` and ``1 - confidence`` otherwise; a run's
weight is the product over the observations in effect (:func:`sim.evidence.weights`).

An :class:`Indicator` is a condition an analyst can watch before the horizon, evaluated like an
observation at each of its dates. Times are in days from the scenario's start.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from sim.model.conditions import Condition

__all__ = ["Indicator", "Observation", "Probe", "observation_weights", "scaled_weights"]


@dataclass(frozen=True)
class Probe:
    """A condition to evaluate in every run at one time: the state at ``day`` (after the
    firings due then), or with ``ever`` whether it held at any instant in ``[0, day]``.

    Attributes
    ----------
    condition : Condition
    ever : bool
    day : float
        Days from the start; 0 <= day <= horizon.
    text : str
        The condition as written (for messages and keys).
    """

    condition: Condition
    ever: bool
    day: float
    text: str


@dataclass(frozen=True)
class Observation:
    """One observation of section 10.

    Attributes
    ----------
    date : datetime.date
        When it was observed (the state at the start of that day).
    day : float
        ``date`` in days from the scenario's start (0 <= day <= horizon).
    condition : Condition
        ``when``, compiled.
    text : str
        ``when`` as written.
    ever : bool
        Whether the condition held at any instant in ``[start, date]``, rather than at
        ``date``.
    observed : bool
        What was seen.
    confidence : float
        Probability that the observation is right, in (0.5, 1].
    label, note, source : str or None
        Free text.
    origin : str
        ``FILE:LINE`` of the observation, for messages.
    """

    date: dt.date
    day: float
    condition: Condition
    text: str
    ever: bool
    observed: bool
    confidence: float = 1.0
    label: str | None = None
    note: str | None = None
    source: str | None = None
    origin: str = ""

    @property
    def probe(self) -> Probe:
        """What an engine must evaluate in each run to weigh it."""
        return Probe(self.condition, self.ever, self.day, self.text)


@dataclass(frozen=True)
class Indicator:
    """A signpost of section 11.

    Attributes
    ----------
    id, label : str
    condition : Condition
        ``when``, compiled.
    text : str
        ``when`` as written.
    ever : bool
    dates : tuple of (datetime.date, float)
        The dates at which it is evaluated and their days from the start, strictly between
        start and horizon: the indicator's ``dates``, else the report dates strictly inside,
        else the first day of each calendar quarter strictly inside.
    note : str or None
    """

    id: str
    label: str
    condition: Condition
    text: str
    ever: bool
    dates: tuple[tuple[dt.date, float], ...]
    note: str | None = None

    def probes(self) -> tuple[Probe, ...]:
        """One probe for each date, in date order."""
        return tuple(Probe(self.condition, self.ever, d, self.text) for _, d in self.dates)


def observation_weights(values: np.ndarray, observed: np.ndarray, confidence: np.ndarray):
    """Each run's weight (format section 10).

    Parameters
    ----------
    values : bool array (n, k)
        Each run's value of each observation's condition.
    observed : bool array (k,)
        What was observed.
    confidence : float array (k,)
        Probability that each observation is right, in (0.5, 1].

    Returns
    -------
    float array (n,)
        The product over observations of ``confidence`` where the run agrees, else
        ``1 - confidence``; ones when k = 0.
    """
    agree = values == observed[None, :]
    return np.prod(np.where(agree, confidence[None, :], 1.0 - confidence[None, :]), axis=1)


def scaled_weights(
    values: np.ndarray, observed: np.ndarray, confidence: np.ndarray
) -> tuple[np.ndarray, float]:
    """Each run's weight, computed in logarithms and scaled so that the largest is 1.

    The weights of :func:`observation_weights` are products of many factors below 1: with
    dozens of uncertain observations that every run contradicts they underflow to 0 (and
    their squares sooner), though no certain observation rules a run out. Here
    log w_r = sum_i log(c_i or 1 - c_i) (minus infinity where a certain observation is
    contradicted), and the weights returned are exp(log w_r - m), m = max_r log w_r.

    Parameters
    ----------
    values, observed, confidence
        As in :func:`observation_weights`.

    Returns
    -------
    (float array (n,), float)
        The scaled weights (largest 1; all 0 when every run contradicts a certain
        observation) and m, so that the weights of section 10 are ``weights * exp(m)``
        (m = 0 when there are no observations, minus infinity when no run is left).
    """
    agree = values == observed[None, :]
    with np.errstate(divide="ignore"):
        log_agree, log_disagree = np.log(confidence), np.log1p(-confidence)
    logs = np.where(agree, log_agree[None, :], log_disagree[None, :]).sum(axis=1)
    top = float(logs.max(initial=-np.inf))
    if not np.isfinite(top):
        return np.zeros(len(values)), -math.inf
    return np.exp(logs - top), top
