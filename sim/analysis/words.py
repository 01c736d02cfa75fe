"""Words of estimative probability and Wilson score intervals.

Both turn a share of Monte Carlo runs into something a reader can weigh: a 95% interval for the
probability (the runs are a sample) and the standard words an intelligence analyst would use.

References
----------
.. [1] Office of the Director of National Intelligence, *Intelligence Community Directive 203:
   Analytic Standards* (2015), section D.6.e(2)(a), the table of "expressions of likelihood".
.. [2] E. B. Wilson, "Probable inference, the law of succession, and statistical inference",
   *Journal of the American Statistical Association* 22 (1927), 209-212.
.. [3] A. Agresti and B. A. Coull, "Approximate is better than 'exact' for interval estimation
   of binomial proportions", *The American Statistician* 52 (1998), 119-126.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "ICD203_BANDS",
    "Z95",
    "effective_wilson",
    "estimative_words",
    "format_probability",
    "wilson_interval",
    "wilson_intervals",
]

#: Two-sided 95% standard normal quantile, ``scipy.stats.norm.ppf(0.975)``.
Z95 = 1.959963984540054

#: The ICD 203 bands as ``(low, high, words)``, probabilities in [0, 1], in increasing order.
ICD203_BANDS: tuple[tuple[float, float, str], ...] = (
    (0.00, 0.05, "almost no chance"),
    (0.05, 0.20, "very unlikely"),
    (0.20, 0.45, "unlikely"),
    (0.45, 0.55, "roughly even chance"),
    (0.55, 0.80, "likely"),
    (0.80, 0.95, "very likely"),
    (0.95, 1.00, "almost certain"),
)


def estimative_words(p: float) -> str:
    """Return the ICD 203 words of estimative probability for `p`.

    The bands are those of Intelligence Community Directive 203 [1]_:

    =====================  ===========
    words                  probability
    =====================  ===========
    almost no chance       0-5%
    very unlikely          5-20%
    unlikely               20-45%
    roughly even chance    45-55%
    likely                 55-80%
    very likely            80-95%
    almost certain         95-100%
    =====================  ===========

    ICD 203 does not say where a value exactly on a boundary belongs. Here it goes to the band
    *nearer 50%* (the more cautious words): 0.05 is "very unlikely", 0.20 "unlikely", 0.45 and
    0.55 "roughly even chance", 0.80 "likely", 0.95 "very likely". Only 0 and values below 0.05
    are "almost no chance"; only 1 and values above 0.95 are "almost certain". The comparison is
    exact (no tolerance), so pass shares computed as ``k / n``.

    Parameters
    ----------
    p : float
        A probability in [0, 1].

    Returns
    -------
    str
        The words, lower case, e.g. ``"roughly even chance"``.

    Raises
    ------
    ValueError
        If `p` is NaN or outside [0, 1].

    Examples
    --------
    >>> estimative_words(0.31)
    'unlikely'
    >>> estimative_words(0.05)
    'very unlikely'
    """
    p = float(p)
    if not 0.0 <= p <= 1.0:  # also rejects NaN
        raise ValueError(f"probability must be in [0, 1], got {p!r}")
    if p < 0.05:
        return "almost no chance"
    if p < 0.20:
        return "very unlikely"
    if p < 0.45:
        return "unlikely"
    if p <= 0.55:
        return "roughly even chance"
    if p <= 0.80:
        return "likely"
    if p <= 0.95:
        return "very likely"
    return "almost certain"


def format_probability(p: float) -> str:
    """Write a probability as a percentage with one decimal, for tables and charts.

    ``"31.4%"``, ``"48.0%"``; exactly 0 and 1 are ``"0%"`` and ``"100%"``; other values that
    would round to those are ``"<0.1%"`` and ``">99.9%"``, so that a rare but possible outcome
    never reads as impossible or certain.

    Parameters
    ----------
    p : float
        A probability in [0, 1].

    Returns
    -------
    str

    Examples
    --------
    >>> format_probability(0.3141), format_probability(0.48), format_probability(0.0004)
    ('31.4%', '48.0%', '<0.1%')
    """
    p = float(p)
    if p == 0 or p == 1:
        return f"{p * 100:.0f}%"
    if p < 0.0005:
        return "<0.1%"
    if p >= 0.9995:
        return ">99.9%"
    return f"{p * 100:.1f}%"


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion `k` / `n`.

    The interval is the set of p for which ``|k/n - p| <= z * sqrt(p (1 - p) / n)`` [2]_; unlike
    the Wald interval it stays inside [0, 1] and keeps close to its nominal coverage for small
    counts and for shares near 0 or 1 [3]_. With ``phat = k / n``::

        centre    = (phat + z**2 / (2 n)) / (1 + z**2 / n)
        half      = z / (1 + z**2 / n) * sqrt(phat (1 - phat) / n + z**2 / (4 n**2))
        interval  = [centre - half, centre + half]

    For k = 0 the lower end is exactly 0 and the upper ``z**2 / (n + z**2)`` (0 of 1000 runs:
    [0, 0.00383]); symmetrically for k = n.

    Parameters
    ----------
    k : int
        Number of successes (runs in which the outcome held), ``0 <= k <= n``.
    n : int
        Number of trials (runs), ``n >= 1``.
    z : float, optional
        Standard normal quantile; the default gives a two-sided 95% interval.

    Returns
    -------
    tuple of float
        ``(low, high)`` with ``0 <= low <= k/n <= high <= 1``.

    Raises
    ------
    ValueError
        If ``n < 1``, `k` is outside ``[0, n]``, either is not a whole number, or ``z <= 0``.

    See Also
    --------
    wilson_intervals : the same over arrays.

    Examples
    --------
    >>> lo, hi = wilson_interval(50, 100)
    >>> round(lo, 4), round(hi, 4)
    (0.4038, 0.5962)
    """
    low, high = wilson_intervals(k, n, z)
    return float(low), float(high)


def wilson_intervals(k: ArrayLike, n: ArrayLike, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised :func:`wilson_interval`: Wilson score intervals over arrays.

    Parameters
    ----------
    k : array_like of int
        Successes, any shape; broadcast against `n`.
    n : array_like of int
        Trials, any shape broadcastable with `k`; every element ``>= 1``.
    z : float, optional
        Standard normal quantile; the default gives a two-sided 95% interval.

    Returns
    -------
    low, high : numpy.ndarray of float
        Arrays of the broadcast shape of `k` and `n`.

    Raises
    ------
    ValueError
        If any ``n < 1``, any `k` is outside ``[0, n]``, any value is not a whole number, or
        ``z <= 0``.
    """
    k_arr = np.asarray(k, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    k_arr, n_arr = np.broadcast_arrays(k_arr, n_arr)
    if not (math.isfinite(z) and z > 0):
        raise ValueError(f"z must be a positive number, got {z!r}")
    if np.any(~np.isfinite(n_arr)) or np.any(n_arr < 1):
        raise ValueError("the number of runs n must be at least 1 (no runs, no interval)")
    if np.any(~np.isfinite(k_arr)) or np.any(k_arr < 0) or np.any(k_arr > n_arr):
        raise ValueError("the count k must satisfy 0 <= k <= n")
    if np.any(k_arr != np.round(k_arr)) or np.any(n_arr != np.round(n_arr)):
        raise ValueError("k and n must be whole numbers (counts of runs)")

    return _wilson(k_arr / n_arr, n_arr, z)


def effective_wilson(p: ArrayLike, n: ArrayLike, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson intervals of weighted shares, with Kish's effective number of runs for n.

    With evidence (format section 10) a probability is a weighted share p = sum(w x) / sum(w)
    and its interval is Wilson's with n replaced by n_eff = (sum w)^2 / sum(w^2).

    Parameters
    ----------
    p : array_like of float
        Shares in [0, 1].
    n : array_like of float
        Effective numbers of runs, > 0 (need not be whole); broadcast against `p`.
    z : float, optional
        Standard normal quantile; the default gives a two-sided 95% interval.

    Returns
    -------
    low, high : numpy.ndarray of float
        Exactly 0 (1) at the low (high) end when p is 0 (1).

    Raises
    ------
    ValueError
        If any n <= 0 or p is outside [0, 1].
    """
    p_arr, n_arr = np.broadcast_arrays(np.asarray(p, dtype=float), np.asarray(n, dtype=float))
    if np.any(~np.isfinite(n_arr)) or np.any(n_arr <= 0):
        raise ValueError("the effective number of runs must be positive")
    if np.any(~np.isfinite(p_arr)) or np.any(p_arr < 0) or np.any(p_arr > 1):
        raise ValueError("a share must lie in [0, 1]")
    return _wilson(p_arr, n_arr, z)


def _wilson(phat: np.ndarray, n_arr: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson's interval from the share and the number of trials (Wilson 1927)."""
    z2 = z * z
    denom = 1.0 + z2 / n_arr
    centre = (phat + z2 / (2.0 * n_arr)) / denom
    half = z / denom * np.sqrt(phat * (1.0 - phat) / n_arr + z2 / (4.0 * n_arr * n_arr))
    low = np.clip(centre - half, 0.0, 1.0)
    high = np.clip(centre + half, 0.0, 1.0)
    # Exact ends: rounding must not move them off 0 or 1.
    low = np.where(phat == 0, 0.0, low)
    high = np.where(phat == 1, 1.0, high)
    return low, high
