"""Which assumptions drive each outcome: spread, importance, tornado and Sobol indices.

All functions take arrays from finished runs (never run an engine); the experiments that need
many runs are set up by :mod:`sim.runner` (``run_design``) and :mod:`sim.cli.sensitivity`.

Only uncertain values (``Scenario.slots``: named parameters and unnamed ``A to B`` values) are
varied. Waiting-time distributions under ``after`` are chance, not ignorance, and stay random.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "denoised",
    "draw_quantile",
    "importance",
    "row_means",
    "latin_hypercube",
    "sobol_design",
    "sobol_indices",
    "spread",
    "tornado",
    "tornado_design",
]

TORNADO_LOW, TORNADO_HIGH = 0.1, 0.9
_EDGE = 1e-6  # design quantile levels are kept inside [_EDGE, 1 - _EDGE]


def latin_hypercube(k: int, d: int, seed: int) -> np.ndarray:
    """A Latin hypercube of ``k`` points in ``(0, 1)^d`` (scipy.stats.qmc, seeded).

    Returns
    -------
    numpy.ndarray, shape (k, d)
        Each column has one point in each of the k equal strata of (0, 1).
    """
    from scipy.stats import qmc

    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x1A7E,)))
    sample = qmc.LatinHypercube(d=max(d, 1), rng=rng).random(k)[:, :d]
    return np.clip(sample, _EDGE, 1 - _EDGE)


def spread(
    flags: np.ndarray, rows: np.ndarray, weights: np.ndarray | None = None
) -> list[dict[str, float]]:
    """Spread of each outcome's probability across parameter draws.

    Parameters
    ----------
    flags : bool array (n_runs, n_outcomes)
    rows : int array (n_runs,)
        The parameter draw of each run (0..K-1), each with the same number m of runs.
    weights : float array (n_runs,), optional
        Each run's weight given the evidence (format section 10). Each draw's probability is
        then its weighted share, and the draws are weighted by the sum of their runs' weights
        (proportional to the likelihood of the evidence at that draw's values, so that the
        spread is over the posterior of the uncertain values); draws whose runs all weigh 0
        are left out, and m is each draw's effective number of runs (Kish).

    Returns
    -------
    list of dict, one per outcome
        ``median``, ``p10``, ``p90`` of the per-draw probabilities (:func:`draw_quantile`:
        with a Latin hypercube's K draws, one in each K-th of every value's range, the 10th
        percentile of a value that the outcome follows is read between the 2nd and 3rd of
        20 draws, not at 12% as a plain sample quantile would); ``parameter_sd`` and
        ``noise_sd`` split their variance by the law of total variance: the per-draw
        estimates vary with variance Var(p) + E[p (1 - p)] / m, where the second term is
        Monte Carlo (binomial) noise, estimated from the draws' own p (1 - p) / (m - 1);
        ``parameter_sd`` is the square root of what remains (0 if negative).

        ``median``, ``p10`` and ``p90`` are read with that noise removed (:func:`denoised`):
        the quantiles of the draws as measured are ``raw_median``, ``raw_p10`` and
        ``raw_p90``; ``noise_dominated`` is true when ``noise_sd`` >= ``parameter_sd`` > 0
        or ``noise_sd`` > 0 = ``parameter_sd`` (the draws differ no more than noise would).
    """
    if weights is not None:
        return _weighted_spread(flags, rows, weights)
    per_draw = row_means(flags, rows)  # (k, n_outcomes)
    k = per_draw.shape[0]
    m = np.bincount(rows, minlength=k)
    out = []
    for o in range(flags.shape[1]):
        p = per_draw[:, o]
        noise_var = float(np.mean(p * (1 - p) / np.maximum(m - 1, 1)))
        total_var = float(np.var(p, ddof=1)) if k > 1 else 0.0
        out.append(
            denoised(p, None, total_var, noise_var) | {"draws": k, "runs_per_draw": int(m.min())}
        )
    return out


def denoised(
    p: np.ndarray, weights: np.ndarray | None, total_var: float, noise_var: float
) -> dict[str, Any]:
    """The spread's quantiles with the Monte Carlo noise of each draw taken out.

    Each draw's estimate is its probability plus binomial noise, so the draws' quantiles are
    too wide. Each draw's deviation from the (weighted) mean is shrunk by
    c = sqrt(max(0, 1 - noise_var / total_var)), which leaves the draws with the variance
    estimated for the assumptions alone, total_var - noise_var: the method-of-moments
    correction for measurement error (the variance-matching "constrained" estimates of Louis,
    T. A. (1984), Estimating a population of parameter values using Bayes and empirical Bayes
    methods, JASA 79, 393-398). The quantiles are then read with :func:`draw_quantile`; as
    the shrinking is linear, each is mean + c (raw quantile - mean).

    Parameters
    ----------
    p : float array (K,)
        Each draw's probability as measured.
    weights : float array (K,) or None
        The draws' weights (evidence), None for equal.
    total_var, noise_var : float
        The draws' variance and its binomial part (probability squared).

    Returns
    -------
    dict
        ``median``, ``p10``, ``p90`` (noise removed), ``raw_median``, ``raw_p10``,
        ``raw_p90`` (as measured), ``parameter_sd``, ``noise_sd`` and ``noise_dominated``.
    """
    mean = float(np.average(p, weights=weights)) if len(p) else math.nan
    c = math.sqrt(max(0.0, 1.0 - noise_var / total_var)) if total_var > 0 else 0.0
    out: dict[str, Any] = {}
    for key, q in (("median", 0.5), ("p10", 0.1), ("p90", 0.9)):
        raw = draw_quantile(p, weights, q)
        out[key] = min(max(mean + c * (raw - mean), 0.0), 1.0) if c < 1 else raw
        out["raw_" + key] = raw
    parameter_sd = math.sqrt(max(total_var - noise_var, 0.0))
    noise_sd = math.sqrt(max(noise_var, 0.0))
    return out | {
        "parameter_sd": parameter_sd,
        "noise_sd": noise_sd,
        "noise_dominated": bool(noise_sd > 0 and noise_sd >= parameter_sd),
    }


def _weighted_spread(
    flags: np.ndarray, rows: np.ndarray, weights: np.ndarray
) -> list[dict[str, float]]:
    """:func:`spread` given evidence: draws weighted by the sum of their runs' weights."""
    per_draw = row_means(flags, rows, weights)
    n_draws = len(per_draw)
    draw_w = np.bincount(rows, weights=weights, minlength=n_draws)
    squares = np.bincount(rows, weights=weights * weights, minlength=n_draws)
    alive = draw_w > 0
    m_eff = np.where(alive, draw_w**2 / np.where(squares > 0, squares, 1.0), 0.0)[alive]
    per_draw, dw = per_draw[alive], draw_w[alive]
    runs = np.bincount(rows, minlength=n_draws)
    out = []
    for o in range(flags.shape[1]):
        p = per_draw[:, o]
        mean = float(np.average(p, weights=dw)) if len(p) else math.nan
        total_var = float(np.average((p - mean) ** 2, weights=dw)) if len(p) > 1 else 0.0
        noise_var = float(np.average(p * (1 - p) / np.maximum(m_eff - 1, 1), weights=dw))
        out.append(
            denoised(p, dw, total_var, noise_var)
            | {"draws": int(alive.sum()), "runs_per_draw": int(runs.min())}
        )
    return out


def draw_quantile(values: np.ndarray, weights: np.ndarray | None, q: float) -> float:
    """The q-quantile of K per-draw values, each draw standing for the middle of its share.

    Sorted, draw i (weight w_i, cumulative weight W_i of a total W) stands at the level
    (W_i - w_i / 2) / W, and the quantile is interpolated linearly between those levels
    (clamped at the ends). With equal weights the levels are (i + 1/2) / K: Hazen's plotting
    positions (Hyndman and Fan 1996, definition 5; numpy's ``method="hazen"``), which match a
    Latin hypercube's strata, one in each K-th of the range, so that with 20 draws the 10th
    percentile falls between the 2nd and 3rd; equal weights give the same as none.

    Parameters
    ----------
    values : float array (K,)
    weights : float array (K,) or None (equal)
        Each draw's weight, positive.
    q : float in [0, 1]

    Returns
    -------
    float
        NaN when there is no draw.
    """
    if len(values) == 0:
        return math.nan
    w = np.ones(len(values)) if weights is None else np.asarray(weights, dtype=float)
    order = np.argsort(values, kind="stable")
    v, w = np.asarray(values, dtype=float)[order], w[order]
    cum = np.cumsum(w)
    return float(np.interp(q, (cum - w / 2) / cum[-1], v))


def row_means(flags: np.ndarray, rows: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Share of runs in which each outcome held, per design row.

    Parameters
    ----------
    flags : bool array (n_runs, n_outcomes)
    rows : int array (n_runs,)
        Each run's design row, 0..K-1, every row with at least one run.
    weights : float array (n_runs,), optional
        Each run's weight given the evidence (format section 10): the shares are then
        sum(w x) / sum(w) per row, NaN for a row whose runs all weigh 0.

    Returns
    -------
    numpy.ndarray, shape (K, n_outcomes)
    """
    k = int(rows.max()) + 1
    w = np.ones(len(rows)) if weights is None else weights
    counts = np.bincount(rows, weights=w, minlength=k)
    sums = np.stack(
        [np.bincount(rows, weights=w * flags[:, o], minlength=k) for o in range(flags.shape[1])],
        axis=1,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(
            counts[:, None] > 0, sums / np.where(counts > 0, counts, 1)[:, None], np.nan
        )


def importance(values: np.ndarray, flags: np.ndarray, *, max_runs: int = 200_000) -> np.ndarray:
    """Spearman rank correlation of each uncertain value with each outcome, from one run.

    Parameters
    ----------
    values : float array (n_runs, n_slots)
        Each run's draw of each uncertain value.
    flags : bool array (n_runs, n_outcomes)
    max_runs : int
        At most this many runs (the first ones) are used: the noise of a correlation is about
        1 / sqrt(max_runs), 0.007 by default.

    Returns
    -------
    numpy.ndarray, shape (n_slots, n_outcomes)
        Pearson correlation between the ranks of the value and the 0/1 outcome; 0 where
        either is constant (a value fixed at one number, whose sorted "ranks" would be the
        runs' order). As in Analytica's importance analysis. Values are otherwise continuous
        draws, so ties have probability zero and ranks are taken by sorting.
    """
    n = min(len(values), len(flags), max_runs)
    values = values[:n]
    columns = np.ascontiguousarray(values.T)
    y = flags[:n].astype(float)
    out = np.zeros((values.shape[1], y.shape[1]))
    if values.shape[0] < 3:
        return out
    yc = y - y.mean(axis=0)
    ysd = np.sqrt((yc**2).sum(axis=0))
    for j in range(values.shape[1]):
        if columns[j].min() == columns[j].max():  # fixed: no ranks to speak of
            continue
        r = np.empty(columns.shape[1])
        r[np.argsort(columns[j])] = np.arange(columns.shape[1])
        rc = r - r.mean()
        rsd = math.sqrt(float((rc**2).sum()))
        if rsd == 0:
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = (rc @ yc) / (rsd * ysd)
        out[j] = np.where(ysd > 0, corr, 0.0)
    return out


def tornado_design(n_slots: int) -> np.ndarray:
    """Rows fixing one uncertain value at a time at its 10th, then 90th percentile.

    Returns
    -------
    numpy.ndarray, shape (2 n_slots, n_slots)
        Row 2j fixes value j at quantile 0.1, row 2j + 1 at 0.9; NaN elsewhere (left random).
    """
    design = np.full((2 * n_slots, n_slots), np.nan)
    for j in range(n_slots):
        design[2 * j, j] = TORNADO_LOW
        design[2 * j + 1, j] = TORNADO_HIGH
    return design


def tornado(base: np.ndarray, low: np.ndarray, high: np.ndarray) -> list[list[dict[str, Any]]]:
    """Swings of each outcome when each uncertain value goes from its 10th to 90th percentile.

    Parameters
    ----------
    base : float array (n_outcomes,)
        Probabilities with every value random.
    low, high : float arrays (n_slots, n_outcomes)
        Probabilities with value j fixed at its 10th / 90th percentile (others random, same
        random numbers).

    Returns
    -------
    list (per outcome) of list (per value, largest swing first) of dict
        ``slot`` (index), ``score`` = |high - low|, ``low``, ``high``, ``base``.
    """
    out = []
    for o in range(base.shape[0]):
        rows = [
            {
                "slot": j,
                "score": float(abs(high[j, o] - low[j, o])),
                "low": float(low[j, o]),
                "high": float(high[j, o]),
                "base": float(base[o]),
            }
            for j in range(low.shape[0])
        ]
        rows.sort(key=lambda r: (-r["score"], r["slot"]))
        out.append(rows)
    return out


def sobol_design(n_slots: int, n_base: int, seed: int) -> np.ndarray:
    """Saltelli's sample over the quantile space, from SALib (first and total order only).

    Returns
    -------
    numpy.ndarray, shape (n_base * (n_slots + 2), n_slots)
        Quantile levels in [1e-6, 1 - 1e-6]; n_base should be a power of 2.
    """
    from SALib.sample import sobol as sobol_sample

    problem = _problem(n_slots)
    sample = sobol_sample.sample(
        problem, n_base, calc_second_order=False, scramble=True, seed=seed % (2**32)
    )
    return np.clip(sample, _EDGE, 1 - _EDGE)


def sobol_indices(y: np.ndarray, n_slots: int, seed: int) -> list[dict[str, np.ndarray]]:
    """First-order and total Sobol indices of each outcome (SALib ``sobol.analyze``).

    Parameters
    ----------
    y : float array (n_rows, n_outcomes)
        The outcome probability of each row of :func:`sobol_design`.

    Returns
    -------
    list (per outcome) of dict
        ``S1``, ``S1_conf``, ``ST``, ``ST_conf``: arrays (n_slots,), 95% bootstrap
        confidence half-widths, the bootstrap seeded by ``seed`` (0 included). An outcome that
        never varies gets zeros.
    """
    from SALib.analyze import sobol

    problem = _problem(n_slots)
    out = []
    for o in range(y.shape[1]):
        col = y[:, o]
        if np.ptp(col) == 0:
            zeros = np.zeros(n_slots)
            out.append({"S1": zeros, "S1_conf": zeros, "ST": zeros, "ST_conf": zeros})
            continue
        res = sobol.analyze(
            problem,
            col,
            calc_second_order=False,
            conf_level=0.95,
            print_to_console=False,
            # a Generator, not the int: SALib reads an int seed of 0 as "no seed" (`if seed:`)
            # and would bootstrap from the global generator; default_rng(s) is what it builds
            # from any other int s, so other seeds give the same intervals as before
            seed=np.random.default_rng(seed % (2**32)),
        )
        out.append(
            {
                key: np.nan_to_num(np.asarray(res[key], dtype=float))
                for key in ("S1", "S1_conf", "ST", "ST_conf")
            }
        )
    return out


def _problem(n_slots: int) -> dict[str, Any]:
    return {
        "num_vars": n_slots,
        "names": [f"x{j}" for j in range(n_slots)],
        "bounds": [[0.0, 1.0]] * n_slots,
    }
