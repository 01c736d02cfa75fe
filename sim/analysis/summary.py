"""The ``summary.json`` content of a set of runs: probabilities with Wilson intervals and words,
first times, states at the horizon, events, top trajectories and importance.

Everything here is computed from the arrays of a :class:`sim.results.Results` (which holds the
runs and nothing else); :mod:`sim.report.files` writes it, validated by
:class:`sim.contracts.SummaryFile`. The layout is documented in docs/RESULTS_LAYOUT.md.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.analysis.compare import changes_of
from sim.analysis.evidence import (
    evidence_block,
    parameter_changes,
    signposts,
    weighted_quantile,
)
from sim.analysis.influence import influence_rows
from sim.analysis.sensitivity import importance as rank_correlations
from sim.analysis.sensitivity import spread
from sim.analysis.words import effective_wilson, estimative_words, wilson_intervals
from sim.results import IMPORTANCE_RUNS, Results

__all__ = ["first_time_median", "importance", "intervals", "summarize"]


def intervals(results: Results) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson intervals of ``results.probabilities()``: (low, high), each (n_outcomes,);
    with evidence, with Kish's effective number of runs for n (format section 10)."""
    if results.weighted:
        return effective_wilson(results.probabilities(), results.effective_runs)
    return wilson_intervals(results.flags.sum(axis=0), results.runs)


def first_time_median(results: Results, o: int) -> float | None:
    """The ceil(N/2)-th smallest first time (days) of outcome ``o`` (with evidence, the
    weighted median); None when infinite (the runs in which the outcome's condition held
    carry less than half the weight)."""
    weights = results.weights if results.weighted else None
    value = weighted_quantile(results.first[:, o], weights, 0.5)
    return None if math.isinf(value) else value


def _share_interval(share: float, results: Results) -> list[float]:
    """A share of the runs' weight and its 95% Wilson interval (effective runs with
    evidence)."""
    if results.weighted:
        low, high = effective_wilson(share, results.effective_runs)
    else:
        low, high = wilson_intervals(round(share * results.runs), results.runs)
    return [float(low), float(high)]


def importance(results: Results) -> dict[str, list[dict[str, Any]]]:
    """Rank correlation of each uncertain value with each outcome, strongest first.

    Returns
    -------
    dict
        ``{outcome id: [{"parameter": NAME, "rho": r}, ...]}`` sorted by decreasing |rho|,
        from the draws of the first IMPORTANCE_RUNS runs (see
        :func:`sim.analysis.sensitivity.importance`); only values that vary (a variant may
        fix a parameter at one value, which then moves nothing); empty when none does.
    """
    scenario = results.scenario
    varied = [j for j, slot in enumerate(scenario.slots) if not slot.distribution.is_fixed]
    if not varied:
        return {}
    values, flags = results.slot_values[:, varied], results.flags
    if results.weighted:  # the runs the evidence leaves in play
        alive = np.flatnonzero(results.weights[: len(values)] > 0)
        values, flags = values[alive], flags[alive]
    if len(values) < 3:
        return {}
    rho = rank_correlations(values, flags, max_runs=IMPORTANCE_RUNS)
    out = {}
    for o, outcome in enumerate(scenario.outcomes):
        rows = [
            {"parameter": scenario.slots[j].name, "rho": float(rho[k, o])}
            for k, j in enumerate(varied)
        ]
        rows.sort(key=lambda r: -abs(r["rho"]))
        out[outcome.id] = rows
    return out


def summarize(results: Results) -> dict[str, Any]:
    """The ``summary.json`` content of ``results`` (SCENARIO_FORMAT.md section 9, plus extras).

    Returns
    -------
    dict
        Keys in file order: scenario, variant, ..., settings, outcomes, tracks,
        states_at_horizon, events, influences (:func:`sim.analysis.influence.influence_rows`),
        trajectories, parameters, importance, importance_runs and,
        for parameter draws, parameter_draws. Probabilities are shares of runs; dates ISO.
    """
    from sim import __version__

    sc = results.scenario
    n = results.runs
    total = results.total_weight
    s = results.settings
    out = {
        "scenario": sc.id,
        "variant": sc.variant,
        "variant_label": sc.variant_label,
        "variant_changes": changes_of(sc),
        "title": sc.title,
        "description": sc.description,
        "sources": list(sc.sources),
        "runs": n,
        "seed": s.seed,
        "engine": s.engine,
        "start": sc.start.isoformat(),
        "horizon": sc.horizon_date.isoformat(),
        "horizon_days": sc.horizon_days,
        "settings": {
            "jobs": s.jobs,
            "scheduler": s.scheduler,
            "version": __version__,
            "elapsed_seconds": round(s.elapsed_seconds, 3),
            "file": sc.file,
            "sha256": sc.sha256,
            "report_every": sc.report_every_text,
            "report_dates": [d.isoformat() for d, _ in sc.report_dates],
            "created": s.created,
        },
        "outcomes": _outcomes(results),
        "tracks": {
            t.id: {"label": t.label, "states": dict(zip(t.states, t.state_labels, strict=True))}
            for t in sc.tracks
        },
        "states_at_horizon": {
            t.id: {s: _share(results.occupancy[-1, i, j], total) for j, s in enumerate(t.states)}
            for i, t in enumerate(sc.tracks)
        },
        "events": _events(results),
        "influences": influence_rows(sc),
        "trajectories": _trajectories(results),
        "parameters": {slot.name: _parameter(sc, slot) for slot in sc.slots},
        "importance": importance(results),
        "importance_runs": _importance_runs(results),
    } | ({"parameter_draws": s.parameter_draws} if s.parameter_draws else {})
    return _with_evidence(results, out)


def _importance_runs(results: Results) -> int:
    """How many runs importance read: the first IMPORTANCE_RUNS whose draws were kept (with
    evidence, of those with a weight)."""
    kept = min(len(results.slot_values), results.runs)
    if results.weighted:
        kept = int(np.count_nonzero(results.weights[:kept] > 0))
    return min(kept, IMPORTANCE_RUNS)


def _share(count: float, total: float) -> float | None:
    """A share of the runs, count / total as a float, at most 1 (a weighted count and the total
    weight are sums of the same weights in different orders); None when total is 0 (no run
    left by the evidence)."""
    return min(float(count) / total, 1.0) if total > 0 else None


def _with_evidence(results: Results, out: dict[str, Any]) -> dict[str, Any]:
    """Add the format 1.1 keys: ``evidence``, each outcome's ``prior_probability`` and each
    parameter's ``prior``/``posterior`` with evidence, ``ruled_out_by_evidence`` when no run
    is left, and with indicators ``signposts`` (unless ruled out) and ``indicators`` (id ->
    label, when, ever, dates and note, for the report's sentences)."""
    ruled_out = results.weighted and results.total_weight <= 0
    if results.weighted:
        out["evidence"] = evidence_block(results)
        for entry, prior in zip(
            out["outcomes"].values(), results.prior_probabilities().tolist(), strict=True
        ):
            entry["prior_probability"] = prior
        for name, change in parameter_changes(results).items():
            out["parameters"][name] |= change
    if ruled_out:
        out["ruled_out_by_evidence"] = True
    elif results.scenario.indicators:
        out["signposts"] = signposts(results)
    if results.scenario.indicators:
        out["indicators"] = {
            ind.id: {"label": ind.label, "when": ind.text, "ever": ind.ever,
                     "dates": [d.isoformat() for d, _ in ind.dates]}
            | ({"note": ind.note} if ind.note else {})
            for ind in results.scenario.indicators
        }  # fmt: skip
    return out


def _outcomes(results: Results) -> dict[str, dict[str, Any]]:
    """Per outcome: probability, interval, words, first-time median, by-date shares, spread."""
    sc = results.scenario
    total = results.total_weight
    if total <= 0:  # ruled out by the evidence: no posterior
        return {
            o.id: {"label": o.label, "when": o.text, "ever": o.ever, "probability": None,
                   "ci95": None, "words": None, "first_time_median": None}
            for o in sc.outcomes
        }  # fmt: skip
    probs = results.probabilities()
    low, high = intervals(results)
    outcomes = {}
    for o, outcome in enumerate(sc.outcomes):
        median = first_time_median(results, o)
        entry: dict[str, Any] = {
            "label": outcome.label,
            "when": outcome.text,
            "ever": outcome.ever,
            "probability": float(probs[o]),
            "ci95": [float(low[o]), float(high[o])],
            "words": estimative_words(float(probs[o])),
            "first_time_median": None if median is None else sc.date_of(median).isoformat(),
        }
        if sc.report_dates:
            entry["by_date"] = {}
            entry["by_date_ci95"] = {}
            for d, day in sc.report_dates:
                p = int(np.searchsorted(results.points, day))
                share = min(float(results.by_point[p, o]) / total, 1.0)
                entry["by_date"][d.isoformat()] = share
                entry["by_date_ci95"][d.isoformat()] = _share_interval(share, results)
        outcomes[outcome.id] = entry
    for entry, sp in zip(outcomes.values(), _spreads(results), strict=False):
        entry["spread"] = sp
    return outcomes


def _spreads(results: Results) -> list[dict[str, Any]]:
    """Each outcome's spread across the assumptions (:func:`spread`), from the runs themselves
    with ``--parameter-draws`` (``source`` "parameter_draws") or else from the separate spread
    design (``results.second_order``, ``source`` "spread_design"); none when neither was made
    or the evidence leaves no run of the design."""
    if results.settings.parameter_draws and results.rows is not None:
        runs, source = results, "parameter_draws"
    elif results.second_order is not None:
        runs, source = results.second_order, "spread_design"
    else:
        return []
    if runs.rows is None or runs.total_weight <= 0:
        return []
    found = spread(runs.flags, runs.rows, runs.weights if runs.weighted else None)
    return [sp | {"runs": runs.runs, "source": source} for sp in found]


def _events(results: Results) -> dict[str, dict[str, Any]]:
    """Per event: share of runs in which it fired, mean firings, and how it is written."""
    sc = results.scenario
    total = results.total_weight
    events = {}
    for e, ev in enumerate(sc.events):
        track = sc.tracks[ev.track]
        events[ev.id] = {
            "fired_probability": _share(results.fired[e], total),
            "mean_fires": float(results.fire_count[e]) / total if total > 0 else None,
            "label": ev.label,
            "track": track.id,
            "from": [track.states[s] for s in sorted(ev.from_states)],
            "to": {track.states[s]: p for s, p in ev.to},
            "timing": ev.timing.short,
            "note": ev.note,
        } | ({"when": ev.when} if ev.when is not None else {})
    return events


def _parameter(sc: Any, slot: Any) -> dict[str, Any]:
    """One uncertain value: label and value as written, plus what places it.

    An unnamed range (``EVENT.chance``, ``EVENT.modifiers.N``, ...) also gets ``event`` (the
    event's id), ``key`` (the rest of its address), ``note`` (the event's note) and, for a
    modifier, ``while`` (its condition as written); a named parameter gets its own ``note``
    (``parameters.ID.note`` in the file) when it has one.
    """
    entry: dict[str, Any] = {"label": slot.label, "value": slot.distribution.text}
    event_id, _, key = slot.name.partition(".")
    event = next((ev for ev in sc.events if ev.id == event_id), None) if key else None
    if event is None:
        return entry | ({"note": slot.note} if slot.note else {})
    entry |= {"event": event.id, "key": key}
    if event.note:
        entry["note"] = event.note
    parts = key.split(".")
    if len(parts) == 2 and parts[0] == "modifiers" and parts[1].isdigit():
        k = int(parts[1])
        if k < len(event.modifiers):
            entry["while"] = event.modifiers[k].text.rsplit(": x", 1)[0]
    return entry


def _trajectories(results: Results) -> list[dict[str, Any]]:
    """The most frequent trajectories: event ids in firing order, runs and share."""
    sc = results.scenario
    out = []
    total = results.total_weight
    for seq, count in results.top_trajectories():
        names = [sc.events[e].id if e >= 0 else "..." for e in seq]
        if results.weighted:  # count: runs that followed it; share: of the weight
            if total <= 0 or count <= 0:
                continue
            share = count / total
            count = results.trajectory_runs(seq)
        else:
            share = count / results.runs
        out.append({"events": names, "count": int(count), "share": min(share, 1.0)})
    return out
