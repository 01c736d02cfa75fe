"""Distributions of quantities: waiting times and uncertain values.

A :class:`Distribution` is an immutable description (family, parameters, kind) that draws by
inverse transform from uniforms, so engines can feed it addressed random numbers
(:mod:`sim.model.streams`) and sensitivity analysis can ask for any quantile.

Durations are in days. Probabilities are in [0, 1]. Numbers are dimensionless.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

# scipy is imported inside the functions that need it: it costs most of a second, and
# validating a file (``sim validate``) rarely needs it.

__all__ = ["KINDS", "Distribution", "fit_beta_90", "lognormal_90"]

KINDS = ("duration", "probability", "number")

Z95 = 1.6448536269514722  # standard normal 95th percentile
Z90 = 1.2815515655446004  # standard normal 90th percentile


@dataclass(frozen=True)
class Distribution:
    """A fixed value or a distribution of a duration, probability or number.

    Attributes
    ----------
    family : str
        ``fixed``, ``lognormal``, ``beta``, ``uniform``, ``triangular``, ``pert``,
        ``exponential``, ``weibull`` or ``gamma``.
    params : tuple of float
        The family's parameters (see :meth:`frozen`); for ``fixed`` the value itself.
        Durations are already in days.
    kind : str
        ``duration`` (days), ``probability`` or ``number``.
    text : str
        The quantity as the analyst wrote it, for messages and charts.
    """

    family: str
    params: tuple[float, ...]
    kind: str
    text: str

    @property
    def is_fixed(self) -> bool:
        """True for a fixed value (no uncertainty)."""
        return self.family == "fixed"

    def frozen(self):
        """The equivalent frozen ``scipy.stats`` distribution (not for ``fixed``)."""
        return _frozen(self.family, self.params)

    def ppf(self, q: np.ndarray | float) -> np.ndarray:
        """Quantile function.

        Parameters
        ----------
        q : array_like, values in [0, 1)
            Uniforms or quantile levels, any shape.

        Returns
        -------
        numpy.ndarray
            Same shape as ``q``: the values (days for durations).
        """
        q = np.asarray(q, dtype=float)
        if self.is_fixed:
            return np.full(q.shape, self.params[0])
        return np.asarray(_frozen(self.family, self.params).ppf(q), dtype=float)

    def sample(self, u: np.ndarray) -> np.ndarray:
        """Values at uniforms ``u`` (inverse transform), fast enough for millions of draws.

        Equal to :meth:`ppf` up to rounding: closed forms for the fixed, lognormal
        (``exp(mu + sigma ndtri(u))``), uniform and exponential families; for beta
        distributions (``A to B`` probabilities, beta, PERT) a cubic spline of the exact
        quantile over a probit grid of 4,097 points on [-8.6, 8.6] (it covers every uniform
        the streams produce, which lie in [2**-54, 1)), within 1e-9 of the exact quantile;
        scipy's ``ppf`` for the rest.

        Parameters
        ----------
        u : array_like, values in (0, 1)

        Returns
        -------
        numpy.ndarray, same shape as ``u``
        """
        from scipy import special

        u = np.asarray(u, dtype=float)
        family, p = self.family, self.params
        if family == "fixed":
            return np.full(u.shape, p[0])
        if family == "lognormal":
            with np.errstate(over="ignore"):  # an absurdly wide range may overflow to inf
                return np.exp(p[0] + p[1] * special.ndtri(u))
        if family == "uniform":
            return p[0] + (p[1] - p[0]) * u
        if family == "exponential":
            return -p[0] * np.log1p(-u)
        if family == "beta":
            a, b, loc, scale = p
            return loc + scale * _beta_spline(a, b)(special.ndtri(u))
        return self.ppf(u)

    def median(self) -> float:
        """The 50th percentile (the value itself when fixed)."""
        return float(self.ppf(0.5))

    def support(self) -> tuple[float, float]:
        """Lowest and highest possible values."""
        if self.is_fixed:
            return (self.params[0], self.params[0])
        if self.family in ("uniform", "triangular"):
            return (self.params[0], self.params[-1])
        if self.family == "beta":
            return (self.params[2], self.params[2] + self.params[3])
        lo, hi = _frozen(self.family, self.params).support()
        return float(lo), float(hi)


@cache
def _frozen(family: str, params: tuple[float, ...]):
    from scipy import stats

    if family == "lognormal":
        mu, sigma = params
        return stats.lognorm(s=sigma, scale=math.exp(mu))
    if family == "beta":
        a, b, loc, scale = params
        return stats.beta(a, b, loc=loc, scale=scale)
    if family == "uniform":
        lo, hi = params
        return stats.uniform(loc=lo, scale=hi - lo)
    if family == "triangular":
        lo, mode, hi = params
        return stats.triang((mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
    if family == "exponential":
        (mean,) = params
        return stats.expon(scale=mean)
    if family == "weibull":
        shape, scale = params
        return stats.weibull_min(shape, scale=scale)
    if family == "gamma":
        shape, mean = params
        return stats.gamma(shape, scale=mean / shape)
    raise ValueError(f"unknown family {family!r}")


class _UniformGridSpline:
    """A cubic spline on a uniform grid, evaluated with one gather and Horner's rule."""

    def __init__(self, x: np.ndarray, y: np.ndarray):
        from scipy import interpolate

        spline = interpolate.CubicSpline(x, y)
        self.x0 = float(x[0])
        self.h = float(x[1] - x[0])
        self.n = len(x) - 1
        self.coef = np.ascontiguousarray(spline.c.T)  # (n, 4): c3, c2, c1, c0 per interval

    def __call__(self, z: np.ndarray) -> np.ndarray:
        i = np.clip(((z - self.x0) / self.h).astype(np.int64), 0, self.n - 1)
        dz = z - (self.x0 + i * self.h)
        c = self.coef[i]
        return ((c[..., 0] * dz + c[..., 1]) * dz + c[..., 2]) * dz + c[..., 3]


@cache
def _beta_spline(a: float, b: float) -> _UniformGridSpline:
    """Cubic spline of the standard beta quantile as a function of the probit z = ndtri(u)."""
    from scipy import special

    z = np.linspace(-8.6, 8.6, 4097)
    return _UniformGridSpline(z, special.betaincinv(a, b, special.ndtr(z)))


def lognormal_90(a: float, b: float) -> tuple[float, float]:
    """Lognormal ``(mu, sigma)`` whose 5th and 95th percentiles are ``a`` and ``b`` (0 < a < b).

    mu = (ln a + ln b) / 2, sigma = (ln b - ln a) / (2 z_0.95).
    """
    la, lb = math.log(a), math.log(b)
    return (la + lb) / 2, (lb - la) / (2 * Z95)


@cache
def fit_beta_90(a: float, b: float) -> tuple[float, float]:
    """Beta shape parameters whose 5th and 95th percentiles are ``a`` and ``b``.

    Solved numerically (scipy.optimize.least_squares on log-shapes), started from the
    method-of-moments beta with mean (a+b)/2 and sd (b-a)/(2 z_0.95).

    Raises
    ------
    ValueError
        When 0 < a < b < 1 fails, or no beta matches the two percentiles to 1e-6.
    """
    if not 0 < a < b < 1:
        raise ValueError("need 0 < A < B < 1")
    from scipy import optimize, stats

    m = (a + b) / 2
    sd = (b - a) / (2 * Z95)
    kappa = max(m * (1 - m) / sd**2 - 1, 0.5)
    x0 = np.log([max(m * kappa, 0.05), max((1 - m) * kappa, 0.05)])

    def resid(x):
        al, be = np.exp(x)
        return [stats.beta.ppf(0.05, al, be) - a, stats.beta.ppf(0.95, al, be) - b]

    sol = optimize.least_squares(resid, x0, xtol=1e-12, ftol=1e-12, gtol=1e-12)
    al, be = (float(v) for v in np.exp(sol.x))
    if max(abs(r) for r in resid(sol.x)) > 1e-6:
        raise ValueError(f"no beta distribution has 5th and 95th percentiles {a} and {b}")
    return al, be
