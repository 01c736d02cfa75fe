"""Bounds on the values a scenario file may hold, so that every value that validates is usable.

Durations, rates, multipliers and distribution parameters must be finite and within the bounds
below (documented in docs/FORMAT.md, section 5): beyond them draws overflow to infinity,
collapse to 0, or a hazard stops being finite. :func:`usable` checks a parsed distribution;
the fixed bounds are checked where each term is read (:mod:`sim.scenario.quantities`).
"""

from __future__ import annotations

import math

from sim.model.distributions import Distribution

__all__ = [
    "DAYS_PER",
    "MAX_DURATION_DAYS",
    "MAX_DURATION_YEARS",
    "MAX_LOG_SIGMA",
    "MAX_NUMBER",
    "MIN_DURATION_DAYS",
    "MIN_PERIOD_DAYS",
    "MIN_SCALE_DAYS",
    "SHAPE_RANGE",
    "QuantityError",
    "usable",
]

DAYS_PER = {"day": 1.0, "week": 7.0, "month": 365.25 / 12, "year": 365.25}


class QuantityError(ValueError):
    """A quantity is malformed; the message says how to write it."""


#: Longest duration anywhere in a file: a hundred times the longest horizon (100 years), so
#: that a rare event can still be written as ``chance: 1% within 1000 years``.
MAX_DURATION_YEARS = 10_000
MAX_DURATION_DAYS = MAX_DURATION_YEARS * DAYS_PER["year"]
#: Shortest fixed duration: waits this short already fire at the same instant in every engine
#: (the engines' tests use them); anything shorter is below float resolution for no purpose.
MIN_DURATION_DAYS = 1e-300
#: Shortest D of ``chance: P within D`` and ``rate: R per D``: a hazard per shorter period is
#: written per day (``24 per day``), and a hazard stays finite after any modifiers.
MIN_PERIOD_DAYS = 1.0
#: Smallest scale of a waiting-time distribution (the upper end of a uniform, triangular or
#: PERT, a median, mean or Weibull scale): below a millionth of a day (0.09 s) every draw is
#: all but zero; a wait meant to be that short is a fixed duration.
MIN_SCALE_DAYS = 1e-6
#: Largest plain number (the R of a rate, a multiplier): a million times the usual scale.
MAX_NUMBER = 1e6
#: Allowed gamma and Weibull shapes: below 0.1 the draws at the streams' extreme uniforms
#: (2**-53) fall under 1e-160 of the scale, that is collapse to 0; above 1e6 the distribution
#: is a fixed value in disguise. (A beta's shapes may be small: its draws of exactly 0 or
#: nearly 1 are probabilities every engine runs, as tests/test_engine_equivalence.py checks.)
SHAPE_RANGE = (0.1, 1e6)
#: Widest lognormal: sigma at most 10 (95th percentile at most 1e14 times the 5th), so that the
#: draws at the streams' extreme uniforms (z = +-8.6) stay finite.
MAX_LOG_SIGMA = 10.0


def usable(q: Distribution) -> Distribution:
    """``q`` itself when its draws are usable: finite and not collapsed to 0.

    Parameters
    ----------
    q : Distribution
        A parsed quantity (durations in days).

    Returns
    -------
    Distribution
        ``q``, unchanged.

    Raises
    ------
    QuantityError
        A waiting time whose scale is under :data:`MIN_SCALE_DAYS`, a gamma or Weibull shape
        under :data:`SHAPE_RANGE`'s low end, a lognormal wider than sigma
        :data:`MAX_LOG_SIGMA`.
    """
    family, par = q.family, q.params
    low_shape = SHAPE_RANGE[0]
    if family == "lognormal" and par[1] > MAX_LOG_SIGMA:
        raise QuantityError(
            f"'{q.text}' is too wide (a lognormal of sigma {par[1]:.3g}; its extreme draws "
            f"would overflow); keep B at most 1e14 times A, or the p90 at most 1e5 times the median"
        )
    if family in ("gamma", "weibull") and par[0] < low_shape:
        raise QuantityError(
            f"'{q.text}': {family} shape {par[0]:g} is below {low_shape:g}, where its draws "
            f"collapse to 0; write a shape between {low_shape:g} and {SHAPE_RANGE[1]:g}"
        )
    if q.kind == "duration" and family != "fixed":
        if family == "lognormal":
            scale = math.exp(par[0])
        elif family == "beta":  # a PERT: loc + scale is its upper end
            scale = par[2] + par[3]
        else:  # the upper end, the mean, or the Weibull scale
            scale = par[-1]
        if scale < MIN_SCALE_DAYS:
            raise QuantityError(
                f"waiting time '{q.text}' is all but zero (scale {scale:.3g} days, under "
                f"{MIN_SCALE_DAYS:g} days); for a wait that short write a fixed duration such "
                "as '1e-6 days'"
            )
    return q
