"""Comparing variants run with common random numbers: paired differences of outcome shares.

Run i of every variant consumes the same addressed random numbers (same run index, same
stream names), so the per-run outcome flags are paired and differences are estimated with far
less noise than from independent runs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.analysis.words import Z95, effective_wilson, estimative_words, wilson_interval
from sim.results import Results

__all__ = ["compare", "newcombe_paired_interval"]


def newcombe_paired_interval(
    a: int, b: int, c: int, d: int, z: float = 1.959963984540054
) -> tuple[float, float]:
    """95% interval of p2 - p1 for paired binary data (Newcombe 1998, method 10).

    Parameters
    ----------
    a, b, c, d : int
        Counts of pairs: both true (a); true in the first only (b); true in the second only
        (c); both false (d).

    Returns
    -------
    (low, high) : tuple of float
        Bounds of (c - b) / n, within [-1, 1].

    Notes
    -----
    Newcombe, R. G. (1998). Improved confidence intervals for the difference between binomial
    proportions based on paired data. Statistics in Medicine 17, 2635-2650: the hybrid score
    interval built from the Wilson intervals (l1, u1), (l2, u2) of the two marginal shares and
    the phi coefficient of the 2x2 table, whose numerator ad - bc is corrected to
    ad - bc - n/2 when ad - bc > n/2 and to 0 when 0 <= ad - bc <= n/2 (as in Fagerland,
    Lydersen and Laake 2017, Statistical Analysis of Contingency Tables, ch. 8, whose Cavo et
    al. example [[59, 6], [16, 80]] gives -0.0621 (-0.1186 to -0.0046)).

    Raises
    ------
    ValueError
        No pairs.
    """
    n = a + b + c + d
    if n <= 0:
        raise ValueError("no pairs")
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson_interval(a + b, n, z)
    l2, u2 = wilson_interval(a + c, n, z)
    denom = (a + b) * (c + d) * (a + c) * (b + d)
    ad_bc = a * d - b * c
    num = ad_bc - n / 2 if ad_bc > n / 2 else (0.0 if ad_bc >= 0 else ad_bc)
    phi = num / math.sqrt(denom) if denom > 0 else 0.0
    theta = p2 - p1
    delta = math.sqrt(max((p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2, 0))
    eps = math.sqrt(max((u2 - p2) ** 2 - 2 * phi * (u2 - p2) * (p1 - l1) + (p1 - l1) ** 2, 0))
    return max(theta - delta, -1.0), min(theta + eps, 1.0)


def weighted_entry(base: Results, o: int, r: Results, idx: int) -> dict[str, Any]:
    """One outcome of one variant against base, with evidence (format section 10).

    Each variant's runs carry their own weights (the observations evaluated on its runs).
    The posterior is the self-normalised share p = sum(w y) / sum(w), its interval Wilson's
    with Kish's n_eff; the difference p_v - p_b has the delta-method variance of a difference
    of two ratio estimators on the same runs (Owen 2013, *Monte Carlo theory, methods and
    examples*, section 9.2): sum_r (a_r - b_r)^2 with a_r = w_v,r (y_r - p_v) / W_v and
    b_r = w_b,r (x_r - p_b) / W_b. A variant ruled out (all weights 0) has nulls.
    """
    wb = base.weights if base.weighted else np.ones(base.runs)
    wv = r.weights if r.weighted else np.ones(r.runs)
    x, y = base.flags[:, o].astype(float), r.flags[:, idx].astype(float)
    changed = int(np.count_nonzero((x != y) & (wb + wv > 0)))
    if wv.sum() <= 0:
        return {"probability": None, "ci95": None, "words": None, "difference": None,
                "difference_ci95": None, "changed_runs": changed,
                "ruled_out_by_evidence": True}  # fmt: skip
    pv = min(float(wv @ y / wv.sum()), 1.0)
    lo, hi = effective_wilson(pv, r.effective_runs)
    entry = {"probability": pv, "ci95": [float(lo), float(hi)], "words": estimative_words(pv),
             "difference": None, "difference_ci95": None, "changed_runs": changed,
             "prior_probability": float(y.mean())}  # fmt: skip
    if wb.sum() <= 0:  # base ruled out: no difference from it
        return entry
    pb = min(float(wb @ x / wb.sum()), 1.0)
    a = wv * (y - pv) / wv.sum()
    b = wb * (x - pb) / wb.sum()
    half = Z95 * math.sqrt(float(np.sum((a - b) ** 2)))
    diff = pv - pb
    return entry | {
        "difference": diff,
        "difference_ci95": [max(diff - half, -1.0), min(diff + half, 1.0)],
    }


def compare(results: dict[str, Results]) -> dict[str, Any]:
    """The ``comparison.json`` content for variants run with the same seed and runs.

    Parameters
    ----------
    results : dict of variant id -> Results
        Must contain ``base``; all with the same number of runs and seed.

    Returns
    -------
    dict
        ``{"scenario", "runs", "seed", "variants": {id: {"label", "position", ...}},
        "outcomes": {outcome id: {"label", "ever", "by_variant": {variant: {"probability",
        "ci95", "words", "difference", "difference_ci95", "changed_runs"}}}}}``; differences
        are against base (variant minus base) with Newcombe's paired 95% interval.
        ``position`` is the variant's place in the scenario's variants (base 0, then file
        order), which gives it its colour in every comparison chart, whichever variants are
        compared.

    Raises
    ------
    ValueError
        No base, or variants that differ in runs or seed.
    """
    if "base" not in results:
        raise ValueError("a comparison needs the base variant")
    base = results["base"]
    for vid, r in results.items():
        if r.runs != base.runs or r.settings.seed != base.settings.seed:
            raise ValueError(f"variant {vid} was run with other runs or seed than base")
    sc = base.scenario
    outcomes: dict[str, Any] = {}
    for o, outcome in enumerate(sc.outcomes):
        by_variant = {}
        x = base.flags[:, o]
        for vid, r in results.items():
            k = r.scenario.outcomes
            idx = next(i for i, oc in enumerate(k) if oc.id == outcome.id)
            if r.weighted or base.weighted:
                by_variant[vid] = weighted_entry(base, o, r, idx)
                continue
            y = r.flags[:, idx]
            n = r.runs
            p = float(y.mean())
            lo, hi = wilson_interval(int(y.sum()), n)
            a = int(np.count_nonzero(x & y))
            b = int(np.count_nonzero(x & ~y))
            c = int(np.count_nonzero(~x & y))
            d = n - a - b - c
            dlo, dhi = newcombe_paired_interval(a, b, c, d)
            by_variant[vid] = {
                "probability": p,
                "ci95": [lo, hi],
                "words": estimative_words(p),
                "difference": (c - b) / n,
                "difference_ci95": [dlo, dhi],
                "changed_runs": b + c,
            }
        outcomes[outcome.id] = {
            "label": outcome.label,
            "ever": outcome.ever,
            "by_variant": by_variant,
        }
    variants = _variants(results)
    return {
        "scenario": sc.id,
        "title": sc.title,
        "runs": base.runs,
        "seed": base.settings.seed,
        "engine": base.settings.engine,
        "start": sc.start.isoformat(),
        "horizon": sc.horizon_date.isoformat(),
        "variants": variants,
        "outcomes": outcomes,
    } | ({"evidence": _evidence(results)} if sc.evidence else {})


def _variants(results: dict[str, Results]) -> dict[str, Any]:
    """``comparison.json["variants"]``: each variant's label, description, changes and
    position in the scenario's variants (base 0, then file order)."""
    sc = results["base"].scenario
    positions = {"base": 0} | {v.id: k + 1 for k, v in enumerate(sc.variants)}
    return {
        vid: {
            "label": r.scenario.variant_label,
            "position": positions.get(vid),
            "description": next((v.description for v in sc.variants if v.id == vid), None),
            "changes": changes_of(r.scenario),
        }
        for vid, r in results.items()
    }


def changes_of(scenario: Any) -> list[dict[str, str | None]]:
    """What the variant ``scenario`` changes in the base (:attr:`Scenario.variant_changes`) as
    ``summary.json`` and ``comparison.json`` write it: ``[{"path", "before", "after"}]``,
    empty for ``base``."""
    return [
        {"path": c.path, "before": c.before, "after": c.after} for c in scenario.variant_changes
    ]


def _evidence(results: dict[str, Results]) -> dict[str, Any]:
    """What every variant's probabilities are conditioned on (format section 10): the
    observations (as the base has them) and, per variant, the probability its model gave to
    them and its effective runs."""
    base = results["base"]
    sc = base.scenario
    items = [
        {"date": o.date.isoformat(), "when": o.text, "ever": o.ever, "observed": o.observed,
         "confidence": o.confidence} | ({"label": o.label} if o.label else {})
        for o in sc.evidence
    ]  # fmt: skip
    as_of = sc.as_of or max(o.date for o in sc.evidence)
    return {
        "as_of": as_of.isoformat(),
        "observations": len(sc.evidence),
        "items": items,
        "by_variant": {
            vid: {"probability": r.evidence_probability, "effective_runs": r.effective_runs}
            for vid, r in results.items()
        },
    }
