"""Tidy tables (pandas DataFrames) of a set of runs: the CSV files of a results folder.

Layouts: docs/RESULTS_LAYOUT.md. Dates are ISO strings on the scenario's report grid.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sim.results import Results

__all__ = [
    "by_date_frame",
    "first_passage_frame",
    "occupancy_frame",
    "outcomes_frame",
    "runs_frame",
]


def outcomes_frame(summary: dict[str, Any]) -> pd.DataFrame:
    """Outcome table, one row per outcome, from the ``summary.json`` content
    (:func:`sim.analysis.summary.summarize`).

    Columns: outcome, label, probability, ci_low, ci_high, words, first_time_median, ever.
    """
    rows = [
        {
            "outcome": oid,
            "label": v["label"],
            "probability": v["probability"],
            "ci_low": v["ci95"][0],
            "ci_high": v["ci95"][1],
            "words": v["words"],
            "first_time_median": v["first_time_median"],
            "ever": v["ever"],
        }
        for oid, v in summary["outcomes"].items()
    ]
    return pd.DataFrame(rows)


def occupancy_frame(results: Results) -> pd.DataFrame:
    """Tidy occupancy on the report grid: columns date, track, state, share (of runs)."""
    sc = results.scenario
    rows = []
    for p, day in zip(results.grid_index(), sc.grid_days, strict=True):
        date = sc.date_of(day).isoformat()
        for i, t in enumerate(sc.tracks):
            for j, s in enumerate(t.states):
                rows.append((date, t.id, s, int(results.occupancy[p, i, j]) / results.runs))
    return pd.DataFrame(rows, columns=["date", "track", "state", "share"])


def first_passage_frame(results: Results) -> pd.DataFrame:
    """First-passage curves on the report grid: columns date, outcome, share (of runs whose
    outcome condition had held by that date)."""
    sc = results.scenario
    rows = [
        (sc.date_of(day).isoformat(), o.id, int(results.passage[p, k]) / results.runs)
        for p, day in zip(results.grid_index(), sc.grid_days, strict=True)
        for k, o in enumerate(sc.outcomes)
    ]
    return pd.DataFrame(rows, columns=["date", "outcome", "share"])


def by_date_frame(summary: dict[str, Any]) -> pd.DataFrame:
    """Each outcome at each report date, from the ``summary.json`` content: columns date,
    outcome, probability, ci_low, ci_high."""
    rows = [
        (d, oid, p, *v["by_date_ci95"][d])
        for oid, v in summary["outcomes"].items()
        for d, p in v["by_date"].items()
    ]
    return pd.DataFrame(rows, columns=["date", "outcome", "probability", "ci_low", "ci_high"])


def runs_frame(results: Results) -> pd.DataFrame:
    """One row per run: run, final state of each track, each outcome's flag (0/1) and first
    date (empty when never), and each uncertain value's draw when kept for every run."""
    sc = results.scenario
    data: dict[str, Any] = {"run": np.arange(results.runs)}
    for i, t in enumerate(sc.tracks):
        data[t.id] = np.asarray(t.states, dtype=object)[results.final[:, i]]
    for o, outcome in enumerate(sc.outcomes):
        data[f"outcome:{outcome.id}"] = results.flags[:, o].astype(int)
        data[f"first:{outcome.id}"] = [
            "" if math.isinf(x) else sc.date_of(x).isoformat() for x in results.first[:, o]
        ]
    if len(results.slot_values) == results.runs:  # kept for every run (keep_values=None)
        for k, slot in enumerate(sc.slots):
            data[f"value:{slot.name}"] = results.slot_values[:, k]
    return pd.DataFrame(data)
