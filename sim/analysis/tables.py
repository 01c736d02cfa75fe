"""Tidy tables (pandas DataFrames) of a set of runs: the CSV files of a results folder.

Layouts: docs/RESULTS_LAYOUT.md. Dates are ISO strings on the scenario's report grid.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.results import Results

__all__ = [
    "FORMULA_STARTS",
    "by_date_frame",
    "first_passage_frame",
    "neutralize",
    "occupancy_frame",
    "outcomes_frame",
    "runs_frame",
    "write_csv",
]

# first characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas.

    As OWASP's CSV-injection guidance says, a text cell starting with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return gets a leading single quote (``=1+2`` becomes ``'=1+2``),
    so that Excel, LibreOffice and Google Sheets show it as text. Line breaks inside text
    (``\r\n`` or a lone ``\r``) become ``\n``, which the CSV writer quotes; a lone ``\r``
    would be written unquoted and end the row for many readers. Numeric columns, and numbers
    in text columns, are left as they are.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table, shape (n_rows, n_columns).

    Returns
    -------
    pandas.DataFrame
        Same shape, columns and dtypes.
    """
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(_neutral_cell)
    return out


def _neutral_cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` as UTF-8 CSV without the index, cells neutralised
    (:func:`neutralize`). Every CSV file of a results folder is written here.

    Parameters
    ----------
    frame : pandas.DataFrame
    path : pathlib.Path

    Raises
    ------
    OSError
        The file cannot be written (for example a full disk).
    """
    neutralize(frame).to_csv(path, index=False, encoding="utf-8")


def outcomes_frame(summary: dict[str, Any]) -> pd.DataFrame:
    """Outcome table, one row per outcome, from the ``summary.json`` content
    (:func:`sim.analysis.summary.summarize`).

    Columns: outcome, label, probability, ci_low, ci_high, words, first_time_median, ever;
    with evidence also prior_probability. A variant ruled out by the evidence has empty
    probabilities.
    """
    rows = []
    for oid, v in summary["outcomes"].items():
        low, high = v["ci95"] or (None, None)
        row = {
            "outcome": oid,
            "label": v["label"],
            "probability": v["probability"],
            "ci_low": low,
            "ci_high": high,
            "words": v["words"],
            "first_time_median": v["first_time_median"],
            "ever": v["ever"],
        }
        if "prior_probability" in v:
            row["prior_probability"] = v["prior_probability"]
        rows.append(row)
    return pd.DataFrame(rows)


def occupancy_frame(results: Results) -> pd.DataFrame:
    """Tidy occupancy on the report grid: columns date, track, state, share (of runs; of
    their weight with evidence)."""
    sc = results.scenario
    total = max(results.total_weight, 1e-300)
    rows = []
    for p, day in zip(results.grid_index(), sc.grid_days, strict=True):
        date = sc.date_of(day).isoformat()
        for i, t in enumerate(sc.tracks):
            for j, s in enumerate(t.states):
                rows.append((date, t.id, s, float(results.occupancy[p, i, j]) / total))
    return pd.DataFrame(rows, columns=["date", "track", "state", "share"])


def first_passage_frame(results: Results) -> pd.DataFrame:
    """First-passage and probability curves on the report grid: columns date, outcome, share
    (of runs whose outcome condition had held by that date) and holds (of runs in which the
    outcome holds on that date, as if the horizon were that date: for an outcome read at
    the horizon, its probability over time; for an "at any time" one, equal to share);
    shares of the runs' weight with evidence."""
    sc = results.scenario
    total = max(results.total_weight, 1e-300)
    rows = [
        (
            sc.date_of(day).isoformat(),
            o.id,
            float(results.passage[p, k]) / total,
            min(float(results.by_point[p, k]) / total, 1.0),
        )
        for p, day in zip(results.grid_index(), sc.grid_days, strict=True)
        for k, o in enumerate(sc.outcomes)
    ]
    return pd.DataFrame(rows, columns=["date", "outcome", "share", "holds"])


def by_date_frame(summary: dict[str, Any]) -> pd.DataFrame:
    """Each outcome at each report date, from the ``summary.json`` content: columns date,
    outcome, probability, ci_low, ci_high."""
    rows = [
        (d, oid, p, *v["by_date_ci95"][d])
        for oid, v in summary["outcomes"].items()
        for d, p in (v.get("by_date") or {}).items()  # none when ruled out by the evidence
    ]
    return pd.DataFrame(rows, columns=["date", "outcome", "probability", "ci_low", "ci_high"])


def runs_frame(results: Results) -> pd.DataFrame:
    """One row per run: run, final state of each track, each outcome's flag (0/1) and first
    date (empty when never), the run's weight with evidence, and each uncertain value's draw
    when kept for every run."""
    sc = results.scenario
    data: dict[str, Any] = {"run": np.arange(results.runs)}
    for i, t in enumerate(sc.tracks):
        data[t.id] = np.asarray(t.states, dtype=object)[results.final[:, i]]
    for o, outcome in enumerate(sc.outcomes):
        data[f"outcome:{outcome.id}"] = results.flags[:, o].astype(int)
        data[f"first:{outcome.id}"] = [
            "" if math.isinf(x) else sc.date_of(x).isoformat() for x in results.first[:, o]
        ]
    if results.weighted:
        data["weight"] = results.weights * math.exp(results.log_scale)  # w_r of section 10
    if len(results.slot_values) == results.runs:  # kept for every run (keep_values=None)
        for k, slot in enumerate(sc.slots):
            data[f"value:{slot.name}"] = results.slot_values[:, k]
    return pd.DataFrame(data)
