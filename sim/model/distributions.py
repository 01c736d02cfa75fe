"""Distributions of quantities: waiting times and uncertain values.

A :class:`Distribution` is an immutable description (family, parameters, kind) that draws by
inverse transform from uniforms, so engines can feed it addressed random numbers
(:mod:`sim.model.streams`) and sensitivity analysis can ask for any quantile.

Durations are in days. Probabilities are in [0, 1]. Numbers are dimensionless.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np

# scipy is imported inside the functions that need it: it costs most of a second, and
# validating a file (``sim validate``) rarely needs it.

__all__ = ["KINDS", "Distribution", "fit_beta_90", "lognormal_90"]

KINDS = ("duration", "probability", "number")

Z95 = 1.6448536269514722  # standard normal 95th percentile
Z90 = 1.2815515655446004  # standard normal 90th percentile
MAX_LOG_SHAPE = math.log(1e12)  # largest beta shape fitted to a range
REL_TOL = 1e-3  # a fitted beta's percentiles, relative to each end's distance to 0 or 1


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

        Computed by :func:`sim.kernels.quantile`, the function the compiled engine
        calls, so every engine turns a uniform into the same value bit for bit. Equal to
        :meth:`ppf` up to rounding: closed forms for the fixed, lognormal
        (``exp(mu + sigma z)``, z the normal quantile :func:`sim.kernels.probit`, within
        1e-14 of ``ndtri``, and exp within 2 ulps), uniform, exponential, triangular and
        Weibull families; for beta distributions (``A to B`` probabilities, beta, PERT) a cubic
        spline of the exact quantile over a probit grid of 4,097 points on [-8.6, 8.6] (it
        covers every uniform the streams produce, which lie in [2**-53, 1 - 2**-53]), for gamma the
        same spline of the log of the quantile; the splines are cubic Hermite pieces through
        the exact quantile and its exact derivative at each knot. ``tests/engines/test_kernels.py``
        bounds the error.

        Parameters
        ----------
        u : array_like, values in (0, 1)

        Returns
        -------
        numpy.ndarray, same shape as ``u``
        """
        from sim import kernels

        u = np.asarray(u, dtype=float)
        code, par, coef = self.compiled()
        flat = kernels.quantiles(code, par, coef, np.ascontiguousarray(u.ravel()))
        return flat.reshape(u.shape)

    def compiled(self) -> tuple[int, np.ndarray, np.ndarray]:
        """The family as :func:`sim.kernels.quantile` takes it: (code, params (4,),
        spline coefficients (4096, 4), a (1, 4) placeholder without a spline)."""
        return _compiled(self.family, self.params)

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


@lru_cache(maxsize=512)
def _compiled(family: str, params: tuple[float, ...]) -> tuple[int, np.ndarray, np.ndarray]:
    code, par, coef = _compile_family(family, params)
    par.flags.writeable = False  # shared by every caller
    coef.flags.writeable = False
    return code, par, coef


def _compile_family(family: str, params: tuple[float, ...]) -> tuple[int, np.ndarray, np.ndarray]:
    from sim import kernels as nu

    none = np.zeros((1, 4))
    par = np.zeros(4)
    par[: len(params)] = params
    simple = {
        "fixed": nu.FIXED,
        "lognormal": nu.LOGNORMAL,
        "uniform": nu.UNIFORM,
        "exponential": nu.EXPONENTIAL,
        "triangular": nu.TRIANGULAR,
        "weibull": nu.WEIBULL,
    }
    if family in simple:
        return simple[family], par, none
    from scipy import special

    z = nu.SPLINE_X0 + nu.SPLINE_H * np.arange(nu.SPLINE_KNOTS)
    lo, hi = z[z <= 0], z[z > 0]  # knots of each half; the upper half from its tail 1 - u
    log_phi = -0.5 * z * z - 0.5 * math.log(2 * math.pi)  # log of the normal density
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        if family == "beta":  # X below the median, 1 - X ~ Beta(b, a) above it
            a, b, loc, scale = params
            q = np.concatenate([special.betaincinv(a, b, special.ndtr(lo)), np.empty(hi.size)])
            qc = np.concatenate([1 - q[: lo.size], special.betaincinv(b, a, special.ndtr(-hi))])
            q[lo.size :] = 1 - qc[lo.size :]
            # dq/dz = phi(z) / f(q), f the beta density
            log_f = (a - 1) * np.log(q) + (b - 1) * np.log(qc) - special.betaln(a, b)
            slope = np.exp(log_phi - log_f)
            return nu.SPLINE, np.array([loc, scale, 0.0, 0.0]), _hermite(z, q, slope)
        if family == "gamma":  # the spline follows y = log q, smooth in z for any shape
            shape, mean = params
            theta = mean / shape
            q = theta * np.concatenate(
                [
                    special.gammaincinv(shape, special.ndtr(lo)),
                    special.gammainccinv(shape, special.ndtr(-hi)),
                ]
            )
            y = np.log(q)
            # dy/dz = phi(z) / (f(q) q), f the gamma density
            log_f = (shape - 1) * y - q / theta - special.gammaln(shape) - shape * math.log(theta)
            slope = np.exp(log_phi - log_f - y)
            return nu.LOG_SPLINE, par, _hermite(z, np.maximum(y, -700.0), slope)
    raise ValueError(f"unknown family {family!r}")


def _hermite(x: np.ndarray, y: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """Coefficients (len(x) - 1, 4), highest power first, of the cubic Hermite interpolant of
    values ``y`` and derivatives ``slope`` at the uniform knots ``x`` (each piece in powers
    of x - x_i). Where a derivative is not finite (a density underflowing in a far tail) the
    secant slope stands in."""
    h = x[1] - x[0]
    secant = np.diff(y) / h
    fallback = np.concatenate([secant[:1], (secant[:-1] + secant[1:]) / 2, secant[-1:]])
    m = np.where(np.isfinite(slope), slope, fallback)
    dy = np.diff(y)
    m0, m1 = m[:-1], m[1:]
    c3 = (m0 + m1) / h**2 - 2 * dy / h**3
    c2 = 3 * dy / h**2 - (2 * m0 + m1) / h
    return np.ascontiguousarray(np.column_stack([c3, c2, m0, y[:-1]]))


def lognormal_90(a: float, b: float) -> tuple[float, float]:
    """Lognormal ``(mu, sigma)`` whose 5th and 95th percentiles are ``a`` and ``b`` (0 < a < b).

    mu = (ln a + ln b) / 2, sigma = (ln b - ln a) / (2 z_0.95).
    """
    la, lb = math.log(a), math.log(b)
    return (la + lb) / 2, (lb - la) / (2 * Z95)


@cache
def fit_beta_90(a: float, b: float) -> tuple[float, float]:
    """Beta shape parameters whose 5th and 95th percentiles are ``a`` and ``b``.

    Solved on log-shapes by Newton's method with a central-difference Jacobian and step
    halving, from the method-of-moments beta with mean (a+b)/2 and sd (b-a)/(2 z_0.95)
    (which is kept, with its shapes capped at 1e12, when it is that narrow); the
    beta quantile is ``scipy.special.betaincinv``. Should Newton fail, scipy.optimize's
    least_squares takes over (scipy.optimize costs a third of a second to import, so it is
    not the first choice for every file loaded).

    Raises
    ------
    ValueError
        When 0 < a < b < 1 fails, or no beta matches the two percentiles to 1e-6 and to
        0.1% of ``min(a, 1 - a)`` and ``min(b, 1 - b)``.
    """
    if not 0 < a < b < 1:
        raise ValueError("need 0 < A < B < 1")
    from scipy import special

    m = (a + b) / 2
    sd = (b - a) / (2 * Z95)
    kappa = max(m * (1 - m) / sd**2 - 1, 0.5)
    if kappa > 1e10:  # a range this narrow is a normal: match the moments, at most 1e12
        kappa = min(kappa, math.exp(MAX_LOG_SHAPE))
        al, be = m * kappa, (1 - m) * kappa
        got = special.betaincinv(al, be, [0.05, 0.95])
        if np.all(np.isfinite(got)) and np.max(np.abs(got - [a, b])) <= 1e-6:
            return float(al), float(be)
    x0 = np.log([max(m * kappa, 0.05), max((1 - m) * kappa, 0.05)])

    def resid(x):
        # shapes are capped at 1e12 (sd about 1e-6 / 2): a narrower range is met to 1e-6 anyway
        al, be = np.exp(np.clip(x, -50.0, MAX_LOG_SHAPE))
        return np.array(
            [special.betaincinv(al, be, 0.05) - a, special.betaincinv(al, be, 0.95) - b]
        )

    x = _newton(resid, x0)
    if x is None:
        from scipy import optimize

        x = optimize.least_squares(resid, x0, xtol=1e-12, ftol=1e-12, gtol=1e-12).x
    al, be = (float(v) for v in np.exp(np.clip(x, -50.0, MAX_LOG_SHAPE)))
    r = np.abs(resid(x))
    # matched to 1e-6, and to 0.1% of each end's distance to 0 or 1 (an end as small as
    # 1e-300 is met to 1e-6 by a 5th percentile a million million times larger)
    if not (np.max(r) <= 1e-6 and np.all(r <= REL_TOL * np.minimum([a, b], [1 - a, 1 - b]))):
        raise ValueError(
            f"no beta distribution has 5th and 95th percentiles {a:g} and {b:g}; move the "
            "ends away from 0% and 100%"
        )
    return al, be


def _newton(f, x0: np.ndarray, tol: float = 1e-13, steps: int = 60) -> np.ndarray | None:
    """A root of ``f`` (R^2 -> R^2) by damped Newton from ``x0``, or None."""
    x = np.asarray(x0, dtype=float)
    r = f(x)
    h = 1e-6
    for _ in range(steps):
        norm = np.max(np.abs(r))
        if not np.isfinite(norm):
            return None
        if norm < tol:
            return x
        jac = np.column_stack([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(2)])
        try:
            step = np.linalg.solve(jac, r)
        except np.linalg.LinAlgError:
            return None
        t = 1.0
        while t > 1e-4:
            trial = x - t * step
            rt = f(trial)
            if np.max(np.abs(rt)) < norm:
                x, r = trial, rt
                break
            t /= 2
        else:
            return x if norm < 1e-9 else None
    return x if np.max(np.abs(r)) < 1e-9 else None
