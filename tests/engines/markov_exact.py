"""Exact answers for Markov models with evidence: forward equations on the joint generator.

A model whose events all have exponential timings is a continuous-time Markov chain on the
joint state (one state per track). With observations, the weighted sums of format section 10
are expectations of products of per-observation weights, which the forward (Kolmogorov)
equations give exactly:

* between two dates, a row vector of masses evolves as ``v expm(Q t)`` (Chapman-Kolmogorov);
* a point observation at day D multiplies each joint state's mass by ``c`` when the state
  agrees with what was observed and by ``1 - c`` otherwise;
* an ``ever`` observation (or outcome) needs the path, not the state: each joint state is
  paired with a flag "the condition has held since the start", which turns on when the chain
  enters a state where it holds (the first-passage construction: Norris 1997, *Markov
  Chains*, section 3.3) and is read at the observation's date.

With weights raised to the power k, the total mass is E[w^k]; k = 1 gives the evidence
probability and the posterior's numerator, k = 2 Kish's effective runs, k = 3, 4 the
standard error of the estimated n_eff / N (delta method). Time in days.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy import linalg

__all__ = ["Check", "Joint", "MarkovAnswers", "answers"]


@dataclass(frozen=True)
class Joint:
    """A joint chain: ``states`` (tuples of state indices, one per track), generator ``q``
    (per day, (n, n)) and initial distribution ``p0`` (n,)."""

    states: list[tuple[int, ...]]
    q: np.ndarray
    p0: np.ndarray

    def mask(self, predicate) -> np.ndarray:
        """Bool (n,): the joint states where ``predicate(state)`` holds."""
        return np.array([bool(predicate(s)) for s in self.states])


@dataclass(frozen=True)
class Check:
    """A condition read in each run: at ``day`` (or ever in [0, day])."""

    predicate: object
    day: float
    ever: bool = False
    observed: bool = True
    confidence: float = 1.0


@dataclass(frozen=True)
class MarkovAnswers:
    """Exact values: ``moments[k - 1]`` = E[w^k] (k = 1..4), ``prior`` and ``posterior``
    (one per outcome), ``effective_share`` = E[w]^2 / E[w^2] and its standard error for
    ``runs`` runs (call :meth:`share_se`)."""

    moments: np.ndarray
    prior: np.ndarray
    posterior: np.ndarray

    @property
    def effective_share(self) -> float:
        return float(self.moments[0] ** 2 / self.moments[1])

    def share_se(self, runs: int) -> float:
        """Delta-method standard error of (mean w)^2 / mean(w^2) over ``runs`` runs."""
        m1, m2, m3, m4 = self.moments
        grad = np.array([2 * m1 / m2, -(m1**2) / m2**2])
        cov = np.array([[m2 - m1**2, m3 - m1 * m2], [m3 - m1 * m2, m4 - m2**2]])
        return float(np.sqrt(grad @ cov @ grad / runs))


def _flagged(joint: Joint, paths: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, list]:
    """The chain on (joint state, flags): flag j turns on when ``paths[j]`` holds."""
    n, k = len(joint.states), len(paths)
    flags = list(itertools.product((False, True), repeat=k))
    index = {(x, f): i for i, (x, f) in enumerate(itertools.product(range(n), flags))}

    def lift(f, y):
        return tuple(a or bool(paths[j][y]) for j, a in enumerate(f))

    q = np.zeros((len(index), len(index)))
    p0 = np.zeros(len(index))
    for (x, f), i in index.items():
        for y in np.flatnonzero(joint.q[x]):
            if y != x:
                q[i, index[(y, lift(f, y))]] += joint.q[x, y]
        q[i, i] = -q[i].sum()
    for x in range(n):
        p0[index[(x, lift((False,) * k, x))]] += joint.p0[x]
    keys = sorted(index, key=index.get)
    return q, p0, keys


def answers(joint: Joint, observations: list[Check], outcomes: list[Check], horizon: float):
    """Exact prior and posterior probabilities of ``outcomes`` at ``horizon`` (days) and the
    weight moments, given ``observations`` (format section 10)."""
    ever = [c for c in observations + outcomes if c.ever]
    q, p0, keys = _flagged(joint, [joint.mask(c.predicate) for c in ever])
    state_of = np.array([x for x, _ in keys])

    def value(check: Check) -> np.ndarray:
        if check.ever:
            j = ever.index(check)
            return np.array([f[j] for _, f in keys])
        return joint.mask(check.predicate)[state_of]

    events = sorted(observations, key=lambda c: c.day)
    vectors = []
    for power in (1, 2, 3, 4):
        v, now = p0.copy(), 0.0
        for c in events:
            v = v @ linalg.expm(q * (c.day - now))
            now = c.day
            agree = value(c) == c.observed
            v = v * np.where(agree, c.confidence, 1 - c.confidence) ** power
        vectors.append(v @ linalg.expm(q * (horizon - now)))
    prior_v = p0 @ linalg.expm(q * horizon)
    values = [value(c) for c in outcomes]
    moments = np.array([v.sum() for v in vectors])
    return MarkovAnswers(
        moments=moments,
        prior=np.array([prior_v[m].sum() for m in values]),
        posterior=np.array([vectors[0][m].sum() / moments[0] for m in values]),
    )
