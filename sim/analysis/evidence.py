"""What the evidence does to a set of runs (format sections 10 and 11): weighted quantiles,
the ``evidence`` block, parameters before and after, and signposts.

Every function reads a :class:`~sim.results.Results` whose runs carry weights and probe values
(:mod:`sim.engines.watch`); probes are stored observations first, then each indicator at each
of its dates (:func:`sim.model.scenario.probes_of`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.errors import shorten
from sim.results import Results

__all__ = [
    "MIN_BITS",
    "SIGNPOSTS_TOP",
    "evidence_block",
    "group_effective_runs",
    "indicator_columns",
    "mutual_information_bits",
    "parameter_changes",
    "parameter_shifts",
    "ruled_out_message",
    "signpost_intervals",
    "signpost_numbers",
    "signpost_row",
    "signpost_sums",
    "signposts",
    "top_signposts",
    "weighted_quantile",
]

MIN_BITS = 0.001  # signposts telling less than this about an outcome are not worth watching
SIGNPOSTS_TOP = 3  # signposts per outcome in the report


def weighted_quantile(values: np.ndarray, weights: np.ndarray | None, q: float) -> float:
    """The smallest value v such that the runs with values <= v carry at least q x sum(w)
    (format section 10; with equal weights the ceil(qN)-th smallest value).

    Parameters
    ----------
    values : float array (n,)
    weights : float array (n,) or None (equal weights)
    q : float in (0, 1]

    Returns
    -------
    float
        The quantile (inf when only infinite values reach it); NaN when every weight is 0.
    """
    if weights is None:
        k = math.ceil(q * len(values))
        return float(np.partition(values, k - 1)[k - 1])
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    total = cum[-1] if len(cum) else 0.0
    if total <= 0:
        return math.nan
    index = int(np.searchsorted(cum, q * total * (1 - 1e-12), side="left"))
    return float(values[order[min(index, len(order) - 1)]])


def agreement(results: Results) -> np.ndarray:
    """Share of runs (unweighted) whose value of each observation in effect equals what was
    observed: (n_observations,)."""
    obs = results.scenario.evidence
    if not obs or results.probes is None:
        return np.zeros(0)
    observed = np.array([o.observed for o in obs], dtype=bool)
    return (results.probes[:, : len(obs)] == observed[None, :]).mean(axis=0)


def evidence_block(results: Results) -> dict[str, Any]:
    """The ``evidence`` block of ``summary.json`` (format section 10): as_of, observations,
    probability (mean weight), effective_runs (Kish) and items with each one's ``agree``."""
    sc = results.scenario
    agree = agreement(results)
    as_of = sc.as_of if getattr(sc, "as_of", None) else max(o.date for o in sc.evidence)
    items = []
    for o, share in zip(sc.evidence, agree.tolist(), strict=True):
        item: dict[str, Any] = {
            "date": o.date.isoformat(),
            "when": o.text,
            "ever": o.ever,
            "observed": o.observed,
            "confidence": o.confidence,
            "agree": share,
        }
        for key in ("label", "source", "note"):
            if getattr(o, key):
                item[key] = getattr(o, key)
        items.append(item)
    return {
        "as_of": as_of.isoformat(),
        "observations": len(sc.evidence),
        "probability": results.evidence_probability,
        "effective_runs": results.effective_runs,
        "items": items,
    }


def ruled_out_message(results: Results, severity: str = "error") -> str:
    """Why no run survives, one message a line (``FILE: error: ...``, as every message on
    stderr): what happened and what to do, then each observation in effect, at its own line
    of its file, with the share of runs that agree with it alone.

    Parameters
    ----------
    results : Results
        Runs of a variant the evidence rules out (every weight 0).
    severity : {"error", "warning"}
        ``warning`` when the command goes on without this variant.

    Returns
    -------
    str
        Lines joined by newlines, each ``FILE[:LINE]: SEVERITY: ...``.
    """
    sc = results.scenario
    file = sc.file or sc.id
    where = f"in variant '{sc.variant}': " if sc.variant != "base" else ""
    shares = agreement(results)
    if len(shares) and shares.min() > 0:
        fix = (
            "no observation is impossible alone: together they are (two of them contradict "
            "each other, or the model cannot make them all true in one run); check the "
            "observations of the same dates and tracks, give one a confidence below 100%, or "
            "change the model"
        )
    else:
        fix = (
            "check the observations with 0% (or near it) below: the model gives them no "
            "chance; fix the observation, give it a confidence below 100%, or change the model"
        )
    lines = [
        f"{file}: {severity}: {where}no run agrees with the evidence (every run disagrees "
        f"with at least one certain observation), so there is no forecast given it; {fix}"
    ]
    for o, share in zip(sc.evidence, shares.tolist(), strict=True):
        ever = "ever " if o.ever else ""
        lines.append(
            f"{o.origin or file}: {severity}: {where}{o.date} {ever}'{shorten(o.text)}' observed "
            f"{str(o.observed).lower()}: {share:.2%} of runs agree with it alone"
        )
    return "\n".join(lines)


def _summary(values: np.ndarray, order: np.ndarray, weights: np.ndarray | None) -> dict:
    """Mean and 5/50/95% (weighted) percentiles of ``values``, sorted by ``order``, as
    :func:`weighted_quantile` defines them."""
    w = np.ones(len(values)) if weights is None else weights[order]
    cum = np.cumsum(w)
    out = {"mean": float(np.average(values, weights=None if weights is None else weights))}
    for key, q in (("p5", 0.05), ("p50", 0.50), ("p95", 0.95)):
        if weights is None:
            index = math.ceil(q * len(values)) - 1
        else:
            index = int(np.searchsorted(cum, q * cum[-1] * (1 - 1e-12), side="left"))
        out[key] = float(values[order[min(index, len(order) - 1)]])
    return out


def parameter_changes(results: Results) -> dict[str, dict[str, dict[str, float]]]:
    """``{NAME: {"prior": {...}, "posterior": {...}}}`` for each named parameter drawn per
    run (format section 10): mean and 5/50/95% weighted percentiles of its per-run values, in
    internal units (fractions, days), before and after the evidence, with ``runs``, the
    number of runs read: the first ones whose draws were kept (all of them up to
    :data:`sim.runner.POSTERIOR_RUNS`). Empty without evidence, or when no kept run has a
    weight."""
    sc = results.scenario
    kept = len(results.slot_values)
    if not results.weighted or kept == 0 or results.weights[:kept].sum() <= 0:
        return {}
    out = {}
    for k, slot in enumerate(sc.slots):
        if slot.name not in sc.parameters or slot.distribution.is_fixed:
            continue  # only parameters whose value in this variant is a distribution
        values = results.slot_values[:, k]
        order = np.argsort(values, kind="stable")
        out[slot.name] = {
            "prior": _summary(values, order, None),
            "posterior": _summary(values, order, results.weights[:kept]),
            "runs": kept,
        }
    return out


def indicator_columns(results: Results) -> list[tuple[Any, Any, int]]:
    """(indicator, date, probe column) for each indicator at each date, in file then date
    order."""
    column = len(results.scenario.evidence)
    out = []
    for ind in results.scenario.indicators:
        for date, _ in ind.dates:
            out.append((ind, date, column))
            column += 1
    return out


def mutual_information_bits(joint: np.ndarray) -> float:
    """Mutual information in bits of two yes/no variables from their 2x2 joint probabilities
    (Cover and Thomas 2006, *Elements of Information Theory*, eq. 2.28; 0 log 0 = 0)."""
    total = 0.0
    row, col = joint.sum(axis=1), joint.sum(axis=0)
    for i in range(2):
        for j in range(2):
            if joint[i, j] > 0:
                total += joint[i, j] * math.log2(joint[i, j] / (row[i] * col[j]))
    return max(total, 0.0)


def signpost_sums(
    indicators: np.ndarray, outcomes: np.ndarray, weights: np.ndarray | None
) -> np.ndarray:
    """The four sums of weights of each indicator against each outcome.

    Parameters
    ----------
    indicators : bool array (n, k)
    outcomes : bool array (n, m)
    weights : float array (n,) or None (every run weighs 1)

    Returns
    -------
    float array (4, k, m)
        a (I and O), b (I, not O), c (not I, O), d (neither), each a sum of the weights of
        its runs (exactly 0 when no run has it), summed in chunks of runs.
    """
    n, k = indicators.shape
    m = outcomes.shape[1]
    out = np.zeros((4, k, m))
    step = 65_536
    for start in range(0, n, step):
        ind = indicators[start : start + step]
        o = outcomes[start : start + step].astype(float)
        w = np.ones(len(ind)) if weights is None else weights[start : start + step]
        yes = ind * w[:, None]
        no = ~ind * w[:, None]
        out[0] += yes.T @ o
        out[1] += yes.T @ (1.0 - o)
        out[2] += no.T @ o
        out[3] += no.T @ (1.0 - o)
    return out


def signpost_numbers(a: float, b: float, c: float, d: float) -> dict[str, float | None]:
    """The numbers of one signpost row (format section 11) from the four sums of weights a
    (I and O), b (I, not O), c (not I, O) and d (neither).

    Each ratio comes from its own sums, so that none passes 1 by rounding and the null rules
    hold exactly: P(I) = (a + b) / (a + b + c + d); P(O | I) = a / (a + b), null when
    a + b = 0; P(O | not I) = c / (c + d), null when c + d = 0; the likelihood ratio
    P(I | O) / P(I | not O) = (a / (a + c)) / (b / (b + d)), null when a + c = 0, b + d = 0
    or b = 0; information_bits the mutual information (:func:`mutual_information_bits`).
    """
    yes, no = a + b, c + d
    ratio = None
    if a + c > 0 and b + d > 0 and b > 0:
        ratio = (a / (a + c)) / (b / (b + d))
    total = yes + no
    return {
        "p_indicator": yes / total,
        "p_outcome_if_true": a / yes if yes > 0 else None,
        "p_outcome_if_false": c / no if no > 0 else None,
        "likelihood_ratio": ratio,
        "information_bits": mutual_information_bits(np.array([[a, b], [c, d]]) / total),
    }


def group_effective_runs(indicators: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    """Kish's effective number of runs among the runs in which each indicator holds, and
    among those in which it does not.

    Parameters
    ----------
    indicators : bool array (n, k)
    weights : float array (n,) or None (every run weighs 1: the counts of runs)

    Returns
    -------
    float array (2, k)
        Row 0: (sum w)^2 / sum w^2 over the runs with the indicator; row 1: over the runs
        without it; 0 where no run carries weight (Kish 1965, *Survey Sampling*, 8.2).
    """
    if weights is None:
        yes = indicators.sum(axis=0).astype(float)
        return np.stack([yes, len(indicators) - yes])
    out = np.zeros((2, indicators.shape[1]))
    for row, group in enumerate((indicators, ~indicators)):
        sum_w = weights @ group
        sum_w2 = (weights * weights) @ group
        out[row] = np.divide(sum_w**2, sum_w2, out=np.zeros_like(sum_w), where=sum_w2 > 0)
    return out


def signpost_intervals(
    row: dict[str, Any], n_yes: float, n_no: float
) -> dict[str, float | list[float] | None]:
    """The Monte Carlo intervals of a signpost row's two conditional probabilities.

    Parameters
    ----------
    row : dict
        :func:`signpost_numbers`' keys.
    n_yes, n_no : float
        Effective runs with and without the indicator (:func:`group_effective_runs`).

    Returns
    -------
    dict
        ``p_outcome_if_true_ci95`` and ``p_outcome_if_false_ci95``: 95% Wilson intervals with
        Kish's effective runs for n (:func:`sim.analysis.words.effective_wilson`), null where
        the probability is null; ``effective_runs_if_true`` and ``effective_runs_if_false``.
    """
    from sim.analysis.words import effective_wilson

    out: dict[str, float | list[float] | None] = {}
    for side, n in (("true", n_yes), ("false", n_no)):
        p = row[f"p_outcome_if_{side}"]
        ci = None
        if p is not None and n > 0:
            low, high = effective_wilson(min(max(p, 0.0), 1.0), n)
            ci = [float(low), float(high)]
        out[f"p_outcome_if_{side}_ci95"] = ci
        out[f"effective_runs_if_{side}"] = float(n)
    return out


def signpost_row(
    indicator: np.ndarray, outcome: np.ndarray, weights: np.ndarray | None
) -> dict[str, float | None]:
    """The numbers of one signpost row (format section 11) from per-run yes/no values (n,) of
    an indicator and an outcome, weighted (:func:`signpost_numbers`)."""
    sums = signpost_sums(indicator[:, None], outcome[:, None], weights)
    return signpost_numbers(*(float(x) for x in sums[:, 0, 0]))


def signposts(results: Results) -> dict[str, list[dict[str, Any]]]:
    """``signposts`` of ``summary.json`` (format section 11): for each outcome, a row per
    indicator and date, sorted by information_bits (largest first; ties in file order, then
    date order), each with its intervals (:func:`signpost_intervals`). Empty without
    indicators."""
    sc = results.scenario
    if not sc.indicators or results.probes is None:
        return {}
    weights = results.weights if results.weighted else None
    columns = indicator_columns(results)
    values = results.probes[:, [c for _, _, c in columns]]
    sums = signpost_sums(values, results.flags, weights)
    n_eff = group_effective_runs(values, weights)
    out = {}
    for o, outcome in enumerate(sc.outcomes):
        rows = []
        for j, (ind, date, _) in enumerate(columns):
            row = {"indicator": ind.id, "date": date.isoformat()}
            row |= signpost_numbers(*(float(x) for x in sums[:, j, o]))
            row |= signpost_intervals(row, *n_eff[:, j])
            rows.append(row)
        rows.sort(key=lambda r: -r["information_bits"])  # stable: ties keep file, date order
        out[outcome.id] = rows
    return out


def top_signposts(
    rows: list[dict[str, Any]], top: int = SIGNPOSTS_TOP, min_bits: float = MIN_BITS
) -> list[dict[str, Any]]:
    """The signposts of one outcome worth watching, most informative first.

    Parameters
    ----------
    rows : list of dict
        ``summary.json["signposts"][OUTCOME]`` (format section 11), sorted by
        ``information_bits``, largest first.
    top : int, optional
        Most rows returned.
    min_bits : float, optional
        Rows with less mutual information than this (bits) are left out.

    Returns
    -------
    list of dict
        At most ``top`` rows, one per indicator (its most informative date), each with
        ``information_bits`` >= ``min_bits`` and both conditional probabilities known, in the
        order of ``rows``.
    """
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in rows:
        bits = row.get("information_bits")
        if bits is None or bits < min_bits or row["indicator"] in seen:
            continue
        if row.get("p_outcome_if_true") is None or row.get("p_outcome_if_false") is None:
            continue
        seen.add(row["indicator"])
        out.append(row)
        if len(out) >= top:
            break
    return out


def parameter_shifts(parameters: dict[str, Any]) -> list[tuple[str, float]]:
    """How far the evidence moved each named parameter, farthest first.

    The shift of a parameter is |posterior mean - prior mean| / (prior p95 - prior p5): the
    move of its mean as a share of the width of its prior 90% range (0 when that width is 0).

    Parameters
    ----------
    parameters : dict
        ``summary.json["parameters"]``: name -> entry; entries with both ``prior`` and
        ``posterior`` (``{"mean", "p5", "p50", "p95"}``) are ranked, others ignored.

    Returns
    -------
    list of (str, float)
        ``(name, shift)``, largest shift first (ties keep the order of ``parameters``).
    """
    out = []
    for name, entry in parameters.items():
        if not isinstance(entry, dict):
            continue
        prior, post = entry.get("prior"), entry.get("posterior")
        if not isinstance(prior, dict) or not isinstance(post, dict):
            continue
        width = float(prior["p95"]) - float(prior["p5"])
        move = abs(float(post["mean"]) - float(prior["mean"]))
        out.append((name, move / width if width > 0 else 0.0))
    out.sort(key=lambda item: -item[1])
    return out
